package main

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
	"runner/store/postgres"
	"runner/store/sqlite"
	"runner/store/storetest"
)

// crashBackfill is the backfill the crash tests kill: canary forecasts of
// AAPL and MSFT over the 19 trading days of December 2023 to the 28th
// (38 units), one epoch for the learned models to keep it short.
var crashBackfill = []string{"--log-level", "warn", "--data", prices, "backfill", "--mode", "canary",
	"--symbols", "AAPL,MSFT", "--epochs", "1", "--from", "2023-12-01", "--to", "2023-12-28", "--workers", "2"}

// River settings of the PostgreSQL runs: a job left running by a killed
// process is rescued once it has been running for 11 s; the leader that
// rescues it is elected within River's leadership TTL (15 s) of the kill.
var crashRiver = []string{"--unit-timeout", "10s", "--rescue-after", "11s", "--poll-interval", "100ms"}

// reference is the uninterrupted crashBackfill on SQLite, run once.
var reference struct {
	once sync.Once
	want []store.Forecast
	took time.Duration
}

// crashReference runs crashBackfill uninterrupted on SQLite, the first
// time it is called, and returns its forecasts and how long it took.
func crashReference(t *testing.T) ([]store.Forecast, time.Duration) {
	reference.once.Do(func() {
		path := filepath.Join(t.TempDir(), "reference.db")
		began := time.Now()
		p := start(t, nil, append([]string{"--database-url", "sqlite:" + path}, crashBackfill...)...)
		require.Equal(t, 0, p.wait(t, 5*time.Minute), "%s\n%s", p.stdout.String(), p.stderr.String())
		reference.took = time.Since(began)
		s, err := sqlite.Open(context.Background(), path)
		require.NoError(t, err)
		defer s.Close()
		reference.want = readForecasts(t, s)
	})
	require.Len(t, reference.want, 2*2*19, "a candidate and a legacy forecast per symbol and day")
	return reference.want, reference.took
}

func envInt(t *testing.T, name string, def int64) int64 {
	if s := os.Getenv(name); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		require.NoError(t, err, name)
		return v
	}
	return def
}

// comparable is a forecast without what differs between two runs of the
// same work: row and run ids, timestamps, code version.
func comparable(fs []store.Forecast) []store.Forecast {
	out := make([]store.Forecast, len(fs))
	for i, f := range fs {
		f.ID, f.RunID, f.CreatedAt, f.UpdatedAt, f.MaturedAt, f.CodeVersion = 0, 0, time.Time{}, time.Time{}, time.Time{}, ""
		out[i] = f
	}
	return out
}

func readForecasts(t *testing.T, s store.Store) []store.Forecast {
	fs, err := s.Forecasts(context.Background(), store.ForecastFilter{})
	require.NoError(t, err)
	return comparable(fs)
}

// TestBackfillKilledResumes kills a backfill with SIGKILL at random
// moments, each time starting the same command again, then lets it
// finish: its forecasts equal, number for number, those of an
// uninterrupted backfill on SQLite, one row per symbol, day and ensemble,
// and SQLite's integrity check passes. On PostgreSQL the units are River
// jobs; those the killed process was working are rescued and retried.
// RUNNER_CRASH_KILLS (default 3) and RUNNER_CRASH_KILLS_PG (default 1)
// set the number of kills, RUNNER_CRASH_SEED the moments
// (scripts/backfill-crash.sh runs 10 of each).
func TestBackfillKilledResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("real processes, several backfills")
	}
	seed := uint64(envInt(t, "RUNNER_CRASH_SEED", time.Now().UnixNano()))
	t.Logf("RUNNER_CRASH_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 13))

	want, took := crashReference(t)

	// killAndRerun starts the backfill kills times, killing each run at a
	// random moment within 1/kills of an uninterrupted run (so that the
	// kills land before the work is done, at every stage of it: start-up,
	// planning, units, their writes), then runs it to the end.
	killAndRerun := func(t *testing.T, args []string, kills int64, wait time.Duration) {
		killed := 0
		for i := range kills {
			p := start(t, nil, args...)
			at := time.Duration(rng.Int64N(int64(took)/kills)) + 50*time.Millisecond
			select {
			case <-p.done:
				t.Logf("run %d ended before its kill at %s", i+1, at)
			case <-time.After(at):
				require.NoError(t, p.cmd.Process.Kill())
				<-p.done
				killed++
				t.Logf("run %d killed after %s", i+1, at)
			}
		}
		t.Logf("%d of %d runs killed", killed, kills)
		p := start(t, nil, args...)
		require.Equal(t, 0, p.wait(t, wait), "%s\n%s", p.stdout.String(), p.stderr.String())
	}

	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "runner.db")
		killAndRerun(t, append([]string{"--database-url", "sqlite:" + path}, crashBackfill...),
			envInt(t, "RUNNER_CRASH_KILLS", 3), 5*time.Minute)
		s, err := sqlite.Open(context.Background(), path)
		require.NoError(t, err)
		defer s.Close()
		require.Equal(t, want, readForecasts(t, s))
		var check string
		require.NoError(t, s.DB().QueryRow(`PRAGMA integrity_check`).Scan(&check))
		require.Equal(t, "ok", check)
		var units, done int
		require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'done') FROM backfill_units`).Scan(&units, &done))
		require.Equal(t, []int{38, 38}, []int{units, done})
	})
	t.Run("postgres", func(t *testing.T) {
		url, schema := storetest.Schema(t)
		args := append(append([]string{"--database-url", url + "&search_path=" + schema}, crashBackfill...), crashRiver...)
		killAndRerun(t, args, envInt(t, "RUNNER_CRASH_KILLS_PG", 1), 5*time.Minute)
		s, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema})
		require.NoError(t, err)
		defer s.Close()
		require.Equal(t, want, readForecasts(t, s), "the PostgreSQL rows equal the SQLite ones")
		var units, done int
		require.NoError(t, s.Pool().QueryRow(context.Background(),
			`SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'done') FROM backfill_units`).Scan(&units, &done))
		require.Equal(t, []int{38, 38}, []int{units, done})
	})
}
