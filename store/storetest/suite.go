package storetest

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/marketdata"
	"runner/migrations"
	"runner/store"
)

// Run runs the conformance suite. open returns a new, empty, unmigrated
// store for each subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("MigrateUpDownUp", func(t *testing.T) { testMigrateUpDownUp(t, open(t)) })
	t.Run("BarsIdempotent", func(t *testing.T) { testBars(t, migrated(t, open)) })
	t.Run("Runs", func(t *testing.T) { testRuns(t, migrated(t, open)) })
	t.Run("RunsList", func(t *testing.T) { testRunsList(t, migrated(t, open)) })
	t.Run("RunLease", func(t *testing.T) { testRunLease(t, migrated(t, open)) })
	t.Run("MigrateDownUpKeepsRuns", func(t *testing.T) { testMigrateKeepsRuns(t, migrated(t, open)) })
	t.Run("ForecastsIdempotent", func(t *testing.T) { testForecasts(t, migrated(t, open)) })
	t.Run("ValidationMetrics", func(t *testing.T) { testValidationMetrics(t, migrated(t, open)) })
	t.Run("WalkForwardIdempotent", func(t *testing.T) { testWalkForwardIdempotent(t, migrated(t, open)) })
	t.Run("WalkForwardOneTransaction", func(t *testing.T) { testWalkForwardOneTransaction(t, migrated(t, open)) })
	t.Run("Weights", func(t *testing.T) { testWeights(t, migrated(t, open)) })
	t.Run("ValidationPredictionFilter", func(t *testing.T) { testValidationPredictionFilter(t, migrated(t, open)) })
	t.Run("WalkForwardViews", func(t *testing.T) { testWalkForwardViews(t, migrated(t, open)) })
	t.Run("MigrateWalkForwardWithData", func(t *testing.T) { testMigrateWalkForwardWithData(t, migrated(t, open)) })
	t.Run("ForecastCalibrationColumns", func(t *testing.T) { testForecastCalibrationColumns(t, migrated(t, open)) })
	t.Run("CalibrationIdempotent", func(t *testing.T) { testCalibrationIdempotent(t, migrated(t, open)) })
	t.Run("CalibrationHistory", func(t *testing.T) { testCalibrationHistory(t, migrated(t, open)) })
	t.Run("LatestCalibration", func(t *testing.T) { testLatestCalibration(t, migrated(t, open)) })
	t.Run("CalibrationFailedWrite", func(t *testing.T) { testCalibrationFailedWrite(t, migrated(t, open)) })
	t.Run("MigrateCalibrationWithData", func(t *testing.T) { testMigrateCalibrationWithData(t, migrated(t, open)) })
	t.Run("DoneUnits", func(t *testing.T) { testDoneUnits(t, migrated(t, open)) })
	t.Run("BackfillUnits", func(t *testing.T) { testBackfillUnits(t, migrated(t, open)) })
	t.Run("Canary", func(t *testing.T) { testCanary(t, migrated(t, open)) })
	t.Run("ServedOnce", func(t *testing.T) { testServedOnce(t, migrated(t, open)) })
	t.Run("ScheduleSlots", func(t *testing.T) { testScheduleSlots(t, migrated(t, open)) })
	t.Run("TimesInUTC", func(t *testing.T) { testTimesInUTC(t, open) })
}

func migrated(t *testing.T, open func(t *testing.T) store.Store) store.Store {
	s := open(t)
	_, err := s.MigrateUp(context.Background())
	require.NoError(t, err)
	return s
}

func testMigrateUpDownUp(t *testing.T, s store.Store) {
	ctx := context.Background()
	st, err := s.MigrationStatus(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, st)
	for _, m := range st {
		require.False(t, m.Applied, "version %d applied before up", m.Version)
	}
	applied, err := s.MigrateUp(ctx)
	require.NoError(t, err)
	require.Len(t, applied, len(st))
	again, err := s.MigrateUp(ctx)
	require.NoError(t, err)
	require.Empty(t, again, "second up applies nothing")
	_, err = s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)

	for i := len(st) - 1; i >= 0; i-- {
		v, err := s.MigrateDown(ctx)
		require.NoError(t, err)
		require.Equal(t, st[i].Version, v)
	}
	_, err = s.MigrateDown(ctx)
	require.ErrorIs(t, err, migrations.ErrNoneApplied)
	_, err = s.Forecasts(ctx, store.ForecastFilter{})
	require.Error(t, err, "tables are gone after down")

	applied, err = s.MigrateUp(ctx)
	require.NoError(t, err)
	require.Len(t, applied, len(st))
	st, err = s.MigrationStatus(ctx)
	require.NoError(t, err)
	for _, m := range st {
		require.True(t, m.Applied)
		require.False(t, m.AppliedAt.IsZero())
	}
}

func day(s string) time.Time {
	d, err := time.Parse(marketdata.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func testBars(t *testing.T, s store.Store) {
	ctx := context.Background()
	bars := []marketdata.Bar{
		{Symbol: "AAPL", Date: day("2023-12-27"), Open: 192.49, High: 193.5, Low: 191.09, Close: 193.15, AdjClose: 193.15, Volume: 48087700},
		{Symbol: "AAPL", Date: day("2023-12-28"), Open: 194.14, High: 194.66, Low: 193.17, Close: 193.58, AdjClose: 193.58, Volume: 34049900},
		{Symbol: "SPY", Date: day("2023-12-28"), Open: 476.88, High: 477.55, Low: 476.26, Close: 476.69, AdjClose: 475.5, Volume: 77158100},
	}
	require.NoError(t, s.UpsertBars(ctx, bars))
	require.NoError(t, s.UpsertBars(ctx, bars))
	syms, err := s.Symbols(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"AAPL", "SPY"}, syms)
	got, err := s.Bars(ctx, "AAPL")
	require.NoError(t, err)
	require.Equal(t, bars[:2], got, "the same write twice leaves one row per date")

	bars[1].Close, bars[1].AdjClose = 200, 200
	require.NoError(t, s.UpsertBars(ctx, bars[1:2]))
	got, err = s.Bars(ctx, "AAPL")
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, 200.0, got[1].AdjClose)

	_, err = s.Bars(ctx, "MSFT")
	require.ErrorIs(t, err, marketdata.ErrNoData)
}

func testRuns(t *testing.T, s store.Store) {
	ctx := context.Background()
	start := time.Date(2024, 1, 2, 21, 30, 0, 0, time.UTC)
	run := &store.Run{Kind: "forecast", Mode: "naive", AsOf: day("2023-12-29"), Symbols: []string{"AAPL", "MSFT"},
		Parameters: map[string]any{"seed": 1.0}, CodeVersion: "test", Host: "h", StartedAt: start}
	require.NoError(t, s.StartRun(ctx, run))
	require.NotZero(t, run.ID)
	got, err := s.Run(ctx, run.ID)
	require.NoError(t, err)
	require.Equal(t, store.RunRunning, got.Status)
	require.True(t, got.FinishedAt.IsZero())

	run.Status = store.RunPartial
	run.SymbolErrors = map[string]string{"MSFT": "marketdata: MSFT: no data"}
	run.FinishedAt = start.Add(1500 * time.Millisecond)
	require.NoError(t, s.FinishRun(ctx, run))
	got, err = s.Run(ctx, run.ID)
	require.NoError(t, err)
	require.Equal(t, store.RunPartial, got.Status)
	require.Equal(t, run.SymbolErrors, got.SymbolErrors)
	require.Equal(t, run.Symbols, got.Symbols)
	require.Equal(t, run.Parameters, got.Parameters)
	require.True(t, got.AsOf.Equal(run.AsOf))
	require.True(t, got.StartedAt.Equal(start), "started %v", got.StartedAt)
	require.True(t, got.FinishedAt.Equal(run.FinishedAt))

	_, err = s.Run(ctx, run.ID+1000)
	require.ErrorIs(t, err, store.ErrNotFound)
}

// testRunsList: Runs filters by kind and start time, latest first, and
// honours the limit.
func testRunsList(t *testing.T, s store.Store) {
	ctx := context.Background()
	start := time.Date(2024, 1, 2, 21, 30, 0, 0, time.UTC)
	var ids []int64
	for i, kind := range []string{"forecast", "validate", "forecast", "calibrate", "forecast"} {
		run := &store.Run{Kind: kind, Mode: "canary", StartedAt: start.Add(time.Duration(i) * time.Hour), Host: "h"}
		require.NoError(t, s.StartRun(ctx, run))
		ids = append(ids, run.ID)
	}
	idsOf := func(rs []store.Run) []int64 {
		out := []int64{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	all, err := s.Runs(ctx, store.RunFilter{})
	require.NoError(t, err)
	require.Equal(t, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}, idsOf(all))
	require.True(t, all[0].StartedAt.Equal(start.Add(4*time.Hour)))
	require.Equal(t, "forecast", all[0].Kind)

	fc, err := s.Runs(ctx, store.RunFilter{Kind: "forecast", Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []int64{ids[4], ids[2]}, idsOf(fc))

	mid, err := s.Runs(ctx, store.RunFilter{StartedFrom: start.Add(time.Hour), StartedTo: start.Add(3 * time.Hour)})
	require.NoError(t, err)
	require.Equal(t, []int64{ids[3], ids[2], ids[1]}, idsOf(mid))

	none, err := s.Runs(ctx, store.RunFilter{Kind: "backfill"})
	require.NoError(t, err)
	require.Empty(t, none)
}

// testRunLease: a run whose heartbeat is older than the lease is marked
// abandoned, with the time it was found; a run that beats is not touched,
// nor is a finished one; forecasts keep pointing at an abandoned run.
func testRunLease(t *testing.T, s store.Store) {
	ctx := context.Background()
	t0 := time.Date(2024, 1, 2, 21, 30, 0, 0, time.UTC)
	const lease = 60 * time.Second
	newRun := func(start time.Time) *store.Run {
		r := &store.Run{Kind: "forecast", Mode: "naive", CodeVersion: "test", Host: "h", StartedAt: start}
		require.NoError(t, s.StartRun(ctx, r))
		return r
	}
	live, dead := newRun(t0), newRun(t0)
	done := newRun(t0.Add(-time.Hour))
	done.Status, done.FinishedAt = store.RunSucceeded, t0.Add(-time.Hour+time.Second)
	require.NoError(t, s.FinishRun(ctx, done))
	f := sampleForecast(dead.ID)
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{f}))

	got, err := s.Run(ctx, live.ID)
	require.NoError(t, err)
	require.True(t, got.HeartbeatAt.Equal(t0), "a new run's heartbeat is its start: %v", got.HeartbeatAt)
	require.NoError(t, s.Heartbeat(ctx, live.ID, t0.Add(50*time.Second)))
	got, err = s.Run(ctx, live.ID)
	require.NoError(t, err)
	require.True(t, got.HeartbeatAt.Equal(t0.Add(50*time.Second)))

	ids, err := s.AbandonStaleRuns(ctx, t0.Add(lease), lease)
	require.NoError(t, err)
	require.Empty(t, ids, "a heartbeat exactly one lease old is not stale")

	found := t0.Add(100 * time.Second)
	ids, err = s.AbandonStaleRuns(ctx, found, lease)
	require.NoError(t, err)
	require.Equal(t, []int64{dead.ID}, ids, "only the run silent for longer than the lease")
	got, err = s.Run(ctx, dead.ID)
	require.NoError(t, err)
	require.Equal(t, store.RunAbandoned, got.Status)
	require.True(t, got.FinishedAt.Equal(found), "finished_at is when it was found: %v", got.FinishedAt)
	require.True(t, got.HeartbeatAt.Equal(t0), "the last sign of life is kept")
	for _, r := range []*store.Run{live, done} {
		got, err := s.Run(ctx, r.ID)
		require.NoError(t, err)
		require.Equal(t, map[bool]store.RunStatus{true: store.RunRunning, false: store.RunSucceeded}[r == live], got.Status)
	}
	fs, err := s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, fs, 1)
	require.Equal(t, dead.ID, fs[0].RunID, "forecasts keep pointing at the abandoned run")

	ids, err = s.AbandonStaleRuns(ctx, found, lease)
	require.NoError(t, err)
	require.Empty(t, ids, "abandoning is done once")
	require.ErrorIs(t, s.Heartbeat(ctx, dead.ID, found), store.ErrNotRunning)
	require.ErrorIs(t, s.Heartbeat(ctx, done.ID, found), store.ErrNotRunning)
	require.ErrorIs(t, s.Heartbeat(ctx, dead.ID+1000, found), store.ErrNotFound)

	// A process that was only slow, not dead, records its real outcome.
	dead.Status, dead.FinishedAt = store.RunSucceeded, found.Add(time.Second)
	require.NoError(t, s.FinishRun(ctx, dead))
	got, err = s.Run(ctx, dead.ID)
	require.NoError(t, err)
	require.Equal(t, store.RunSucceeded, got.Status)
}

// testMigrateKeepsRuns reverts migrations down to the first and applies them
// again with runs and forecasts in the store: the rows survive, forecasts
// still point at their runs, and an abandoned run becomes failed where the
// status does not exist.
func testMigrateKeepsRuns(t *testing.T, s store.Store) {
	ctx := context.Background()
	t0 := time.Date(2024, 1, 2, 21, 30, 0, 0, time.UTC)
	finished := &store.Run{Kind: "forecast", Mode: "naive", CodeVersion: "test", Host: "h", StartedAt: t0,
		Parameters: map[string]any{"seed": 1.0}}
	require.NoError(t, s.StartRun(ctx, finished))
	finished.Status, finished.FinishedAt = store.RunSucceeded, t0.Add(time.Second)
	require.NoError(t, s.FinishRun(ctx, finished))
	abandoned := &store.Run{Kind: "forecast", Mode: "naive", CodeVersion: "test", Host: "h", StartedAt: t0}
	require.NoError(t, s.StartRun(ctx, abandoned))
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{sampleForecast(finished.ID)}))
	_, err := s.AbandonStaleRuns(ctx, t0.Add(time.Hour), time.Minute)
	require.NoError(t, err)

	for {
		v, err := s.MigrateDown(ctx)
		require.NoError(t, err)
		if v == 2 {
			break
		}
	}
	// (The store's reads need the latest schema: the rows are checked
	// after migrating up again.)
	_, err = s.MigrateUp(ctx)
	require.NoError(t, err)

	fs, err := s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, fs, 1)
	require.Equal(t, finished.ID, fs[0].RunID)
	got, err := s.Run(ctx, finished.ID)
	require.NoError(t, err)
	require.Equal(t, store.RunSucceeded, got.Status)
	require.Equal(t, finished.Parameters, got.Parameters)
	require.True(t, got.FinishedAt.Equal(finished.FinishedAt))
	require.True(t, got.HeartbeatAt.Equal(finished.FinishedAt), "an old run's heartbeat is its end")
	got, err = s.Run(ctx, abandoned.ID)
	require.NoError(t, err)
	require.Equal(t, store.RunFailed, got.Status)
	next := &store.Run{Kind: "forecast", CodeVersion: "test", Host: "h", StartedAt: t0}
	require.NoError(t, s.StartRun(ctx, next))
	require.Greater(t, next.ID, abandoned.ID, "ids are not reused")
}

func sampleForecast(runID int64) store.Forecast {
	return store.Forecast{
		RunID: runID, Symbol: "AAPL", Horizon: "1D", AsOf: day("2023-12-29"), TargetDate: day("2024-01-01"),
		Ensemble: "naive", LastPrice: 192.53, Return: 0.0004, Price: 192.53 * math.Exp(0.0004), Volatility: 0.0088,
		PBear: 0.39, PNeutral: 0.18, PBull: 0.43, Label: "bullish", Confidence: 0.43, Agreement: 1,
		CILower: -0.0141, CIUpper: 0.0149, ModelsUsed: []string{"naive"}, Weights: map[string]float64{"naive": 1},
		Components: []store.Component{{Model: "naive", Weight: 1, Mu: 0.0004, Sigma: 0.0088, PBear: 0.39, PNeutral: 0.18, PBull: 0.43}},
		DataHash:   "abc", TrainBars: 756, Seed: 1, CodeVersion: "test",
	}
}

func testForecasts(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := &store.Run{Kind: "forecast", Mode: "naive", CodeVersion: "test", Host: "h", StartedAt: time.Now()}
	require.NoError(t, s.StartRun(ctx, run))
	f := sampleForecast(run.ID)
	g := f
	g.Symbol = "MSFT"
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{f, g}))
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{f, g}))
	all, err := s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, all, 2, "the same write twice leaves one row per key")

	got := all[0]
	require.Equal(t, "AAPL", got.Symbol)
	require.True(t, got.AsOf.Equal(f.AsOf))
	require.True(t, got.TargetDate.Equal(f.TargetDate))
	require.Equal(t, f.Return, got.Return)
	require.Equal(t, f.Price, got.Price)
	require.Equal(t, f.Components, got.Components)
	require.Equal(t, f.Weights, got.Weights)
	require.Equal(t, f.ModelsUsed, got.ModelsUsed)
	require.Nil(t, got.RealisedReturn)

	// A matured forecast keeps its realised return when re-forecast.
	r := 0.01
	f.RealisedReturn = &r
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{f}))
	f.RealisedReturn = nil
	f.Return = 0.0005
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{f}))
	one, err := s.Forecasts(ctx, store.ForecastFilter{Symbol: "AAPL", Ensemble: "naive", From: f.AsOf, To: f.AsOf})
	require.NoError(t, err)
	require.Len(t, one, 1)
	require.Equal(t, 0.0005, one[0].Return)
	require.NotNil(t, one[0].RealisedReturn)
	require.Equal(t, 0.01, *one[0].RealisedReturn)
	require.NotNil(t, one[0].ForecastError)
	require.InDelta(t, 0.01-0.0005, *one[0].ForecastError, 1e-18, "forecast_error = realised - forecast")
	require.False(t, one[0].MaturedAt.IsZero())

	// Maturing: MSFT's row gets its realised return once, not twice.
	no := false
	open, err := s.Forecasts(ctx, store.ForecastFilter{Matured: &no})
	require.NoError(t, err)
	require.Len(t, open, 1)
	require.Equal(t, "MSFT", open[0].Symbol)
	rr := []store.RealisedReturn{{Symbol: "MSFT", Horizon: "1D", AsOf: f.AsOf, Return: -0.002}}
	n, err := s.SetRealisedReturns(ctx, rr)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	rr[0].Return = 0.5
	n, err = s.SetRealisedReturns(ctx, rr)
	require.NoError(t, err)
	require.Zero(t, n, "a matured forecast keeps its first realised return")
	yes := true
	matured, err := s.Forecasts(ctx, store.ForecastFilter{Matured: &yes, Symbol: "MSFT"})
	require.NoError(t, err)
	require.Len(t, matured, 1)
	require.Equal(t, -0.002, *matured[0].RealisedReturn)

	// One bad row rolls back the whole transaction.
	h := f
	h.Symbol = "SPY"
	bad := f
	bad.Symbol, bad.Label = "QQQ", "sideways"
	require.Error(t, s.SaveForecasts(ctx, []store.Forecast{h, bad}))
	none, err := s.Forecasts(ctx, store.ForecastFilter{Symbol: "SPY"})
	require.NoError(t, err)
	require.Empty(t, none)
}

func ptr[T any](v T) *T { return &v }

func testValidationMetrics(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	base := store.ValidationMetrics{
		SymbolID: "AAPL", Symbol: "AAPL", Horizon: "1D", ValidationDate: now.Add(-24 * time.Hour), WindowID: 1,
		TrainRMSE: ptr(0.011), ValRMSE: 0.0125, TestRMSE: 0.0150, Divergence: 0.2, IsOverfitting: false,
		ModelCount: 2, ModelsUsed: []string{"arima_garch", "lstm"}, NTrainSamples: ptr(756), NValSamples: ptr(126),
		NTestSamples: ptr(126), DataSpanDays: ptr(1460), Hyperparameters: map[string]any{"p": 1.0},
		DirectionalAccuracy: ptr(0.5238), MeanAbsoluteError: ptr(0.0101), TrainedAt: &now,
	}
	second := base
	second.WindowID, second.ValidationDate = 2, now.Add(-2*time.Hour)
	second.ValRMSE, second.TestRMSE, second.Divergence, second.IsOverfitting = 0.01, 0.014, 0.4, true
	second.DirectionalAccuracy = ptr(0.4762)
	old := base
	old.WindowID, old.ValidationDate, old.Divergence = 3, now.AddDate(0, 0, -40), 0.9

	require.NoError(t, s.UpsertValidationMetrics(ctx, []store.ValidationMetrics{base, second, old}))
	require.NoError(t, s.UpsertValidationMetrics(ctx, []store.ValidationMetrics{base, second, old}))
	rows, err := s.ValidationMetrics(ctx, "AAPL", "1D")
	require.NoError(t, err)
	require.Len(t, rows, 3, "the same write twice leaves one row per window")
	got := rows[1]
	require.Equal(t, 1, got.WindowID)
	require.Equal(t, store.DefaultDivergenceThreshold, got.DivergenceThreshold)
	require.Equal(t, base.ModelsUsed, got.ModelsUsed)
	require.Equal(t, base.Hyperparameters, got.Hyperparameters)
	require.InDelta(t, 0.0125, got.ValRMSE, 1e-12)
	require.InDelta(t, 0.5238, *got.DirectionalAccuracy, 1e-12)
	require.Equal(t, 756, *got.NTrainSamples)
	require.True(t, got.ValidationDate.Equal(base.ValidationDate), "%v != %v", got.ValidationDate, base.ValidationDate)

	// Over the last 7 days only windows 1 and 2 count: averages by hand,
	// divergence (0.2+0.4)/2 = 0.3, val RMSE (0.0125+0.01)/2 = 0.01125,
	// test RMSE (0.015+0.014)/2 = 0.0145, accuracy (0.5238+0.4762)/2 = 0.5.
	st, err := s.EnsembleStats(ctx, "AAPL", "1D", 7)
	require.NoError(t, err)
	require.Equal(t, int64(2), st.TotalValidations)
	require.Equal(t, int64(1), st.OverfittingCount)
	require.InDelta(t, 0.3, st.AvgDivergence, 1e-9)
	require.InDelta(t, 0.4, st.MaxDivergence, 1e-9)
	require.InDelta(t, 0.01125, st.AvgValRMSE, 1e-9)
	require.InDelta(t, 0.0145, st.AvgTestRMSE, 1e-9)
	require.InDelta(t, 0.5, st.AvgDirectionalAccuracy, 1e-9)
	require.True(t, st.LatestValidation.Equal(second.ValidationDate))

	empty, err := s.EnsembleStats(ctx, "MSFT", "1D", 7)
	require.NoError(t, err)
	require.Zero(t, empty.TotalValidations)

	for name, mutate := range map[string]func(*store.ValidationMetrics){
		"negative divergence": func(m *store.ValidationMetrics) { m.Divergence = -0.1 },
		"zero val_rmse":       func(m *store.ValidationMetrics) { m.ValRMSE = 0 },
		"zero train_rmse":     func(m *store.ValidationMetrics) { m.TrainRMSE = ptr(0.0) },
		"model_count 7":       func(m *store.ValidationMetrics) { m.ModelCount = 7 },
		"model_count 0":       func(m *store.ValidationMetrics) { m.ModelCount = 0 },
	} {
		m := base
		m.WindowID = 99
		mutate(&m)
		err := s.UpsertValidationMetrics(ctx, []store.ValidationMetrics{m})
		require.Error(t, err, "check constraint: %s", name)
		require.False(t, errors.Is(err, store.ErrNotFound))
	}
}
