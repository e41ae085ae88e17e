package jobs_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"runner/calibration"
	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
	"runner/store"
	"runner/walkforward"
)

// TestCalibrateAndApply runs the chain on real data: walk-forward windows
// of AAPL (small spans, fixed grid, 2 epochs), a calibration from their
// test-span predictions, and a forecast that applies it. The calibration
// equals calibration.Fit on the samples gathered independently here from
// the stored predictions (one per as-of date, the latest window's); the
// forecast stores the calibrated interval, the raw one beside it and the
// calibration's id; asking for more samples than exist is an error for the
// pair and a partial run.
func TestCalibrateAndApply(t *testing.T) {
	job, s := newJob(t)
	ctx := context.Background()
	vj := &jobs.ValidateJob{Source: job.Source, Store: s, Log: job.Log}
	opts := forecast.Options{Seed: 1, Epochs: 2}
	_, err := vj.Run(ctx, jobs.ValidateConfig{Symbols: []string{"AAPL"}, Ensembles: []forecast.Ensemble{forecast.Candidate},
		Grid: walkforward.FixedGrid(opts), GridName: "fixed", Model: opts, Windows: 3, AsOf: time.Date(2023, 11, 30, 0, 0, 0, 0, time.UTC),
		Window: walkforward.Config{Train: 300, Val: 60, Test: 60, Step: 21}})
	require.NoError(t, err)

	preds, err := s.ValidationPredictions(ctx, store.ValidationPredictionFilter{Symbol: "AAPL", Ensemble: "candidate",
		Model: store.EnsembleModel, Span: store.SpanTest})
	require.NoError(t, err)
	latest := map[time.Time]store.ValidationPrediction{}
	for _, p := range preds {
		if q, ok := latest[p.AsOf]; !ok || p.WindowID > q.WindowID {
			latest[p.AsOf] = p
		}
	}
	require.Len(t, latest, 60+2*21, "three test spans of 60 days 21 apart")
	samples, from, to, err := jobs.CalibrationSamples(ctx, s, "AAPL", "1D", "candidate", time.Time{}, 80)
	require.NoError(t, err)
	require.Len(t, samples, 80)
	require.Equal(t, time.Date(2023, 11, 30, 0, 0, 0, 0, time.UTC), to, "the last target date is the last test bar")
	require.True(t, from.Before(to))

	cj := &jobs.CalibrateJob{Store: s, Log: job.Log}
	// Fewer samples than auto's held-out report needs (calibration.MinSamples):
	// refused before anything is read or written.
	_, err = cj.Run(ctx, jobs.CalibrateConfig{Symbols: []string{"AAPL"}, Ensembles: []forecast.Ensemble{forecast.Candidate}, Samples: 74})
	require.ErrorContains(t, err, "jobs: calibrate: samples 74: method auto needs at least 75")
	res, err := cj.Run(ctx, jobs.CalibrateConfig{Symbols: []string{"AAPL"}, Ensembles: []forecast.Ensemble{forecast.Candidate}, Samples: 80})
	require.NoError(t, err)
	r := res.Results[0]
	require.NoError(t, r.Err)
	want, err := calibration.Fit(samples, calibration.Config{})
	require.NoError(t, err)
	require.Equal(t, want.QLo, r.Fitted.QLo)
	require.Equal(t, want.QHi, r.Fitted.QHi)
	// 80 samples: Platt, which on the held-out third scores no better than
	// the base rate (the networks' daily direction has no skill here), so
	// Auto keeps the base rate.
	require.Equal(t, calibration.BaseRate, r.Fitted.Prob)
	require.Equal(t, "conformal+base_rate", r.Row.Method)
	back, err := s.Calibration(ctx, r.Row.ID)
	require.NoError(t, err)
	restored, err := jobs.RestoreCalibration(back)
	require.NoError(t, err)
	require.Equal(t, want.Apply(0.001, 0.012), restored.Apply(0.001, 0.012), "the stored calibration applies as the fitted one")
	require.NotNil(t, want.SkillCheck)
	require.Equal(t, want.SkillCheck, restored.SkillCheck, "the stored calibration keeps its skill check")

	fres, err := job.Run(ctx, jobs.ForecastConfig{Ensembles: []forecast.Ensemble{forecast.Candidate}, Symbols: []string{"AAPL"},
		AsOf: time.Date(2023, 12, 29, 0, 0, 0, 0, time.UTC), Model: opts, Calibrate: true})
	require.NoError(t, err)
	require.Contains(t, fres.Symbols[0].CalibrationNotes["candidate"], "calibration #")
	f := fres.Symbols[0].Forecasts[0]
	require.Equal(t, r.Row.ID, *f.CalibrationID)
	a := restored.Apply(f.Return, f.Volatility)
	require.Equal(t, a.CILower, f.CILower)
	require.Equal(t, a.CIUpper, f.CIUpper)
	require.Equal(t, a.PUp, *f.PUp)
	require.NotEqual(t, *f.CILowerRaw, f.CILower, "the raw interval is kept beside the calibrated one")
	require.InDelta(t, 1, f.PBear+f.PNeutral+f.PBull, 1e-12)

	// Too few samples for the pair: an error naming the counts, a partial run.
	res, err = cj.Run(ctx, jobs.CalibrateConfig{Symbols: []string{"AAPL", "MSFT"}, Ensembles: []forecast.Ensemble{forecast.Candidate}, Samples: 80})
	require.ErrorIs(t, err, jobs.ErrPartial)
	require.ErrorContains(t, res.Results[1].Err, "0 out-of-sample forecasts, 80 asked for")
	require.False(t, math.IsNaN(res.Results[0].After.Coverage))
}

// TestAdaptiveCalibrationAdaptsLive: forecasts applying an adaptive
// calibration continue its recursion over the outcomes of the live
// forecasts issued since its samples ended. Naive forecasts of AAPL as of
// each trading day from the calibration's last target date: the k-th
// applies the stored calibration adapted over the k earlier forecasts'
// misses (each judged against the interval it issued, recomputed here from
// the stored rows), and so its interval is the one Adapt gives.
func TestAdaptiveCalibrationAdaptsLive(t *testing.T) {
	job, s := newJob(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	samples := make([]calibration.Sample, 200)
	for i := range samples {
		mu := 0.001 * rng.NormFloat64()
		// Residuals twice the forecast sigma: the raw interval misses often,
		// so the live recursion has misses to react to.
		samples[i] = calibration.Sample{Mu: mu, Sigma: 0.01, Realised: mu + 0.02*rng.NormFloat64()}
	}
	fitted, err := calibration.Fit(samples, calibration.Config{Adaptive: true, Gamma: 0.05})
	require.NoError(t, err)
	params, err := jobs.CalibrationParams(fitted)
	require.NoError(t, err)
	sampleTo := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
	row := store.Calibration{Symbol: "AAPL", Horizon: "1D", Ensemble: "naive", Method: "aci+platt", Parameters: params,
		SampleFrom: sampleTo.AddDate(0, -10, 0), SampleTo: sampleTo, NSamples: len(samples)}
	require.NoError(t, s.SaveCalibration(ctx, &row))

	days := []time.Time{sampleTo}
	for len(days) < 8 {
		days = append(days, marketdata.NextTradingDay(days[len(days)-1]))
	}
	for k, d := range days {
		res, err := job.Run(ctx, jobs.ForecastConfig{Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble},
			Symbols: []string{"AAPL"}, AsOf: d, Calibrate: true})
		require.NoError(t, err)
		yes := true
		earlier, err := s.Forecasts(ctx, store.ForecastFilter{Symbol: "AAPL", Ensemble: "naive", Matured: &yes, To: d.AddDate(0, 0, -1)})
		require.NoError(t, err)
		require.Len(t, earlier, k)
		var misses []bool
		for _, f := range earlier {
			misses = append(misses, *f.RealisedReturn < f.CILower || *f.RealisedReturn > f.CIUpper)
		}
		want := fitted.Adapt(misses)
		f := res.Symbols[0].Forecasts[0]
		a := want.Apply(f.Return, f.Volatility)
		require.Equal(t, a.CILower, f.CILower, "day %d", k)
		require.Equal(t, a.CIUpper, f.CIUpper, "day %d", k)
		require.Contains(t, res.Symbols[0].CalibrationNotes["naive"],
			fmt.Sprintf("adaptive: conformal level %.1f%% after %d live outcomes, for 90%% coverage", 100*(1-want.Alpha), k))
		if k == len(days)-1 {
			require.NotEqual(t, fitted.Alpha, want.Alpha, "the outcomes moved alpha")
		}
	}
}

// TestBackfillOrdersAdaptiveCalibrations: a calibrated forecast backfill
// runs one task per unit, unless a symbol has an adaptive calibration:
// then each symbol's units run in one task in date order, since each
// forecast adapts over the earlier ones' outcomes.
func TestBackfillOrdersAdaptiveCalibrations(t *testing.T) {
	job, s := newJob(t)
	ctx := context.Background()
	units := jobs.UnitRunner{Source: job.Source, Store: s, Log: job.Log}
	spec := jobs.BackfillSpec{Kind: store.BackfillForecast, Forecast: &jobs.ForecastConfig{
		Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble}, Mode: "naive", TrainBars: 100, Calibrate: true}}
	cfg := jobs.BackfillConfig{Spec: spec, Symbols: []string{"AAPL", "MSFT"},
		From: time.Date(2023, 12, 18, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 12, 22, 0, 0, 0, 0, time.UTC)}
	bj := &jobs.BackfillJob{Units: units, Log: job.Log}
	plan, err := bj.Plan(ctx, cfg)
	require.NoError(t, err)
	require.Len(t, plan.Tasks, 10, "no calibration: one task per unit")

	for _, adaptive := range []bool{false, true} {
		saveNaiveCalibration(t, s, "MSFT", time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC), adaptive)
		plan, err = bj.Plan(ctx, cfg)
		require.NoError(t, err)
		if !adaptive {
			require.Len(t, plan.Tasks, 10, "a calibration that is not adaptive: one task per unit")
			continue
		}
		require.Len(t, plan.Tasks, 2, "an adaptive calibration: one task per symbol")
		for _, task := range plan.Tasks {
			require.Len(t, task, 5)
			for i := 1; i < len(task); i++ {
				require.True(t, task[i].Day.After(task[i-1].Day), "in date order")
			}
		}
	}
}

// TestBackfillRedoesUnitsOfAnotherCalibration: a calibrated forecast
// backfill run before any calibration, then again after one usable for
// part of its days, recomputes those days (same configuration hash, other
// calibration) and only those; a third run finds everything done.
func TestBackfillRedoesUnitsOfAnotherCalibration(t *testing.T) {
	job, s := newJob(t)
	ctx := context.Background()
	units := jobs.UnitRunner{Source: job.Source, Store: s, Log: job.Log}
	spec := jobs.BackfillSpec{Kind: store.BackfillForecast, Forecast: &jobs.ForecastConfig{
		Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble}, Mode: "naive", TrainBars: 100, Calibrate: true}}
	day := func(d int) time.Time { return time.Date(2023, 12, d, 0, 0, 0, 0, time.UTC) }
	cfg := jobs.BackfillConfig{Spec: spec, Symbols: []string{"AAPL"}, From: day(18), To: day(22)}
	bj := &jobs.BackfillJob{Units: units, Log: job.Log}
	res, err := bj.Run(ctx, cfg)
	require.NoError(t, err)
	require.Len(t, res.Results, 5, "5 trading days")

	// Usable from the 20th: the 20th, 21st and 22nd apply it.
	row := saveNaiveCalibration(t, s, "AAPL", day(20), false)

	res, err = bj.Run(ctx, cfg)
	require.NoError(t, err)
	require.Len(t, res.Plan.Skipped, 2, "the 18th and 19th applied no calibration, as a run now would")
	require.Len(t, res.Results, 3)
	fs, err := s.Forecasts(ctx, store.ForecastFilter{Symbol: "AAPL", Ensemble: "naive"})
	require.NoError(t, err)
	for _, f := range fs {
		if f.AsOf.Before(day(20)) {
			require.Nil(t, f.CalibrationID, f.AsOf)
		} else {
			require.Equal(t, row.ID, *f.CalibrationID, f.AsOf)
		}
	}

	res, err = bj.Run(ctx, cfg)
	require.NoError(t, err)
	require.Len(t, res.Plan.Skipped, 5, "every unit done")
	require.Empty(t, res.Results)
}

// TestBackfillRedoesAdaptedDays: with an adaptive calibration, a backfill
// of the 18th-22nd after one of the 20th-22nd runs all five days: the
// 20th-22nd adapted over the outcomes of forecasts that did not exist
// then. Their intervals end as those of a single backfill of the five
// days; a symbol without an adaptive calibration keeps its done days.
func TestBackfillRedoesAdaptedDays(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2023, 12, d, 0, 0, 0, 0, time.UTC) }
	spec := jobs.BackfillSpec{Kind: store.BackfillForecast, Forecast: &jobs.ForecastConfig{
		Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble}, Mode: "naive", TrainBars: 100, Calibrate: true}}
	intervals := func(s store.Store, sym string) map[string][2]float64 {
		fs, err := s.Forecasts(context.Background(), store.ForecastFilter{Symbol: sym})
		require.NoError(t, err)
		out := map[string][2]float64{}
		for _, f := range fs {
			out[f.AsOf.Format(time.DateOnly)] = [2]float64{f.CILower, f.CIUpper}
		}
		return out
	}
	backfill := func(s store.Store, source marketdata.Source, from, to time.Time) jobs.BackfillResult {
		bj := &jobs.BackfillJob{Units: jobs.UnitRunner{Source: source, Store: s, Log: zerolog.Nop()}, Log: zerolog.Nop()}
		res, err := bj.Run(context.Background(), jobs.BackfillConfig{Spec: spec, Symbols: []string{"AAPL", "MSFT"}, From: from, To: to})
		require.NoError(t, err)
		return res
	}
	setup := func() (*jobs.ForecastJob, store.Store) {
		job, s := newJob(t)
		// A step large enough that two more outcomes move the interval.
		saveNaiveCalibrationOf(t, s, "AAPL", time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC),
			calibration.Config{Adaptive: true, Gamma: 0.2, Method: calibration.BaseRate})
		saveNaiveCalibration(t, s, "MSFT", time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC), false)
		return job, s
	}
	job, once := setup()
	backfill(once, job.Source, day(18), day(22))

	job, twice := setup()
	backfill(twice, job.Source, day(20), day(22))
	res := backfill(twice, job.Source, day(18), day(22))
	ran := map[string]int{}
	for _, r := range res.Results {
		ran[r.Symbol]++
	}
	require.Equal(t, map[string]int{"AAPL": 5, "MSFT": 2}, ran)
	require.Equal(t, intervals(once, "AAPL"), intervals(twice, "AAPL"))
	require.Equal(t, intervals(once, "MSFT"), intervals(twice, "MSFT"))
}

// TestCalibrateStopsBetweenSymbols: asked to stop (runner schedule's
// SIGTERM), calibrate starts no other symbol: those are reported not
// started (here every one, so the run failed).
func TestCalibrateStopsBetweenSymbols(t *testing.T) {
	_, s := newJob(t)
	stop := make(chan struct{})
	close(stop)
	ctx := jobs.WithHooks(context.Background(), jobs.Hooks{Stopping: stop})
	cj := &jobs.CalibrateJob{Store: s}
	res, err := cj.Run(ctx, jobs.CalibrateConfig{Symbols: []string{"AAPL", "MSFT"}, Ensembles: []forecast.Ensemble{forecast.Candidate}})
	require.Error(t, err)
	require.Equal(t, store.RunFailed, res.Run.Status, "no symbol was calibrated")
	require.Equal(t, map[string]string{"AAPL": "AAPL: not started: the job was asked to stop",
		"MSFT": "MSFT: not started: the job was asked to stop"}, res.Run.SymbolErrors)
}

// saveNaiveCalibration stores a base-rate calibration of the naive
// ensemble of sym (adaptive or not) whose samples end on sampleTo, fitted on
// 100 seeded synthetic samples.
func saveNaiveCalibration(t *testing.T, s store.Store, sym string, sampleTo time.Time, adaptive bool) store.Calibration {
	t.Helper()
	return saveNaiveCalibrationOf(t, s, sym, sampleTo, calibration.Config{Adaptive: adaptive, Method: calibration.BaseRate})
}

// saveNaiveCalibrationOf is saveNaiveCalibration with the calibration
// configured by cfg.
func saveNaiveCalibrationOf(t *testing.T, s store.Store, sym string, sampleTo time.Time, cfg calibration.Config) store.Calibration {
	t.Helper()
	adaptive := cfg.Adaptive
	samples := make([]calibration.Sample, 100)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range samples {
		samples[i] = calibration.Sample{Mu: 0, Sigma: 0.01, Realised: 0.01 * rng.NormFloat64()}
	}
	fitted, err := calibration.Fit(samples, cfg)
	require.NoError(t, err)
	params, err := jobs.CalibrationParams(fitted)
	require.NoError(t, err)
	method := map[bool]string{false: "conformal+base_rate", true: "aci+base_rate"}[adaptive]
	row := store.Calibration{Symbol: sym, Horizon: "1D", Ensemble: "naive", Method: method, Parameters: params,
		SampleFrom: sampleTo.AddDate(0, -6, 0), SampleTo: sampleTo, NSamples: len(samples)}
	require.NoError(t, s.SaveCalibration(context.Background(), &row))
	return row
}
