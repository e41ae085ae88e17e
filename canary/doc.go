// Package canary is the rollout policy of DESIGN §9: a state machine over
// stages kept in the database (store.CanaryStore). A deployment starts at
// its first stage; each daily evaluation measures the candidate ensemble
// over the current stage's symbols and days (divergence of the latest
// validation windows, RMSE against legacy on the same matured forecasts,
// forecast coverage, run errors, overfitting streak) and decides, in this
// order: roll back now, fail and roll back, advance (promote from the last
// stage), or hold with the unmet criteria listed. Every evaluation is a
// canary_performance_metrics row and every decision a
// canary_deployment_events row with the figures behind it.
//
// Production serving follows the state: the candidate for the symbols of
// the stages passed (all symbols once promoted), legacy elsewhere, and
// legacy everywhere after a rollback.
package canary
