package canary

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"runner/forecast"
	"runner/marketdata"
	"runner/store"
)

// DefaultReadinessTrainBars is ReadinessConfig.TrainBars's default, the
// forecast job's training window (DESIGN §3).
const DefaultReadinessTrainBars = 756

// ReadinessConfig configures Verify.
type ReadinessConfig struct {
	// AsOf is the day the data must be fresh to: the last trading day on
	// or before it. Default the clock's day.
	AsOf time.Time
	// Stages are the stages of a deployment not started yet, whose first
	// stage's symbols are checked when no deployment is active. Required
	// then.
	Stages []store.CanaryStage
	// Fit fits one model on train and predicts; an error means the model
	// does not fit the symbol. Nil skips the fit check (reported failed).
	Fit func(ctx context.Context, model string, train []marketdata.Bar) error
	// TrainBars is the window the fit check fits on. Default
	// DefaultReadinessTrainBars.
	TrainBars int
}

// Check is one readiness check.
type Check struct {
	Name   string
	Pass   bool
	Detail string
}

// Verify checks, writing nothing, that the canary can run on the symbols
// of the current stage (of the first stage when none is active): the
// schema is migrated, every symbol's data reaches the last trading day,
// every model of both ensembles fits every symbol, and every symbol has
// weights and a calibration for both ensembles. It returns every check; the
// error is for a failure to check, not a check that fails.
func (p *Policy) Verify(ctx context.Context, cfg ReadinessConfig) ([]Check, error) {
	if err := p.setDefaults(); err != nil {
		return nil, err
	}
	cfg.TrainBars = cmp.Or(cfg.TrainBars, DefaultReadinessTrainBars)
	if cfg.AsOf.IsZero() {
		cfg.AsOf = p.now()
	}
	day := dayOf(cfg.AsOf)
	for !marketdata.IsTradingDay(day) {
		day = day.AddDate(0, 0, -1)
	}
	var checks []Check
	add := func(name string, err error, ok string) {
		c := Check{Name: name, Pass: err == nil, Detail: ok}
		if err != nil {
			c.Detail = err.Error()
		}
		checks = append(checks, c)
	}

	// The canary tables first: reading them writes nothing, while
	// MigrationStatus creates schema_migrations on a database never
	// migrated. When they exist, migrations have run and it exists.
	if _, err := p.Store.LatestCanary(ctx); err != nil && !errors.Is(err, store.ErrNotFound) {
		add("schema migrated", fmt.Errorf("the canary tables cannot be read (run runner migrate): %w", err), "")
		return checks, nil
	}
	st, err := p.Store.MigrationStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("canary: verify: %w", err)
	}
	var pending error
	for _, m := range st {
		if !m.Applied {
			pending = errors.Join(pending, fmt.Errorf("migration %04d_%s pending", m.Version, m.Name))
		}
	}
	add("schema migrated", pending, fmt.Sprintf("%d migrations applied", len(st)))
	if pending != nil {
		return checks, nil
	}

	stage, where := store.CanaryStage{}, ""
	d, err := p.Latest(ctx)
	switch {
	case err == nil && d.Status == store.CanaryActive:
		stage, where = d.Stages[d.Stage], fmt.Sprintf("canary %d stage %s", d.ID, d.Stages[d.Stage].Name)
	case err == nil || errors.Is(err, ErrNoCanary):
		if len(cfg.Stages) == 0 {
			return nil, errors.New("canary: verify: no active deployment and no stages to check")
		}
		stage, where = cfg.Stages[0], "first stage "+cfg.Stages[0].Name+" (no active deployment)"
	default:
		return nil, fmt.Errorf("canary: verify: %w", err)
	}
	universe, err := p.universe(ctx, stage)
	if err != nil {
		return nil, err
	}
	symbols := Scope(stage, universe)
	checks = append(checks, Check{Name: "scope", Pass: len(symbols) > 0, Detail: fmt.Sprintf("%s: %v", where, symbols)})

	models := map[string]bool{}
	var order []string
	for _, e := range []forecast.Ensemble{forecast.Candidate, forecast.Legacy} {
		for _, m := range e.Members {
			if !models[m.Model] {
				models[m.Model] = true
				order = append(order, m.Model)
			}
		}
	}
	for _, sym := range symbols {
		if err := ctx.Err(); err != nil {
			return checks, err
		}
		bars, err := p.Source.Bars(ctx, sym)
		if err == nil && len(bars) > 0 && !bars[len(bars)-1].Date.Equal(day) {
			last := bars[len(bars)-1].Date
			if last.Before(day) {
				err = fmt.Errorf("last bar %s, want %s", last.Format(time.DateOnly), day.Format(time.DateOnly))
			}
		}
		add(sym+": data fresh", err, "bars to "+day.Format(time.DateOnly))
		if err != nil {
			continue
		}
		at := marketdata.IndexOf(bars, day)
		train, err := marketdata.Window(bars[:at+1], day, cfg.TrainBars)
		for _, m := range order {
			ferr := err
			if ferr == nil && cfg.Fit == nil {
				ferr = errors.New("not checked")
			}
			if ferr == nil {
				ferr = cfg.Fit(ctx, m, train)
			}
			add(fmt.Sprintf("%s: %s fits", sym, m), ferr, fmt.Sprintf("%d bars", len(train)))
		}
		for _, e := range []forecast.Ensemble{forecast.Candidate, forecast.Legacy} {
			w, err := p.Store.CurrentWeights(ctx, sym, p.Config.Horizon, e.Name, day)
			detail := ""
			if err == nil {
				detail = fmt.Sprintf("row %d (%s)", w.ID, w.Source)
			}
			add(fmt.Sprintf("%s: %s weights", sym, e.Name), err, detail)
			c, err := p.Store.LatestCalibration(ctx, sym, p.Config.Horizon, e.Name, day)
			if err == nil {
				detail = fmt.Sprintf("row %d (%s, to %s)", c.ID, c.Method, c.SampleTo.Format(time.DateOnly))
			}
			add(fmt.Sprintf("%s: %s calibration", sym, e.Name), err, detail)
		}
	}
	return checks, nil
}
