package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
)

// testCanary starts a deployment, records an evaluation twice (one metrics
// row and one event, updated) and a manual rollback, and reads them back.
func testCanary(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.LatestCanary(ctx)
	require.ErrorIs(t, err, store.ErrNotFound)
	none, err := s.CanaryDeployments(ctx)
	require.NoError(t, err)
	require.Empty(t, none)

	at := time.Date(2024, 1, 2, 19, 0, 0, 0, time.UTC)
	d := store.CanaryDeployment{
		Stages: []store.CanaryStage{
			{Name: "7.1", Symbols: []string{"AAPL", "MSFT", "SPY"}, MinDays: 7, MinMatured: 15},
			{Name: "7.3", All: true, MinDays: 7, MinMatured: 50},
		},
		StageStartedOn: day("2024-01-02"), Status: store.CanaryActive, Actor: "ann@host", StartedAt: at, UpdatedAt: at,
	}
	start := store.CanaryEvent{Kind: store.CanaryStarted, ToStage: "7.1", AsOf: day("2024-01-02"), Actor: "ann@host",
		Reason: "first rollout", Figures: map[string]any{"stages": 2.0}, CreatedAt: at}
	require.NoError(t, s.StartCanary(ctx, &d, &start))
	require.NotZero(t, d.ID)
	require.Equal(t, d.ID, start.DeploymentID)

	got, err := s.LatestCanary(ctx)
	require.NoError(t, err)
	require.Equal(t, d, got)

	div, rmse := 0.08, 0.031
	m := store.CanaryMetrics{Stage: "7.1", AsOf: day("2024-01-03"), DaysInStage: 2, Symbols: []string{"AAPL", "MSFT", "SPY"},
		AvgDivergence: &div, MaxDivergence: &div, CandidateRMSE: &rmse, MaturedForecasts: 6, Coverage: 1,
		Decision: "hold", Criteria: []map[string]any{{"name": "min_days", "value": 2.0, "threshold": 7.0, "pass": false}},
		CreatedAt: at.AddDate(0, 0, 1)}
	ev := store.CanaryEvent{Kind: store.CanaryHeld, FromStage: "7.1", ToStage: "7.1", AsOf: m.AsOf, Actor: "ann@host",
		Reason: "min_days", Figures: map[string]any{"avg_divergence": div}, CreatedAt: m.CreatedAt}
	require.NoError(t, s.RecordCanary(ctx, d, &m, &ev))
	firstM, firstEv := m.ID, ev.ID
	// The same evaluation again updates its rows.
	m.ID, ev.ID, ev.MetricsID, m.MaturedForecasts = 0, 0, nil, 7
	require.NoError(t, s.RecordCanary(ctx, d, &m, &ev))
	require.Equal(t, firstM, m.ID)
	require.Equal(t, firstEv, ev.ID)

	d.Status, d.UpdatedAt = store.CanaryRolledBack, at.AddDate(0, 0, 2)
	rb := store.CanaryEvent{Kind: store.CanaryRolledBackEv, FromStage: "7.1", ToStage: "legacy", AsOf: day("2024-01-04"),
		Actor: "bob@host", Reason: "test", CreatedAt: d.UpdatedAt}
	require.NoError(t, s.RecordCanary(ctx, d, nil, &rb))

	got, err = s.LatestCanary(ctx)
	require.NoError(t, err)
	require.Equal(t, store.CanaryRolledBack, got.Status)
	require.Equal(t, d.UpdatedAt, got.UpdatedAt)

	// A second deployment after the rollback: both listed, by id.
	next := d
	next.ID, next.Status, next.StartedAt, next.UpdatedAt = 0, store.CanaryActive, at.AddDate(0, 0, 3), at.AddDate(0, 0, 3)
	again := start
	again.ID, again.AsOf, again.CreatedAt = 0, day("2024-01-05"), next.StartedAt
	require.NoError(t, s.StartCanary(ctx, &next, &again))
	all, err := s.CanaryDeployments(ctx)
	require.NoError(t, err)
	require.Equal(t, []store.CanaryDeployment{got, next}, all)

	evs, err := s.CanaryEvents(ctx, d.ID)
	require.NoError(t, err)
	require.Len(t, evs, 3, "started, held (updated once), rolled_back")
	require.Equal(t, []string{"started", "held", "rolled_back"}, []string{evs[0].Kind, evs[1].Kind, evs[2].Kind})
	require.Equal(t, firstM, *evs[1].MetricsID)
	require.Nil(t, evs[2].MetricsID)
	require.Equal(t, "bob@host", evs[2].Actor)
	require.Equal(t, "test", evs[2].Reason)
	require.Equal(t, map[string]any{}, evs[2].Figures)
	require.Equal(t, 0.08, evs[1].Figures["avg_divergence"])
	require.Equal(t, day("2024-01-04"), evs[2].AsOf)

	ms, err := s.CanaryMetrics(ctx, d.ID)
	require.NoError(t, err)
	require.Len(t, ms, 1)
	require.Equal(t, 7, ms[0].MaturedForecasts)
	require.Equal(t, 0.08, *ms[0].AvgDivergence)
	require.Nil(t, ms[0].LegacyRMSE)
	require.Equal(t, []string{"AAPL", "MSFT", "SPY"}, ms[0].Symbols)
	require.Equal(t, false, ms[0].Criteria[0]["pass"])
	require.Equal(t, day("2024-01-03"), ms[0].AsOf)
}

// testServedOnce: a served forecast unserves the other ensembles' rows of
// its symbol-day (production under the canary serving the candidate where
// the canary run served legacy), and only those.
func testServedOnce(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := &store.Run{Kind: "forecast", Mode: "canary", CodeVersion: "test", Host: "h", StartedAt: time.Now()}
	require.NoError(t, s.StartRun(ctx, run))
	legacy := sampleForecast(run.ID)
	legacy.Ensemble, legacy.Served = "legacy", true
	cand := legacy
	cand.Ensemble, cand.Served = "candidate", false
	other := legacy
	other.Symbol = "MSFT"
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{cand, legacy, other}))
	served := func() map[string]bool {
		fs, err := s.Forecasts(ctx, store.ForecastFilter{})
		require.NoError(t, err)
		out := map[string]bool{}
		for _, f := range fs {
			out[f.Symbol+" "+f.Ensemble] = f.Served
		}
		return out
	}
	require.Equal(t, map[string]bool{"AAPL candidate": false, "AAPL legacy": true, "MSFT legacy": true}, served())
	cand.Served = true
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{cand}))
	require.Equal(t, map[string]bool{"AAPL candidate": true, "AAPL legacy": false, "MSFT legacy": true}, served())
	// A row saved unserved (a shadow run) leaves the served one alone.
	legacy.Served = false
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{legacy}))
	require.Equal(t, map[string]bool{"AAPL candidate": true, "AAPL legacy": false, "MSFT legacy": true}, served())
}
