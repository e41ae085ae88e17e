-- 0003: the SQLite mirror of migrations/postgres/0003_walkforward.up.sql.
-- SQLite cannot alter constraints, so divergence_alerts and ensemble_weights
-- are rebuilt (create the new table, copy, drop the old, rename), keeping
-- ids, AUTOINCREMENT sequences and the column order PostgreSQL gets from
-- ADD COLUMN.

CREATE TABLE divergence_alerts_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol          TEXT NOT NULL,
    horizon         TEXT NOT NULL,
    validation_date TEXT NOT NULL,
    window_id       INTEGER NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('warning', 'overfitting', 'critical')),
    divergence      REAL NOT NULL CHECK (divergence >= 0),
    threshold       REAL NOT NULL,
    val_rmse        REAL NOT NULL,
    test_rmse       REAL NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ensemble        TEXT NOT NULL,
    run_id          INTEGER CONSTRAINT fk_divergence_alerts_run REFERENCES forecast_runs (id),
    CONSTRAINT uq_divergence_alerts UNIQUE (symbol, horizon, ensemble, validation_date, window_id, level)
);
INSERT INTO divergence_alerts_new (id, symbol, horizon, validation_date, window_id, level, divergence,
    threshold, val_rmse, test_rmse, created_at, ensemble)
SELECT id, symbol, horizon, validation_date, window_id, level, divergence,
    threshold, val_rmse, test_rmse, created_at, ''
FROM divergence_alerts;
DELETE FROM sqlite_sequence WHERE name = 'divergence_alerts_new';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'divergence_alerts_new', seq FROM sqlite_sequence WHERE name = 'divergence_alerts';
DROP TABLE divergence_alerts;
ALTER TABLE divergence_alerts_new RENAME TO divergence_alerts;

CREATE TABLE ensemble_weights_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    ensemble           TEXT NOT NULL,
    symbol             TEXT NOT NULL DEFAULT '*',
    horizon            TEXT NOT NULL,
    method             TEXT NOT NULL,
    weights            TEXT NOT NULL,
    previous_weights   TEXT,
    divergence         REAL,
    reason             TEXT NOT NULL,
    actor              TEXT NOT NULL,
    effective_at       TEXT NOT NULL,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    source             TEXT,
    calibrated_weights TEXT,
    window_id          INTEGER,
    validation_date    TEXT,
    val_rmse           REAL,
    test_rmse          REAL,
    run_id             INTEGER CONSTRAINT fk_ensemble_weights_run REFERENCES forecast_runs (id),
    CONSTRAINT uq_ensemble_weights UNIQUE (ensemble, symbol, horizon, effective_at),
    CONSTRAINT chk_ensemble_weights_source CHECK (source IN ('calibrated', 'reverted')),
    CONSTRAINT chk_ensemble_weights_validation CHECK (source IS NULL OR (window_id IS NOT NULL
        AND validation_date IS NOT NULL AND val_rmse > 0 AND test_rmse > 0 AND divergence >= 0))
);
INSERT INTO ensemble_weights_new (id, ensemble, symbol, horizon, method, weights, previous_weights,
    divergence, reason, actor, effective_at, created_at)
SELECT id, ensemble, symbol, horizon, method, weights, previous_weights,
    divergence, reason, actor, effective_at, created_at
FROM ensemble_weights;
DELETE FROM sqlite_sequence WHERE name = 'ensemble_weights_new';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'ensemble_weights_new', seq FROM sqlite_sequence WHERE name = 'ensemble_weights';
DROP TABLE ensemble_weights;
ALTER TABLE ensemble_weights_new RENAME TO ensemble_weights;

CREATE TABLE validation_predictions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol          TEXT    NOT NULL,
    horizon         TEXT    NOT NULL,
    ensemble        TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    window_id       INTEGER NOT NULL,
    span            TEXT    NOT NULL CHECK (span IN ('val', 'test')),
    as_of           TEXT    NOT NULL,
    target_date     TEXT    NOT NULL,
    mu              REAL    NOT NULL,
    sigma           REAL    NOT NULL CHECK (sigma > 0),
    p_bearish       REAL    NOT NULL,
    p_neutral       REAL    NOT NULL,
    p_bullish       REAL    NOT NULL,
    ci_lower        REAL    NOT NULL,
    ci_upper        REAL    NOT NULL,
    realised_return REAL    NOT NULL,
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CONSTRAINT uq_validation_predictions UNIQUE (symbol, horizon, ensemble, model, window_id, span, as_of)
);
CREATE INDEX idx_validation_predictions_calibration ON validation_predictions (symbol, ensemble, model, span, as_of);

ALTER TABLE forecasts
    ADD COLUMN weights_id INTEGER CONSTRAINT fk_forecasts_weights REFERENCES ensemble_weights (id);
