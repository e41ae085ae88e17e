package canary

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/rs/zerolog"

	"runner/marketdata"
	"runner/store"
)

// DefaultHorizon is Config.Horizon's default.
const DefaultHorizon = "1D"

// Config configures a Policy.
type Config struct {
	// Thresholds of the decisions; zero fields take their defaults.
	Thresholds Thresholds
	// Horizon of the forecasts and validation windows evaluated. Default
	// DefaultHorizon.
	Horizon string
	// Actor is who acts, recorded with every event (user@host). Default
	// "unknown".
	Actor string
}

// Policy runs the canary state machine on a store.
type Policy struct {
	Store store.Store
	// Source lists the universe of the stages that cover all symbols or
	// a percentage of them.
	Source marketdata.Source
	Log    zerolog.Logger
	// Now is the clock; default time.Now.
	Now    func() time.Time
	Config Config
}

// ErrNoCanary is returned when no deployment was ever started.
var ErrNoCanary = errors.New("canary: no canary deployment; start one with runner canary start")

// ErrStartsTooEarly is returned, wrapped, by Start when its first day is
// before the last event of the previous deployment.
var ErrStartsTooEarly = errors.New("canary: start dated before the previous deployment's last event")

// ErrNotActive is returned, wrapped, by Advance and Start when the latest
// deployment's status does not allow it.
var ErrNotActive = errors.New("canary: the deployment is not active")

// ErrCriteriaUnmet is returned, wrapped, by Advance without force when the
// evaluation does not allow advancing.
var ErrCriteriaUnmet = errors.New("canary: advance criteria not met")

// Result is what an action did or, for a dry run, would do.
type Result struct {
	// Before and After are the deployment's state around the action.
	Before, After store.CanaryDeployment
	// Evaluation and Decision are set for Evaluate and Advance.
	Evaluation *Evaluation
	Decision   *Decision
	Metrics    *store.CanaryMetrics
	Event      store.CanaryEvent
	// Written is false for a dry run, for an evaluation of a deployment
	// that was rolled back (nothing to decide, Evaluation nil) and for a
	// day decided already before the current stage began (Evaluation nil,
	// Event that decision).
	Written bool
}

func (p *Policy) now() time.Time {
	if p.Now == nil {
		return time.Now().UTC()
	}
	return p.Now().UTC()
}

func (p *Policy) setDefaults() error {
	p.Config.Horizon = cmp.Or(p.Config.Horizon, DefaultHorizon)
	p.Config.Actor = cmp.Or(p.Config.Actor, "unknown")
	p.Config.Thresholds.setDefaults()
	return p.Config.Thresholds.validate()
}

func (p *Policy) log() *zerolog.Logger {
	l := p.Log.With().Str("component", "canary").Logger()
	return &l
}

// Latest returns the latest deployment, or ErrNoCanary.
func (p *Policy) Latest(ctx context.Context) (store.CanaryDeployment, error) {
	d, err := p.Store.LatestCanary(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return d, ErrNoCanary
	}
	return d, err
}

// Start begins a deployment with stages, its first stage counting from
// the trading day from (or the next trading day when from is not one).
// It refuses while another deployment is active, and a first day before
// the day of the previous deployment's last event (ErrStartsTooEarly):
// the days that deployment decided stay its own.
func (p *Policy) Start(ctx context.Context, stages []store.CanaryStage, from time.Time, reason string) (Result, error) {
	if err := p.setDefaults(); err != nil {
		return Result{}, err
	}
	if len(stages) == 0 {
		return Result{}, errors.New("canary: start: no stages")
	}
	prev, err := p.Latest(ctx)
	switch {
	case errors.Is(err, ErrNoCanary):
	case err != nil:
		return Result{}, fmt.Errorf("canary: start: %w", err)
	case prev.Status == store.CanaryActive:
		return Result{}, fmt.Errorf("canary: start: deployment %d is active at stage %s; roll it back first: %w",
			prev.ID, prev.Stages[prev.Stage].Name, ErrNotActive)
	}
	from = dayOf(from)
	if !marketdata.IsTradingDay(from) {
		from = marketdata.NextTradingDay(from)
	}
	if prev.ID != 0 {
		evs, err := p.Store.CanaryEvents(ctx, prev.ID)
		if err != nil {
			return Result{}, fmt.Errorf("canary: start: events of deployment %d: %w", prev.ID, err)
		}
		// A start dated before the previous deployment's last decision
		// would rewrite the days that deployment decided: History would
		// take the new one as in force from its first day, and a
		// production backfill would serve by it there.
		if n := len(evs); n > 0 && from.Before(evs[n-1].AsOf) {
			last := evs[n-1]
			return Result{}, fmt.Errorf("canary: start: first day %s is before %s, the day of deployment %d's last event (%d, %s): a new canary starts on or after it: %w",
				from.Format(time.DateOnly), last.AsOf.Format(time.DateOnly), prev.ID, last.ID, last.Kind, ErrStartsTooEarly)
		}
	}
	now := p.now()
	d := store.CanaryDeployment{Stages: stages, StageStartedOn: from, Status: store.CanaryActive, Actor: p.Config.Actor,
		StartedAt: now, UpdatedAt: now}
	ev := store.CanaryEvent{Kind: store.CanaryStarted, FromStage: "legacy", ToStage: stages[0].Name, AsOf: from,
		Actor: p.Config.Actor, Reason: cmp.Or(reason, "canary started"), CreatedAt: now,
		Figures: map[string]any{"stages": stageFigures(stages), "previous_deployment": prev.ID}}
	if err := p.Store.StartCanary(ctx, &d, &ev); err != nil {
		return Result{}, fmt.Errorf("canary: start: %w", err)
	}
	p.log().Info().Int64("deployment", d.ID).Str("stage", stages[0].Name).Str("from", from.Format(time.DateOnly)).
		Str("actor", d.Actor).Msg("canary started")
	return Result{Before: prev, After: d, Event: ev, Written: true}, nil
}

// Evaluate measures the current stage as of asOf and decides. With dryRun
// it returns the decision and writes nothing. A deployment rolled back is
// not evaluated (nothing is written); a promoted one is monitored over
// its last stage, and rolled back when a rollback or fail criterion
// triggers.
func (p *Policy) Evaluate(ctx context.Context, asOf time.Time, dryRun bool) (Result, error) {
	if err := p.setDefaults(); err != nil {
		return Result{}, err
	}
	d, err := p.Latest(ctx)
	if err != nil {
		return Result{}, err
	}
	res := Result{Before: d, After: d}
	if d.Status == store.CanaryRolledBack {
		return res, nil
	}
	if dayOf(asOf).Before(d.StageStartedOn) {
		// A day decided already (the evaluation that advanced to the
		// current stage, run again) is not an error: its event says what
		// was decided.
		evs, err := p.Store.CanaryEvents(ctx, d.ID)
		if err != nil {
			return res, fmt.Errorf("canary: evaluate: %w", err)
		}
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i].AsOf.Equal(dayOf(asOf)) && evs[i].Kind != store.CanaryStarted {
				res.Event = evs[i]
				return res, nil
			}
		}
	}
	e, dec, err := p.evaluate(ctx, d, asOf)
	if err != nil {
		return res, err
	}
	res.Evaluation, res.Decision = &e, &dec
	st := d.Stages[d.Stage]
	now := p.now()
	after := d
	after.UpdatedAt = now
	ev := store.CanaryEvent{FromStage: st.Name, ToStage: st.Name, AsOf: e.AsOf, Actor: p.Config.Actor,
		Reason: dec.Reason, Figures: figures(e, dec), CreatedAt: now}
	switch dec.Action {
	case RollbackNow, FailRollback:
		after.Status, ev.Kind, ev.ToStage = store.CanaryRolledBack, store.CanaryRolledBackEv, "legacy"
	case Advance, Promote:
		after, ev.Kind, ev.ToStage = moveOn(after, e.AsOf)
	case Monitor:
		ev.Kind = store.CanaryEvaluated
	default:
		ev.Kind = store.CanaryHeld
	}
	m := metricsRow(e, dec, now)
	res.After, res.Metrics, res.Event = after, &m, ev
	if dryRun {
		return res, nil
	}
	if err := p.Store.RecordCanary(ctx, after, &m, &ev); err != nil {
		return res, fmt.Errorf("canary: evaluate %s: %w", e.AsOf.Format(time.DateOnly), err)
	}
	res.Metrics, res.Event, res.Written = &m, ev, true
	p.log().Info().Int64("deployment", d.ID).Str("stage", st.Name).Str("as_of", e.AsOf.Format(time.DateOnly)).
		Str("decision", dec.Action).Str("reason", dec.Reason).Msg("canary evaluated")
	return res, nil
}

// Preview evaluates the current stage as of asOf without deciding
// anything: what runner canary status shows.
func (p *Policy) Preview(ctx context.Context, d store.CanaryDeployment, asOf time.Time) (Evaluation, Decision, error) {
	if err := p.setDefaults(); err != nil {
		return Evaluation{}, Decision{}, err
	}
	return p.evaluate(ctx, d, asOf)
}

// evaluate measures d's current stage as of asOf and applies the
// thresholds.
func (p *Policy) evaluate(ctx context.Context, d store.CanaryDeployment, asOf time.Time) (Evaluation, Decision, error) {
	asOf = dayOf(asOf)
	st := d.Stages[d.Stage]
	if asOf.Before(d.StageStartedOn) {
		return Evaluation{}, Decision{}, fmt.Errorf("canary: evaluate %s: before stage %s started (%s)",
			asOf.Format(time.DateOnly), st.Name, d.StageStartedOn.Format(time.DateOnly))
	}
	universe, err := p.universe(ctx, st)
	if err != nil {
		return Evaluation{}, Decision{}, err
	}
	e, err := p.measure(ctx, st, Scope(st, universe), d.StageStartedOn, asOf)
	if err != nil {
		return e, Decision{}, err
	}
	dec := Decide(e, p.Config.Thresholds, d.Stage == len(d.Stages)-1, d.Status == store.CanaryPromoted)
	return e, dec, nil
}

// universe lists the data's symbols when the stage needs them.
func (p *Policy) universe(ctx context.Context, st store.CanaryStage) ([]string, error) {
	if !st.All && len(st.Symbols) > 0 {
		return nil, nil
	}
	if p.Source == nil {
		return nil, fmt.Errorf("canary: stage %s: no data source for the universe", st.Name)
	}
	syms, err := p.Source.Symbols(ctx)
	if err != nil {
		return nil, fmt.Errorf("canary: stage %s: list symbols: %w", st.Name, err)
	}
	return syms, nil
}

// Advance moves the deployment to its next stage (or promotes it from the
// last) as of asOf by hand, recording reason. It refuses, with an error
// wrapping ErrCriteriaUnmet, when the evaluation as of asOf would not
// advance, unless force.
func (p *Policy) Advance(ctx context.Context, asOf time.Time, reason string, force bool) (Result, error) {
	d, err := p.manual(ctx, "advance", reason)
	if err != nil {
		return Result{}, err
	}
	res := Result{Before: d, After: d}
	if d.Status != store.CanaryActive {
		return res, fmt.Errorf("canary: advance: deployment %d is %s: %w", d.ID, d.Status, ErrNotActive)
	}
	e, dec, err := p.evaluate(ctx, d, asOf)
	if err != nil {
		return res, err
	}
	res.Evaluation, res.Decision = &e, &dec
	if dec.Action != Advance && dec.Action != Promote && !force {
		return res, fmt.Errorf("canary: advance: the evaluation as of %s decides %s (%s): %w; --force overrides",
			e.AsOf.Format(time.DateOnly), dec.Action, dec.Reason, ErrCriteriaUnmet)
	}
	now := p.now()
	st := d.Stages[d.Stage]
	after := d
	after.UpdatedAt = now
	figs := figures(e, dec)
	figs["forced"] = force && dec.Action != Advance && dec.Action != Promote
	figs["manual"] = true
	ev := store.CanaryEvent{FromStage: st.Name, AsOf: e.AsOf, Actor: p.Config.Actor, Reason: reason, Figures: figs,
		CreatedAt: now}
	after, ev.Kind, ev.ToStage = moveOn(after, e.AsOf)
	if err := p.Store.RecordCanary(ctx, after, nil, &ev); err != nil {
		return res, fmt.Errorf("canary: advance: %w", err)
	}
	res.After, res.Event, res.Written = after, ev, true
	p.log().Warn().Int64("deployment", d.ID).Str("from", st.Name).Str("to", ev.ToStage).Bool("forced", figs["forced"].(bool)).
		Str("actor", ev.Actor).Str("reason", reason).Msg("canary advanced by hand")
	return res, nil
}

// Rollback returns every symbol to legacy at once: the deployment becomes
// rolled_back, with who and why. A deployment already rolled back is left
// as it is (Written false).
func (p *Policy) Rollback(ctx context.Context, asOf time.Time, reason string) (Result, error) {
	d, err := p.manual(ctx, "rollback", reason)
	if err != nil {
		return Result{}, err
	}
	res := Result{Before: d, After: d}
	if d.Status == store.CanaryRolledBack {
		return res, nil
	}
	now := p.now()
	if asOf.IsZero() {
		asOf = now
	}
	after := d
	after.Status, after.UpdatedAt = store.CanaryRolledBack, now
	ev := store.CanaryEvent{Kind: store.CanaryRolledBackEv, FromStage: d.Stages[d.Stage].Name, ToStage: "legacy",
		AsOf: dayOf(asOf), Actor: p.Config.Actor, Reason: reason, CreatedAt: now,
		Figures: map[string]any{"manual": true, "previous_status": string(d.Status)}}
	if err := p.Store.RecordCanary(ctx, after, nil, &ev); err != nil {
		return res, fmt.Errorf("canary: rollback: %w", err)
	}
	res.After, res.Event, res.Written = after, ev, true
	p.log().Warn().Int64("deployment", d.ID).Str("actor", ev.Actor).Str("reason", reason).Msg("canary rolled back: legacy everywhere")
	return res, nil
}

// manual starts a manual action (op): the defaults applied, a reason
// required, the latest deployment read.
func (p *Policy) manual(ctx context.Context, op, reason string) (store.CanaryDeployment, error) {
	if err := p.setDefaults(); err != nil {
		return store.CanaryDeployment{}, err
	}
	if reason == "" {
		return store.CanaryDeployment{}, fmt.Errorf("canary: %s: a reason is required", op)
	}
	return p.Latest(ctx)
}

// moveOn returns d moved on from its current stage as of asOf: to the
// next stage, counting from the next trading day, or promoted from the
// last; with the event kind and the stage moved to.
func moveOn(d store.CanaryDeployment, asOf time.Time) (_ store.CanaryDeployment, kind, to string) {
	if d.Stage == len(d.Stages)-1 {
		d.Status = store.CanaryPromoted
		return d, store.CanaryPromotedEv, "all"
	}
	d.Stage, d.StageStartedOn = d.Stage+1, marketdata.NextTradingDay(asOf)
	return d, store.CanaryAdvanced, d.Stages[d.Stage].Name
}

// metricsRow is the canary_performance_metrics row of an evaluation.
func metricsRow(e Evaluation, dec Decision, now time.Time) store.CanaryMetrics {
	m := store.CanaryMetrics{Stage: e.Stage.Name, AsOf: e.AsOf, DaysInStage: e.Days, Symbols: e.Symbols,
		AvgDivergence: finite(e.AvgDivergence), MaxDivergence: finite(e.MaxDivergence),
		CandidateRMSE: finite(e.CandidateRMSE), LegacyRMSE: finite(e.LegacyRMSE), RMSEChange: finite(e.RMSEChange),
		MaturedForecasts: e.Matured, Coverage: e.Coverage(), MissingForecasts: len(e.Missing),
		RunErrors: len(e.RunErrors), OverfitStreak: e.OverfitStreak, Decision: dec.Action,
		Criteria: dec.CriteriaMaps(), CreatedAt: now}
	return m
}

// figures are the numbers behind a decision, for its event.
func figures(e Evaluation, dec Decision) map[string]any {
	f := map[string]any{"decision": dec.Action, "stage": e.Stage.Name, "days_in_stage": e.Days,
		"symbols": e.Symbols, "matured_forecasts": e.Matured, "coverage": e.Coverage(),
		"missing_forecasts": len(e.Missing), "run_errors": len(e.RunErrors), "overfit_streak": e.OverfitStreak}
	for k, v := range map[string]float64{"avg_divergence": e.AvgDivergence, "max_divergence": e.MaxDivergence,
		"candidate_rmse": e.CandidateRMSE, "legacy_rmse": e.LegacyRMSE, "rmse_change": e.RMSEChange} {
		if p := finite(v); p != nil {
			f[k] = *p
		} else {
			f[k] = nil
		}
	}
	var unmet []string
	for _, c := range dec.Criteria {
		if !c.Pass {
			unmet = append(unmet, c.Group+"."+c.Name)
		}
	}
	f["unmet"] = unmet
	return f
}

func stageFigures(stages []store.CanaryStage) []map[string]any {
	var out []map[string]any
	for _, s := range stages {
		m := map[string]any{"name": s.Name, "min_days": s.MinDays, "max_days": s.MaxDays, "min_matured": s.MinMatured}
		switch {
		case s.All:
			m["scope"] = "all"
		case len(s.Symbols) > 0:
			m["scope"] = s.Symbols
		default:
			m["scope"] = fmt.Sprintf("%g%%", s.Percent)
		}
		out = append(out, m)
	}
	return out
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
