-- 0007 down: the canary's history is lost.
DROP TABLE canary_deployment_events;
DROP TABLE canary_performance_metrics;
DROP TABLE canary_deployments;
