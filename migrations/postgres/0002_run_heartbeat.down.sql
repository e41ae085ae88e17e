DROP INDEX IF EXISTS idx_forecast_runs_running;

UPDATE forecast_runs SET status = 'failed' WHERE status = 'abandoned';
ALTER TABLE forecast_runs DROP CONSTRAINT forecast_runs_status_check;
ALTER TABLE forecast_runs ADD CONSTRAINT forecast_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'partial', 'failed'));

ALTER TABLE forecast_runs DROP COLUMN heartbeat_at;
