package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"runner/calibration"
	"runner/forecast"
	"runner/store"
)

// DefaultCalibrationSamples is how many of the latest out-of-sample
// forecasts per symbol and ensemble a calibration learns from.
const DefaultCalibrationSamples = 250

// CalibrateConfig configures one calibration run (DESIGN §6).
type CalibrateConfig struct {
	// Symbols to calibrate. Required.
	Symbols []string
	// Ensembles to calibrate. Required.
	Ensembles []forecast.Ensemble
	// Horizon label. Default DefaultHorizon.
	Horizon string
	// Samples is how many of the latest out-of-sample forecasts to learn
	// from. Default DefaultCalibrationSamples (250).
	Samples int
	// AsOf bounds the samples: only forecasts whose realised return was
	// known by AsOf (target date on or before it). Default: all.
	AsOf time.Time
	// Calibration sets the level, neutral band and methods.
	Calibration calibration.Config
	// DryRun fits and reports without writing.
	DryRun bool
	// CodeVersion and Host are recorded with the run.
	CodeVersion string
	Host        string
}

// CalibrateJob fits and stores interval and probability calibrations.
type CalibrateJob struct {
	Store store.Store
	Log   zerolog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// CalibrationResult is one symbol's and ensemble's calibration.
type CalibrationResult struct {
	Symbol   string
	Ensemble string
	// Row is the calibrations row written (ID 0 on a dry run).
	Row store.Calibration
	// Fitted is the calibration fitted on every sample.
	Fitted *calibration.Calibration
	// Before and After score the raw and the calibrated forecasts on the
	// last third of the samples, the calibration fitted on the first two.
	Before, After calibration.Report
	// Err is set when the pair could not be calibrated (too few samples).
	Err error
}

// CalibrateResult is the outcome of a run.
type CalibrateResult struct {
	Run     store.Run
	Results []CalibrationResult // by symbol, then ensemble
}

// Run calibrates every symbol and ensemble from its latest out-of-sample
// forecasts: the ensemble's one-step predictions over walk-forward test
// spans (validation_predictions) and its matured live forecasts, one per
// as-of date (the live forecast where both exist, else the prediction of the
// latest window), the last Samples of them. A pair with too few samples is
// an error for that pair; the run is then partial (ErrPartial).
func (j *CalibrateJob) Run(ctx context.Context, cfg CalibrateConfig) (CalibrateResult, error) {
	cfg.Horizon = cmp.Or(cfg.Horizon, DefaultHorizon)
	cfg.Samples = cmp.Or(cfg.Samples, DefaultCalibrationSamples)
	switch {
	case len(cfg.Symbols) == 0:
		return CalibrateResult{}, errors.New("jobs: calibrate: no symbols")
	case len(cfg.Ensembles) == 0:
		return CalibrateResult{}, errors.New("jobs: calibrate: no ensemble")
	case cfg.Samples < calibration.MinSamples(cfg.Calibration):
		return CalibrateResult{}, fmt.Errorf("jobs: calibrate: samples %d: method %s needs at least %d (the held-out report fits the first two thirds)",
			cfg.Samples, cmp.Or(cfg.Calibration.Method, calibration.Auto), calibration.MinSamples(cfg.Calibration))
	case j.Store == nil:
		return CalibrateResult{}, errors.New("jobs: calibrate: no store configured")
	}
	now := j.Now
	if now == nil {
		now = time.Now
	}
	log := j.Log.With().Str("component", "calibrate").Logger()
	symbols := unique(cfg.Symbols)
	run := store.Run{Kind: "calibrate", Mode: ensembleNames(cfg.Ensembles), AsOf: cfg.AsOf, Status: store.RunRunning,
		Symbols: symbols, Parameters: map[string]any{"samples": cfg.Samples, "horizon": cfg.Horizon,
			"level": cmp.Or(cfg.Calibration.Level, calibration.LevelDefault), "method": string(cmp.Or(cfg.Calibration.Method, calibration.Auto)),
			"adaptive": cfg.Calibration.Adaptive},
		CodeVersion: cfg.CodeVersion, Host: cfg.Host, StartedAt: now().UTC()}
	if !cfg.DryRun {
		if err := j.Store.StartRun(ctx, &run); err != nil {
			return CalibrateResult{}, fmt.Errorf("jobs: calibrate: %w", err)
		}
	}
	res := CalibrateResult{}
	run.SymbolErrors = map[string]string{}
	failed := 0
	hooks := hooksOf(ctx)
	for _, sym := range symbols {
		if hooks.stopping() {
			failed++
			run.SymbolErrors[sym] = fmt.Sprintf("%s: not started: the job was asked to stop", sym)
			res.Results = append(res.Results, CalibrationResult{Symbol: sym, Err: errors.New("not started: the job was asked to stop")})
			continue
		}
		var errs []string
		for _, e := range cfg.Ensembles {
			if err := ctx.Err(); err != nil {
				break
			}
			r := j.calibrate(ctx, cfg, run.ID, sym, e.Name)
			if r.Err != nil {
				failed++
				errs = append(errs, fmt.Sprintf("%s: %v", e.Name, r.Err))
				log.Error().Str("symbol", sym).Str("ensemble", e.Name).Err(r.Err).Msg("calibration failed")
			} else {
				log.Info().Str("symbol", sym).Str("ensemble", e.Name).Int("samples", r.Row.NSamples).
					Float64("coverage_before", r.Before.Coverage).Float64("coverage_after", r.After.Coverage).
					Int64("calibration_id", r.Row.ID).Msg("calibrated")
			}
			res.Results = append(res.Results, r)
		}
		if len(errs) > 0 {
			run.SymbolErrors[sym] = strings.Join(errs, "; ")
		}
	}
	switch {
	case failed == len(res.Results) || ctx.Err() != nil:
		run.Status = store.RunFailed
	case failed > 0:
		run.Status = store.RunPartial
	default:
		run.Status = store.RunSucceeded
	}
	run.FinishedAt = now().UTC()
	res.Run = run
	if !cfg.DryRun {
		if err := j.Store.FinishRun(context.WithoutCancel(ctx), &res.Run); err != nil {
			return res, fmt.Errorf("jobs: calibrate: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("jobs: calibrate: %w", err)
	}
	switch run.Status {
	case store.RunFailed:
		return res, fmt.Errorf("jobs: calibrate: every symbol and ensemble failed: %s", firstCalibrationErr(res.Results))
	case store.RunPartial:
		return res, fmt.Errorf("jobs: calibrate: %d of %d calibrations failed: %w", failed, len(res.Results), ErrPartial)
	}
	return res, nil
}

func firstCalibrationErr(rs []CalibrationResult) string {
	for _, r := range rs {
		if r.Err != nil {
			return fmt.Sprintf("%s %s: %v", r.Symbol, r.Ensemble, r.Err)
		}
	}
	return "no error recorded"
}

// calibrate fits, reports and stores one symbol's and ensemble's calibration.
func (j *CalibrateJob) calibrate(ctx context.Context, cfg CalibrateConfig, runID int64, sym, ens string) CalibrationResult {
	r := CalibrationResult{Symbol: sym, Ensemble: ens}
	samples, from, to, err := CalibrationSamples(ctx, j.Store, sym, cfg.Horizon, ens, cfg.AsOf, cfg.Samples)
	if err != nil {
		r.Err = err
		return r
	}
	if len(samples) < cfg.Samples {
		r.Err = fmt.Errorf("%d out-of-sample forecasts, %d asked for (--samples): run runner validate over more windows, or lower --samples",
			len(samples), cfg.Samples)
		return r
	}
	if r.Fitted, err = calibration.Fit(samples, cfg.Calibration); err != nil {
		r.Err = err
		return r
	}
	if r.Before, r.After, err = calibration.HeldOut(samples, cfg.Calibration); err != nil {
		r.Err = fmt.Errorf("held-out report: %w", err)
		return r
	}
	params, err := CalibrationParams(r.Fitted)
	if err != nil {
		r.Err = err
		return r
	}
	interval := "conformal"
	if r.Fitted.Adaptive {
		interval = "aci"
	}
	r.Row = store.Calibration{RunID: runID, Symbol: sym, Horizon: cfg.Horizon, Ensemble: ens,
		Method: interval + "+" + string(r.Fitted.Prob), Parameters: params, SampleFrom: from, SampleTo: to,
		NSamples: len(samples), Before: reportMap(r.Before), After: reportMap(r.After)}
	if !cfg.DryRun {
		if err := j.Store.SaveCalibration(ctx, &r.Row); err != nil {
			r.Err = err
		}
	}
	return r
}

// CalibrationSamples returns a symbol's and ensemble's latest n
// out-of-sample one-step forecasts whose returns were known by asOf (zero:
// all), oldest first, with the target dates of the first and last: one per
// as-of date, the matured live forecast where there is one, else the
// ensemble's prediction from the latest walk-forward window whose test
// span holds the date. Every one was made from bars up to its own as-of
// date by a model fitted before it.
func CalibrationSamples(ctx context.Context, s store.Store, sym, horizon, ens string, asOf time.Time, n int) ([]calibration.Sample, time.Time, time.Time, error) {
	type day struct {
		target time.Time
		sample calibration.Sample
		window int
		live   bool
	}
	days := map[time.Time]*day{}
	preds, err := s.ValidationPredictions(ctx, store.ValidationPredictionFilter{Symbol: sym, Horizon: horizon,
		Ensemble: ens, Model: store.EnsembleModel, Span: store.SpanTest})
	if err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	for _, p := range preds {
		if !asOf.IsZero() && p.TargetDate.After(asOf) {
			continue
		}
		if d := days[p.AsOf]; d == nil || (!d.live && p.WindowID > d.window) {
			days[p.AsOf] = &day{target: p.TargetDate, window: p.WindowID,
				sample: calibration.Sample{Mu: p.Mu, Sigma: p.Sigma, Realised: p.Realised}}
		}
	}
	yes := true
	fs, err := s.Forecasts(ctx, store.ForecastFilter{Symbol: sym, Horizon: horizon, Ensemble: ens, Matured: &yes})
	if err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	for _, f := range fs {
		if !asOf.IsZero() && f.TargetDate.After(asOf) {
			continue
		}
		days[f.AsOf] = &day{target: f.TargetDate, live: true,
			sample: calibration.Sample{Mu: f.Return, Sigma: f.Volatility, Realised: *f.RealisedReturn}}
	}
	keys := make([]time.Time, 0, len(days))
	for k := range days {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a].Before(keys[b]) })
	if len(keys) > n {
		keys = keys[len(keys)-n:]
	}
	out := make([]calibration.Sample, len(keys))
	for i, k := range keys {
		out[i] = days[k].sample
	}
	if len(keys) == 0 {
		return nil, time.Time{}, time.Time{}, nil
	}
	return out, days[keys[0]].target, days[keys[len(keys)-1]].target, nil
}

// CalibrationParams is the stored form of a calibration: every field Apply
// reads, as JSON.
func CalibrationParams(c *calibration.Calibration) (map[string]any, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode calibration: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("encode calibration: %w", err)
	}
	return m, nil
}

// RestoreCalibration rebuilds a calibration from its stored row.
func RestoreCalibration(row store.Calibration) (*calibration.Calibration, error) {
	b, err := json.Marshal(row.Parameters)
	if err != nil {
		return nil, fmt.Errorf("calibration %d: %w", row.ID, err)
	}
	var c calibration.Calibration
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("calibration %d: %w", row.ID, err)
	}
	if c.N == 0 || len(c.Z) != c.N {
		return nil, fmt.Errorf("calibration %d: parameters hold %d residuals for %d samples", row.ID, len(c.Z), c.N)
	}
	return &c, nil
}

func reportMap(r calibration.Report) map[string]float64 {
	return map[string]float64{"n": float64(r.N), "coverage": r.Coverage, "mean_width": r.MeanWidth, "brier": r.Brier,
		"log_loss": r.LogLoss, "ece": r.ECE, "crps": r.CRPS}
}
