package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/canary"
	"runner/forecast"
	"runner/jobs"
	"runner/store"
)

// TestProductionBackfillServesByTheCanaryOfEachDay: a production backfill
// that follows the canary serves, on each day, the ensemble the canary
// state served that day (the candidate for AAPL from the day its stage was
// passed by hand, legacy elsewhere), computing only that one; a second run
// finds every unit done; a rollback recorded afterwards for the last day
// redoes that day only, now served by legacy. The two ensembles are naive
// stand-ins named candidate and legacy, to stay fast.
func TestProductionBackfillServesByTheCanaryOfEachDay(t *testing.T) {
	job, s := newJob(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2023, 12, d, 0, 0, 0, 0, time.UTC) }
	p := &canary.Policy{Store: s, Source: job.Source, Log: job.Log, Config: canary.Config{Actor: "tester@host"}}
	stages := []store.CanaryStage{{Name: "one", Symbols: []string{"AAPL"}, MinDays: 1, MinMatured: 1}, {Name: "all", All: true, MinDays: 1, MinMatured: 1}}
	_, err := p.Start(ctx, stages, day(18), "test")
	require.NoError(t, err)
	d, err := s.LatestCanary(ctx)
	require.NoError(t, err)
	d.Stage, d.StageStartedOn = 1, day(20)
	require.NoError(t, s.RecordCanary(ctx, d, nil, &store.CanaryEvent{Kind: store.CanaryAdvanced, FromStage: "one",
		ToStage: "all", AsOf: day(20), Actor: "tester@host", Reason: "by hand", CreatedAt: time.Now()}))

	stand := func(name string) forecast.Ensemble {
		return forecast.Ensemble{Name: name, Members: []forecast.Member{{Model: "naive", Weight: 1}}}
	}
	spec := jobs.BackfillSpec{Kind: store.BackfillForecast, Forecast: &jobs.ForecastConfig{
		Ensembles: []forecast.Ensemble{stand("candidate"), stand("legacy")}, Served: "legacy", ServeByCanary: true,
		Mode: "production", TrainBars: 100}}
	cfg := jobs.BackfillConfig{Spec: spec, Symbols: []string{"AAPL", "MSFT"}, From: day(18), To: day(21)}
	bj := &jobs.BackfillJob{Units: jobs.UnitRunner{Source: job.Source, Store: s, Log: job.Log}, Log: job.Log}
	res, err := bj.Run(ctx, cfg)
	require.NoError(t, err)
	require.Len(t, res.Results, 8)

	served := func() map[string]string {
		fs, err := s.Forecasts(ctx, store.ForecastFilter{})
		require.NoError(t, err)
		out := map[string]string{}
		for _, f := range fs {
			if f.Served {
				out[f.Symbol+" "+f.AsOf.Format("02")] += f.Ensemble
			}
		}
		return out
	}
	want := map[string]string{"AAPL 18": "legacy", "AAPL 19": "legacy", "AAPL 20": "candidate", "AAPL 21": "candidate",
		"MSFT 18": "legacy", "MSFT 19": "legacy", "MSFT 20": "legacy", "MSFT 21": "legacy"}
	require.Equal(t, want, served())
	fs, err := s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, fs, 8, "one ensemble computed per symbol and day")

	res, err = bj.Run(ctx, cfg)
	require.NoError(t, err)
	require.Len(t, res.Plan.Skipped, 8, "every unit done")
	require.Empty(t, res.Results)

	_, err = p.Rollback(ctx, day(21), "by hand")
	require.NoError(t, err)
	res, err = bj.Run(ctx, cfg)
	require.NoError(t, err)
	require.Len(t, res.Results, 1, "only the day the rollback changed")
	require.Equal(t, "AAPL", res.Results[0].Symbol)
	want["AAPL 21"] = "legacy"
	require.Equal(t, want, served())
}
