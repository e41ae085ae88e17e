package cli

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"runner/observe"
	"runner/store"
	"runner/store/storetest"
)

// TestCanaryStageGauge: the scheduler's canary stage gauge follows the
// latest deployment: none before a start, the current stage's number while
// active, 0 once rolled back.
func TestCanaryStageGauge(t *testing.T) {
	ctx := context.Background()
	s := storetest.SQLite(t)
	m := observe.NewMetrics()
	stage := func() (string, float64) {
		mfs, err := m.Registry.Gather()
		require.NoError(t, err)
		for _, mf := range mfs {
			if mf.GetName() == "runner_canary_stage" {
				require.Len(t, mf.GetMetric(), 1, "one stage series at a time")
				mt := mf.GetMetric()[0]
				return mt.GetLabel()[0].GetValue(), mt.GetGauge().GetValue()
			}
		}
		t.Fatal("no runner_canary_stage series")
		return "", 0
	}
	showCanaryStage(ctx, zerolog.Nop(), s, m)
	name, v := stage()
	require.Equal(t, "none", name)
	require.Equal(t, 0.0, v)

	day := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
	d := store.CanaryDeployment{Stages: []store.CanaryStage{{Name: "7.1", Symbols: []string{"AAPL"}, MinDays: 7},
		{Name: "7.2", Symbols: []string{"MSFT"}, MinDays: 7}, {Name: "7.3", All: true, MinDays: 7}},
		StageStartedOn: day, Status: store.CanaryActive, Actor: "test", StartedAt: day}
	require.NoError(t, s.StartCanary(ctx, &d, &store.CanaryEvent{Kind: store.CanaryStarted, ToStage: "7.1", AsOf: day, Actor: "test"}))
	showCanaryStage(ctx, zerolog.Nop(), s, m)
	name, v = stage()
	require.Equal(t, "7.1", name)
	require.Equal(t, 7.1, v)

	d.Stage, d.Status = 1, store.CanaryActive
	require.NoError(t, s.RecordCanary(ctx, d, nil, &store.CanaryEvent{DeploymentID: d.ID, Kind: store.CanaryAdvanced,
		FromStage: "7.1", ToStage: "7.2", AsOf: day.AddDate(0, 0, 10), Actor: "test"}))
	showCanaryStage(ctx, zerolog.Nop(), s, m)
	name, v = stage()
	require.Equal(t, "7.2", name)
	require.Equal(t, 7.2, v)

	d.Status = store.CanaryRolledBack
	require.NoError(t, s.RecordCanary(ctx, d, nil, &store.CanaryEvent{DeploymentID: d.ID, Kind: store.CanaryRolledBackEv,
		FromStage: "7.2", ToStage: "legacy", AsOf: day.AddDate(0, 0, 11), Actor: "test", Reason: "test"}))
	showCanaryStage(ctx, zerolog.Nop(), s, m)
	name, v = stage()
	require.Equal(t, "rolled_back", name)
	require.Equal(t, 0.0, v)
}
