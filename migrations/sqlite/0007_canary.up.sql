-- 0007: the SQLite mirror of migrations/postgres/0007_canary.up.sql, with
-- TEXT for JSON, arrays (JSON) and timestamps (UTC, milliseconds).

CREATE TABLE canary_deployments (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    stages           TEXT    NOT NULL,
    stage            INTEGER NOT NULL CHECK (stage >= 0),
    stage_started_on TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('active', 'promoted', 'rolled_back')),
    actor            TEXT    NOT NULL,
    started_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);

CREATE TABLE canary_performance_metrics (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id     INTEGER NOT NULL CONSTRAINT fk_canary_metrics_deployment REFERENCES canary_deployments (id),
    stage             TEXT    NOT NULL,
    as_of             TEXT    NOT NULL,
    days_in_stage     INTEGER NOT NULL,
    symbols           TEXT    NOT NULL,
    avg_divergence    REAL,
    max_divergence    REAL,
    candidate_rmse    REAL,
    legacy_rmse       REAL,
    rmse_change       REAL,
    matured_forecasts INTEGER NOT NULL,
    coverage          REAL    NOT NULL,
    missing_forecasts INTEGER NOT NULL,
    run_errors        INTEGER NOT NULL,
    overfit_streak    INTEGER NOT NULL,
    decision          TEXT    NOT NULL,
    criteria          TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    CONSTRAINT uq_canary_metrics UNIQUE (deployment_id, stage, as_of)
);

CREATE TABLE canary_deployment_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id INTEGER NOT NULL CONSTRAINT fk_canary_events_deployment REFERENCES canary_deployments (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('started', 'evaluated', 'advanced', 'promoted', 'held', 'rolled_back')),
    from_stage    TEXT    NOT NULL,
    to_stage      TEXT    NOT NULL,
    as_of         TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    figures       TEXT    NOT NULL,
    metrics_id    INTEGER CONSTRAINT fk_canary_events_metrics REFERENCES canary_performance_metrics (id),
    created_at    TEXT    NOT NULL,
    CONSTRAINT uq_canary_events_metrics UNIQUE (metrics_id)
);
CREATE INDEX idx_canary_events_deployment ON canary_deployment_events (deployment_id, id);
