-- 0003 down: back to 0001's shape, rebuilding the tables whose constraints
-- changed. Predictions and the new columns are lost; of alerts that differ
-- only by ensemble, the first written stays.
ALTER TABLE forecasts DROP COLUMN weights_id;

DROP TABLE validation_predictions;

CREATE TABLE ensemble_weights_old (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    ensemble         TEXT NOT NULL,
    symbol           TEXT NOT NULL DEFAULT '*',
    horizon          TEXT NOT NULL,
    method           TEXT NOT NULL,
    weights          TEXT NOT NULL,
    previous_weights TEXT,
    divergence       REAL,
    reason           TEXT NOT NULL,
    actor            TEXT NOT NULL,
    effective_at     TEXT NOT NULL,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CONSTRAINT uq_ensemble_weights UNIQUE (ensemble, symbol, horizon, effective_at)
);
INSERT INTO ensemble_weights_old (id, ensemble, symbol, horizon, method, weights, previous_weights,
    divergence, reason, actor, effective_at, created_at)
SELECT id, ensemble, symbol, horizon, method, weights, previous_weights,
    divergence, reason, actor, effective_at, created_at
FROM ensemble_weights;
DELETE FROM sqlite_sequence WHERE name = 'ensemble_weights_old';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'ensemble_weights_old', seq FROM sqlite_sequence WHERE name = 'ensemble_weights';
DROP TABLE ensemble_weights;
ALTER TABLE ensemble_weights_old RENAME TO ensemble_weights;

CREATE TABLE divergence_alerts_old (
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
    CONSTRAINT uq_divergence_alerts UNIQUE (symbol, horizon, validation_date, window_id, level)
);
INSERT INTO divergence_alerts_old (id, symbol, horizon, validation_date, window_id, level, divergence,
    threshold, val_rmse, test_rmse, created_at)
SELECT id, symbol, horizon, validation_date, window_id, level, divergence,
    threshold, val_rmse, test_rmse, created_at
FROM divergence_alerts
WHERE id IN (SELECT MIN(id) FROM divergence_alerts
             GROUP BY symbol, horizon, validation_date, window_id, level);
DELETE FROM sqlite_sequence WHERE name = 'divergence_alerts_old';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'divergence_alerts_old', seq FROM sqlite_sequence WHERE name = 'divergence_alerts';
DROP TABLE divergence_alerts;
ALTER TABLE divergence_alerts_old RENAME TO divergence_alerts;
