DROP VIEW IF EXISTS vw_divergence_trends;
DROP VIEW IF EXISTS vw_overfitting_symbols;
DROP TABLE IF EXISTS ensemble_validation_metrics;
DROP TABLE IF EXISTS divergence_alerts;
DROP TABLE IF EXISTS ensemble_weights;
DROP TABLE IF EXISTS forecasts;
DROP TABLE IF EXISTS forecast_runs;
DROP TABLE IF EXISTS price_bars;
