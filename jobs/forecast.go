package jobs

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"runner/forecast"
	"runner/marketdata"
	"runner/store"
)

// Defaults of ForecastConfig.
const (
	DefaultHorizon   = "1D"
	DefaultTrainBars = 756
)

// ForecastConfig configures one forecast run.
type ForecastConfig struct {
	// Ensembles to compute for every symbol. Required. Each model that
	// appears in several ensembles is fitted once per symbol.
	Ensembles []forecast.Ensemble
	// Served names the ensemble whose forecasts are marked served; empty
	// marks none (shadow runs).
	Served string
	// Serving, when set, chooses per symbol the one ensemble of Ensembles
	// that is computed and served, and why (production under the canary
	// policy); it wins over Served. A symbol it does not name gets every
	// ensemble, with Served. Default none.
	Serving map[string]Serving
	// ServeByCanary marks a production configuration whose serving
	// follows the canary state (DESIGN §9): Ensembles holds both, and each
	// run's Serving is the canary state's on its as-of day (runner forecast
	// sets the state now; a backfill's units read the state of their own
	// day: canary.History.ServingOn). Part of the configuration hash.
	ServeByCanary bool
	// Mode is recorded with the run: canary, production, shadow, or the
	// ensemble name for a run of one ensemble. Default: the ensemble names.
	Mode string
	// Symbols to forecast. Default: every symbol of the source.
	Symbols []string
	// Horizon label. Default DefaultHorizon; only 1D is supported.
	Horizon string
	// AsOf is the date of the last bar each model sees. Default: the last
	// date on which every symbol has a bar.
	AsOf time.Time
	// TrainBars is the number of bars, ending at AsOf, each model fits on.
	// Default DefaultTrainBars.
	TrainBars int
	// Model holds the options every model is built with (seed, neutral
	// band, epochs).
	Model forecast.Options
	// WeightMethod sets the ensemble weights. Default forecast.WeightsDefault
	// (the weights of DESIGN §4). forecast.Calibrated reads each symbol's
	// and ensemble's current weights from the store (the latest
	// ensemble_weights row effective on or before the as-of date), and
	// uses the defaults, saying so, where validation has decided none.
	WeightMethod forecast.WeightMethod
	// WeightLookback is how many past matured forecasts inverse_rmse and
	// ridge learn from. Default DefaultWeightLookback.
	WeightLookback int
	// Workers bounds how many symbols run at once. Default runtime.NumCPU().
	Workers int
	// Calibrate applies each symbol's and ensemble's latest calibration
	// (DESIGN §6): the latest calibrations row whose samples' returns were
	// known by the as-of date. The raw interval and P(up) are kept beside
	// the calibrated ones. Default false (the CLI sets it true).
	Calibrate bool
	// DryRun computes and returns forecasts without writing anything.
	DryRun bool
	// CodeVersion and Host are recorded with the run.
	CodeVersion string
	Host        string
}

// ForecastJob fits models and writes ensemble forecasts.
type ForecastJob struct {
	Source marketdata.Source
	Store  store.Store // may be nil for a dry run
	Log    zerolog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Runs sets how the run's forecast_runs row is kept.
	Runs RunConfig
}

// SymbolResult is the outcome of one symbol.
type SymbolResult struct {
	Symbol    string
	Forecasts []store.Forecast // one per ensemble that could be combined
	// Err is set when the symbol produced no forecast at all, or its
	// forecasts could not be written.
	Err error
	// LostModels lists the models that failed for this symbol while the
	// ensembles still combined over the others.
	LostModels map[string]error
	// FailedEnsembles lists the ensembles that produced no forecast for
	// this symbol while others did.
	FailedEnsembles map[string]error
	// WeightNotes says, per ensemble, where calibrated weights came from
	// (the ensemble_weights row) or that there were none and the defaults
	// were used; empty for the other weight methods.
	WeightNotes map[string]string
	// CalibrationNotes says, per ensemble, which calibration the forecast
	// applied, or that the symbol has none yet (raw interval and
	// probabilities); empty with Calibrate false.
	CalibrationNotes map[string]string
	// ServeNote says which ensemble is served and why, for a symbol with a
	// ForecastConfig.Serving entry; empty otherwise.
	ServeNote string
}

// ForecastResult is the outcome of a run.
type ForecastResult struct {
	Run     store.Run
	Symbols []SymbolResult // in the order of the configured symbols
}

// ErrPartial is wrapped by Run's error when some symbols failed or lost a
// model and others were written.
var ErrPartial = errors.New("partial run")

func (c *ForecastConfig) setDefaults() {
	c.Horizon = cmp.Or(c.Horizon, DefaultHorizon)
	c.TrainBars = cmp.Or(c.TrainBars, DefaultTrainBars)
	c.Workers = cmp.Or(c.Workers, runtime.NumCPU())
	c.WeightMethod = cmp.Or(c.WeightMethod, forecast.WeightsDefault)
	c.WeightLookback = cmp.Or(c.WeightLookback, DefaultWeightLookback)
	if c.Mode == "" {
		var names []string
		for _, e := range c.Ensembles {
			names = append(names, e.Name)
		}
		c.Mode = strings.Join(names, "+")
	}
}

func (c *ForecastConfig) validate() error {
	if len(c.Ensembles) == 0 {
		return errors.New("jobs: forecast: no ensemble configured")
	}
	if c.Horizon != "1D" {
		return fmt.Errorf("jobs: forecast: horizon %q is not supported (only 1D)", c.Horizon)
	}
	if c.TrainBars < 2 {
		return fmt.Errorf("jobs: forecast: train bars %d: need at least 2", c.TrainBars)
	}
	if c.Workers < 1 {
		return fmt.Errorf("jobs: forecast: workers %d: need at least 1", c.Workers)
	}
	if _, err := forecast.ParseWeightMethod(string(c.WeightMethod)); err != nil {
		return fmt.Errorf("jobs: forecast: %w", err)
	}
	if c.WeightMethod.NeedsHistory() && c.WeightLookback < forecast.MinWeightHistory {
		return fmt.Errorf("jobs: forecast: weight lookback %d: %s needs at least %d", c.WeightLookback, c.WeightMethod, forecast.MinWeightHistory)
	}
	var missing []string
	for _, e := range c.Ensembles {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("jobs: forecast: %w", err)
		}
		for _, m := range e.Missing() {
			missing = append(missing, fmt.Sprintf("%s (in %s)", m, e.Name))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("jobs: forecast: models not implemented yet: %s; implemented: %s",
			strings.Join(missing, ", "), strings.Join(forecast.Names(), ", "))
	}
	return nil
}

// Run forecasts every symbol and writes each symbol's forecasts in one
// transaction. It returns the result with an error wrapping ErrPartial when
// some symbols failed or lost a model, and a plain error when nothing could
// be forecast or the run could not be recorded.
func (j *ForecastJob) Run(ctx context.Context, cfg ForecastConfig) (ForecastResult, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return ForecastResult{}, err
	}
	runs := j.Runs
	runs.setDefaults()
	if err := runs.validate(); err != nil {
		return ForecastResult{}, err
	}
	if j.Store == nil && (!cfg.DryRun || cfg.WeightMethod.NeedsHistory() || cfg.WeightMethod == forecast.Calibrated || cfg.Calibrate) {
		return ForecastResult{}, errors.New("jobs: forecast: no store configured")
	}
	now := j.Now
	if now == nil {
		now = time.Now
	}
	log := j.Log.With().Str("component", "forecast").Logger()

	symbols := unique(cfg.Symbols)
	if len(symbols) == 0 {
		var err error
		if symbols, err = j.Source.Symbols(ctx); err != nil {
			return ForecastResult{}, fmt.Errorf("jobs: forecast: list symbols: %w", err)
		}
		if len(symbols) == 0 {
			return ForecastResult{}, errors.New("jobs: forecast: the data source has no symbols")
		}
	}

	results := make([]SymbolResult, len(symbols))
	history := make([][]marketdata.Bar, len(symbols))
	for i, sym := range symbols {
		results[i].Symbol = sym
		if sv, ok := cfg.Serving[sym]; ok {
			results[i].ServeNote = "serves " + sv.Ensemble + ": " + sv.Reason
		}
		bars, err := j.Source.Bars(ctx, sym)
		if err != nil {
			results[i].Err = err
			log.Error().Str("symbol", sym).Fields(marketdata.LogFields(err)).Msg("loading bars failed")
			continue
		}
		history[i] = bars
	}
	asOf := cfg.AsOf
	if asOf.IsZero() {
		if asOf = commonLastDate(history); asOf.IsZero() {
			return ForecastResult{Symbols: results}, fmt.Errorf("jobs: forecast: no symbol has data: %w", firstErr(results))
		}
	}

	stopHeartbeat := func() {} // until the run is started
	run := store.Run{Kind: "forecast", Mode: cfg.Mode, AsOf: asOf, Status: store.RunRunning, Symbols: symbols,
		Parameters: map[string]any{
			"ensembles": ensembleParams(cfg.Ensembles), "served": cfg.Served, "horizon": cfg.Horizon,
			"train_bars": cfg.TrainBars, "seed": cfg.Model.Seed, "neutral_band": cfg.Model.Band(),
			"epochs": cfg.Model.Epochs, "early_stop": !cfg.Model.NoEarlyStop,
			"weight_method": string(cfg.WeightMethod), "weight_lookback": cfg.WeightLookback,
		},
		CodeVersion: cfg.CodeVersion, Host: cfg.Host, StartedAt: now().UTC()}
	if sp := servingParams(cfg.Serving); sp != nil {
		run.Parameters["serving"] = sp
	}
	if !cfg.DryRun {
		AbandonStaleRuns(ctx, j.Store, run.StartedAt, runs, log)
		if err := j.Store.StartRun(ctx, &run); err != nil {
			return ForecastResult{}, fmt.Errorf("jobs: forecast: %w", err)
		}
		stopHeartbeat = startHeartbeat(ctx, j.Store, run.ID, runs.HeartbeatInterval, now, log).stop
	}
	log.Info().Int64("run_id", run.ID).Str("mode", cfg.Mode).Str("as_of", asOf.Format(marketdata.DateLayout)).
		Strs("symbols", symbols).Int("workers", cfg.Workers).Msg("forecast run started")

	sem := make(chan struct{}, cfg.Workers)
	var wg sync.WaitGroup
	hooks := hooksOf(ctx)
	for i := range symbols {
		if results[i].Err != nil {
			continue
		}
		sem <- struct{}{}
		if hooks.stopping() {
			<-sem
			results[i].Err = fmt.Errorf("%s: not started: the job was asked to stop", symbols[i])
			continue
		}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			r := &results[i]
			start := time.Now()
			if !cfg.DryRun {
				n, err := matureForecasts(ctx, j.Store, cfg.Horizon, history[i])
				if err != nil {
					r.Err = err
					log.Error().Str("symbol", r.Symbol).Err(err).Msg("maturing forecasts failed")
					return
				}
				if n > 0 {
					log.Info().Str("symbol", r.Symbol).Int64("forecasts", n).Msg("realised returns recorded")
				}
			}
			var in symbolInputs
			if cfg.WeightMethod.NeedsHistory() {
				yes := true
				in.past, r.Err = j.Store.Forecasts(ctx, store.ForecastFilter{Symbol: r.Symbol, Horizon: cfg.Horizon,
					Matured: &yes, To: asOf.AddDate(0, 0, -1)})
				if r.Err != nil {
					return
				}
			}
			if cfg.WeightMethod == forecast.Calibrated {
				if in.validated, r.Err = currentWeights(ctx, j.Store, r.Symbol, cfg.Horizon, asOf, cfg.ensemblesFor(r.Symbol)); r.Err != nil {
					return
				}
				r.WeightNotes = weightNotes(cfg.ensemblesFor(r.Symbol), in.validated)
			}
			if cfg.Calibrate {
				if in.calibrations, r.Err = latestCalibrations(ctx, j.Store, r.Symbol, cfg.Horizon, asOf, cfg.ensemblesFor(r.Symbol)); r.Err != nil {
					return
				}
				r.CalibrationNotes = calibrationNotes(cfg.ensemblesFor(r.Symbol), in.calibrations)
			}
			r.Forecasts, r.LostModels, r.FailedEnsembles, r.Err = forecastSymbol(ctx, cfg, run.ID, asOf, history[i], in)
			if r.Err == nil && !cfg.DryRun {
				if err := j.Store.SaveForecasts(ctx, r.Forecasts); err != nil {
					r.Err = err
				}
			}
			ev := log.Info()
			if r.Err != nil {
				ev = log.Error().Err(r.Err)
			}
			for m, err := range r.LostModels {
				log.Warn().Str("symbol", r.Symbol).Str("model", m).Err(err).Msg("model failed; ensembles renormalised over the others")
			}
			ev.Str("symbol", r.Symbol).Int("forecasts", len(r.Forecasts)).Dur("elapsed", time.Since(start)).Msg("symbol done")
		}(i)
	}
	wg.Wait()

	run.SymbolErrors = map[string]string{}
	failed, lost := 0, 0
	var failedSyms []string
	for _, r := range results {
		switch {
		case r.Err != nil:
			failed++
			failedSyms = append(failedSyms, r.Symbol)
			run.SymbolErrors[r.Symbol] = r.Err.Error()
		case len(r.LostModels) > 0 || len(r.FailedEnsembles) > 0:
			lost++
			var parts []string
			for _, m := range sortedKeys(r.LostModels) {
				parts = append(parts, fmt.Sprintf("model %s: %v", m, r.LostModels[m]))
			}
			for _, e := range sortedKeys(r.FailedEnsembles) {
				parts = append(parts, fmt.Sprintf("ensemble %s: %v", e, r.FailedEnsembles[e]))
			}
			run.SymbolErrors[r.Symbol] = strings.Join(parts, "; ")
		}
	}
	switch {
	case failed == len(results):
		run.Status = store.RunFailed
	case failed > 0 || lost > 0:
		run.Status = store.RunPartial
	default:
		run.Status = store.RunSucceeded
	}
	if err := ctx.Err(); err != nil && run.Status == store.RunSucceeded {
		run.Status = store.RunFailed
	}
	run.FinishedAt = now().UTC()
	res := ForecastResult{Run: run, Symbols: results}
	stopHeartbeat()
	if !cfg.DryRun {
		if err := finishRun(ctx, j.Store, &res.Run, runs); err != nil {
			log.Error().Int64("run_id", run.ID).Err(err).Msg("forecast run not recorded")
			return res, fmt.Errorf("jobs: forecast: %w", err)
		}
	}
	// The summary names every failed or degraded symbol with its cause.
	ev := log.Info()
	switch run.Status {
	case store.RunPartial:
		ev = log.Warn()
	case store.RunFailed:
		ev = log.Error()
	}
	symErrs := zerolog.Dict()
	for _, sym := range sortedKeys(run.SymbolErrors) {
		symErrs.Str(sym, run.SymbolErrors[sym])
	}
	ev.Int64("run_id", run.ID).Str("status", string(run.Status)).Int("failed_symbols", failed).
		Int("symbols_degraded", lost).Strs("failed", failedSyms).Dict("symbol_errors", symErrs).Msg("forecast run finished")
	switch run.Status {
	case store.RunFailed:
		return res, fmt.Errorf("jobs: forecast: every symbol failed: %w", firstErr(results))
	case store.RunPartial:
		return res, fmt.Errorf("jobs: forecast: %d of %d symbols failed%s, %d lost a model or an ensemble: %w",
			failed, len(results), symbolList(failedSyms), lost, ErrPartial)
	}
	return res, nil
}

// forecastSymbol fits every model of the configured ensembles once on the
// symbol's training window and combines them into one forecast per ensemble.
//
// past holds the symbol's matured forecasts before asOf, from which the
// fitted weight methods learn; their realised returns end on or before asOf,
// so no weight sees the future.
func forecastSymbol(ctx context.Context, cfg ForecastConfig, runID int64, asOf time.Time, bars []marketdata.Bar, in symbolInputs) (out []store.Forecast, lost, failedEns map[string]error, err error) {
	sym := bars[0].Symbol
	at := marketdata.IndexOf(bars, asOf)
	if at < 0 {
		last := bars[len(bars)-1].Date
		return nil, nil, nil, &marketdata.DataError{Symbol: sym, Date: asOf,
			Msg: fmt.Sprintf("no bar on the as-of date (bars run %s to %s)", bars[0].Date.Format(marketdata.DateLayout), last.Format(marketdata.DateLayout))}
	}
	train, err := marketdata.Window(bars[:at+1], asOf, cfg.TrainBars)
	if err != nil {
		return nil, nil, nil, err
	}

	ensembles := cfg.ensemblesFor(sym)
	dists := map[string]forecast.Distribution{}
	specs := map[string]map[string]any{}
	lost, failedEns = map[string]error{}, map[string]error{}
	for _, e := range ensembles {
		for _, m := range e.Members {
			if _, done := dists[m.Model]; done {
				continue
			}
			if _, failed := lost[m.Model]; failed {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, nil, nil, err
			}
			began := time.Now()
			d, spec, err := fitModel(ctx, m.Model, cfg.Model, train)
			if ctx.Err() == nil {
				hooksOf(ctx).modelFitted(m.Model, time.Since(began), err)
			}
			if err != nil && ctx.Err() != nil {
				// Interrupted, not failed: no forecast without it.
				return nil, nil, nil, fmt.Errorf("%s: %s: %w", sym, m.Model, ctx.Err())
			}
			if err != nil {
				lost[m.Model] = err
				continue
			}
			dists[m.Model], specs[m.Model] = d, spec
		}
	}

	last := train[len(train)-1]
	target := marketdata.NextTradingDay(asOf)
	var realised *float64
	if at+1 < len(bars) {
		target = bars[at+1].Date
		r := math.Log(bars[at+1].AdjClose / last.AdjClose)
		realised = &r
	}
	hash := dataHash(train)
	for _, e := range ensembles {
		var weights []float64
		var weightsID *int64
		if cfg.WeightMethod == forecast.Calibrated {
			weights, weightsID = validatedWeights(e, in.validated[e.Name])
		} else if weights, err = forecast.Weights(cfg.WeightMethod, e, weightHistory(in.past, e, cfg.WeightLookback)); err != nil {
			failedEns[e.Name] = err
			continue
		}
		var comps []forecast.Component
		var rows []store.Component
		var used []string
		for i, m := range e.Members {
			d, ok := dists[m.Model]
			if !ok {
				rows = append(rows, store.Component{Model: m.Model, Weight: 0, Error: lost[m.Model].Error()})
				continue
			}
			comps = append(comps, forecast.Component{Model: m.Model, Weight: weights[i], Dist: d})
			used = append(used, m.Model)
		}
		if len(comps) == 0 {
			failedEns[e.Name] = errors.New("every model failed")
			continue
		}
		c, err := forecast.Combine(comps)
		if err != nil {
			failedEns[e.Name] = err
			continue
		}
		for _, comp := range comps {
			d := comp.Dist
			rows = append(rows, store.Component{Model: comp.Model, Weight: c.Weights[comp.Model], Mu: d.Mu,
				Sigma: d.Sigma, PBear: d.PBear, PNeutral: d.PNeutral, PBull: d.PBull, Spec: specs[comp.Model]})
		}
		sort.SliceStable(rows, func(a, b int) bool { return memberIndex(e, rows[a].Model) < memberIndex(e, rows[b].Model) })
		f := store.Forecast{
			RunID: runID, Symbol: sym, Horizon: cfg.Horizon, AsOf: asOf, TargetDate: target, Ensemble: e.Name,
			Served: e.Name == cfg.servedFor(sym), LastPrice: last.AdjClose, Return: c.Mu,
			Price: last.AdjClose * math.Exp(c.Mu), Volatility: c.Sigma, PBear: c.PBear, PNeutral: c.PNeutral,
			PBull: c.PBull, Label: string(c.Label), Confidence: c.Confidence, Agreement: c.Agreement,
			CILower: c.CILower, CIUpper: c.CIUpper, ModelsUsed: used, Weights: c.Weights, Components: rows,
			DataHash: hash, ConfigHash: cfg.ConfigHash(), TrainBars: len(train), Seed: cfg.Model.Seed, CodeVersion: cfg.CodeVersion, WeightsID: weightsID,
			RealisedReturn: realised,
		}
		applyCalibration(&f, comps, c, in.calibrations[e.Name])
		out = append(out, f)
	}
	if len(out) == 0 {
		var parts []string
		for _, e := range sortedKeys(failedEns) {
			parts = append(parts, fmt.Sprintf("ensemble %s: %v", e, failedEns[e]))
		}
		for _, m := range sortedKeys(lost) {
			parts = append(parts, fmt.Sprintf("model %s: %v", m, lost[m]))
		}
		return nil, lost, failedEns, fmt.Errorf("%s: no forecast: %s", sym, strings.Join(parts, "; "))
	}
	return out, lost, failedEns, nil
}

// fitModel builds a fresh model, fits it on train and predicts the return
// after the last bar, turning a panic inside a model into an error for that
// model alone. It returns the fitted configuration (Fitted.Spec) with the
// distribution.
func fitModel(ctx context.Context, name string, opts forecast.Options, train []marketdata.Bar) (d forecast.Distribution, spec map[string]any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: panic: %v", name, p)
		}
	}()
	m, err := forecast.New(name, opts)
	if err != nil {
		return d, nil, err
	}
	f, err := m.Fit(ctx, train)
	if err != nil {
		return d, nil, err
	}
	d, err = f.Predict(ctx, train)
	if err != nil {
		return d, nil, err
	}
	if err := d.Check(); err != nil {
		return d, nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, f.Spec(), nil
}

// dataHash identifies the training bars: SHA-256 over each bar's date,
// adjusted close and volume.
func dataHash(bars []marketdata.Bar) string {
	h := sha256.New()
	var buf [24]byte
	for _, b := range bars {
		binary.LittleEndian.PutUint64(buf[0:], uint64(b.Date.Unix()))
		binary.LittleEndian.PutUint64(buf[8:], math.Float64bits(b.AdjClose))
		binary.LittleEndian.PutUint64(buf[16:], math.Float64bits(b.Volume))
		h.Write(buf[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func memberIndex(e forecast.Ensemble, model string) int {
	for i, m := range e.Members {
		if m.Model == model {
			return i
		}
	}
	return len(e.Members)
}

func ensembleParams(es []forecast.Ensemble) map[string]any {
	out := map[string]any{}
	for _, e := range es {
		out[e.Name] = e.DefaultWeights()
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// symbolList is " (A, B)" for the symbols given, "" for none.
func symbolList(syms []string) string {
	if len(syms) == 0 {
		return ""
	}
	return " (" + strings.Join(syms, ", ") + ")"
}

// unique drops repeated symbols, keeping the first of each.
func unique(syms []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range syms {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func firstErr(rs []SymbolResult) error {
	for _, r := range rs {
		if r.Err != nil {
			return r.Err
		}
	}
	return errors.New("no error recorded")
}
