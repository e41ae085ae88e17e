package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/jobs"
	"runner/store"
)

// weightsWindow is a validation window of ensemble "pair" for AAPL whose
// weight decision (source, weights) is effective from its validation date.
func weightsWindow(date time.Time, id int, source string, w map[string]float64) store.ValidationWindow {
	return store.ValidationWindow{Ensemble: "pair",
		Metrics: store.ValidationMetrics{SymbolID: "AAPL", Symbol: "AAPL", Horizon: "1D", ValidationDate: date,
			WindowID: id, ValRMSE: 0.01, TestRMSE: 0.011, Divergence: 0.1, ModelCount: 2, ModelsUsed: []string{"naive", "test_zero"}},
		Weights: &store.EnsembleWeights{Symbol: "AAPL", Horizon: "1D", Ensemble: "pair", Method: source, Source: source,
			Weights: w, Calibrated: w, WindowID: id, ValidationDate: date, ValRMSE: 0.01, TestRMSE: 0.011,
			Divergence: 0.1, Reason: "test", Actor: "test", EffectiveAt: date}}
}

// TestForecastCalibratedWeights: --weights calibrated uses the latest
// ensemble_weights row effective on or before the as-of date (not a later
// one), records its id with the forecast and says which it used; a symbol
// with none uses the defaults and says so. The forecast return is the
// weighted mean of the members' (naive's and test_zero's 0) returns, with
// the row's weights.
func TestForecastCalibratedWeights(t *testing.T) {
	job, s := newJob(t)
	ctx := context.Background()
	pair := forecast.Ensemble{Name: "pair", Members: []forecast.Member{{Model: "naive", Weight: 0.5}, {Model: "test_zero", Weight: 0.5}}}
	require.NoError(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{
		weightsWindow(asOf.AddDate(0, 0, -30), 1, store.WeightsCalibrated, map[string]float64{"naive": 0.8, "test_zero": 0.2}),
	}))
	require.NoError(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{
		weightsWindow(asOf.AddDate(0, 0, 5), 2, store.WeightsReverted, map[string]float64{"naive": 0.5, "test_zero": 0.5}),
	}))
	cur, err := s.CurrentWeights(ctx, "AAPL", "1D", "pair", asOf)
	require.NoError(t, err)
	require.Equal(t, 1, cur.WindowID)

	res, err := job.Run(ctx, jobs.ForecastConfig{Ensembles: []forecast.Ensemble{pair}, Symbols: []string{"AAPL", "MSFT"},
		AsOf: asOf, WeightMethod: forecast.Calibrated})
	require.NoError(t, err)
	aapl, msft := res.Symbols[0], res.Symbols[1]
	require.Contains(t, aapl.WeightNotes["pair"], "calibrated weights #")
	require.Contains(t, msft.WeightNotes["pair"], "no validated weights yet: the defaults")
	plain, err := job.Run(ctx, jobs.ForecastConfig{Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble},
		Symbols: []string{"AAPL", "MSFT"}, AsOf: asOf, DryRun: true})
	require.NoError(t, err)
	naiveMu := map[string]float64{"AAPL": plain.Symbols[0].Forecasts[0].Return, "MSFT": plain.Symbols[1].Forecasts[0].Return}

	fs, err := s.Forecasts(ctx, store.ForecastFilter{Ensemble: "pair"})
	require.NoError(t, err)
	require.Len(t, fs, 2)
	require.Equal(t, "AAPL", fs[0].Symbol)
	require.NotNil(t, fs[0].WeightsID)
	require.Equal(t, cur.ID, *fs[0].WeightsID)
	require.InDelta(t, 0.8, fs[0].Weights["naive"], 1e-15)
	require.InDelta(t, 0.8*naiveMu["AAPL"], fs[0].Return, 1e-15)
	require.Nil(t, fs[1].WeightsID, "MSFT has no validated weights")
	require.InDelta(t, 0.5, fs[1].Weights["naive"], 1e-15)
	require.InDelta(t, 0.5*naiveMu["MSFT"], fs[1].Return, 1e-15)
}

// TestValidationStatus: runner status reports each symbol's latest window
// per ensemble (by model count), its level, and the weights in force.
func TestValidationStatus(t *testing.T) {
	job, s := newJob(t)
	ctx := context.Background()
	older := weightsWindow(asOf.AddDate(0, 0, -30), 1, store.WeightsCalibrated, map[string]float64{"arima_garch": 0.7, "lstm": 0.3})
	latest := weightsWindow(asOf, 22, store.WeightsReverted, map[string]float64{"arima_garch": 0.5, "lstm": 0.5})
	for _, w := range []*store.ValidationWindow{&older, &latest} {
		w.Ensemble, w.Weights.Ensemble = "candidate", "candidate"
		w.Metrics.ModelsUsed = []string{"arima_garch", "lstm"}
	}
	latest.Metrics.Divergence, latest.Weights.Divergence = 0.25, 0.25 // above 0.20: overfitting
	require.NoError(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{older}))
	require.NoError(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{latest}))
	sj := &jobs.StatusJob{Source: job.Source, Store: s}
	rows, err := sj.ValidationStatus(ctx, jobs.StatusConfig{Symbols: []string{"AAPL", "MSFT"}})
	require.NoError(t, err)
	require.Len(t, rows, 1, "MSFT has no validation; AAPL only candidate rows")
	r := rows[0]
	require.Equal(t, "candidate", r.Ensemble)
	require.Equal(t, 22, r.Latest.WindowID)
	require.Equal(t, "overfitting", r.Level)
	require.Equal(t, store.WeightsReverted, r.Weights.Source)
	require.Equal(t, 0.5, r.Weights.Weights["lstm"])
}
