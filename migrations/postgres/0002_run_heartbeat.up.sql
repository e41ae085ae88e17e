-- 0002: run heartbeats, and the abandoned status. A running job updates
-- heartbeat_at periodically; a run left 'running' whose heartbeat is older
-- than the lease (its process was killed, or lost the database) is marked
-- 'abandoned' by the next job, with finished_at the time it was found.
ALTER TABLE forecast_runs ADD COLUMN heartbeat_at TIMESTAMPTZ;
UPDATE forecast_runs SET heartbeat_at = COALESCE(finished_at, started_at);
ALTER TABLE forecast_runs ALTER COLUMN heartbeat_at SET NOT NULL;

ALTER TABLE forecast_runs DROP CONSTRAINT forecast_runs_status_check;
ALTER TABLE forecast_runs ADD CONSTRAINT forecast_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'abandoned'));

CREATE INDEX idx_forecast_runs_running ON forecast_runs (heartbeat_at) WHERE status = 'running';
