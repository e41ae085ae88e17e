-- 0008: vw_divergence_trends numbers the rows of one symbol and horizon by
-- validation date and window, then by model count, so that the two
-- ensembles of one window (2 and 4 models) always take their sequence
-- numbers in the same order: before, their order within a window was
-- whatever the engine's sort left it.
DROP VIEW vw_divergence_trends;
CREATE VIEW vw_divergence_trends AS
SELECT id, symbol, horizon, validation_date, window_id, val_rmse, test_rmse, divergence,
       is_overfitting, model_count,
       ROW_NUMBER() OVER (PARTITION BY symbol, horizon ORDER BY validation_date, window_id, model_count) AS window_sequence
FROM ensemble_validation_metrics;
