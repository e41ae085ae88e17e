// Package walkforward measures how the ensembles hold up out of sample
// (DESIGN §5): walk-forward windows in trading bars, per-window tuning of
// each member model over its grid on validation, simplex weights calibrated
// on the validation forecasts, refits on train+validation scored on test,
// the divergence between validation and test RMSE with its alert levels,
// the automatic reversion of ensemble weights to their defaults, and a leak
// check.
//
// A window is four spans of consecutive bars: train [Start, Start+T),
// validation [Start+T, Start+T+V), test [Start+T+V, End], stepping by K.
// Every one-step prediction for the return of bar j, ln(adj[j]/adj[j-1]),
// is made from the bars up to j-1 by a model fitted once, without refitting:
// on train for validation days, on train+validation for test days.
//
// Results are deterministic for a given seed and do not depend on how many
// windows run at once.
package walkforward
