-- 0003 down: back to 0001's shape. Predictions and the new columns are
-- lost; of alerts that differ only by ensemble, the first written stays.
ALTER TABLE forecasts DROP COLUMN weights_id;

DROP TABLE validation_predictions;

ALTER TABLE ensemble_weights
    DROP CONSTRAINT chk_ensemble_weights_validation,
    DROP CONSTRAINT chk_ensemble_weights_source,
    DROP COLUMN run_id,
    DROP COLUMN test_rmse,
    DROP COLUMN val_rmse,
    DROP COLUMN validation_date,
    DROP COLUMN window_id,
    DROP COLUMN calibrated_weights,
    DROP COLUMN source;

DELETE FROM divergence_alerts a USING divergence_alerts b
WHERE a.symbol = b.symbol AND a.horizon = b.horizon AND a.validation_date = b.validation_date
  AND a.window_id = b.window_id AND a.level = b.level AND a.id > b.id;
ALTER TABLE divergence_alerts DROP CONSTRAINT uq_divergence_alerts;
ALTER TABLE divergence_alerts
    DROP COLUMN run_id,
    DROP COLUMN ensemble;
ALTER TABLE divergence_alerts
    ADD CONSTRAINT uq_divergence_alerts UNIQUE (symbol, horizon, validation_date, window_id, level);
