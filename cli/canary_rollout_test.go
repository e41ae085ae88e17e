package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"runner/store"
	"runner/store/sqlite"
	"runner/store/storetest"
)

// canaryFixture writes a canary forecast and a validation window of
// AAPL, MSFT and SPY as of 2023-12-01 (one training epoch, fixed grid: a
// second or two) and starts a canary whose first stage counts from that
// day.
func canaryFixture(t *testing.T, db string) {
	for _, args := range [][]string{
		{"forecast", "--mode", "canary", "--as-of", "2023-12-01", "--epochs", "1"},
		{"validate", "--as-of", "2023-12-01", "--grid", "fixed", "--epochs", "1", "--ensemble", "candidate"},
		{"canary", "start", "--from", "2023-12-01", "--reason", "test"},
	} {
		code, out, stderr := run(t, append([]string{"--database-url", db, "--data", prices}, args...)...)
		require.Equal(t, ExitOK, code, "%v\n%s\n%s", args, out, stderr)
	}
}

// readOnlyCommands are the canary commands that must write nothing.
var readOnlyCommands = [][]string{
	{"canary", "evaluate", "--dry-run", "--as-of", "2023-12-01"},
	{"canary", "--verify-only", "--as-of", "2023-12-01", "--epochs", "1"},
	{"canary", "--as-of", "2023-12-01", "--epochs", "1", "start", "--verify-only"},
	{"canary", "status"},
	{"canary", "status", "--as-of", "2023-12-04"},
}

// On a SQLite file the read-only commands leave the database file byte
// for byte as it was; a real evaluation changes it (the comparison can
// see a write).
func TestCanaryReadOnlyCommandsSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runner.db")
	db := "sqlite:" + path
	canaryFixture(t, db)
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, args := range readOnlyCommands {
		code, out, stderr := run(t, append([]string{"--database-url", db, "--data", prices}, args...)...)
		// --verify-only fails its weights and calibration checks: none
		// were written (exit 1), and says so.
		if args[1] == "--verify-only" || args[len(args)-1] == "--verify-only" {
			require.Equal(t, ExitFailure, code, "%v\n%s\n%s", args, out, stderr)
			require.Contains(t, out, "ok    schema migrated")
			require.Contains(t, out, "ok    AAPL: lstm fits")
			require.Contains(t, out, "FAIL  AAPL: candidate calibration")
		} else {
			require.Equal(t, ExitOK, code, "%v\n%s\n%s", args, out, stderr)
		}
		after, err := os.ReadFile(path)
		require.NoError(t, err)
		require.True(t, string(before) == string(after), "%v changed the database file", args)
	}
	code, out, stderr := run(t, "--database-url", db, "--data", prices, "canary", "evaluate", "--as-of", "2023-12-01")
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "recorded: metrics row 1")
	require.NoError(t, sqliteCheckpoint(path))
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.False(t, string(before) == string(after), "an evaluation writes")
}

// sqliteCheckpoint opens and closes the database, so its WAL is folded
// into the file.
func sqliteCheckpoint(path string) error {
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		return err
	}
	_, err = s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	return errorsJoin(err, s.Close())
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// On PostgreSQL the read-only commands leave every table of the schema
// row for row as it was.
func TestCanaryReadOnlyCommandsPostgres(t *testing.T) {
	url, schema := storetest.Schema(t)
	url += "&search_path=" + schema
	canaryFixture(t, url)
	snapshot := func() map[string]string {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, url)
		require.NoError(t, err)
		defer conn.Close(ctx)
		rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1`, schema)
		require.NoError(t, err)
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		out := map[string]string{}
		for _, tb := range tables {
			id := pgx.Identifier{schema, tb}.Sanitize()
			var dump string
			require.NoError(t, conn.QueryRow(ctx, `SELECT COALESCE(string_agg(t::text, E'\n' ORDER BY t::text), '') FROM `+id+` t`).Scan(&dump))
			out[tb] = dump
		}
		return out
	}
	before := snapshot()
	require.NotEmpty(t, before["canary_deployments"])
	for _, args := range readOnlyCommands {
		run(t, append([]string{"--database-url", url, "--data", prices}, args...)...)
		require.Equal(t, before, snapshot(), "%v changed a table", args)
	}
	code, out, stderr := run(t, "--database-url", url, "--data", prices, "canary", "evaluate", "--as-of", "2023-12-01")
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	after := snapshot()
	require.NotEqual(t, before["canary_performance_metrics"], after["canary_performance_metrics"])
	require.NotEqual(t, before["canary_deployment_events"], after["canary_deployment_events"])
}

// Production serving follows the canary: after stage 7.1 is passed (here
// by a forced advance) AAPL gets the candidate and NVDA legacy; after
// runner rollback every symbol gets legacy; --model-count wins over the
// canary state.
func TestCanaryProductionServingAndRollback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runner.db")
	db := "sqlite:" + path
	canaryFixture(t, db)
	cli := func(args ...string) string {
		code, out, stderr := run(t, append([]string{"--database-url", db, "--data", prices}, args...)...)
		require.Equal(t, ExitOK, code, "%v\n%s\n%s", args, out, stderr)
		return out
	}
	code, out, _ := run(t, "--database-url", db, "--data", prices, "canary", "advance", "--reason", "try", "--as-of", "2023-12-01")
	require.Equal(t, ExitFailure, code, "the criteria fail on day 1: refused")
	require.Contains(t, out, "days_in_stage")
	out = cli("canary", "advance", "--reason", "manual test", "--force", "--as-of", "2023-12-01")
	require.Contains(t, out, "canary 1 advanced by")
	require.Contains(t, out, "7.1 -> 7.2")

	served := func(asOf string) map[string]string {
		s, err := sqlite.Open(context.Background(), path)
		require.NoError(t, err)
		defer s.Close()
		d := asOfDate(asOf)
		fs, err := s.Forecasts(context.Background(), store.ForecastFilter{From: d, To: d})
		require.NoError(t, err)
		out := map[string]string{}
		for _, f := range fs {
			if f.Served {
				require.Empty(t, out[f.Symbol], "one served forecast per symbol")
				out[f.Symbol] = f.Ensemble
			}
		}
		return out
	}
	out = cli("forecast", "--mode", "production", "--symbols", "AAPL,NVDA", "--as-of", "2023-12-04", "--epochs", "1")
	require.Contains(t, out, "AAPL: serves candidate: promoted scope: canary 1 passed stage 7.1")
	require.Contains(t, out, "NVDA: serves legacy: in canary 1 stage 7.2, not promoted yet")
	require.Equal(t, map[string]string{"AAPL": "candidate", "NVDA": "legacy"}, served("2023-12-04"))
	// On a day the canary run served legacy, production's candidate
	// replaces it: one served forecast per symbol-day.
	cli("forecast", "--mode", "production", "--symbols", "AAPL", "--as-of", "2023-12-01", "--epochs", "1")
	require.Equal(t, map[string]string{"AAPL": "candidate", "MSFT": "legacy", "SPY": "legacy"}, served("2023-12-01"))

	page := filepath.Join(t.TempDir(), "report.html")
	cli("report", "--out", page, "--symbols", "AAPL")
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	require.Contains(t, string(b), `<span class="stage">7.2</span> since 2023-12-04`)
	require.Contains(t, string(b), "candidate served for AAPL, MSFT, SPY")

	out = cli("rollback", "--reason", "test")
	require.Contains(t, out, "canary 1 rolled back by")
	require.Contains(t, out, "production serves legacy for every symbol")
	out = cli("forecast", "--mode", "production", "--symbols", "AAPL,NVDA", "--as-of", "2023-12-05", "--epochs", "1")
	require.Contains(t, out, "AAPL: serves legacy: canary 1 rolled back")
	require.Equal(t, map[string]string{"AAPL": "legacy", "NVDA": "legacy"}, served("2023-12-05"))

	out = cli("forecast", "--mode", "production", "--model-count", "2", "--symbols", "AAPL,NVDA", "--as-of", "2023-12-06", "--epochs", "1")
	require.NotContains(t, out, "serves")
	require.Equal(t, map[string]string{"AAPL": "candidate", "NVDA": "candidate"}, served("2023-12-06"))

	out = cli("canary", "status")
	require.Contains(t, out, "canary 1: rolled_back, stage 7.2")
	for _, want := range []string{"started", "advanced", "rolled_back", "manual test", "\ttest"} {
		require.Contains(t, strings.ReplaceAll(out, "  ", "\t"), want)
	}
	// runner report agrees: the stage, and each event with its reason.
	cli("report", "--out", page, "--symbols", "AAPL")
	b, err = os.ReadFile(page)
	require.NoError(t, err)
	html := string(b)
	require.Contains(t, html, `<span class="stage">rolled_back</span>`)
	require.NotContains(t, html, "candidate served for", "rolled back: legacy everywhere")
	require.Equal(t, 3, strings.Count(html, `<span class="badge kind-`), "started, advanced, rolled_back")
	require.Contains(t, html, "stage 7.1 → 7.2")
	require.Contains(t, html, "manual test")

	out = cli("status")
	require.Contains(t, out, "canary 1: rolled_back")
	require.Contains(t, out, "production serves: legacy for every symbol (rolled back)")
	// A second rollback changes nothing and says so.
	out = cli("canary", "rollback", "--reason", "again")
	require.Contains(t, out, "rolled back already")
}

// The config file's canary: section sets the stages and thresholds, and
// its subsections the subcommands' flags; the command line wins.
func TestCanaryConfigSection(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "runner.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(`
database-url: sqlite:`+filepath.Join(dir, "runner.db")+`
data: `+prices+`
log-level: warn
canary:
  stages: percent
  min-days: [2, 2, 3, 3]
  fail-avg-divergence: 0.5
  advance-avg-divergence: 0.4
  start:
    from: "2023-12-01"
    reason: from the config
`), 0o644))
	code, out, stderr := run(t, "--config", cfg, "canary", "start")
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "stage 1% counts from 2023-12-01")
	require.Contains(t, out, "stage 1%: 1% of the symbols by hash (>= 2 trading days, >= 4 matured forecasts)")
	require.Contains(t, out, "stage 100%: all symbols (>= 3 trading days, >= 60 matured forecasts)")
	code, out, stderr = run(t, "--config", cfg, "canary", "status", "--as-of", "2023-12-01")
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	// TSLA has the lowest hash fraction of the bundled symbols (0.024,
	// stage_test.go), so the 1% stage covers it alone.
	require.Contains(t, out, "1 symbols: TSLA")
	require.Regexp(t, `fail\s+avg_divergence\s+n/a\s+<= 0.5`, out)
	require.Regexp(t, `advance\s+avg_divergence\s+n/a\s+< 0.4`, out)
	require.Regexp(t, `advance\s+avg_divergence\s+n/a\s+< 0.3`, func() string {
		_, out, _ := run(t, "--config", cfg, "canary", "--advance-avg-divergence", "0.3", "status", "--as-of", "2023-12-01")
		return out
	}(), "the command line wins")
	code, _, stderr = run(t, "--config", cfg, "canary", "--advance-avg-divergence", "0.6", "status", "--as-of", "2023-12-01")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, stderr, "advance average 0.6 must not exceed fail average 0.5")
}

// --verify-only on a PostgreSQL schema never migrated says so and creates
// nothing, not even schema_migrations.
func TestCanaryVerifyOnlyUnmigratedPostgres(t *testing.T) {
	url, schema := storetest.Schema(t)
	url += "&search_path=" + schema
	code, out, stderr := run(t, "--database-url", url, "--data", prices, "canary", "--verify-only", "--as-of", "2023-12-01")
	require.Equal(t, ExitFailure, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "FAIL  schema migrated: the canary tables cannot be read (run runner migrate)")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT COUNT(*) FROM pg_tables WHERE schemaname = $1`, schema).Scan(&n))
	require.Zero(t, n)
}

// A canary started by hand with --from before the previous deployment's
// last event (its rollback on 2023-12-04) is a usage error naming both
// days, and writes nothing; from that day on it starts.
func TestCanaryStartBeforePreviousEnd(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "runner.db")
	canaryFixture(t, db)
	base := []string{"--database-url", db, "--data", prices}
	code, out, stderr := run(t, append(base, "canary", "rollback", "--as-of", "2023-12-04", "--reason", "test")...)
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	code, _, stderr = run(t, append(base, "canary", "start", "--from", "2023-12-01", "--reason", "again")...)
	require.Equal(t, ExitUsage, code, stderr)
	require.Contains(t, stderr, "--from 2023-12-01: canary: start: first day 2023-12-01 is before 2023-12-04, the day of deployment 1's last event")
	code, out, stderr = run(t, append(base, "canary", "status")...)
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, out, "canary 1")
	require.NotContains(t, out, "canary 2")
	code, out, stderr = run(t, append(base, "canary", "start", "--from", "2023-12-04", "--reason", "again")...)
	require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "canary 2 started")
}
