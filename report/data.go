package report

import (
	"time"

	"runner/jobs"
	"runner/store"
)

// Data is everything the report draws. Load fills it from a store; tests
// and callers may build it by hand.
type Data struct {
	// Generated is when the data was read, printed in the header.
	Generated time.Time
	// From and To are the as-of range the report covers, inclusive; zero
	// when open.
	From, To time.Time
	// Horizon is the forecast horizon of every row.
	Horizon string
	// Canary is the rollout's state; nil when no canary was started.
	Canary *CanaryView
	// Symbols are the symbols reported, in order.
	Symbols []SymbolData
	// Runs are the latest job runs, latest first.
	Runs []store.Run
}

// SymbolData is what the report draws for one symbol.
type SymbolData struct {
	Symbol string
	// Forecasts are both ensembles' forecasts in the range, by ensemble and
	// as-of (the store's order).
	Forecasts []store.Forecast
	// Validation are the walk-forward windows in the range, by validation
	// date.
	Validation []store.ValidationMetrics
	// Weights are the ensemble_weights rows of every ensemble, by
	// effective time: the row in force at From (if any) and every later
	// one up to To.
	Weights []store.EnsembleWeights
	// Summary is the status of each ensemble over the matured forecasts of
	// the range (runner status's figures).
	Summary []jobs.StatusRow
}
