package store

import "time"

// Calibration is a calibrations row: one symbol's and ensemble's interval
// and probability calibration (DESIGN §6), fitted on its last N
// out-of-sample one-step forecasts. Rows keep their history: each fit is a
// row, and re-running the same fit (same symbol, horizon, ensemble, method
// and last sample date) updates it.
type Calibration struct {
	ID       int64
	RunID    int64 // 0 when not written by a run
	Symbol   string
	Horizon  string
	Ensemble string
	// Method names the interval and probability methods, e.g.
	// "conformal+platt", "aci+isotonic".
	Method string
	// Parameters hold everything Apply needs (quantiles, the sorted
	// standardised residuals, the Platt or isotonic fit), as JSON.
	Parameters map[string]any
	// SampleFrom and SampleTo are the target dates of the first and last
	// sample (the days their realised returns became known); NSamples their
	// number. A forecast as of a date on or after SampleTo may use the
	// calibration: every return it learnt from was known by then.
	SampleFrom time.Time
	SampleTo   time.Time
	NSamples   int
	// Before and After are the held-out figures (coverage, width, Brier,
	// log loss, ECE, CRPS) of the raw and the calibrated forecasts.
	Before    map[string]float64
	After     map[string]float64
	CreatedAt time.Time
}
