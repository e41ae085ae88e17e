-- 0007: the canary policy (DESIGN §9). A canary_deployments row is one
-- rollout of the candidate ensemble: its stages (as configured when it
-- started), the current stage, the trading day that stage started and the
-- status. Every evaluation is a canary_performance_metrics row; every
-- decision a canary_deployment_events row with the figures behind it.

CREATE TABLE canary_deployments (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stages           JSONB       NOT NULL,
    stage            INT         NOT NULL CHECK (stage >= 0),
    stage_started_on DATE        NOT NULL,
    status           TEXT        NOT NULL CHECK (status IN ('active', 'promoted', 'rolled_back')),
    actor            TEXT        NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE canary_performance_metrics (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deployment_id     BIGINT      NOT NULL CONSTRAINT fk_canary_metrics_deployment REFERENCES canary_deployments (id),
    stage             TEXT        NOT NULL,
    as_of             DATE        NOT NULL,
    days_in_stage     INT         NOT NULL,
    symbols           TEXT[]      NOT NULL,
    avg_divergence    DOUBLE PRECISION,
    max_divergence    DOUBLE PRECISION,
    candidate_rmse    DOUBLE PRECISION,
    legacy_rmse       DOUBLE PRECISION,
    rmse_change       DOUBLE PRECISION,
    matured_forecasts INT         NOT NULL,
    coverage          DOUBLE PRECISION NOT NULL,
    missing_forecasts INT         NOT NULL,
    run_errors        INT         NOT NULL,
    overfit_streak    INT         NOT NULL,
    decision          TEXT        NOT NULL,
    criteria          JSONB       NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    CONSTRAINT uq_canary_metrics UNIQUE (deployment_id, stage, as_of)
);

CREATE TABLE canary_deployment_events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deployment_id BIGINT      NOT NULL CONSTRAINT fk_canary_events_deployment REFERENCES canary_deployments (id),
    kind          TEXT        NOT NULL CHECK (kind IN ('started', 'evaluated', 'advanced', 'promoted', 'held', 'rolled_back')),
    from_stage    TEXT        NOT NULL,
    to_stage      TEXT        NOT NULL,
    as_of         DATE        NOT NULL,
    actor         TEXT        NOT NULL,
    reason        TEXT        NOT NULL,
    figures       JSONB       NOT NULL,
    -- The evaluation the decision came from; NULL for a manual decision.
    -- Unique, so evaluating the same day again updates its event.
    metrics_id    BIGINT      CONSTRAINT fk_canary_events_metrics REFERENCES canary_performance_metrics (id),
    created_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT uq_canary_events_metrics UNIQUE (metrics_id)
);
CREATE INDEX idx_canary_events_deployment ON canary_deployment_events (deployment_id, id);
