-- 0001: price bars, job runs, forecasts, ensemble weights, divergence alerts
-- and the walk-forward validation metrics of DESIGN §7.

CREATE TABLE price_bars (
    symbol     TEXT             NOT NULL,
    date       DATE             NOT NULL,
    open       DOUBLE PRECISION NOT NULL,
    high       DOUBLE PRECISION NOT NULL,
    low        DOUBLE PRECISION NOT NULL,
    close      DOUBLE PRECISION NOT NULL CHECK (close > 0),
    adj_close  DOUBLE PRECISION NOT NULL CHECK (adj_close > 0),
    volume     DOUBLE PRECISION NOT NULL CHECK (volume >= 0),
    updated_at TIMESTAMPTZ      NOT NULL DEFAULT NOW(),
    PRIMARY KEY (symbol, date)
);

CREATE TABLE forecast_runs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          TEXT        NOT NULL,
    mode          TEXT        NOT NULL DEFAULT '',
    as_of         DATE,
    status        TEXT        NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    symbols       TEXT[]      NOT NULL DEFAULT '{}',
    symbol_errors JSONB       NOT NULL DEFAULT '{}',
    parameters    JSONB       NOT NULL DEFAULT '{}',
    code_version  TEXT        NOT NULL,
    host          TEXT        NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    duration_ms   BIGINT
);
CREATE INDEX idx_forecast_runs_started ON forecast_runs (started_at DESC);

CREATE TABLE forecasts (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id              BIGINT           NOT NULL REFERENCES forecast_runs (id),
    symbol              TEXT             NOT NULL,
    horizon             TEXT             NOT NULL,
    as_of               DATE             NOT NULL,
    target_date         DATE             NOT NULL,
    ensemble            TEXT             NOT NULL,
    served              BOOLEAN          NOT NULL DEFAULT FALSE,
    last_price          DOUBLE PRECISION NOT NULL CHECK (last_price > 0),
    forecast_return     DOUBLE PRECISION NOT NULL,
    forecast_price      DOUBLE PRECISION NOT NULL,
    forecast_volatility DOUBLE PRECISION NOT NULL CHECK (forecast_volatility > 0),
    p_bearish           DOUBLE PRECISION NOT NULL,
    p_neutral           DOUBLE PRECISION NOT NULL,
    p_bullish           DOUBLE PRECISION NOT NULL,
    label               TEXT             NOT NULL CHECK (label IN ('bearish', 'neutral', 'bullish')),
    confidence          DOUBLE PRECISION NOT NULL,
    agreement           DOUBLE PRECISION NOT NULL,
    ci_lower            DOUBLE PRECISION NOT NULL,
    ci_upper            DOUBLE PRECISION NOT NULL,
    model_count         INT              NOT NULL CHECK (model_count BETWEEN 1 AND 6),
    models_used         TEXT[]           NOT NULL,
    weights             JSONB            NOT NULL,
    components          JSONB            NOT NULL,
    data_hash           TEXT             NOT NULL,
    train_bars          INT              NOT NULL,
    seed                BIGINT           NOT NULL,
    code_version        TEXT             NOT NULL,
    realised_return     DOUBLE PRECISION,
    forecast_error      DOUBLE PRECISION GENERATED ALWAYS AS (realised_return - forecast_return) STORED,
    matured_at          TIMESTAMPTZ,
    created_at          TIMESTAMPTZ      NOT NULL DEFAULT NOW(),
    updated_at          TIMESTAMPTZ      NOT NULL DEFAULT NOW(),
    CONSTRAINT uq_forecasts UNIQUE (symbol, horizon, as_of, ensemble)
);
CREATE INDEX idx_forecasts_as_of ON forecasts (as_of);
CREATE INDEX idx_forecasts_unmatured ON forecasts (symbol, as_of) WHERE realised_return IS NULL;

CREATE TABLE ensemble_weights (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ensemble         TEXT             NOT NULL,
    symbol           TEXT             NOT NULL DEFAULT '*',
    horizon          TEXT             NOT NULL,
    method           TEXT             NOT NULL,
    weights          JSONB            NOT NULL,
    previous_weights JSONB,
    divergence       DOUBLE PRECISION,
    reason           TEXT             NOT NULL,
    actor            TEXT             NOT NULL,
    effective_at     TIMESTAMPTZ      NOT NULL,
    created_at       TIMESTAMPTZ      NOT NULL DEFAULT NOW(),
    CONSTRAINT uq_ensemble_weights UNIQUE (ensemble, symbol, horizon, effective_at)
);

CREATE TABLE divergence_alerts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    symbol          TEXT         NOT NULL,
    horizon         TEXT         NOT NULL,
    validation_date TIMESTAMPTZ  NOT NULL,
    window_id       INT          NOT NULL,
    level           TEXT         NOT NULL CHECK (level IN ('warning', 'overfitting', 'critical')),
    divergence      DECIMAL(8,6) NOT NULL CHECK (divergence >= 0),
    threshold       DECIMAL(8,6) NOT NULL,
    val_rmse        DECIMAL(12,6) NOT NULL,
    test_rmse       DECIMAL(12,6) NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    CONSTRAINT uq_divergence_alerts UNIQUE (symbol, horizon, validation_date, window_id, level)
);

-- The seed system's table, column for column.
CREATE TABLE ensemble_validation_metrics (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    symbol_id            TEXT          NOT NULL,
    symbol               TEXT          NOT NULL,
    horizon              TEXT          NOT NULL,
    validation_date      TIMESTAMPTZ   NOT NULL,
    window_id            INT           NOT NULL,
    train_rmse           DECIMAL(12,6),
    val_rmse             DECIMAL(12,6) NOT NULL,
    test_rmse            DECIMAL(12,6) NOT NULL,
    divergence           DECIMAL(8,6)  NOT NULL,
    divergence_threshold DECIMAL(8,6)  NOT NULL DEFAULT 0.20,
    is_overfitting       BOOLEAN       NOT NULL DEFAULT FALSE,
    model_count          INT           NOT NULL,
    models_used          TEXT[]        NOT NULL,
    n_train_samples      INT,
    n_val_samples        INT,
    n_test_samples       INT,
    data_span_days       INT,
    hyperparameters      JSONB,
    directional_accuracy DECIMAL(5,4),
    mean_absolute_error  DECIMAL(12,6),
    trained_at           TIMESTAMPTZ,
    created_at           TIMESTAMPTZ   NOT NULL DEFAULT NOW(),
    updated_at           TIMESTAMPTZ   NOT NULL DEFAULT NOW(),
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

-- Overfitting rows of the last 7 days per symbol and horizon.
CREATE VIEW vw_overfitting_symbols AS
SELECT symbol,
       horizon,
       COUNT(*)             AS overfitting_count,
       MAX(validation_date) AS latest_overfitting,
       AVG(divergence)      AS avg_divergence,
       MAX(divergence)      AS max_divergence
FROM ensemble_validation_metrics
WHERE is_overfitting
  AND validation_date >= NOW() - INTERVAL '7 days'
GROUP BY symbol, horizon;

-- Every row with its position in its symbol and horizon's sequence by date.
CREATE VIEW vw_divergence_trends AS
SELECT id, symbol, horizon, validation_date, window_id, val_rmse, test_rmse, divergence,
       is_overfitting, model_count,
       ROW_NUMBER() OVER (PARTITION BY symbol, horizon ORDER BY validation_date, window_id) AS window_sequence
FROM ensemble_validation_metrics;

-- Summary of one symbol and horizon over the last p_days days.
CREATE FUNCTION get_ensemble_stats(p_symbol TEXT, p_horizon TEXT, p_days INT)
RETURNS TABLE (
    total_validations        BIGINT,
    overfitting_count        BIGINT,
    avg_divergence           NUMERIC,
    max_divergence           NUMERIC,
    avg_val_rmse             NUMERIC,
    avg_test_rmse            NUMERIC,
    avg_directional_accuracy NUMERIC,
    latest_validation        TIMESTAMPTZ
) LANGUAGE sql STABLE AS $$
    SELECT COUNT(*),
           COUNT(*) FILTER (WHERE is_overfitting),
           AVG(divergence),
           MAX(divergence),
           AVG(val_rmse),
           AVG(test_rmse),
           AVG(directional_accuracy),
           MAX(validation_date)
    FROM ensemble_validation_metrics
    WHERE symbol = p_symbol
      AND horizon = p_horizon
      AND validation_date >= NOW() - make_interval(days => p_days)
$$;

-- Time-keyed bars become a hypertable where TimescaleDB is installed.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        PERFORM create_hypertable('price_bars', 'date', migrate_data => TRUE, if_not_exists => TRUE);
    END IF;
END
$$;
