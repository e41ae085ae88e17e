package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"runner/canary"
	"runner/marketdata"
	"runner/store"
)

// Units of work (DESIGN §8): a backfill is a set of units, (symbol, as-of
// day) for forecasts and (symbol, walk-forward window) for validation. A
// unit is done when its rows exist for the configuration hash of its
// backfill; running it again rewrites the same rows (every write is an
// upsert, a symbol-day's or window's rows in one transaction), so a unit
// interrupted at any moment is simply run again.

// UnitResult is the outcome of one unit.
type UnitResult struct {
	store.UnitKey
	// Err is set when the unit's rows are not all there after it ran.
	Err error
	// Degraded says what went wrong in a unit whose rows were written
	// (a model lost, the ensembles renormalised over the others).
	Degraded string
	// RunID is the run that did the unit.
	RunID int64
	// Interrupted is set when the unit was stopped (its context ended)
	// before it finished; it is pending again.
	Interrupted bool
}

// UnitRunner runs units of work, in-process or as River jobs.
type UnitRunner struct {
	Source marketdata.Source
	Store  store.Store
	Log    zerolog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Runs sets how each unit's forecast_runs row is kept.
	Runs RunConfig
	// CodeVersion and Host are recorded with each unit's run.
	CodeVersion string
	Host        string
	// ModelFitted, when set, observes every model fit of the units run
	// (Hooks.ModelFitted), unless the unit's context carries its own.
	ModelFitted func(model string, took time.Duration, err error)
}

// RunUnit runs one unit of a backfill (backfillID 0: of none) with the
// spec's configuration, as the daily job would have run it: a forecast
// unit is ForecastJob.Run for one symbol as of the unit's day, a
// validation unit ValidateJob.Run of one window. It records the unit
// running, then done or failed, in backfill_units. A unit is failed when
// its rows are not all there for the spec's hash once it ran.
func (r *UnitRunner) RunUnit(ctx context.Context, spec BackfillSpec, backfillID int64, u store.UnitKey) UnitResult {
	if h := hooksOf(ctx); h.ModelFitted == nil && r.ModelFitted != nil {
		h.ModelFitted = r.ModelFitted
		ctx = WithHooks(ctx, h)
	}
	res := UnitResult{UnitKey: u}
	log := r.Log.With().Str("component", "backfill").Str("symbol", u.Symbol).Str("day", u.Day.Format(time.DateOnly)).Logger()
	record := func(st store.UnitStatus, msg string, runID *int64) {
		if backfillID == 0 {
			return
		}
		// Recorded even when ctx is done: the unit is then pending again.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cmpDuration(r.Runs.FinishTimeout, DefaultFinishTimeout))
		defer cancel()
		err := r.Store.SetUnitStatus(rctx, store.BackfillUnit{BackfillID: backfillID, UnitKey: u, Status: st, Error: msg, RunID: runID})
		if err != nil {
			log.Warn().Err(err).Str("status", string(st)).Msg("unit state not recorded")
		}
	}
	record(store.UnitRunning, "", nil)

	var runErr error
	switch spec.Kind {
	case store.BackfillForecast:
		runErr = r.forecastUnit(ctx, spec, u, &res)
	case store.BackfillValidate:
		runErr = r.validateUnit(ctx, spec, u, &res)
	default:
		runErr = fmt.Errorf("jobs: unit: kind %q: want forecast or validate", spec.Kind)
	}
	var runID *int64
	if res.RunID != 0 {
		runID = &res.RunID
	}
	if ctx.Err() != nil {
		res.Interrupted = true
		res.Err = fmt.Errorf("%s %s: interrupted: %w", u.Symbol, u.Day.Format(time.DateOnly), ctx.Err())
		record(store.UnitPending, res.Err.Error(), runID)
		return res
	}
	done, err := r.isDone(ctx, spec, u)
	switch {
	case err != nil:
		res.Err = errors.Join(runErr, err)
	case !done && runErr != nil:
		res.Err = runErr
	case !done:
		res.Err = errors.New("the job reported no error but the unit's rows are missing")
	case runErr != nil && res.Degraded == "":
		// Rows written, end of the run not recorded: the unit is done.
		res.Degraded = runErr.Error()
	}
	if res.Err != nil {
		res.Err = fmt.Errorf("%s %s: %w", u.Symbol, u.Day.Format(time.DateOnly), res.Err)
		record(store.UnitFailed, res.Err.Error(), runID)
		return res
	}
	record(store.UnitDone, res.Degraded, runID)
	return res
}

func (r *UnitRunner) forecastUnit(ctx context.Context, spec BackfillSpec, u store.UnitKey, res *UnitResult) error {
	cfg := *spec.Forecast
	cfg.Symbols, cfg.AsOf, cfg.Workers, cfg.DryRun = []string{u.Symbol}, u.Day, 1, false
	cfg.CodeVersion, cfg.Host = r.CodeVersion, r.Host
	if cfg.ServeByCanary {
		h, err := (&canary.Policy{Store: r.Store, Source: r.Source, Log: r.Log}).History(ctx)
		if err != nil {
			return err
		}
		if cfg.Serving, err = h.ServingOn(ctx, []string{u.Symbol}, u.Day); err != nil {
			return err
		}
	}
	job := &ForecastJob{Source: r.Source, Store: r.Store, Log: r.Log, Now: r.Now, Runs: r.Runs}
	out, err := job.Run(ctx, cfg)
	res.RunID = out.Run.ID
	if len(out.Symbols) == 1 {
		s := out.Symbols[0]
		if s.Err != nil {
			return s.Err
		}
		if errors.Is(err, ErrPartial) {
			res.Degraded = out.Run.SymbolErrors[u.Symbol]
			return nil
		}
	}
	return err
}

func (r *UnitRunner) validateUnit(ctx context.Context, spec BackfillSpec, u store.UnitKey, res *UnitResult) error {
	cfg, err := spec.Validate.config()
	if err != nil {
		return err
	}
	cfg.Symbols, cfg.AsOf, cfg.Windows, cfg.Workers = []string{u.Symbol}, u.Day, 1, 1
	cfg.CodeVersion, cfg.Host = r.CodeVersion, r.Host
	job := &ValidateJob{Source: r.Source, Store: r.Store, Log: r.Log, Now: r.Now}
	out, err := job.Run(ctx, cfg)
	res.RunID = out.Run.ID
	if len(out.Symbols) != 1 {
		return err
	}
	s := out.Symbols[0]
	if s.Err != nil {
		return s.Err
	}
	if len(s.Windows) != 1 || s.Windows[0].Window.ID != u.WindowID {
		return fmt.Errorf("window %d ending %s is not the window of the bars now (the history changed since the backfill was planned)",
			u.WindowID, u.Day.Format(time.DateOnly))
	}
	if w := s.Windows[0]; w.Err != nil {
		return w.Err
	}
	if errors.Is(err, ErrPartial) {
		res.Degraded = out.Run.SymbolErrors[u.Symbol]
		return nil
	}
	return err
}

// isDone reports whether the unit's rows exist for the spec's hash.
func (r *UnitRunner) isDone(ctx context.Context, spec BackfillSpec, u store.UnitKey) (bool, error) {
	q := spec.doneQuery()
	q.Symbols, q.From, q.To = []string{u.Symbol}, u.Day, u.Day
	keys, err := r.Store.DoneUnits(ctx, q)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(keys, func(k store.UnitKey) bool { return sameUnit(k, u) }), nil
}

// sameUnit compares units by symbol, calendar day and window.
func sameUnit(a, b store.UnitKey) bool {
	return a.Symbol == b.Symbol && a.WindowID == b.WindowID && a.Day.Format(time.DateOnly) == b.Day.Format(time.DateOnly)
}

// unitID is a unit's key as text: SYMBOL DAY, with /WINDOW for a window.
func unitID(u store.UnitKey) string {
	s := u.Symbol + " " + u.Day.Format(time.DateOnly)
	if u.WindowID != 0 {
		s += fmt.Sprintf(" window %d", u.WindowID)
	}
	return s
}

func cmpDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
