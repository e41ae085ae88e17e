-- 0002: the SQLite mirror of migrations/postgres/0002_run_heartbeat.up.sql.
-- SQLite cannot change a CHECK constraint, so forecast_runs is rebuilt. The
-- rows of forecasts keep pointing at their runs: with foreign keys deferred
-- to the commit, dropping the old table counts the references it breaks,
-- and inserting the runs back, with their ids, counts them mended.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE forecast_runs_0002 AS SELECT * FROM forecast_runs;
DROP TABLE forecast_runs;

CREATE TABLE forecast_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL,
    mode          TEXT    NOT NULL DEFAULT '',
    as_of         TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'abandoned')),
    symbols       TEXT    NOT NULL DEFAULT '[]',
    symbol_errors TEXT    NOT NULL DEFAULT '{}',
    parameters    TEXT    NOT NULL DEFAULT '{}',
    code_version  TEXT    NOT NULL,
    host          TEXT    NOT NULL,
    started_at    TEXT    NOT NULL,
    finished_at   TEXT,
    duration_ms   INTEGER,
    heartbeat_at  TEXT    NOT NULL
);
INSERT INTO forecast_runs (id, kind, mode, as_of, status, symbols, symbol_errors, parameters, code_version, host,
                           started_at, finished_at, duration_ms, heartbeat_at)
SELECT id, kind, mode, as_of, status, symbols, symbol_errors, parameters, code_version, host,
       started_at, finished_at, duration_ms, COALESCE(finished_at, started_at)
FROM forecast_runs_0002;
DROP TABLE forecast_runs_0002;

CREATE INDEX idx_forecast_runs_started ON forecast_runs (started_at DESC);
CREATE INDEX idx_forecast_runs_running ON forecast_runs (heartbeat_at) WHERE status = 'running';
