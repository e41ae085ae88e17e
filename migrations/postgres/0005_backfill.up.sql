-- 0005: backfills (DESIGN §8, units of work). A forecast records the hash
-- of the parameters that changed its numbers (config_hash; a walk-forward
-- window keeps it in its hyperparameters), so that a unit of work is done
-- when its rows exist for the same hash. A backfill is a backfills row,
-- one per kind, configuration, date range and symbols, so that a rerun of
-- the same command finds it; its units and their state are backfill_units
-- rows, readable from any machine (runner backfill status).

ALTER TABLE forecasts ADD COLUMN config_hash TEXT;

CREATE TABLE backfills (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT        NOT NULL CHECK (kind IN ('forecast', 'validate')),
    mode        TEXT        NOT NULL,
    from_date   DATE        NOT NULL,
    to_date     DATE        NOT NULL,
    symbols     TEXT[]      NOT NULL,
    config_hash TEXT        NOT NULL,
    parameters  JSONB       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT uq_backfills UNIQUE (kind, config_hash, from_date, to_date, symbols),
    CONSTRAINT chk_backfills_dates CHECK (from_date <= to_date)
);

CREATE TABLE backfill_units (
    backfill_id BIGINT      NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
    symbol      TEXT        NOT NULL,
    day         DATE        NOT NULL,
    window_id   INT         NOT NULL DEFAULT 0,
    status      TEXT        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts    INT         NOT NULL DEFAULT 0,
    error       TEXT        NOT NULL DEFAULT '',
    run_id      BIGINT,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (backfill_id, symbol, day, window_id)
);
CREATE INDEX idx_backfill_units_status ON backfill_units (backfill_id, status);
