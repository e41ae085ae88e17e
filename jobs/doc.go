// Package jobs runs the runner's batch jobs: the forecast job now; the
// validate, calibrate and backfill jobs, the schedule and the canary policy
// as they land. Jobs take a config struct, a marketdata.Source and a
// store.Store; they never read flags or the environment.
package jobs
