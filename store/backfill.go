package store

import (
	"time"
)

// Backfill kinds: the kind of unit a backfill is made of.
const (
	BackfillForecast = "forecast" // a unit is (symbol, as-of day)
	BackfillValidate = "validate" // a unit is (symbol, walk-forward window)
)

// UnitStatus is the state of one unit of a backfill.
type UnitStatus string

// Unit states. A unit whose rows already existed for the backfill's
// configuration when it was planned is recorded done with no run.
const (
	UnitPending UnitStatus = "pending"
	UnitRunning UnitStatus = "running"
	UnitDone    UnitStatus = "done"
	UnitFailed  UnitStatus = "failed"
)

// Backfill is one backfill: a backfills row. The same kind, configuration
// hash, date range and symbols make the same backfill, so a rerun of a
// command finds the row of its first run.
type Backfill struct {
	ID         int64
	Kind       string // BackfillForecast or BackfillValidate
	Mode       string // canary, production, shadow, or the ensembles
	From, To   time.Time
	Symbols    []string
	ConfigHash string
	// Parameters is the configuration the units run with (the JSON of
	// jobs.BackfillSpec), so that any worker can run them.
	Parameters map[string]any
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// UnitKey names one unit: Day is the as-of day of a forecast unit, the
// validation date (last test bar) of a validation unit, whose WindowID
// is the window's; WindowID is 0 for forecast units.
type UnitKey struct {
	Symbol   string
	Day      time.Time
	WindowID int
}

// BackfillUnit is one unit of a backfill and its state: a backfill_units
// row.
type BackfillUnit struct {
	BackfillID int64
	UnitKey
	Status UnitStatus
	// Attempts counts the times the unit was started.
	Attempts int
	// Error is the last failure; empty once the unit is done.
	Error string
	// RunID is the forecast_runs row of the run that did the unit; nil
	// when not run (yet, or its rows were already there).
	RunID     *int64
	UpdatedAt time.Time
}

// BackfillProgress is a backfill with the count of its units in each
// state.
type BackfillProgress struct {
	Backfill
	Total, Pending, Running, Done, Failed int
	// LastUpdate is the latest change of any of its units.
	LastUpdate time.Time
}

// DoneQuery asks which units have their rows for a configuration.
type DoneQuery struct {
	Kind       string // BackfillForecast or BackfillValidate
	Horizon    string
	ConfigHash string
	// Ensembles are the ensembles whose rows make a unit: a forecast
	// unit needs a forecasts row of each (by name), a validation unit an
	// ensemble_validation_metrics row of each (by model count, which is
	// what tells the ensembles' rows apart there).
	Ensembles []string
	// AnyEnsemble makes a forecast unit done with a row of any one of
	// Ensembles: production following the canary computes, per symbol and
	// day, only the ensemble it serves.
	AnyEnsemble bool
	ModelCounts []int
	Symbols     []string
	// From and To bound the as-of day or validation date, inclusive.
	From, To time.Time
}

// EnsemblesNeeded is how many of Ensembles a done forecast unit has rows
// of: all, or one with AnyEnsemble.
func (q DoneQuery) EnsemblesNeeded() int {
	if q.AnyEnsemble {
		return 1
	}
	return len(q.Ensembles)
}
