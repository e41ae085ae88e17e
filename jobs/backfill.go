package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"runner/marketdata"
	"runner/store"
)

// BackfillConfig configures a backfill: the units of its kind for its
// symbols from From to To.
type BackfillConfig struct {
	// Spec is the configuration the units run with. Required.
	Spec BackfillSpec
	// Symbols to backfill. Required.
	Symbols []string
	// From and To bound the units, inclusive: the as-of days of forecast
	// units (each symbol's trading days, the days it has a bar), the
	// validation dates (last test bar) of validation units (the windows
	// whose test span ends from From to To, stepping back from To).
	// Required.
	From, To time.Time
	// Workers bounds how many units run at once in-process. Default
	// runtime.NumCPU().
	Workers int
	// Force runs every unit, done or not.
	Force bool
	// Progress, when set, is called after every unit with the units run
	// so far, those of them that failed, and the units to run in all.
	Progress func(done, failed, total int)
}

// BackfillJob plans backfills and runs their units on an in-process pool.
type BackfillJob struct {
	Units UnitRunner
	Log   zerolog.Logger
}

// BackfillPlan is a backfill's units, recorded in the store.
type BackfillPlan struct {
	Backfill store.Backfill
	// Units are every unit of the backfill, by symbol and day.
	Units []store.UnitKey
	// Skipped are the units already done (their rows exist for the hash);
	// empty with Force.
	Skipped []store.UnitKey
	// Tasks are the units to run, grouped: one task per unit, or, when a
	// unit depends on the symbol's earlier ones, one task per symbol
	// holding its units in date order.
	Tasks [][]store.UnitKey
	// SymbolErrors holds the symbols that have no units: no bars, or not
	// enough history for one window.
	SymbolErrors map[string]error
}

// Pending is the number of units to run.
func (p BackfillPlan) Pending() int {
	n := 0
	for _, t := range p.Tasks {
		n += len(t)
	}
	return n
}

// BackfillResult is the outcome of a backfill run.
type BackfillResult struct {
	Plan BackfillPlan
	// Results holds every unit run, in the order they finished.
	Results []UnitResult
}

// Failed returns the units that failed, by symbol and day.
func (r BackfillResult) Failed() []UnitResult {
	var out []UnitResult
	for _, u := range r.Results {
		if u.Err != nil && !u.Interrupted {
			out = append(out, u)
		}
	}
	sortResults(out)
	return out
}

// Degraded returns the units done with a lost model, by symbol and day.
func (r BackfillResult) Degraded() []UnitResult {
	var out []UnitResult
	for _, u := range r.Results {
		if u.Err == nil && u.Degraded != "" {
			out = append(out, u)
		}
	}
	sortResults(out)
	return out
}

// ErrUnitsFailed is wrapped by Run's error when some units failed (or a
// symbol had no units); a rerun retries them.
var ErrUnitsFailed = errors.New("units failed")

func (c *BackfillConfig) setDefaults() {
	c.Workers = cmp.Or(c.Workers, runtime.NumCPU())
	c.Symbols = unique(c.Symbols)
}

func (c *BackfillConfig) validate() error {
	switch {
	case len(c.Symbols) == 0:
		return errors.New("jobs: backfill: no symbols")
	case c.From.IsZero() || c.To.IsZero():
		return errors.New("jobs: backfill: from and to are required")
	case c.To.Before(c.From):
		return fmt.Errorf("jobs: backfill: to %s is before from %s", c.To.Format(time.DateOnly), c.From.Format(time.DateOnly))
	case c.Workers < 1:
		return fmt.Errorf("jobs: backfill: workers %d: need at least 1", c.Workers)
	}
	return c.Spec.validate()
}

// Plan lists the backfill's units from each symbol's bars, finds those
// already done, and records the backfill and its units (StartBackfill):
// the done ones done, the others pending.
func (j *BackfillJob) Plan(ctx context.Context, cfg BackfillConfig) (BackfillPlan, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return BackfillPlan{}, err
	}
	spec := cfg.Spec
	plan := BackfillPlan{SymbolErrors: map[string]error{}}
	for _, sym := range cfg.Symbols {
		if err := ctx.Err(); err != nil {
			return plan, err
		}
		bars, err := j.Units.Source.Bars(ctx, sym)
		if err != nil {
			plan.SymbolErrors[sym] = err
			continue
		}
		units, err := unitsOf(spec, bars, cfg.From, cfg.To)
		if err != nil {
			plan.SymbolErrors[sym] = err
			continue
		}
		plan.Units = append(plan.Units, units...)
	}
	params, err := spec.params()
	if err != nil {
		return plan, fmt.Errorf("jobs: backfill: %w", err)
	}
	plan.Backfill = store.Backfill{Kind: spec.Kind, Mode: spec.Mode(), From: cfg.From, To: cfg.To,
		Symbols: cfg.Symbols, ConfigHash: spec.ConfigHash(), Parameters: params}

	cals, err := spec.calibrationsOf(ctx, j.Units.Store, cfg.Symbols)
	if err != nil {
		return plan, fmt.Errorf("jobs: backfill: calibrations: %w", err)
	}
	done := map[string]bool{}
	if !cfg.Force {
		q := spec.doneQuery()
		q.Symbols, q.From, q.To = cfg.Symbols, cfg.From, cfg.To
		keys, err := j.Units.Store.DoneUnits(ctx, q)
		if err != nil {
			return plan, fmt.Errorf("jobs: backfill: %w", err)
		}
		for _, k := range keys {
			done[unitID(k)] = true
		}
		stale, err := spec.staleCalibration(ctx, j.Units.Store, cals, cfg.From, cfg.To)
		if err != nil {
			return plan, fmt.Errorf("jobs: backfill: calibrations: %w", err)
		}
		for id := range stale {
			delete(done, id)
		}
		if stale, err = spec.staleServing(ctx, &j.Units, cfg.Symbols, cfg.From, cfg.To); err != nil {
			return plan, fmt.Errorf("jobs: backfill: canary serving: %w", err)
		}
		for id := range stale {
			delete(done, id)
		}
		cals.redoAfter(plan.Units, done)
	}
	rows := make([]store.BackfillUnit, len(plan.Units))
	var pending []store.UnitKey
	for i, u := range plan.Units {
		rows[i] = store.BackfillUnit{UnitKey: u, Status: store.UnitPending}
		if done[unitID(u)] {
			rows[i].Status = store.UnitDone
			plan.Skipped = append(plan.Skipped, u)
			continue
		}
		pending = append(pending, u)
	}
	if err := j.Units.Store.StartBackfill(ctx, &plan.Backfill, rows); err != nil {
		return plan, fmt.Errorf("jobs: backfill: %w", err)
	}
	plan.Tasks = tasksOf(spec.dependsOnEarlier() || cals.adaptive(), pending)
	return plan, nil
}

// unitsOf lists a symbol's units from its bars.
func unitsOf(spec BackfillSpec, bars []marketdata.Bar, from, to time.Time) ([]store.UnitKey, error) {
	if len(bars) == 0 {
		return nil, errors.New("no bars")
	}
	sym := bars[0].Symbol
	var out []store.UnitKey
	switch spec.Kind {
	case store.BackfillForecast:
		for _, b := range bars {
			if !b.Date.Before(from) && !b.Date.After(to) {
				out = append(out, store.UnitKey{Symbol: sym, Day: b.Date})
			}
		}
		if len(out) == 0 {
			return nil, &marketdata.DataError{Symbol: sym, Msg: fmt.Sprintf("no bar from %s to %s (bars run %s to %s)",
				from.Format(time.DateOnly), to.Format(time.DateOnly), bars[0].Date.Format(time.DateOnly),
				bars[len(bars)-1].Date.Format(time.DateOnly))}
		}
	case store.BackfillValidate:
		cfg, err := spec.Validate.config()
		if err != nil {
			return nil, err
		}
		cfg.setDefaults()
		ws, err := cfg.Window.Between(bars, from, to)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			out = append(out, store.UnitKey{Symbol: sym, Day: w.ValidationDate(), WindowID: w.ID})
		}
	}
	return out, nil
}

// tasksOf groups the units to run: a symbol's units in one task, in date
// order, when they depend on earlier ones; else one task per unit,
// ordered by day then symbol, so that the backfill moves through time.
func tasksOf(ordered bool, units []store.UnitKey) [][]store.UnitKey {
	units = slices.Clone(units)
	if ordered {
		sortUnits(units)
		var out [][]store.UnitKey
		for i, u := range units {
			if i == 0 || u.Symbol != units[i-1].Symbol {
				out = append(out, nil)
			}
			out[len(out)-1] = append(out[len(out)-1], u)
		}
		return out
	}
	sort.SliceStable(units, func(a, b int) bool {
		if !units[a].Day.Equal(units[b].Day) {
			return units[a].Day.Before(units[b].Day)
		}
		return units[a].Symbol < units[b].Symbol
	})
	out := make([][]store.UnitKey, len(units))
	for i, u := range units {
		out[i] = []store.UnitKey{u}
	}
	return out
}

// Run plans the backfill and runs its pending units on a pool of
// cfg.Workers, a task's units in order. A unit that fails is recorded
// and the others go on; Run then returns an error wrapping
// ErrUnitsFailed. When ctx ends, the units running are interrupted
// (pending again) and Run returns ctx's error.
func (j *BackfillJob) Run(ctx context.Context, cfg BackfillConfig) (BackfillResult, error) {
	cfg.setDefaults()
	plan, err := j.Plan(ctx, cfg)
	res := BackfillResult{Plan: plan}
	if err != nil {
		return res, err
	}
	log := j.Log.With().Str("component", "backfill").Logger()
	total := plan.Pending()
	log.Info().Int64("backfill_id", plan.Backfill.ID).Str("kind", cfg.Spec.Kind).Str("config_hash", plan.Backfill.ConfigHash).
		Int("units", len(plan.Units)).Int("already_done", len(plan.Skipped)).Int("to_run", total).
		Int("workers", cfg.Workers).Msg("backfill started")

	var (
		mu     sync.Mutex
		failed int
		wg     sync.WaitGroup
	)
	tasks := make(chan []store.UnitKey)
	for range min(cfg.Workers, max(len(plan.Tasks), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for task := range tasks {
				for _, u := range task {
					if ctx.Err() != nil {
						break
					}
					r := j.Units.RunUnit(ctx, cfg.Spec, plan.Backfill.ID, u)
					mu.Lock()
					res.Results = append(res.Results, r)
					if r.Err != nil && !r.Interrupted {
						failed++
						log.Error().Err(r.Err).Msg("unit failed")
					}
					if cfg.Progress != nil {
						cfg.Progress(len(res.Results), failed, total)
					}
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for _, t := range plan.Tasks {
		select {
		case tasks <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(tasks)
	wg.Wait()

	nFailed := len(res.Failed())
	log.Info().Int64("backfill_id", plan.Backfill.ID).Int("run", len(res.Results)).Int("failed", nFailed).
		Int("degraded", len(res.Degraded())).Int("symbols_without_units", len(plan.SymbolErrors)).Msg("backfill finished")
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("jobs: backfill %d: interrupted after %d of %d units; run it again to go on: %w",
			plan.Backfill.ID, len(res.Results)-interrupted(res.Results), total, err)
	}
	if nFailed > 0 || len(plan.SymbolErrors) > 0 {
		return res, fmt.Errorf("jobs: backfill %d: %d of %d units failed%s; run it again to retry them: %w",
			plan.Backfill.ID, nFailed, total, symbolList(sortedKeys(plan.SymbolErrors)), ErrUnitsFailed)
	}
	return res, nil
}

func interrupted(rs []UnitResult) int {
	n := 0
	for _, r := range rs {
		if r.Interrupted {
			n++
		}
	}
	return n
}

func sortUnits(us []store.UnitKey) {
	sort.SliceStable(us, func(a, b int) bool {
		if us[a].Symbol != us[b].Symbol {
			return us[a].Symbol < us[b].Symbol
		}
		if !us[a].Day.Equal(us[b].Day) {
			return us[a].Day.Before(us[b].Day)
		}
		return us[a].WindowID < us[b].WindowID
	})
}

func sortResults(rs []UnitResult) {
	sort.SliceStable(rs, func(a, b int) bool {
		return strings.Compare(unitID(rs[a].UnitKey), unitID(rs[b].UnitKey)) < 0
	})
}
