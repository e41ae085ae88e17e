-- 0004: the SQLite mirror of migrations/postgres/0004_calibration.up.sql,
-- with TEXT for JSON and for timestamps (UTC, milliseconds).

CREATE TABLE calibrations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      INTEGER CONSTRAINT fk_calibrations_run REFERENCES forecast_runs (id),
    symbol      TEXT    NOT NULL,
    horizon     TEXT    NOT NULL,
    ensemble    TEXT    NOT NULL,
    method      TEXT    NOT NULL,
    parameters  TEXT    NOT NULL,
    sample_from TEXT    NOT NULL,
    sample_to   TEXT    NOT NULL,
    n_samples   INTEGER NOT NULL CHECK (n_samples > 0),
    before      TEXT    NOT NULL,
    after       TEXT    NOT NULL,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CONSTRAINT uq_calibrations UNIQUE (symbol, horizon, ensemble, method, sample_to),
    CONSTRAINT chk_calibrations_key CHECK (symbol <> '' AND horizon <> '' AND ensemble <> '' AND method <> ''),
    CONSTRAINT chk_calibrations_samples CHECK (sample_from <= sample_to)
);
CREATE INDEX idx_calibrations_latest ON calibrations (symbol, horizon, ensemble, sample_to DESC);

ALTER TABLE forecasts ADD COLUMN ci_lower_raw REAL;
ALTER TABLE forecasts ADD COLUMN ci_upper_raw REAL;
ALTER TABLE forecasts ADD COLUMN p_up REAL;
ALTER TABLE forecasts ADD COLUMN p_up_raw REAL;
ALTER TABLE forecasts
    ADD COLUMN calibration_id INTEGER CONSTRAINT fk_forecasts_calibration REFERENCES calibrations (id);
