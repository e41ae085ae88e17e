-- 0008 down: the view of 0001, whose order within a window is not defined.
DROP VIEW vw_divergence_trends;
CREATE VIEW vw_divergence_trends AS
SELECT id, symbol, horizon, validation_date, window_id, val_rmse, test_rmse, divergence,
       is_overfitting, model_count,
       ROW_NUMBER() OVER (PARTITION BY symbol, horizon ORDER BY validation_date, window_id) AS window_sequence
FROM ensemble_validation_metrics;
