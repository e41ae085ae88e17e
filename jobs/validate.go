package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"runner/forecast"
	"runner/marketdata"
	"runner/store"
	"runner/walkforward"
)

// ValidateConfig configures one walk-forward validation run (DESIGN §5).
type ValidateConfig struct {
	// Symbols to validate. Required.
	Symbols []string
	// Horizon label. Default DefaultHorizon; only 1D is supported.
	Horizon string
	// Ensembles to validate. Required.
	Ensembles []forecast.Ensemble
	// Grid holds each member model's configurations (walkforward.Grid).
	// Required; GridName ("canonical" or "fixed") is recorded with it.
	Grid     walkforward.Grid
	GridName string
	// Window sizes the windows. Zero fields take the walkforward defaults.
	Window walkforward.Config
	// Windows is the number of latest windows per symbol, the last ending
	// at AsOf. Default 1. Ignored when From is set.
	Windows int
	// AsOf is the last test bar of the latest window. Default: the last
	// date on which every symbol has a bar.
	AsOf time.Time
	// From and To select every window whose test span ends in [From, To]
	// instead of the latest Windows.
	From, To time.Time
	// Model holds the options the grid was built with, recorded with the
	// run (seed, epochs, early stopping).
	Model forecast.Options
	// LeakCheck runs the leak check of every window.
	LeakCheck bool
	// Workers bounds how many windows run at once, across symbols.
	// Default runtime.NumCPU(). Results do not depend on it.
	Workers int
	// DryRun validates without writing anything.
	DryRun bool
	// Progress, when set, is called after every window with the number of
	// windows done and in all.
	Progress func(done, total int)
	// CodeVersion and Host are recorded with the run.
	CodeVersion string
	Host        string
}

// ValidateJob runs walk-forward validation and writes its rows.
type ValidateJob struct {
	Source marketdata.Source
	Store  store.Store // may be nil for a dry run
	Log    zerolog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// WindowOutcome is one validated window of one symbol.
type WindowOutcome struct {
	Window walkforward.Window
	Result *walkforward.Result
	// Decisions are the weight decisions of the window, one per ensemble
	// that has figures, in ensemble order.
	Decisions []store.EnsembleWeights
	// Err is set when the window failed as a whole or could not be written;
	// an ensemble without figures carries its error in Result.Ensembles.
	Err error
}

// ValidateSymbol is the outcome of one symbol.
type ValidateSymbol struct {
	Symbol  string
	Windows []WindowOutcome
	// Err is set when the symbol could not be validated at all (no data,
	// not enough history for the windows asked).
	Err error
}

// ValidateResult is the outcome of a run.
type ValidateResult struct {
	Run     store.Run
	Symbols []ValidateSymbol
}

func (c *ValidateConfig) setDefaults() {
	c.Horizon = cmp.Or(c.Horizon, DefaultHorizon)
	c.Window = c.Window.WithDefaults()
	c.Windows = cmp.Or(c.Windows, 1)
	c.Workers = cmp.Or(c.Workers, runtime.NumCPU())
	c.GridName = cmp.Or(c.GridName, "canonical")
}

func (c *ValidateConfig) validate() error {
	switch {
	case len(c.Symbols) == 0:
		return errors.New("jobs: validate: no symbols")
	case len(c.Ensembles) == 0:
		return errors.New("jobs: validate: no ensemble configured")
	case c.Horizon != "1D":
		return fmt.Errorf("jobs: validate: horizon %q is not supported (only 1D)", c.Horizon)
	case c.Workers < 1:
		return fmt.Errorf("jobs: validate: workers %d: need at least 1", c.Workers)
	case c.Windows < 1:
		return fmt.Errorf("jobs: validate: windows %d: need at least 1", c.Windows)
	case !c.From.IsZero() && !c.To.IsZero() && c.To.Before(c.From):
		return fmt.Errorf("jobs: validate: --to %s is before --from %s", c.To.Format(time.DateOnly), c.From.Format(time.DateOnly))
	}
	if err := c.Window.Validate(); err != nil {
		return fmt.Errorf("jobs: validate: %w", err)
	}
	for _, e := range c.Ensembles {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("jobs: validate: %w", err)
		}
	}
	return nil
}

// Run validates every symbol's windows, concurrently up to Workers, and
// writes each window's rows (metrics, alerts, predictions, weight decision
// of every ensemble) in one transaction. It returns an error wrapping
// ErrPartial when some symbols or windows failed and others were written;
// a symbol none of whose windows has figures counts as failed, and when
// every symbol failed the run is failed.
func (j *ValidateJob) Run(ctx context.Context, cfg ValidateConfig) (ValidateResult, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return ValidateResult{}, err
	}
	if j.Store == nil && !cfg.DryRun {
		return ValidateResult{}, errors.New("jobs: validate: no store configured")
	}
	now := j.Now
	if now == nil {
		now = time.Now
	}
	log := j.Log.With().Str("component", "validate").Logger()
	symbols := unique(cfg.Symbols)
	res := ValidateResult{Symbols: make([]ValidateSymbol, len(symbols))}
	history := make([][]marketdata.Bar, len(symbols))
	for i, sym := range symbols {
		res.Symbols[i].Symbol = sym
		bars, err := j.Source.Bars(ctx, sym)
		if err != nil {
			res.Symbols[i].Err = err
			log.Error().Str("symbol", sym).Err(err).Msg("symbol failed to load")
			continue
		}
		history[i] = bars
	}
	asOf := cfg.AsOf
	if !cfg.From.IsZero() {
		asOf = cfg.To
	}
	if asOf.IsZero() {
		asOf = commonLastDate(history)
		if asOf.IsZero() {
			return res, fmt.Errorf("jobs: validate: no symbol has data: %w", firstValidateErr(res.Symbols))
		}
	}
	type unit struct{ sym, win int }
	var units []unit
	for i := range symbols {
		if history[i] == nil {
			continue
		}
		var ws []walkforward.Window
		var err error
		if !cfg.From.IsZero() {
			to := cmp.Or(cfg.To, history[i][len(history[i])-1].Date)
			ws, err = cfg.Window.Between(history[i], cfg.From, to)
		} else {
			ws, err = cfg.Window.Latest(history[i], asOf, cfg.Windows)
		}
		if err != nil {
			res.Symbols[i].Err = err
			log.Error().Str("symbol", symbols[i]).Err(err).Msg("not enough history")
			continue
		}
		res.Symbols[i].Windows = make([]WindowOutcome, len(ws))
		for k, w := range ws {
			res.Symbols[i].Windows[k].Window = w
			units = append(units, unit{i, k})
		}
	}

	run := store.Run{Kind: "validate", Mode: ensembleNames(cfg.Ensembles), AsOf: asOf, Status: store.RunRunning,
		Symbols: symbols, Parameters: cfg.params(), CodeVersion: cfg.CodeVersion, Host: cfg.Host, StartedAt: now().UTC()}
	if !cfg.DryRun {
		if err := j.Store.StartRun(ctx, &run); err != nil {
			return res, fmt.Errorf("jobs: validate: %w", err)
		}
	}
	log.Info().Int64("run_id", run.ID).Strs("symbols", symbols).Int("windows", len(units)).
		Str("grid", cfg.GridName).Int("workers", cfg.Workers).Msg("validate run started")

	spec := walkforward.Spec{Config: cfg.Window, Ensembles: cfg.Ensembles, Grid: cfg.Grid, LeakCheck: cfg.LeakCheck, Now: now}
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	sem := make(chan struct{}, cfg.Workers)
	// One symbol's windows are written one at a time: each weights row
	// links to the symbol's previous one (SaveValidationWindows), which a
	// concurrent, uncommitted transaction of another window would hide.
	writing := make([]sync.Mutex, len(symbols))
	hooks := hooksOf(ctx)
	for _, u := range units {
		// Asked to stop (runner schedule on SIGTERM): the windows started
		// finish; the others are reported not run.
		if ctx.Err() != nil || hooks.stopping() {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(u unit) {
			defer func() { <-sem; wg.Done() }()
			out := &res.Symbols[u.sym].Windows[u.win]
			start := time.Now()
			j.validateWindow(ctx, cfg, spec, run.ID, history[u.sym], &writing[u.sym], out)
			ev := log.Info()
			if out.Err != nil {
				ev = log.Error().Err(out.Err)
			}
			ev = ev.Str("symbol", symbols[u.sym]).Int("window_id", out.Window.ID).
				Str("validation_date", out.Window.TestLast.Format(time.DateOnly)).Dur("elapsed", time.Since(start))
			if out.Result != nil {
				for _, er := range out.Result.Ensembles {
					if er.Err == nil {
						ev = ev.Float64("divergence_"+er.Ensemble.Name, er.Divergence)
					}
				}
			}
			ev.Msg("window done")
			mu.Lock()
			done++
			if cfg.Progress != nil {
				cfg.Progress(done, len(units))
			}
			mu.Unlock()
		}(u)
	}
	wg.Wait()

	run.SymbolErrors = map[string]string{}
	failed, degraded := 0, 0
	var firstErr error
	for _, s := range res.Symbols {
		if s.Err != nil {
			failed++
			run.SymbolErrors[s.Symbol] = s.Err.Error()
			if firstErr == nil {
				firstErr = s.Err
			}
			continue
		}
		var parts []string
		validated := 0 // windows with figures for at least one ensemble
		for _, w := range s.Windows {
			if w.Err != nil {
				parts = append(parts, fmt.Sprintf("window %d (%s): %v", w.Window.ID, w.Window.TestLast.Format(time.DateOnly), w.Err))
				continue
			}
			if w.Result == nil {
				parts = append(parts, fmt.Sprintf("window %d (%s): not run", w.Window.ID, w.Window.TestLast.Format(time.DateOnly)))
				continue
			}
			ok := false
			for _, er := range w.Result.Ensembles {
				if er.Err != nil {
					parts = append(parts, fmt.Sprintf("window %d (%s) %s: %v", w.Window.ID, w.Window.TestLast.Format(time.DateOnly), er.Ensemble.Name, er.Err))
				} else {
					ok = true
				}
			}
			if ok {
				validated++
			}
			for _, m := range sortedKeys(w.Result.Models) {
				if err := w.Result.Models[m].Err; err != nil {
					parts = append(parts, fmt.Sprintf("window %d (%s) model %s: %v", w.Window.ID, w.Window.TestLast.Format(time.DateOnly), m, err))
				}
			}
		}
		if len(parts) > 0 {
			run.SymbolErrors[s.Symbol] = strings.Join(parts, "; ")
		}
		switch {
		case validated == 0:
			// Nothing validated, nothing written: the symbol failed.
			failed++
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: no window validated: %s", s.Symbol, run.SymbolErrors[s.Symbol])
			}
		case len(parts) > 0:
			degraded++
		}
	}
	switch {
	case failed == len(res.Symbols):
		run.Status = store.RunFailed
	case failed > 0 || degraded > 0:
		run.Status = store.RunPartial
	default:
		run.Status = store.RunSucceeded
	}
	if ctx.Err() != nil && run.Status != store.RunFailed {
		run.Status = store.RunFailed
	}
	run.FinishedAt = now().UTC()
	res.Run = run
	if !cfg.DryRun {
		if err := j.Store.FinishRun(context.WithoutCancel(ctx), &res.Run); err != nil {
			return res, fmt.Errorf("jobs: validate: %w", err)
		}
	}
	log.Info().Int64("run_id", run.ID).Str("status", string(run.Status)).Int("failed_symbols", failed).
		Int("symbols_degraded", degraded).Msg("validate run finished")
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("jobs: validate: %w", err)
	}
	switch run.Status {
	case store.RunFailed:
		return res, fmt.Errorf("jobs: validate: every symbol failed: %w", firstErr)
	case store.RunPartial:
		return res, fmt.Errorf("jobs: validate: %d of %d symbols failed, %d had failed windows, ensembles or models: %w",
			failed, len(res.Symbols), degraded, ErrPartial)
	}
	return res, nil
}

// validateWindow validates one window and writes its rows, holding writing
// while it does.
func (j *ValidateJob) validateWindow(ctx context.Context, cfg ValidateConfig, spec walkforward.Spec, runID int64, bars []marketdata.Bar, writing *sync.Mutex, out *WindowOutcome) {
	if h := hooksOf(ctx); h.ModelFitted != nil {
		ctx = walkforward.WithFitObserver(ctx, h.ModelFitted)
	}
	r, err := walkforward.Validate(ctx, spec, bars, out.Window)
	if err != nil {
		out.Err = err
		return
	}
	out.Result = r
	rows := windowRows(cfg, runID, r)
	for _, row := range rows {
		if row.Weights != nil {
			out.Decisions = append(out.Decisions, *row.Weights)
		}
	}
	if cfg.DryRun || len(rows) == 0 {
		return
	}
	writing.Lock()
	defer writing.Unlock()
	if err := j.Store.SaveValidationWindows(ctx, rows); err != nil {
		out.Err = fmt.Errorf("save window %d: %w", out.Window.ID, err)
	}
}

// windowRows turns a window's result into the rows of every ensemble that
// has figures.
func windowRows(cfg ValidateConfig, runID int64, r *walkforward.Result) []store.ValidationWindow {
	w, c := r.Window, r.Config
	nTrain, nVal, nTest, span := c.Train-1, c.Val, c.Test, w.DataSpanDays()
	trained := r.TrainedAt
	var out []store.ValidationWindow
	for _, er := range r.Ensembles {
		if er.Err != nil {
			continue
		}
		models := map[string]any{}
		for _, m := range er.Ensemble.Models() {
			models[m] = modelParams(r.Models[m])
		}
		hyper := map[string]any{
			"grid": cfg.GridName, "models": models,
			"weights": er.WeightMap(), "default_weights": er.Ensemble.DefaultWeights(),
			"test_rmse_default_weights": er.TestRMSEDefault,
			"window":                    map[string]int{"train": c.Train, "val": c.Val, "test": c.Test, "step": c.Step},
			"seed":                      cfg.Model.Seed, "epochs": cfg.Model.Epochs, "early_stop": !cfg.Model.NoEarlyStop,
			"config_hash": cfg.ConfigHash(),
		}
		train, dir, mae := er.TrainRMSE, er.DirectionalAccuracy, er.MeanAbsoluteError
		m := store.ValidationMetrics{
			SymbolID: r.Symbol, Symbol: r.Symbol, Horizon: cfg.Horizon, ValidationDate: w.ValidationDate(),
			WindowID: w.ID, TrainRMSE: &train, ValRMSE: er.ValRMSE, TestRMSE: er.TestRMSE,
			Divergence: er.Divergence, DivergenceThreshold: walkforward.OverfittingThreshold,
			IsOverfitting: er.Divergence > walkforward.OverfittingThreshold, ModelCount: len(er.Ensemble.Members),
			ModelsUsed: er.ModelsUsed, NTrainSamples: &nTrain, NValSamples: &nVal, NTestSamples: &nTest,
			DataSpanDays: &span, Hyperparameters: hyper, DirectionalAccuracy: &dir, MeanAbsoluteError: &mae,
			TrainedAt: &trained,
		}
		vw := store.ValidationWindow{Ensemble: er.Ensemble.Name, Metrics: m}
		for _, l := range er.Reached {
			vw.Alerts = append(vw.Alerts, store.DivergenceAlert{RunID: runID, Symbol: r.Symbol, Horizon: cfg.Horizon,
				Ensemble: er.Ensemble.Name, ValidationDate: w.ValidationDate(), WindowID: w.ID, Level: l.Name,
				Divergence: er.Divergence, Threshold: l.Threshold, ValRMSE: er.ValRMSE, TestRMSE: er.TestRMSE})
		}
		vw.Predictions = predictionRows(cfg.Horizon, r, er)
		vw.Weights = weightDecision(runID, cfg.Horizon, r, er)
		out = append(out, vw)
	}
	return out
}

// weightDecision is the automatic weight reversion of DESIGN §5: the
// calibrated weights when the divergence is at most 0.15, the defaults of
// DESIGN §4 above it, effective from the window's validation date.
func weightDecision(runID int64, horizon string, r *walkforward.Result, er walkforward.EnsembleResult) *store.EnsembleWeights {
	cal := calibratedWeights(er)
	d := &store.EnsembleWeights{RunID: runID, Symbol: r.Symbol, Horizon: horizon, Ensemble: er.Ensemble.Name,
		Calibrated: cal, WindowID: r.Window.ID, ValidationDate: r.Window.ValidationDate(), ValRMSE: er.ValRMSE,
		TestRMSE: er.TestRMSE, Divergence: er.Divergence, Actor: "validate", EffectiveAt: r.Window.ValidationDate()}
	if er.Divergence <= walkforward.ReversionThreshold {
		d.Method, d.Source, d.Weights = store.WeightsCalibrated, store.WeightsCalibrated, cal
		d.Reason = fmt.Sprintf("divergence %.4f <= %.2f: calibrated weights accepted", er.Divergence, walkforward.ReversionThreshold)
	} else {
		d.Method, d.Source, d.Weights = store.WeightsReverted, store.WeightsReverted, er.Ensemble.DefaultWeights()
		d.Reason = fmt.Sprintf("divergence %.4f > %.2f: weights reverted to the defaults", er.Divergence, walkforward.ReversionThreshold)
	}
	return d
}

// calibratedWeights are the window's calibrated weights over every member,
// zero for a member that took no part.
func calibratedWeights(er walkforward.EnsembleResult) map[string]float64 {
	out := map[string]float64{}
	for _, m := range er.Ensemble.Members {
		out[m.Model] = 0
	}
	for m, w := range er.WeightMap() {
		out[m] = w
	}
	return out
}

// predictionRows are the one-step predictions of a window for one ensemble:
// each member's chosen configuration and the ensemble, validation and test.
func predictionRows(horizon string, r *walkforward.Result, er walkforward.EnsembleResult) []store.ValidationPrediction {
	var out []store.ValidationPrediction
	add := func(model, span string, asOf, target []time.Time, realised []float64, d forecast.Distribution, lo, hi float64, t int) {
		out = append(out, store.ValidationPrediction{Symbol: r.Symbol, Horizon: horizon, Ensemble: er.Ensemble.Name,
			Model: model, WindowID: r.Window.ID, Span: span, AsOf: asOf[t], TargetDate: target[t], Mu: d.Mu,
			Sigma: d.Sigma, PBear: d.PBear, PNeutral: d.PNeutral, PBull: d.PBull, CILower: lo, CIUpper: hi,
			Realised: realised[t]})
	}
	for _, m := range er.ModelsUsed {
		mr := r.Models[m]
		for t, d := range mr.Val {
			lo, hi := normalInterval(d)
			add(m, store.SpanValidation, r.ValAsOf, r.ValDates, r.ValRealised, d, lo, hi, t)
		}
		for t, d := range mr.Test {
			lo, hi := normalInterval(d)
			add(m, store.SpanTest, r.TestAsOf, r.TestDates, r.TestRealised, d, lo, hi, t)
		}
	}
	for t, c := range er.Val {
		add(store.EnsembleModel, store.SpanValidation, r.ValAsOf, r.ValDates, r.ValRealised, c.Distribution, c.CILower, c.CIUpper, t)
	}
	for t, c := range er.Test {
		add(store.EnsembleModel, store.SpanTest, r.TestAsOf, r.TestDates, r.TestRealised, c.Distribution, c.CILower, c.CIUpper, t)
	}
	return out
}

// z95 is the 95% quantile of the standard normal.
const z95 = 1.6448536269514722

// normalInterval is the 90% interval of a member's Gaussian prediction.
func normalInterval(d forecast.Distribution) (float64, float64) {
	return d.Mu - z95*d.Sigma, d.Mu + z95*d.Sigma
}

func modelParams(mr *walkforward.ModelResult) map[string]any {
	out := map[string]any{}
	if mr.Err != nil {
		out["error"] = mr.Err.Error()
	}
	if p := mr.Params(); p != nil {
		out["params"] = p
		out["val_rmse"] = mr.Trials[mr.Chosen].ValRMSE
	}
	if mr.Spec != nil {
		out["fitted"] = mr.Spec
	}
	var trials []map[string]any
	for _, t := range mr.Trials {
		row := map[string]any{"params": t.Params}
		if t.Err != nil {
			row["error"] = t.Err.Error()
		} else if !math.IsNaN(t.ValRMSE) {
			row["val_rmse"] = t.ValRMSE
		}
		if t.RefitErr != nil {
			row["refit_error"] = t.RefitErr.Error()
		}
		trials = append(trials, row)
	}
	out["trials"] = trials
	return out
}

func (c *ValidateConfig) params() map[string]any {
	p := map[string]any{
		"ensembles": ensembleParams(c.Ensembles), "horizon": c.Horizon, "grid": c.GridName,
		"train": c.Window.Train, "val": c.Window.Val, "test": c.Window.Test, "step": c.Window.Step,
		"seed": c.Model.Seed, "epochs": c.Model.Epochs, "early_stop": !c.Model.NoEarlyStop,
		"leak_check": c.LeakCheck,
	}
	if !c.From.IsZero() {
		p["from"] = c.From.Format(time.DateOnly)
		if !c.To.IsZero() {
			p["to"] = c.To.Format(time.DateOnly)
		}
	} else {
		p["windows"] = c.Windows
	}
	return p
}

func ensembleNames(es []forecast.Ensemble) string {
	var names []string
	for _, e := range es {
		names = append(names, e.Name)
	}
	return strings.Join(names, "+")
}

// commonLastDate is the last date on which every loaded symbol has a bar:
// the earliest of their last dates.
func commonLastDate(history [][]marketdata.Bar) time.Time {
	var asOf time.Time
	for _, bars := range history {
		if len(bars) > 0 && (asOf.IsZero() || bars[len(bars)-1].Date.Before(asOf)) {
			asOf = bars[len(bars)-1].Date
		}
	}
	return asOf
}

func firstValidateErr(ss []ValidateSymbol) error {
	for _, s := range ss {
		if s.Err != nil {
			return s.Err
		}
	}
	return errors.New("no error recorded")
}
