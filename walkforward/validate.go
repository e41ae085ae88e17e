package walkforward

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"runner/forecast"
	"runner/marketdata"
)

// InSampleFrom is the first bar of the training span from which the
// in-sample one-step predictions behind train RMSE are made: every model has
// its features (20-bar windows, 20-bar volatility, 10 lags) by then.
const InSampleFrom = 64

// Spec is what a window is validated with.
type Spec struct {
	Config    Config
	Ensembles []forecast.Ensemble
	Grid      Grid
	// LeakCheck re-runs the window with the bars after it replaced by noise
	// and checks every one-step prediction against the bars after its own
	// day replaced (DESIGN §5); any change fails the window.
	LeakCheck bool
	// Now stamps trained_at. Default time.Now.
	Now func() time.Time
}

// Trial is one configuration's validation score.
type Trial struct {
	Params  map[string]any
	ValRMSE float64
	// Err is why the configuration has no validation score: its fit on
	// train or a prediction failed.
	Err error
	// RefitErr is why the configuration, best on validation, could not be
	// chosen: its refit on train+validation failed.
	RefitErr error
}

// ModelResult is one member model's part of a window: its trials, the
// chosen configuration, and that configuration's predictions.
type ModelResult struct {
	Model  string
	Trials []Trial
	// Chosen is the index in Trials of the configuration with the lowest
	// validation RMSE whose refit on train+validation succeeded; -1 when
	// none did.
	Chosen int
	// Val are the chosen configuration's one-step predictions over
	// validation (fitted on train), Test those over test (refitted on
	// train+validation), InSample over the training span from
	// InSampleFrom (fitted on train).
	Val, Test, InSample []forecast.Distribution
	// Spec is the refitted model's own account of its configuration (for
	// ARIMA-GARCH with a searched order, the order it chose).
	Spec map[string]any
	// Err is why the model left the ensembles: every configuration failed,
	// or the refit did.
	Err error

	valFit, testFit forecast.Fitted
}

// Params returns the chosen configuration, nil when none.
func (m *ModelResult) Params() map[string]any {
	if m.Chosen < 0 {
		return nil
	}
	return m.Trials[m.Chosen].Params
}

// EnsembleResult is one ensemble's figures for a window.
type EnsembleResult struct {
	Ensemble forecast.Ensemble
	// ModelsUsed are the members that took part, in member order; Weights
	// their calibrated simplex weights and Defaults their DESIGN §4
	// weights renormalised over them.
	ModelsUsed                   []string
	Weights                      []float64
	Defaults                     []float64
	TrainRMSE, ValRMSE, TestRMSE float64
	// TestRMSEDefault is the test RMSE with the default weights.
	TestRMSEDefault     float64
	DirectionalAccuracy float64
	MeanAbsoluteError   float64
	Divergence          float64
	Reached             []Level
	// Val and Test are the combined one-step predictions with the
	// calibrated weights.
	Val, Test []forecast.Combined
	// Err is set when the ensemble has no figures for the window (every
	// member lost, or a non-finite RMSE).
	Err error
}

// WeightMap returns the calibrated weights by model.
func (e *EnsembleResult) WeightMap() map[string]float64 { return toMap(e.ModelsUsed, e.Weights) }

// Result is one window of one symbol.
type Result struct {
	Symbol string
	Window Window
	Config Config
	// ValDates and TestDates are the dates of the bars whose returns were
	// predicted; ValAsOf and TestAsOf the dates each prediction was made on
	// (the bar before). ValRealised and TestRealised are those returns.
	ValDates, TestDates       []time.Time
	ValAsOf, TestAsOf         []time.Time
	ValRealised, TestRealised []float64
	Models                    map[string]*ModelResult
	Ensembles                 []EnsembleResult
	TrainedAt                 time.Time
	// trainRealised are the returns the in-sample predictions aim at: bars
	// Start+InSampleFrom+1 .. ValStart-1.
	trainRealised []float64
}

// Validate runs one window of one symbol's bars (its whole history, oldest
// first) for every ensemble of spec. Member configurations are tuned once
// per window and shared by the ensembles that use them. A model that fails
// leaves the ensembles; an ensemble that keeps no model, or whose RMSE is
// not finite and positive, carries the error in its EnsembleResult. The
// returned error is for the window as a whole (cancellation, a failed leak
// check).
func Validate(ctx context.Context, spec Spec, bars []marketdata.Bar, w Window) (*Result, error) {
	c := spec.Config
	if err := spec.Grid.check(spec.Ensembles); err != nil {
		return nil, err
	}
	if w.Start < 0 || w.End >= len(bars) || w.End-w.Start+1 != c.Len() {
		panic("walkforward: window does not fit the bars")
	}
	res := &Result{Window: w, Config: c, Models: map[string]*ModelResult{}}
	if len(bars) > 0 {
		res.Symbol = bars[0].Symbol
	}
	now := time.Now
	if spec.Now != nil {
		now = spec.Now
	}
	res.TrainedAt = now().UTC()
	vs, ts := w.ValStart(c), w.TestStart(c)
	for j := w.Start + InSampleFrom + 1; j < vs; j++ {
		res.trainRealised = append(res.trainRealised, math.Log(bars[j].AdjClose/bars[j-1].AdjClose))
	}
	for j := vs; j <= w.End; j++ {
		r := math.Log(bars[j].AdjClose / bars[j-1].AdjClose)
		if j < ts {
			res.ValDates, res.ValAsOf, res.ValRealised = append(res.ValDates, bars[j].Date), append(res.ValAsOf, bars[j-1].Date), append(res.ValRealised, r)
		} else {
			res.TestDates, res.TestAsOf, res.TestRealised = append(res.TestDates, bars[j].Date), append(res.TestAsOf, bars[j-1].Date), append(res.TestRealised, r)
		}
	}
	// Each member model is tuned once, the models concurrently: their
	// results do not depend on one another, and the networks' training
	// (itself on two goroutines) overlaps ARIMA-GARCH's and GB's fits.
	var models []string
	for _, e := range spec.Ensembles {
		for _, m := range e.Members {
			if !slices.Contains(models, m.Model) {
				models = append(models, m.Model)
			}
		}
	}
	tuned := make([]*ModelResult, len(models))
	errs := make([]error, len(models))
	var wg sync.WaitGroup
	for i, name := range models {
		wg.Go(func() { tuned[i], errs[i] = tune(ctx, spec.Grid[name], bars, w, c, res.ValRealised) })
	}
	wg.Wait()
	for i, name := range models {
		if errs[i] != nil {
			return nil, errs[i]
		}
		tuned[i].Model = name
		res.Models[name] = tuned[i]
	}
	for _, e := range spec.Ensembles {
		res.Ensembles = append(res.Ensembles, score(e, res))
	}
	if spec.LeakCheck {
		if err := leakCheck(ctx, spec, bars, w, res); err != nil {
			return nil, err
		}
	}
	// The fitted models are needed for the leak check only: a long run
	// keeps many results.
	for _, mr := range res.Models {
		mr.valFit, mr.testFit = nil, nil
	}
	return res, nil
}

// tune fits every candidate on train and scores it over validation, then
// refits the best on train+validation and predicts test. A candidate whose
// refit fails (an ARMA order whose fit on the longer span ends at the edge
// of the stationary region) gives way to the next best by validation RMSE;
// its refit error is recorded. Only cancellation is returned as an error;
// model failures are recorded.
func tune(ctx context.Context, cands []Candidate, bars []marketdata.Bar, w Window, c Config, valRealised []float64) (*ModelResult, error) {
	vs, ts := w.ValStart(c), w.TestStart(c)
	train := bars[w.Start:vs]
	mr := &ModelResult{Chosen: -1}
	var errs []error
	fits := make([]forecast.Fitted, len(cands))
	vals := make([][]forecast.Distribution, len(cands))
	var ok []int
	for i, cand := range cands {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t := Trial{Params: cand.Params}
		fitted, val, err := fitPath(ctx, cand, train, bars[w.Start:ts-1], c.Train-1)
		if err == nil {
			t.ValRMSE = rmse(mus(val), valRealised)
			if !(t.ValRMSE >= 0) || math.IsInf(t.ValRMSE, 0) {
				err = fmt.Errorf("validation RMSE %v", t.ValRMSE)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			t.Err = err
			errs = append(errs, fmt.Errorf("%v: %w", cand.Params, err))
		} else {
			fits[i], vals[i] = fitted, val
			ok = append(ok, i)
		}
		mr.Trials = append(mr.Trials, t)
	}
	// Best first; ties keep the grid's order.
	sort.SliceStable(ok, func(a, b int) bool { return mr.Trials[ok[a]].ValRMSE < mr.Trials[ok[b]].ValRMSE })
	for _, i := range ok {
		fitted, test, err := fitPath(ctx, cands[i], bars[w.Start:ts], bars[w.Start:w.End], c.Train+c.Val-1)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			mr.Trials[i].RefitErr = err
			errs = append(errs, fmt.Errorf("refit %v on train+validation: %w", cands[i].Params, err))
			continue
		}
		in, err := forecast.PredictPath(ctx, fits[i], train[:len(train)-1], InSampleFrom)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			mr.Trials[i].RefitErr = fmt.Errorf("in-sample predictions: %w", err)
			errs = append(errs, fmt.Errorf("in-sample predictions of %v: %w", cands[i].Params, err))
			continue
		}
		mr.Chosen, mr.Val, mr.valFit, mr.InSample = i, vals[i], fits[i], in
		mr.Test, mr.testFit, mr.Spec = test, fitted, fitted.Spec()
		return mr, nil
	}
	mr.Err = fmt.Errorf("every configuration failed: %w", errors.Join(errs...))
	return mr, nil
}

// fitPath fits a fresh model of cand on fit and predicts path from bar from
// on, one step at a time.
func fitPath(ctx context.Context, cand Candidate, fit, path []marketdata.Bar, from int) (f forecast.Fitted, ds []forecast.Distribution, err error) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
		observeFit(ctx, cand.Model, start, err)
	}()
	m, err := cand.New()
	if err != nil {
		return nil, nil, err
	}
	f, err = m.Fit(ctx, fit)
	if err != nil {
		return nil, nil, err
	}
	ds, err = forecast.PredictPath(ctx, f, path, from)
	if err != nil {
		return nil, nil, err
	}
	for i, d := range ds {
		if err := d.Check(); err != nil {
			return nil, nil, fmt.Errorf("prediction %d: %w", i, err)
		}
	}
	return f, ds, nil
}

// score calibrates one ensemble's weights on validation and measures it.
func score(e forecast.Ensemble, res *Result) EnsembleResult {
	er := EnsembleResult{Ensemble: e}
	var val, test, in [][]float64
	var lost []error
	var defTotal float64
	for _, m := range e.Members {
		mr := res.Models[m.Model]
		if mr.Err != nil {
			lost = append(lost, fmt.Errorf("%s: %w", m.Model, mr.Err))
			continue
		}
		er.ModelsUsed = append(er.ModelsUsed, m.Model)
		er.Defaults = append(er.Defaults, m.Weight)
		defTotal += m.Weight
		val, test, in = append(val, mus(mr.Val)), append(test, mus(mr.Test)), append(in, mus(mr.InSample))
	}
	if len(er.ModelsUsed) == 0 {
		er.Err = fmt.Errorf("every model failed: %w", errors.Join(lost...))
		return er
	}
	for i := range er.Defaults {
		er.Defaults[i] /= defTotal
	}
	h := forecast.History{Pred: transpose(val), Realised: res.ValRealised}
	w, err := forecast.SimplexWeights(h)
	if err != nil {
		er.Err = fmt.Errorf("calibrate weights: %w", err)
		return er
	}
	er.Weights = w
	er.ValRMSE = rmse(combine(val, w), res.ValRealised)
	testMu := combine(test, w)
	er.TestRMSE = rmse(testMu, res.TestRealised)
	er.TestRMSEDefault = rmse(combine(test, er.Defaults), res.TestRealised)
	er.TrainRMSE = rmse(combine(in, w), res.trainRealised)
	er.DirectionalAccuracy = directionalAccuracy(testMu, res.TestRealised)
	er.MeanAbsoluteError = mae(testMu, res.TestRealised)
	d, err := Divergence(er.ValRMSE, er.TestRMSE)
	if err != nil {
		er.Err = err
		return er
	}
	if !(er.TrainRMSE > 0) || math.IsInf(er.TrainRMSE, 0) {
		er.Err = fmt.Errorf("train RMSE %v is not a positive finite number", er.TrainRMSE)
		return er
	}
	er.Divergence, er.Reached = d, Reached(d)
	er.Val, err = combined(res, er, func(mr *ModelResult) []forecast.Distribution { return mr.Val }, len(res.ValRealised))
	if err == nil {
		er.Test, err = combined(res, er, func(mr *ModelResult) []forecast.Distribution { return mr.Test }, len(res.TestRealised))
	}
	if err != nil {
		er.Err = err
	}
	return er
}

// combined mixes the members' predictions of one span with the calibrated
// weights, day by day.
func combined(res *Result, er EnsembleResult, span func(*ModelResult) []forecast.Distribution, n int) ([]forecast.Combined, error) {
	out := make([]forecast.Combined, n)
	comps := make([]forecast.Component, len(er.ModelsUsed))
	for t := range n {
		for i, m := range er.ModelsUsed {
			comps[i] = forecast.Component{Model: m, Weight: er.Weights[i], Dist: span(res.Models[m])[t]}
		}
		c, err := forecast.Combine(comps)
		if err != nil {
			return nil, fmt.Errorf("combine day %d: %w", t, err)
		}
		out[t] = c
	}
	return out, nil
}

func mus(ds []forecast.Distribution) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Mu
	}
	return out
}

func transpose(cols [][]float64) [][]float64 {
	out := make([][]float64, len(cols[0]))
	for t := range out {
		out[t] = make([]float64, len(cols))
		for i, c := range cols {
			out[t][i] = c[t]
		}
	}
	return out
}

func toMap(names []string, w []float64) map[string]float64 {
	out := make(map[string]float64, len(names))
	for i, n := range names {
		out[n] = w[i]
	}
	return out
}
