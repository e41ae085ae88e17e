package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
	"runner/store"
	"runner/store/postgres"
	"runner/store/storetest"
)

func riverStore(t *testing.T) (*postgres.Store, string) {
	t.Helper()
	ctx := context.Background()
	url, schema := storetest.Schema(t)
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.MigrateUp(ctx)
	require.NoError(t, err)
	_, err = s.RiverMigrateUp(ctx)
	require.NoError(t, err)
	return s, schema
}

func naiveSpec() jobs.BackfillSpec {
	return jobs.BackfillSpec{Kind: store.BackfillForecast, Forecast: &jobs.ForecastConfig{
		Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble}, Mode: "naive", TrainBars: 100}}
}

// TestEnqueueTwiceAddsNothing enqueues the units of a backfill twice as
// River jobs: the second time adds none, and returns the same jobs. A
// forced backfill of the same units is other jobs.
func TestEnqueueTwiceAddsNothing(t *testing.T) {
	ctx := context.Background()
	s, schema := riverStore(t)
	units := &jobs.UnitRunner{Source: marketdata.CSVSource{Dir: "../testdata/prices"}, Store: s, Log: zerolog.Nop()}
	cfg := jobs.BackfillConfig{Spec: naiveSpec(), Symbols: []string{"AAPL", "MSFT"},
		From: time.Date(2023, 12, 18, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 12, 22, 0, 0, 0, 0, time.UTC)}
	bj := &jobs.BackfillJob{Units: *units, Log: zerolog.Nop()}
	plan, err := bj.Plan(ctx, cfg)
	require.NoError(t, err)
	require.Equal(t, 10, plan.Pending(), "5 trading days, 2 symbols")

	client, err := jobs.NewRiverClient(s.Pool(), units, jobs.RiverConfig{}, zerolog.Nop())
	require.NoError(t, err)
	first, err := jobs.Enqueue(ctx, client, plan, cfg.Spec, false)
	require.NoError(t, err)
	require.Equal(t, 10, first.Added)
	// Planned again, as a rerun of the command would: the same backfill.
	plan2, err := bj.Plan(ctx, cfg)
	require.NoError(t, err)
	require.Equal(t, plan.Backfill.ID, plan2.Backfill.ID)
	second, err := jobs.Enqueue(ctx, client, plan2, cfg.Spec, false)
	require.NoError(t, err)
	require.Zero(t, second.Added, "enqueueing twice adds nothing")
	require.ElementsMatch(t, first.JobIDs, second.JobIDs)

	count := func() int {
		var n int
		require.NoError(t, s.Pool().QueryRow(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM %s`,
			pgx.Identifier{schema, "river_job"}.Sanitize())).Scan(&n))
		return n
	}
	require.Equal(t, 10, count())
	forced, err := jobs.Enqueue(ctx, client, plan, cfg.Spec, true)
	require.NoError(t, err)
	require.Equal(t, 10, forced.Added)
	require.Equal(t, 20, count())
}

// TestRiverBackfillWorks works a backfill's jobs with a River client in
// this process: every unit is done, its forecasts written once; a unit
// job of units already done completes without running them.
func TestRiverBackfillWorks(t *testing.T) {
	ctx := context.Background()
	s, _ := riverStore(t)
	units := &jobs.UnitRunner{Source: marketdata.CSVSource{Dir: "../testdata/prices"}, Store: s, Log: zerolog.Nop()}
	cfg := jobs.BackfillConfig{Spec: naiveSpec(), Symbols: []string{"AAPL", "SPY"},
		From: time.Date(2023, 12, 18, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 12, 20, 0, 0, 0, 0, time.UTC)}
	bj := &jobs.BackfillJob{Units: *units, Log: zerolog.Nop()}
	plan, err := bj.Plan(ctx, cfg)
	require.NoError(t, err)
	client, err := jobs.NewRiverClient(s.Pool(), units, jobs.RiverConfig{Concurrency: 2, PollInterval: 50 * time.Millisecond}, zerolog.Nop())
	require.NoError(t, err)
	enq, err := jobs.Enqueue(ctx, client, plan, cfg.Spec, false)
	require.NoError(t, err)
	require.NoError(t, client.Start(ctx))
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	require.NoError(t, jobs.WaitJobs(wctx, client, enq.JobIDs, 50*time.Millisecond, func() {}))
	require.NoError(t, client.Stop(ctx))

	fs, err := s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, fs, 6, "3 days, 2 symbols, one ensemble")
	us, err := s.BackfillUnits(ctx, plan.Backfill.ID, store.UnitDone)
	require.NoError(t, err)
	require.Len(t, us, 6)
	for _, u := range us {
		require.Equal(t, 1, u.Attempts, "%s %s", u.Symbol, u.Day)
		require.NotNil(t, u.RunID)
	}
	plan2, err := bj.Plan(ctx, cfg)
	require.NoError(t, err)
	require.Zero(t, plan2.Pending(), "every unit done")
}
