package jobs

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"runner/calibration"
	"runner/forecast"
	"runner/forecast/naive"
	"runner/marketdata"
	"runner/store"
)

// DefaultStatusWindow is how many matured forecasts per symbol and ensemble
// the status report covers.
const DefaultStatusWindow = 20

// StatusConfig configures the status report.
type StatusConfig struct {
	// Symbols to report. Default: every symbol with a matured forecast.
	Symbols []string
	// Horizon label. Default DefaultHorizon.
	Horizon string
	// Window is the number of latest matured forecasts per symbol and
	// ensemble. Default DefaultStatusWindow.
	Window int
	// From and To bound the as-of dates of the forecasts covered,
	// inclusive; zero leaves that side open. Default: open.
	From, To time.Time
}

// StatusRow is one symbol and ensemble over its latest matured forecasts.
// Relative figures are NaN when the comparison has no common dates.
type StatusRow struct {
	Symbol   string
	Ensemble string
	N        int
	From, To time.Time // as-of dates covered
	RMSE     float64
	MAE      float64
	// RelLegacy is RMSE / legacy's RMSE over the same as-of dates.
	RelLegacy float64
	// RelNaive is RMSE / the naive model's RMSE over the same dates, the
	// naive forecasts recomputed from the bars each forecast saw.
	RelNaive float64
	// DirectionalAccuracy is the share of forecasts whose return had the
	// sign of the realised return.
	DirectionalAccuracy float64
	// Coverage is the share of realised returns inside the 90% interval
	// the forecasts gave (calibrated where a calibration was applied).
	Coverage float64
	// Calibrated counts the forecasts a calibration was applied to.
	Calibrated int
	// RawCoverage is the share inside the raw (uncalibrated) interval.
	RawCoverage float64
	// Brier and ECE score P(up) as forecast (calibrated where applied),
	// RawBrier and RawECE the raw P(up); NaN when the forecasts hold none
	// (written before P(up) was recorded).
	Brier, ECE, RawBrier, RawECE float64
	// BaseBrier is the Brier score of always forecasting these forecasts'
	// own share of up outcomes u, u(1-u): the reference a P(up) beats
	// only with skill on the direction (known only afterwards); NaN as
	// Brier.
	BaseBrier float64
}

// StatusJob reports forecast accuracy over matured forecasts.
type StatusJob struct {
	Source marketdata.Source
	Store  store.Store
}

// Run computes one row per symbol and ensemble, ordered by symbol then
// ensemble.
func (j *StatusJob) Run(ctx context.Context, cfg StatusConfig) ([]StatusRow, error) {
	cfg.Horizon = cmp.Or(cfg.Horizon, DefaultHorizon)
	cfg.Window = cmp.Or(cfg.Window, DefaultStatusWindow)
	if cfg.Window < 1 {
		return nil, fmt.Errorf("jobs: status: window %d: need at least 1", cfg.Window)
	}
	yes := true
	all, err := j.Store.Forecasts(ctx, store.ForecastFilter{Horizon: cfg.Horizon, Matured: &yes,
		From: cfg.From, To: cfg.To})
	if err != nil {
		return nil, fmt.Errorf("jobs: status: %w", err)
	}
	want := map[string]bool{}
	for _, s := range cfg.Symbols {
		want[s] = true
	}
	// symbol -> ensemble -> forecasts by as-of ascending (the store's order).
	groups := map[string]map[string][]store.Forecast{}
	for _, f := range all {
		if len(want) > 0 && !want[f.Symbol] {
			continue
		}
		if groups[f.Symbol] == nil {
			groups[f.Symbol] = map[string][]store.Forecast{}
		}
		groups[f.Symbol][f.Ensemble] = append(groups[f.Symbol][f.Ensemble], f)
	}
	var rows []StatusRow
	for _, sym := range sortedKeys(groups) {
		byEns := groups[sym]
		var bars []marketdata.Bar
		if j.Source != nil {
			bars, _ = j.Source.Bars(ctx, sym) // without bars the naive comparison is NaN
		}
		naiveErr := map[string]float64{} // as-of -> naive error
		for _, ens := range sortedKeys(byEns) {
			fs := byEns[ens]
			if len(fs) > cfg.Window {
				fs = fs[len(fs)-cfg.Window:]
			}
			byEns[ens] = fs
			for _, f := range fs {
				key := f.AsOf.Format(marketdata.DateLayout)
				if _, done := naiveErr[key]; done || bars == nil {
					continue
				}
				if e, ok := naiveError(ctx, bars, f); ok {
					naiveErr[key] = e
				}
			}
		}
		legacy := map[string]float64{}
		for _, f := range byEns[forecast.Legacy.Name] {
			legacy[f.AsOf.Format(marketdata.DateLayout)] = *f.ForecastError
		}
		for _, ens := range sortedKeys(byEns) {
			fs := byEns[ens]
			r := StatusRow{Symbol: sym, Ensemble: ens, N: len(fs), From: fs[0].AsOf, To: fs[len(fs)-1].AsOf}
			var sse, sae float64
			var hits, inside int
			var own, vsLegacy, vsNaive []float64
			var legacyErr, naiveErrs []float64
			for _, f := range fs {
				e := *f.ForecastError
				sse += e * e
				sae += math.Abs(e)
				if sign(f.Return) == sign(*f.RealisedReturn) {
					hits++
				}
				if *f.RealisedReturn >= f.CILower && *f.RealisedReturn <= f.CIUpper {
					inside++
				}
				key := f.AsOf.Format(marketdata.DateLayout)
				if le, ok := legacy[key]; ok {
					vsLegacy, legacyErr = append(vsLegacy, e), append(legacyErr, le)
				}
				if ne, ok := naiveErr[key]; ok {
					vsNaive, naiveErrs = append(vsNaive, e), append(naiveErrs, ne)
				}
				own = append(own, e)
			}
			n := float64(len(fs))
			r.RMSE, r.MAE = math.Sqrt(sse/n), sae/n
			r.DirectionalAccuracy, r.Coverage = float64(hits)/n, float64(inside)/n
			r.RelLegacy = ratio(rmse(vsLegacy), rmse(legacyErr))
			r.RelNaive = ratio(rmse(vsNaive), rmse(naiveErrs))
			probabilityScores(&r, fs)
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].Symbol < rows[b].Symbol })
	return rows, nil
}

// naiveError is the naive model's error for the forecast's as-of date, fitted
// on the same number of bars the forecast saw.
func naiveError(ctx context.Context, bars []marketdata.Bar, f store.Forecast) (float64, bool) {
	i := marketdata.IndexOf(bars, f.AsOf)
	if i < 0 || i+1 >= len(bars) {
		return 0, false
	}
	train, err := marketdata.Window(bars[:i+1], f.AsOf, f.TrainBars)
	if err != nil {
		return 0, false
	}
	m, _ := naive.New(forecast.Options{})
	d, err := forecast.Forecast(ctx, m, train)
	if err != nil {
		return 0, false
	}
	return math.Log(bars[i+1].AdjClose/bars[i].AdjClose) - d.Mu, true
}

func rmse(e []float64) float64 {
	if len(e) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range e {
		s += x * x
	}
	return math.Sqrt(s / float64(len(e)))
}

func ratio(a, b float64) float64 {
	if !(b > 0) {
		return math.NaN()
	}
	return a / b
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// probabilityScores fills the raw coverage and the scores of P(up) of
// matured forecasts (calibration.Score's definitions: Brier, and ECE over
// 15 equal-width bins), and the Brier score of their base rate.
func probabilityScores(r *StatusRow, fs []store.Forecast) {
	var samples []calibration.Sample
	var cal, raw []calibration.Applied
	var rawInside int
	for _, f := range fs {
		lo, hi := f.CILower, f.CIUpper
		if f.CILowerRaw != nil && f.CIUpperRaw != nil {
			lo, hi = *f.CILowerRaw, *f.CIUpperRaw
		}
		if *f.RealisedReturn >= lo && *f.RealisedReturn <= hi {
			rawInside++
		}
		if f.CalibrationID != nil {
			r.Calibrated++
		}
		if f.PUp == nil || f.PUpRaw == nil {
			continue
		}
		samples = append(samples, calibration.Sample{Mu: f.Return, Sigma: f.Volatility, Realised: *f.RealisedReturn})
		cal = append(cal, calibration.Applied{CILower: f.CILower, CIUpper: f.CIUpper, PUp: *f.PUp})
		raw = append(raw, calibration.Applied{CILower: lo, CIUpper: hi, PUp: *f.PUpRaw})
	}
	r.RawCoverage = float64(rawInside) / float64(len(fs))
	r.Brier, r.ECE, r.RawBrier, r.RawECE, r.BaseBrier = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
	if len(samples) == 0 {
		return
	}
	var ups float64
	for _, smp := range samples {
		if smp.Realised > 0 {
			ups++
		}
	}
	u := ups / float64(len(samples))
	r.BaseBrier = u * (1 - u)
	score := func(as []calibration.Applied) calibration.Report {
		i := 0
		return calibration.Score(samples, func(calibration.Sample) calibration.Applied { a := as[i]; i++; return a },
			func(calibration.Sample) float64 { return 0 })
	}
	c, w := score(cal), score(raw)
	r.Brier, r.ECE, r.RawBrier, r.RawECE = c.Brier, c.ECE, w.Brier, w.ECE
}
