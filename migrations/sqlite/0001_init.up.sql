-- 0001: the SQLite mirror of migrations/postgres/0001_init.up.sql.
-- Dates are TEXT 'YYYY-MM-DD'; timestamps TEXT 'YYYY-MM-DDTHH:MM:SS.SSSZ' (UTC,
-- so they sort as text); arrays and JSON are TEXT holding JSON; booleans are
-- INTEGER 0/1; DECIMAL columns are REAL.

CREATE TABLE price_bars (
    symbol     TEXT NOT NULL,
    date       TEXT NOT NULL,
    open       REAL NOT NULL,
    high       REAL NOT NULL,
    low        REAL NOT NULL,
    close      REAL NOT NULL CHECK (close > 0),
    adj_close  REAL NOT NULL CHECK (adj_close > 0),
    volume     REAL NOT NULL CHECK (volume >= 0),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (symbol, date)
) WITHOUT ROWID;

CREATE TABLE forecast_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL,
    mode          TEXT    NOT NULL DEFAULT '',
    as_of         TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    symbols       TEXT    NOT NULL DEFAULT '[]',
    symbol_errors TEXT    NOT NULL DEFAULT '{}',
    parameters    TEXT    NOT NULL DEFAULT '{}',
    code_version  TEXT    NOT NULL,
    host          TEXT    NOT NULL,
    started_at    TEXT    NOT NULL,
    finished_at   TEXT,
    duration_ms   INTEGER
);
CREATE INDEX idx_forecast_runs_started ON forecast_runs (started_at DESC);

CREATE TABLE forecasts (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id              INTEGER NOT NULL REFERENCES forecast_runs (id),
    symbol              TEXT    NOT NULL,
    horizon             TEXT    NOT NULL,
    as_of               TEXT    NOT NULL,
    target_date         TEXT    NOT NULL,
    ensemble            TEXT    NOT NULL,
    served              INTEGER NOT NULL DEFAULT 0 CHECK (served IN (0, 1)),
    last_price          REAL    NOT NULL CHECK (last_price > 0),
    forecast_return     REAL    NOT NULL,
    forecast_price      REAL    NOT NULL,
    forecast_volatility REAL    NOT NULL CHECK (forecast_volatility > 0),
    p_bearish           REAL    NOT NULL,
    p_neutral           REAL    NOT NULL,
    p_bullish           REAL    NOT NULL,
    label               TEXT    NOT NULL CHECK (label IN ('bearish', 'neutral', 'bullish')),
    confidence          REAL    NOT NULL,
    agreement           REAL    NOT NULL,
    ci_lower            REAL    NOT NULL,
    ci_upper            REAL    NOT NULL,
    model_count         INTEGER NOT NULL CHECK (model_count BETWEEN 1 AND 6),
    models_used         TEXT    NOT NULL,
    weights             TEXT    NOT NULL,
    components          TEXT    NOT NULL,
    data_hash           TEXT    NOT NULL,
    train_bars          INTEGER NOT NULL,
    seed                INTEGER NOT NULL,
    code_version        TEXT    NOT NULL,
    realised_return     REAL,
    forecast_error      REAL    GENERATED ALWAYS AS (realised_return - forecast_return) STORED,
    matured_at          TEXT,
    created_at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CONSTRAINT uq_forecasts UNIQUE (symbol, horizon, as_of, ensemble)
);
CREATE INDEX idx_forecasts_as_of ON forecasts (as_of);
CREATE INDEX idx_forecasts_unmatured ON forecasts (symbol, as_of) WHERE realised_return IS NULL;

CREATE TABLE ensemble_weights (
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

CREATE TABLE divergence_alerts (
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

CREATE TABLE ensemble_validation_metrics (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol_id            TEXT    NOT NULL,
    symbol               TEXT    NOT NULL,
    horizon              TEXT    NOT NULL,
    validation_date      TEXT    NOT NULL,
    window_id            INTEGER NOT NULL,
    train_rmse           REAL,
    val_rmse             REAL    NOT NULL,
    test_rmse            REAL    NOT NULL,
    divergence           REAL    NOT NULL,
    divergence_threshold REAL    NOT NULL DEFAULT 0.20,
    is_overfitting       INTEGER NOT NULL DEFAULT 0 CHECK (is_overfitting IN (0, 1)),
    model_count          INTEGER NOT NULL,
    models_used          TEXT    NOT NULL,
    n_train_samples      INTEGER,
    n_val_samples        INTEGER,
    n_test_samples       INTEGER,
    data_span_days       INTEGER,
    hyperparameters      TEXT,
    directional_accuracy REAL,
    mean_absolute_error  REAL,
    trained_at           TEXT,
    created_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CONSTRAINT chk_evm_divergence_nonneg CHECK (divergence >= 0),
    CONSTRAINT chk_evm_rmse_positive CHECK (train_rmse > 0 AND val_rmse > 0 AND test_rmse > 0),
    CONSTRAINT chk_evm_model_count CHECK (model_count BETWEEN 1 AND 6),
    CONSTRAINT uq_evm_window UNIQUE (symbol, horizon, validation_date, window_id, model_count)
);
CREATE INDEX idx_evm_symbol_horizon ON ensemble_validation_metrics (symbol, horizon);
CREATE INDEX idx_evm_validation_date ON ensemble_validation_metrics (validation_date);
CREATE INDEX idx_evm_overfitting ON ensemble_validation_metrics (is_overfitting, horizon, validation_date);
CREATE INDEX idx_evm_symbol_horizon_date ON ensemble_validation_metrics (symbol, horizon, validation_date DESC);
CREATE INDEX idx_evm_overfitting_recent ON ensemble_validation_metrics (is_overfitting, created_at DESC)
    WHERE is_overfitting;

CREATE VIEW vw_overfitting_symbols AS
SELECT symbol,
       horizon,
       COUNT(*)             AS overfitting_count,
       MAX(validation_date) AS latest_overfitting,
       AVG(divergence)      AS avg_divergence,
       MAX(divergence)      AS max_divergence
FROM ensemble_validation_metrics
WHERE is_overfitting
  AND validation_date >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')
GROUP BY symbol, horizon;

CREATE VIEW vw_divergence_trends AS
SELECT id, symbol, horizon, validation_date, window_id, val_rmse, test_rmse, divergence,
       is_overfitting, model_count,
       ROW_NUMBER() OVER (PARTITION BY symbol, horizon ORDER BY validation_date, window_id) AS window_sequence
FROM ensemble_validation_metrics;
