-- 0005: the SQLite mirror of migrations/postgres/0005_backfill.up.sql, with
-- TEXT for dates ('YYYY-MM-DD'), timestamps (UTC, milliseconds) and arrays
-- (JSON).

ALTER TABLE forecasts ADD COLUMN config_hash TEXT;

CREATE TABLE backfills (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('forecast', 'validate')),
    mode        TEXT NOT NULL,
    from_date   TEXT NOT NULL,
    to_date     TEXT NOT NULL,
    symbols     TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    parameters  TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CONSTRAINT uq_backfills UNIQUE (kind, config_hash, from_date, to_date, symbols),
    CONSTRAINT chk_backfills_dates CHECK (from_date <= to_date)
);

CREATE TABLE backfill_units (
    backfill_id INTEGER NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
    symbol      TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    window_id   INTEGER NOT NULL DEFAULT 0,
    status      TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    run_id      INTEGER,
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (backfill_id, symbol, day, window_id)
) WITHOUT ROWID;
CREATE INDEX idx_backfill_units_status ON backfill_units (backfill_id, status);
