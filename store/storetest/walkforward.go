package storetest

import (
	"cmp"
	"context"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
)

// defaultWeights are the weights a reverted window falls back to.
var defaultWeights = map[string]map[string]float64{
	"candidate": {"arima_garch": 0.25, "gb": 0.25, "lstm": 0.25, "transformer": 0.25},
	"legacy":    {"arima_garch": 0.5, "lstm": 0.5},
}

// windowSpec describes a synthetic walk-forward window of one ensemble.
type windowSpec struct {
	symbol     string
	ensemble   string
	id         int
	date       time.Time // validation date: the last test day
	divergence float64
	days       int // predictions per span and model; the test span ends on date
	runID      int64
}

func (sp windowSpec) models() []string { return slices.Sorted(maps.Keys(defaultWeights[sp.ensemble])) }

// window builds the window's rows the way validation would: metrics, the
// levels its divergence reaches, the one-step predictions of every member
// and of the ensemble over both spans, and the weight decision.
func (sp windowSpec) window() store.ValidationWindow {
	models := sp.models()
	val, test := 0.01, 0.01*(1+sp.divergence)
	w := store.ValidationWindow{
		Ensemble: sp.ensemble,
		Metrics: store.ValidationMetrics{
			SymbolID: sp.symbol, Symbol: sp.symbol, Horizon: "1D", ValidationDate: sp.date, WindowID: sp.id,
			TrainRMSE: ptr(0.009), ValRMSE: val, TestRMSE: test, Divergence: sp.divergence,
			IsOverfitting: sp.divergence > 0.20, ModelCount: len(models), ModelsUsed: models,
		},
	}
	for _, l := range []struct {
		level     string
		threshold float64
	}{{store.LevelWarning, 0.15}, {store.LevelOverfitting, 0.20}, {store.LevelCritical, 0.30}} {
		if sp.divergence > l.threshold {
			w.Alerts = append(w.Alerts, store.DivergenceAlert{RunID: sp.runID, Level: l.level,
				Divergence: sp.divergence, Threshold: l.threshold, ValRMSE: val, TestRMSE: test})
		}
	}
	k := 0
	for _, m := range append(models, store.EnsembleModel) {
		for si, span := range []string{store.SpanValidation, store.SpanTest} {
			for d := range sp.days {
				asOf := sp.date.AddDate(0, 0, -(2-si)*sp.days+d+1)
				k++
				mu := 0.0001 * float64(k%17-8)
				w.Predictions = append(w.Predictions, store.ValidationPrediction{
					Symbol: sp.symbol, Horizon: "1D", Ensemble: sp.ensemble, Model: m, WindowID: sp.id, Span: span,
					AsOf: asOf, TargetDate: asOf.AddDate(0, 0, 1), Mu: mu, Sigma: 0.01 + 0.0001*float64(k%7),
					PBear: 0.3, PNeutral: 0.2, PBull: 0.5, CILower: mu - 0.0165, CIUpper: mu + 0.0165,
					Realised: 0.0003 * float64(k%11-5),
				})
			}
		}
	}
	calibrated := map[string]float64{}
	for i, m := range models {
		calibrated[m] = float64(i+1) / float64(len(models)*(len(models)+1)/2)
	}
	ew := &store.EnsembleWeights{
		RunID: sp.runID, Method: store.WeightsCalibrated, Source: store.WeightsCalibrated, Weights: calibrated,
		Calibrated: calibrated, ValRMSE: val, TestRMSE: test, Divergence: sp.divergence,
		Reason: "divergence within 0.15", Actor: "validate", EffectiveAt: sp.date.Add(21 * time.Hour),
	}
	if sp.divergence > 0.15 {
		ew.Method, ew.Source, ew.Weights = store.WeightsReverted, store.WeightsReverted, defaultWeights[sp.ensemble]
		ew.Reason = "divergence above 0.15"
	}
	w.Weights = ew
	return w
}

// predictionsOf is the windows' predictions in the order the store returns
// them.
func predictionsOf(ws ...store.ValidationWindow) []store.ValidationPrediction {
	var out []store.ValidationPrediction
	for _, w := range ws {
		out = append(out, w.Predictions...)
	}
	slices.SortFunc(out, func(a, b store.ValidationPrediction) int {
		return cmp.Or(cmp.Compare(a.Symbol, b.Symbol), cmp.Compare(a.Ensemble, b.Ensemble),
			cmp.Compare(a.Model, b.Model), a.AsOf.Compare(b.AsOf), cmp.Compare(a.Span, b.Span),
			cmp.Compare(a.Horizon, b.Horizon), cmp.Compare(a.WindowID, b.WindowID))
	})
	return out
}

// requireAlerts compares alerts read back with the windows' alerts, in
// order, ignoring ids and creation times.
func requireAlerts(t *testing.T, want []store.DivergenceAlert, got []store.DivergenceAlert) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		g := got[i]
		require.NotZero(t, g.ID)
		require.False(t, g.CreatedAt.IsZero())
		g.ID, g.CreatedAt = 0, time.Time{}
		// DECIMAL(8,6) and (12,6) on PostgreSQL.
		require.InDelta(t, want[i].Divergence, g.Divergence, 1e-6)
		require.InDelta(t, want[i].ValRMSE, g.ValRMSE, 1e-6)
		require.InDelta(t, want[i].TestRMSE, g.TestRMSE, 1e-6)
		g.Divergence, g.ValRMSE, g.TestRMSE = want[i].Divergence, want[i].ValRMSE, want[i].TestRMSE
		require.Equal(t, want[i], g, "alert %d", i)
	}
}

func keyedAlerts(w store.ValidationWindow) []store.DivergenceAlert {
	c, err := w.Complete()
	if err != nil {
		panic(err)
	}
	return c.Alerts
}

func startValidateRun(t *testing.T, s store.Store) int64 {
	run := &store.Run{Kind: "validate", Mode: "walkforward", CodeVersion: "test", Host: "h",
		StartedAt: time.Now().UTC().Truncate(time.Millisecond)}
	require.NoError(t, s.StartRun(context.Background(), run))
	return run.ID
}

func testWalkForwardIdempotent(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := startValidateRun(t, s)
	vdate := day("2024-03-28")
	cand := windowSpec{symbol: "AAPL", ensemble: "candidate", id: 40, date: vdate, divergence: 0.25, days: 5, runID: run}
	leg := windowSpec{symbol: "AAPL", ensemble: "legacy", id: 40, date: vdate, divergence: 0.1, days: 5, runID: run}
	ws := []store.ValidationWindow{cand.window(), leg.window()}
	require.NoError(t, s.SaveValidationWindows(ctx, ws))
	require.NoError(t, s.SaveValidationWindows(ctx, ws))

	metrics, err := s.ValidationMetrics(ctx, "AAPL", "1D")
	require.NoError(t, err)
	require.Len(t, metrics, 2, "one metrics row per window and ensemble")
	require.Equal(t, []int{2, 4}, []int{metrics[0].ModelCount, metrics[1].ModelCount})
	require.True(t, metrics[1].IsOverfitting)

	alerts, err := s.DivergenceAlerts(ctx, "AAPL", "1D")
	require.NoError(t, err)
	requireAlerts(t, keyedAlerts(ws[0]), alerts)
	require.Equal(t, []string{store.LevelWarning, store.LevelOverfitting}, []string{alerts[0].Level, alerts[1].Level})
	require.Equal(t, "candidate", alerts[0].Ensemble)
	require.Equal(t, run, alerts[0].RunID)
	require.Equal(t, vdate, alerts[0].ValidationDate, "validation date round-trips as UTC midnight")

	preds, err := s.ValidationPredictions(ctx, store.ValidationPredictionFilter{Symbol: "AAPL"})
	require.NoError(t, err)
	require.Len(t, preds, (4+1+2+1)*2*5)
	require.Equal(t, predictionsOf(ws...), preds, "predictions round-trip exactly, once")

	hist, err := s.WeightsHistory(ctx, "AAPL", "1D", "")
	require.NoError(t, err)
	require.Len(t, hist, 2)
	require.Equal(t, []string{"candidate", "legacy"}, []string{hist[0].Ensemble, hist[1].Ensemble})
	require.Equal(t, store.WeightsReverted, hist[0].Source)
	require.Equal(t, defaultWeights["candidate"], hist[0].Weights)
	require.Equal(t, store.WeightsCalibrated, hist[1].Source)
	require.Nil(t, hist[0].Previous, "the first row has no previous weights, and a rerun does not make it its own")

	// Rerun: the candidate now only reaches warning and one day fewer is
	// predicted. The overfitting alert and the dropped day's rows go; the
	// metrics and weights rows are updated in place.
	cand.divergence, cand.days = 0.18, 4
	ws[0] = cand.window()
	require.NoError(t, s.SaveValidationWindows(ctx, ws))
	again, err := s.ValidationMetrics(ctx, "AAPL", "1D")
	require.NoError(t, err)
	require.Len(t, again, 2)
	require.Equal(t, metrics[0].ID, again[0].ID)
	require.Equal(t, metrics[1].ID, again[1].ID, "same metrics row, updated")
	require.InDelta(t, 0.18, again[1].Divergence, 1e-9)
	require.False(t, again[1].IsOverfitting)

	alerts, err = s.DivergenceAlerts(ctx, "AAPL", "1D")
	require.NoError(t, err)
	requireAlerts(t, keyedAlerts(ws[0]), alerts)
	require.Len(t, alerts, 1, "the overfitting level is no longer reached")

	preds, err = s.ValidationPredictions(ctx, store.ValidationPredictionFilter{Symbol: "AAPL"})
	require.NoError(t, err)
	require.Len(t, preds, 5*2*4+3*2*5)
	require.Equal(t, predictionsOf(ws...), preds)

	hist2, err := s.WeightsHistory(ctx, "AAPL", "1D", "candidate")
	require.NoError(t, err)
	require.Len(t, hist2, 1)
	require.Equal(t, hist[0].ID, hist2[0].ID, "same weights row, updated")
	require.InDelta(t, 0.18, hist2[0].Divergence, 1e-12)
	require.Nil(t, hist2[0].Previous)
}

func testWalkForwardOneTransaction(t *testing.T, s store.Store) {
	ctx := context.Background()
	vdate := day("2024-03-28")
	cand := windowSpec{symbol: "AAPL", ensemble: "candidate", id: 40, date: vdate, divergence: 0.25, days: 3}
	leg := windowSpec{symbol: "AAPL", ensemble: "legacy", id: 40, date: vdate, divergence: 0.1, days: 3}
	good := []store.ValidationWindow{cand.window(), leg.window()}
	require.NoError(t, s.SaveValidationWindows(ctx, good))

	type state struct {
		metrics []store.ValidationMetrics
		alerts  []store.DivergenceAlert
		preds   []store.ValidationPrediction
		weights []store.EnsembleWeights
	}
	read := func(symbol string) state {
		var st state
		var err error
		st.metrics, err = s.ValidationMetrics(ctx, symbol, "1D")
		require.NoError(t, err)
		st.alerts, err = s.DivergenceAlerts(ctx, symbol, "1D")
		require.NoError(t, err)
		st.preds, err = s.ValidationPredictions(ctx, store.ValidationPredictionFilter{Symbol: symbol})
		require.NoError(t, err)
		st.weights, err = s.WeightsHistory(ctx, symbol, "1D", "")
		require.NoError(t, err)
		return st
	}
	before := read("AAPL")
	require.Len(t, before.alerts, 2)

	// A rerun whose last prediction violates sigma > 0 leaves the first
	// run's rows as they were, although the candidate's rows came first.
	cand.divergence = 0.35
	bad := []store.ValidationWindow{cand.window(), leg.window()}
	bad[1].Predictions[len(bad[1].Predictions)-1].Sigma = 0
	require.Error(t, s.SaveValidationWindows(ctx, bad))
	require.Equal(t, before, read("AAPL"))

	// The same for a symbol with nothing written yet.
	msft := windowSpec{symbol: "MSFT", ensemble: "candidate", id: 40, date: vdate, divergence: 0.25, days: 3}.window()
	msftBad := windowSpec{symbol: "MSFT", ensemble: "legacy", id: 40, date: vdate, divergence: 0.1, days: 3}.window()
	msftBad.Predictions[0].Span = "train"
	require.Error(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{msft, msftBad}))
	requireNone := func(st state) {
		require.Empty(t, st.metrics)
		require.Empty(t, st.alerts)
		require.Empty(t, st.preds)
		require.Empty(t, st.weights)
	}
	requireNone(read("MSFT"))

	// Caught before the database: a NaN, and a row of another window.
	nan := windowSpec{symbol: "MSFT", ensemble: "candidate", id: 40, date: vdate, divergence: 0.25, days: 3}.window()
	nan.Predictions[2].Mu = math.NaN()
	require.ErrorContains(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{nan}), "mu is NaN")
	other := windowSpec{symbol: "MSFT", ensemble: "candidate", id: 40, date: vdate, divergence: 0.25, days: 3}.window()
	other.Alerts[0].Symbol = "SPY"
	require.ErrorContains(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{other}), "another window")
	requireNone(read("MSFT"))
}

func testWeights(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := startValidateRun(t, s)
	spec := func(id int, date string, div float64) windowSpec {
		return windowSpec{symbol: "AAPL", ensemble: "legacy", id: id, date: day(date), divergence: div, days: 1, runID: run}
	}
	jan, feb := spec(10, "2024-01-05", 0.05), spec(31, "2024-02-05", 0.4)
	require.NoError(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{jan.window(), feb.window()}))

	_, err := s.CurrentWeights(ctx, "AAPL", "1D", "legacy", day("2024-01-04"))
	require.ErrorIs(t, err, store.ErrNotFound, "before the first row")
	_, err = s.CurrentWeights(ctx, "AAPL", "1D", "candidate", day("2024-03-01"))
	require.ErrorIs(t, err, store.ErrNotFound, "another ensemble")
	_, err = s.CurrentWeights(ctx, "MSFT", "1D", "legacy", day("2024-03-01"))
	require.ErrorIs(t, err, store.ErrNotFound, "another symbol")

	// Point in time: effective at 21:00 UTC, so in force on that whole day.
	for _, c := range []struct {
		asOf time.Time
		want windowSpec
	}{
		{day("2024-01-05"), jan},
		{day("2024-02-04").Add(23*time.Hour + 59*time.Minute), jan},
		{day("2024-02-05"), feb},
		{day("2024-06-28"), feb},
	} {
		got, err := s.CurrentWeights(ctx, "AAPL", "1D", "legacy", c.asOf)
		require.NoError(t, err)
		require.Equal(t, c.want.id, got.WindowID, "as of %s", c.asOf)
	}

	cur, err := s.CurrentWeights(ctx, "AAPL", "1D", "legacy", day("2024-02-05"))
	require.NoError(t, err)
	want := *feb.window().Weights
	want.ID, want.CreatedAt = cur.ID, cur.CreatedAt
	want.Symbol, want.Horizon, want.Ensemble = "AAPL", "1D", "legacy"
	want.WindowID, want.ValidationDate = 31, day("2024-02-05")
	want.Previous = jan.window().Weights.Weights
	require.Equal(t, want, cur, "every field round-trips; previous is January's")
	require.False(t, cur.CreatedAt.IsZero())

	// A rerun of February's window with other weights keeps its row, and
	// its previous weights stay January's, not its own.
	feb2 := feb.window()
	feb2.Weights.Weights = map[string]float64{"arima_garch": 0.7, "lstm": 0.3}
	require.NoError(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{feb2}))
	cur2, err := s.CurrentWeights(ctx, "AAPL", "1D", "legacy", day("2024-02-05"))
	require.NoError(t, err)
	require.Equal(t, cur.ID, cur2.ID)
	require.Equal(t, feb2.Weights.Weights, cur2.Weights)
	require.Equal(t, jan.window().Weights.Weights, cur2.Previous)

	// A window between them: its previous is January's, and February's
	// previous becomes its weights.
	mid := spec(21, "2024-01-19", 0.17)
	require.NoError(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{mid.window()}))
	hist, err := s.WeightsHistory(ctx, "AAPL", "1D", "legacy")
	require.NoError(t, err)
	require.Len(t, hist, 3)
	require.Equal(t, []int{10, 21, 31}, []int{hist[0].WindowID, hist[1].WindowID, hist[2].WindowID})
	require.Nil(t, hist[0].Previous)
	require.Equal(t, hist[0].Weights, hist[1].Previous)
	require.Equal(t, defaultWeights["legacy"], hist[1].Weights, "0.17 reverts")
	require.Equal(t, hist[1].Weights, hist[2].Previous)
	require.Equal(t, feb2.Weights.Weights, hist[2].Weights)

	// A forecast records the weights row it used.
	fc := sampleForecast(run)
	fc.Ensemble, fc.WeightsID = "legacy", &cur.ID
	plain := sampleForecast(run)
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{fc, plain}))
	fs, err := s.Forecasts(ctx, store.ForecastFilter{Symbol: "AAPL"})
	require.NoError(t, err)
	require.Len(t, fs, 2)
	require.Equal(t, "legacy", fs[0].Ensemble)
	require.Equal(t, &cur.ID, fs[0].WeightsID)
	require.Nil(t, fs[1].WeightsID, "default weights")
	fc.WeightsID = ptr(cur.ID + 1000)
	require.Error(t, s.SaveForecasts(ctx, []store.Forecast{fc}), "weights_id references ensemble_weights")

	for name, mutate := range map[string]func(*store.EnsembleWeights){
		"unknown source":     func(w *store.EnsembleWeights) { w.Source = "manual" },
		"validation no rmse": func(w *store.EnsembleWeights) { w.ValRMSE = 0 },
		"unknown run":        func(w *store.EnsembleWeights) { w.RunID = run + 1000 },
	} {
		w := spec(52, "2024-03-06", 0.05).window()
		mutate(w.Weights)
		require.Error(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{w}), name)
	}
	hist, err = s.WeightsHistory(ctx, "AAPL", "1D", "")
	require.NoError(t, err)
	require.Len(t, hist, 3)
}

func testValidationPredictionFilter(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Windows 40 and 41 overlap: 40 tests 03-07..03-10, 41 validates
	// 03-05..03-08 and tests 03-09..03-12.
	var ws []store.ValidationWindow
	for _, sp := range []windowSpec{
		{symbol: "AAPL", ensemble: "legacy", id: 40, date: day("2024-03-10"), divergence: 0.1, days: 4},
		{symbol: "AAPL", ensemble: "legacy", id: 41, date: day("2024-03-12"), divergence: 0.1, days: 4},
		{symbol: "AAPL", ensemble: "candidate", id: 41, date: day("2024-03-12"), divergence: 0.1, days: 4},
		{symbol: "MSFT", ensemble: "legacy", id: 41, date: day("2024-03-12"), divergence: 0.1, days: 4},
	} {
		ws = append(ws, sp.window())
	}
	require.NoError(t, s.SaveValidationWindows(ctx, ws))
	all := predictionsOf(ws...)
	for name, c := range map[string]struct {
		f    store.ValidationPredictionFilter
		keep func(p store.ValidationPrediction) bool
	}{
		"everything": {store.ValidationPredictionFilter{}, func(store.ValidationPrediction) bool { return true }},
		"calibration read": {
			store.ValidationPredictionFilter{Symbol: "AAPL", Horizon: "1D", Ensemble: "legacy", Model: store.EnsembleModel,
				Span: store.SpanTest, From: day("2024-03-08"), To: day("2024-03-12")},
			func(p store.ValidationPrediction) bool {
				return p.Symbol == "AAPL" && p.Ensemble == "legacy" && p.Model == store.EnsembleModel &&
					p.Span == store.SpanTest && !p.AsOf.Before(day("2024-03-08")) && !p.AsOf.After(day("2024-03-12"))
			},
		},
		"one model, both spans": {
			store.ValidationPredictionFilter{Model: "lstm", From: day("2024-03-07")},
			func(p store.ValidationPrediction) bool { return p.Model == "lstm" && !p.AsOf.Before(day("2024-03-07")) },
		},
		"nothing": {store.ValidationPredictionFilter{Symbol: "SPY"}, func(store.ValidationPrediction) bool { return false }},
	} {
		var want []store.ValidationPrediction
		for _, p := range all {
			if c.keep(p) {
				want = append(want, p)
			}
		}
		got, err := s.ValidationPredictions(ctx, c.f)
		require.NoError(t, err)
		if len(want) == 0 {
			require.Empty(t, got, name)
			continue
		}
		require.Equal(t, want, got, name)
	}
	// 03-09 is a test day of both windows.
	got, err := s.ValidationPredictions(ctx, store.ValidationPredictionFilter{Symbol: "AAPL", Ensemble: "legacy",
		Model: "arima_garch", Span: store.SpanTest, From: day("2024-03-09"), To: day("2024-03-09")})
	require.NoError(t, err)
	require.Len(t, got, 2, "overlapping windows predict the same day")
	require.Equal(t, []int{40, 41}, []int{got[0].WindowID, got[1].WindowID}, "ties ordered by window")
}

func testWalkForwardViews(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	var ms []store.ValidationMetrics
	for _, r := range []struct {
		window int
		age    time.Duration
		div    float64
	}{{1, 24 * time.Hour, 0.3}, {2, 48 * time.Hour, 0.25}, {3, 30 * 24 * time.Hour, 1.0}, {4, 72 * time.Hour, 0.01}} {
		ms = append(ms, store.ValidationMetrics{SymbolID: "AAPL", Symbol: "AAPL", Horizon: "1D",
			ValidationDate: now.Add(-r.age), WindowID: r.window, ValRMSE: 0.01, TestRMSE: 0.01 * (1 + r.div),
			Divergence: r.div, IsOverfitting: r.div > 0.2, ModelCount: 2, ModelsUsed: []string{"arima_garch", "lstm"}})
	}
	msft := ms[0]
	msft.Symbol, msft.SymbolID = "MSFT", "MSFT"
	require.NoError(t, s.UpsertValidationMetrics(ctx, append(ms, msft)))

	// By hand: AAPL's overfitting rows of the last 7 days are windows 1 and
	// 2, divergences 0.3 and 0.25; window 3 is 30 days old.
	over, err := s.OverfittingSymbols(ctx)
	require.NoError(t, err)
	require.Len(t, over, 2)
	require.Equal(t, "AAPL", over[0].Symbol)
	require.Equal(t, "1D", over[0].Horizon)
	require.Equal(t, int64(2), over[0].Count)
	require.Equal(t, now.Add(-24*time.Hour), over[0].Latest)
	require.InDelta(t, 0.275, over[0].AvgDivergence, 1e-9)
	require.InDelta(t, 0.3, over[0].MaxDivergence, 1e-9)
	require.Equal(t, "MSFT", over[1].Symbol)
	require.Equal(t, int64(1), over[1].Count)

	trends, err := s.DivergenceTrends(ctx, "AAPL", "1D")
	require.NoError(t, err)
	require.Len(t, trends, 4)
	var seq [][2]int
	for _, d := range trends {
		seq = append(seq, [2]int{d.WindowID, int(d.WindowSequence)})
	}
	require.Equal(t, [][2]int{{3, 1}, {4, 2}, {2, 3}, {1, 4}}, seq, "sequence follows validation_date")
	require.Equal(t, store.DivergenceTrend{Symbol: "AAPL", Horizon: "1D", ValidationDate: now.Add(-30 * 24 * time.Hour),
		WindowID: 3, ModelCount: 2, Divergence: 1.0, IsOverfitting: true, WindowSequence: 1}, trends[0])

	// The two ensembles of one window, legacy written first: the candidate
	// (2 models) still takes the first sequence number (migration 0008).
	legacy, cand := ms[3], ms[3]
	legacy.Symbol, legacy.SymbolID, legacy.ModelCount = "SPY", "SPY", 4
	legacy.ModelsUsed = []string{"arima_garch", "gb", "lstm", "transformer"}
	cand.Symbol, cand.SymbolID = "SPY", "SPY"
	require.NoError(t, s.UpsertValidationMetrics(ctx, []store.ValidationMetrics{legacy}))
	require.NoError(t, s.UpsertValidationMetrics(ctx, []store.ValidationMetrics{cand}))
	trends, err = s.DivergenceTrends(ctx, "SPY", "1D")
	require.NoError(t, err)
	require.Len(t, trends, 2)
	require.Equal(t, [2]int{2, 4}, [2]int{trends[0].ModelCount, trends[1].ModelCount}, "model counts by sequence")
	require.Equal(t, [2]int64{1, 2}, [2]int64{trends[0].WindowSequence, trends[1].WindowSequence})
}

// testMigrateWalkForwardWithData reverts 0003 with walk-forward rows
// present and applies it again: the rows of 0001's tables survive (alerts
// that differ only by ensemble collapse to the first), predictions go.
func testMigrateWalkForwardWithData(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := startValidateRun(t, s)
	vdate := day("2024-03-28")
	ws := []store.ValidationWindow{
		windowSpec{symbol: "AAPL", ensemble: "candidate", id: 40, date: vdate, divergence: 0.25, days: 2, runID: run}.window(),
		windowSpec{symbol: "AAPL", ensemble: "legacy", id: 40, date: vdate, divergence: 0.16, days: 2, runID: run}.window(),
	}
	require.NoError(t, s.SaveValidationWindows(ctx, ws))
	weights, err := s.CurrentWeights(ctx, "AAPL", "1D", "legacy", vdate)
	require.NoError(t, err)
	fc := sampleForecast(run)
	fc.WeightsID = &weights.ID
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{fc}))
	metrics, err := s.ValidationMetrics(ctx, "AAPL", "1D")
	require.NoError(t, err)
	alerts, err := s.DivergenceAlerts(ctx, "AAPL", "1D")
	require.NoError(t, err)
	require.Len(t, alerts, 3) // candidate warning and overfitting, legacy warning

	for {
		v, err := s.MigrateDown(ctx)
		require.NoError(t, err)
		if v <= 3 {
			require.Equal(t, int64(3), v)
			break
		}
	}
	_, err = s.ValidationPredictions(ctx, store.ValidationPredictionFilter{})
	require.Error(t, err, "validation_predictions is gone")
	applied, err := s.MigrateUp(ctx)
	require.NoError(t, err)
	require.Contains(t, applied, int64(3))

	fs, err := s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, fs, 1)
	require.Nil(t, fs[0].WeightsID)
	again, err := s.ValidationMetrics(ctx, "AAPL", "1D")
	require.NoError(t, err)
	require.Equal(t, metrics, again)
	old, err := s.DivergenceAlerts(ctx, "AAPL", "1D")
	require.NoError(t, err)
	require.Len(t, old, 2, "one alert per level survives")
	for i, level := range []string{store.LevelWarning, store.LevelOverfitting} {
		require.Equal(t, level, old[i].Level)
		require.Equal(t, "", old[i].Ensemble)
		require.Zero(t, old[i].RunID)
		require.Equal(t, alerts[i].ID, old[i].ID, "the first written (the candidate's) stays")
	}
	hist, err := s.WeightsHistory(ctx, "AAPL", "1D", "legacy")
	require.NoError(t, err)
	require.Len(t, hist, 1)
	require.Equal(t, weights.ID, hist[0].ID)
	require.Equal(t, weights.Weights, hist[0].Weights)
	require.Empty(t, hist[0].Source)
	require.Zero(t, hist[0].WindowID)
	preds, err := s.ValidationPredictions(ctx, store.ValidationPredictionFilter{})
	require.NoError(t, err)
	require.Empty(t, preds)

	// Writing again works, beside the pre-0003 alerts, and ids are not
	// reused: the legacy warning, the highest id, was dropped on the way
	// down, yet the id sequence kept it.
	maxID := alerts[2].ID
	require.NoError(t, s.SaveValidationWindows(ctx, ws))
	alerts, err = s.DivergenceAlerts(ctx, "AAPL", "1D")
	require.NoError(t, err)
	require.Len(t, alerts, 5)
	for _, a := range alerts {
		if a.Ensemble != "" {
			require.Greater(t, a.ID, maxID)
		}
	}
	newer, err := s.CurrentWeights(ctx, "AAPL", "1D", "legacy", vdate)
	require.NoError(t, err)
	require.Equal(t, weights.ID, newer.ID)
	require.Equal(t, store.WeightsReverted, newer.Source)
}
