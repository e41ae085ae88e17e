-- 0003: walk-forward storage (DESIGN §5): alerts per ensemble and run, the
-- weight decisions of validation, the one-step predictions of every window,
-- and the weights row each forecast used.

-- An alert belongs to one ensemble's window; rows from before this
-- migration get the ensemble ''.
ALTER TABLE divergence_alerts
    ADD COLUMN ensemble TEXT NOT NULL DEFAULT '',
    ADD COLUMN run_id BIGINT CONSTRAINT fk_divergence_alerts_run REFERENCES forecast_runs (id);
ALTER TABLE divergence_alerts ALTER COLUMN ensemble DROP DEFAULT;
ALTER TABLE divergence_alerts DROP CONSTRAINT uq_divergence_alerts;
ALTER TABLE divergence_alerts
    ADD CONSTRAINT uq_divergence_alerts UNIQUE (symbol, horizon, ensemble, validation_date, window_id, level);

-- A weight decision of validation (source set) names its window, its
-- RMSEs and its divergence; other rows leave these NULL.
ALTER TABLE ensemble_weights
    ADD COLUMN source             TEXT,
    ADD COLUMN calibrated_weights JSONB,
    ADD COLUMN window_id          INT,
    ADD COLUMN validation_date    TIMESTAMPTZ,
    ADD COLUMN val_rmse           DOUBLE PRECISION,
    ADD COLUMN test_rmse          DOUBLE PRECISION,
    ADD COLUMN run_id             BIGINT CONSTRAINT fk_ensemble_weights_run REFERENCES forecast_runs (id),
    ADD CONSTRAINT chk_ensemble_weights_source CHECK (source IN ('calibrated', 'reverted')),
    ADD CONSTRAINT chk_ensemble_weights_validation CHECK (source IS NULL OR (window_id IS NOT NULL
        AND validation_date IS NOT NULL AND val_rmse > 0 AND test_rmse > 0 AND divergence >= 0));

-- One-step predictions of walk-forward windows: every member's and the
-- ensemble's, over validation and test. Calibration (§6) reads the test
-- spans of one symbol, ensemble and model by date.
CREATE TABLE validation_predictions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    symbol          TEXT             NOT NULL,
    horizon         TEXT             NOT NULL,
    ensemble        TEXT             NOT NULL,
    model           TEXT             NOT NULL,
    window_id       INT              NOT NULL,
    span            TEXT             NOT NULL CHECK (span IN ('val', 'test')),
    as_of           DATE             NOT NULL,
    target_date     DATE             NOT NULL,
    mu              DOUBLE PRECISION NOT NULL,
    sigma           DOUBLE PRECISION NOT NULL CHECK (sigma > 0),
    p_bearish       DOUBLE PRECISION NOT NULL,
    p_neutral       DOUBLE PRECISION NOT NULL,
    p_bullish       DOUBLE PRECISION NOT NULL,
    ci_lower        DOUBLE PRECISION NOT NULL,
    ci_upper        DOUBLE PRECISION NOT NULL,
    realised_return DOUBLE PRECISION NOT NULL,
    created_at      TIMESTAMPTZ      NOT NULL DEFAULT NOW(),
    CONSTRAINT uq_validation_predictions UNIQUE (symbol, horizon, ensemble, model, window_id, span, as_of)
);
CREATE INDEX idx_validation_predictions_calibration ON validation_predictions (symbol, ensemble, model, span, as_of);

-- The ensemble_weights row whose weights a forecast used; NULL for the
-- defaults.
ALTER TABLE forecasts
    ADD COLUMN weights_id BIGINT CONSTRAINT fk_forecasts_weights REFERENCES ensemble_weights (id);
