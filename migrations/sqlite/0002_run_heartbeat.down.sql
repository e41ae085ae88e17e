-- Rebuilds forecast_runs as 0001 made it; abandoned runs become failed.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE forecast_runs_0002 AS SELECT * FROM forecast_runs;
DROP TABLE forecast_runs;

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
INSERT INTO forecast_runs (id, kind, mode, as_of, status, symbols, symbol_errors, parameters, code_version, host,
                           started_at, finished_at, duration_ms)
SELECT id, kind, mode, as_of, CASE status WHEN 'abandoned' THEN 'failed' ELSE status END, symbols, symbol_errors,
       parameters, code_version, host, started_at, finished_at, duration_ms
FROM forecast_runs_0002;
DROP TABLE forecast_runs_0002;

CREATE INDEX idx_forecast_runs_started ON forecast_runs (started_at DESC);
