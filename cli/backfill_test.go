package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/marketdata"
	"runner/migrations"
	"runner/store"
	"runner/store/sqlite"
	"runner/store/storetest"
)

// tradingDays returns the last n dates of the symbol's bars up to to.
func tradingDays(t *testing.T, dir, sym string, to time.Time, n int) []time.Time {
	t.Helper()
	bars, err := marketdata.CSVSource{Dir: dir}.Bars(context.Background(), sym)
	require.NoError(t, err)
	var days []time.Time
	for _, b := range bars {
		if !b.Date.After(to) {
			days = append(days, b.Date)
		}
	}
	require.GreaterOrEqual(t, len(days), n)
	return days[len(days)-n:]
}

// comparable is a forecast without what differs between two runs of the
// same work: row and run ids, timestamps.
func comparable(fs []store.Forecast) []store.Forecast {
	out := make([]store.Forecast, len(fs))
	for i, f := range fs {
		f.ID, f.RunID, f.CreatedAt, f.UpdatedAt, f.MaturedAt = 0, 0, time.Time{}, time.Time{}, time.Time{}
		out[i] = f
	}
	return out
}

func openSQLite(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestBackfillEqualsDailyForecasts runs 30 trading days of canary
// forecasts for AAPL twice: as 30 daily runner forecast runs, and as
// runner backfill. The first 22 days use the default weights; the last 8
// inverse_rmse weights, which learn from the matured forecasts before
// each day, so the backfill must run them in date order. Both stores end
// with the same rows, number for number (exact equality: the same code on
// the same inputs). A second backfill finds every unit done and runs none.
func TestBackfillEqualsDailyForecasts(t *testing.T) {
	if testing.Short() {
		t.Skip("60 canary forecasts")
	}
	days := tradingDays(t, prices, "AAPL", time.Date(2023, 12, 28, 0, 0, 0, 0, time.UTC), 30)
	common := []string{"--mode", "canary", "--symbols", "AAPL", "--epochs", "2"}
	inverse := []string{"--weights", "inverse_rmse", "--weight-lookback", "20"}
	const split = 22

	dir := t.TempDir()
	daily := filepath.Join(dir, "daily.db")
	for i, d := range days {
		args := append([]string{"--database-url", "sqlite:" + daily, "--data", prices, "forecast", "--as-of", day(d)}, common...)
		if i >= split {
			args = append(args, inverse...)
		}
		code, out, stderr := run(t, args...)
		require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	}

	backfill := filepath.Join(dir, "backfill.db")
	bf := func(from, to time.Time, extra ...string) (int, string, string) {
		args := append([]string{"--database-url", "sqlite:" + backfill, "--data", prices, "backfill",
			"--from", day(from), "--to", day(to), "--workers", "2"}, common...)
		return run(t, append(args, extra...)...)
	}
	code, out, stderr := bf(days[0], days[split-1])
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "22 units: 0 already done, 22 to run; 22 run, 0 failed, 0 degraded")
	code, out, stderr = bf(days[split], days[len(days)-1], inverse...)
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "8 units: 0 already done, 8 to run; 8 run, 0 failed, 0 degraded")

	want := comparable(forecasts(t, openSQLite(t, daily)))
	got := comparable(forecasts(t, openSQLite(t, backfill)))
	require.Len(t, want, 2*len(days), "a candidate and a legacy forecast per day")
	require.Equal(t, want, got)
	// The last days' weights were learned, not the defaults.
	last := got[len(days)-1]
	require.Equal(t, "candidate", last.Ensemble)
	require.NotEqual(t, 0.5, last.Weights["lstm"])

	// Done units are skipped: nothing runs, no run is recorded.
	s := openSQLite(t, backfill)
	var runsBefore, runsAfter int
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM forecast_runs`).Scan(&runsBefore))
	code, out, stderr = bf(days[0], days[split-1])
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "22 units: 22 already done, 0 to run; 0 run, 0 failed")
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM forecast_runs`).Scan(&runsAfter))
	require.Equal(t, runsBefore, runsAfter)

	// Another configuration is another set of units.
	code, out, stderr = bf(days[0], days[1], "--seed", "2")
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "2 units: 0 already done, 2 to run; 2 run")
}

// TestBackfillFailedUnitsRetried backfills naive forecasts from a CSV
// directory whose AAPL history starts too late for the first two days
// (fewer than --train-bars bars up to them): those units fail, are
// listed, the exit code is 3 and runner backfill status shows them. The
// next run, on the full history, retries them alone.
func TestBackfillFailedUnitsRetried(t *testing.T) {
	days := tradingDays(t, prices, "AAPL", time.Date(2023, 12, 28, 0, 0, 0, 0, time.UTC), 6)
	// A history whose first bar leaves the first two days short of
	// 100 bars.
	csv, err := os.ReadFile(filepath.Join(prices, "AAPL.csv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	idx := -1
	for i, l := range lines {
		if strings.HasPrefix(l, day(days[2])) {
			idx = i
		}
	}
	require.Positive(t, idx)
	short := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(short, "AAPL.csv"),
		[]byte(lines[0]+"\n"+strings.Join(lines[idx-99:], "\n")+"\n"), 0o644))

	db := "sqlite:" + filepath.Join(t.TempDir(), "runner.db")
	args := func(data string) []string {
		return []string{"--database-url", db, "--data", data, "backfill", "--ensemble", "naive", "--symbols", "AAPL",
			"--train-bars", "100", "--from", day(days[0]), "--to", day(days[len(days)-1])}
	}
	code, out, stderr := run(t, args(short)...)
	require.Equal(t, ExitPartial, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "6 units: 0 already done, 6 to run; 6 run, 2 failed")
	require.Contains(t, out, "failed units (the next run retries them):\n  AAPL "+day(days[0]))
	require.Contains(t, out, "  AAPL "+day(days[1]))
	require.Contains(t, stderr, "2 of 6 units failed")

	code, out, stderr = run(t, "--database-url", db, "backfill", "status", "--id", "1")
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "6 units: 4 done (66.7%), 0 pending, 0 running, 2 failed")
	require.Contains(t, out, "AAPL "+day(days[0])+" (1 attempts): AAPL "+day(days[0]))

	code, out, stderr = run(t, args(prices)...)
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "6 units: 4 already done, 2 to run; 2 run, 0 failed")
	code, out, _ = run(t, "--database-url", db, "backfill", "status")
	require.Equal(t, ExitOK, code)
	require.Regexp(t, `1\s+forecast\s+naive\s+\S+\s+\S+\s+[0-9a-f]{16}\s+6\s+6\s+0\s+0`, out)
}

func TestBackfillUsage(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "runner.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backfill", "--from", "2023-01-03"}, "backfill: --from and --to are required"},
		{[]string{"backfill", "--from", "2023-02-03", "--to", "2023-01-03"}, "backfill: --to 2023-01-03 is before --from 2023-02-03"},
		{[]string{"backfill", "--from", "2023-01-03", "--to", "2023-01-31", "--kind", "both"}, `backfill: --kind "both": want forecast or validate`},
		{[]string{"backfill", "--from", "2023-01-03", "--to", "2023-01-31", "--workers", "0"}, "backfill: --workers 0: want an integer of at least 1"},
		{[]string{"backfill", "--from", "2023-01-03", "--to", "2023-01-31", "--detach"}, "backfill: --detach needs PostgreSQL"},
		{[]string{"backfill", "--from", "2023-01-03", "--to", "2023-01-31", "--unit-timeout", "2h"}, "backfill: --rescue-after 1h0m0s: must exceed --unit-timeout 2h0m0s"},
		{[]string{"backfill", "--from", "2023-01-03", "--to", "2023-01-31", "--kind", "validate", "--weights", "ridge"}, "not with --kind validate"},
		{[]string{"worker"}, "worker: needs PostgreSQL"},
		{[]string{"worker", "--concurrency", "0"}, "worker: --concurrency 0: want an integer of at least 1"},
	} {
		code, out, stderr := run(t, append([]string{"--database-url", db, "--data", prices}, c.args...)...)
		require.Equal(t, ExitUsage, code, "%v\n%s\n%s", c.args, out, stderr)
		require.Contains(t, stderr, c.want, "%v", c.args)
	}
}

// TestMigrateRiverPostgres runs runner migrate on PostgreSQL: up applies
// ours and River's tables, status lists both, down removes River's first
// (all its versions), the next down reverts our latest, and up brings
// both back.
func TestMigrateRiverPostgres(t *testing.T) {
	url, schema := storetest.Schema(t)
	url += "&search_path=" + schema
	migrate := func(verb string) string {
		code, out, stderr := run(t, "--database-url", url, "migrate", verb)
		require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
		return out
	}
	// Ours first, the latest of them just before River's.
	all, err := migrations.Load(migrations.Postgres)
	require.NoError(t, err)
	latest := fmt.Sprintf("%04d", all[len(all)-1].Version)
	out := migrate("up")
	require.Contains(t, out, "migrate up: applied "+latest+"\nmigrate up: applied river 001\n")
	require.Regexp(t, `river job queue\s+applied \(river versions 001 to 0\d\d\)`, migrate("status"))
	require.Regexp(t, `migrate down: removed river's tables \(river versions 0\d\d to 001\)`, migrate("down"))
	require.Regexp(t, `river job queue\s+pending`, migrate("status"))
	require.Contains(t, migrate("down"), "migrate down: reverted "+latest)
	out = migrate("up")
	require.Contains(t, out, "migrate up: applied "+latest+"\nmigrate up: applied river 001\n")
	require.Contains(t, migrate("up"), "nothing to apply")
}

// TestBackfillValidateEqualsValidate backfills walk-forward windows (one
// unit per window) and compares their metrics with those runner validate
// writes for the same windows in one run: the same rows, number for
// number, the configuration hash in their hyperparameters. A rerun finds
// every window done.
func TestBackfillValidateEqualsValidate(t *testing.T) {
	spans := []string{"--ensemble", "candidate", "--epochs", "1", "--symbols", "AAPL,MSFT", "--grid", "fixed", "--train-bars", "200",
		"--val-bars", "40", "--test-bars", "40", "--step", "21", "--from", "2023-09-01", "--to", "2023-12-29"}
	dir := t.TempDir()
	metrics := func(path string) []store.ValidationMetrics {
		s := openSQLite(t, path)
		var out []store.ValidationMetrics
		for _, sym := range []string{"AAPL", "MSFT"} {
			ms, err := s.ValidationMetrics(context.Background(), sym, "1D")
			require.NoError(t, err)
			for _, m := range ms {
				m.ID, m.TrainedAt, m.CreatedAt, m.UpdatedAt = 0, nil, time.Time{}, time.Time{}
				out = append(out, m)
			}
		}
		return out
	}
	validate := filepath.Join(dir, "validate.db")
	code, out, stderr := run(t, append([]string{"--database-url", "sqlite:" + validate, "--data", prices, "validate"}, spans...)...)
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	backfill := filepath.Join(dir, "backfill.db")
	args := append([]string{"--database-url", "sqlite:" + backfill, "--data", prices, "backfill", "--kind", "validate"}, spans...)
	code, out, stderr = run(t, args...)
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "8 units: 0 already done, 8 to run; 8 run, 0 failed")
	want, got := metrics(validate), metrics(backfill)
	require.Len(t, want, 8, "4 windows ending from September to December, 2 symbols")
	require.Equal(t, want, got)
	require.Len(t, got[0].Hyperparameters["config_hash"], 16)

	code, out, stderr = run(t, args...)
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "8 units: 8 already done, 0 to run")
}
