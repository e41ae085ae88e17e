package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store"
	"runner/store/postgres"
	"runner/store/sqlite"
	"runner/store/storetest"
)

// run runs the CLI in-process and returns exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"runner", "--log-level", "warn"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

const prices = "../testdata/prices"

func forecasts(t *testing.T, s store.Store) []store.Forecast {
	fs, err := s.Forecasts(context.Background(), store.ForecastFilter{})
	require.NoError(t, err)
	return fs
}

func TestForecastNaiveSQLiteTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "runner.db")
	args := []string{"--database-url", "sqlite:" + db, "--data", prices,
		"forecast", "--ensemble", "naive", "--symbols", "AAPL,MSFT,SPY", "--as-of", "2023-12-29"}
	for i := 0; i < 2; i++ {
		code, out, stderr := run(t, args...)
		require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
		require.Contains(t, out, "AAPL    2023-12-29  2024-01-02  naive")
		require.Contains(t, out, "189.84 .. 195.44")
	}
	s, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	defer s.Close()
	fs := forecasts(t, s)
	require.Len(t, fs, 3, "two runs leave one row per symbol")
	var runs int
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM forecast_runs WHERE status = 'succeeded'`).Scan(&runs))
	require.Equal(t, 2, runs)

	// Expected values from numpy over the same CSV rows: the mean of the
	// last 755 log returns to 2023-12-29, the root mean square of the last
	// 20, and the last close times exp(mean).
	aapl := fs[0]
	require.Equal(t, "AAPL", aapl.Symbol)
	require.InDelta(t, 0.0004714445881801276, aapl.Return, 1e-15)
	require.InDelta(t, 0.008846261665246774, aapl.Volatility, 1e-15)
	require.InDelta(t, 192.62078740450514, aapl.Price, 1e-10)
	require.Equal(t, 756, aapl.TrainBars)
	require.Len(t, aapl.DataHash, 64)
	spy := fs[2]
	require.InDelta(t, 0.00038536216005392285, spy.Return, 1e-15)
	require.InDelta(t, 0.006233189974364611, spy.Volatility, 1e-15)
	require.NotNil(t, spy.RealisedReturn, "SPY has bars after 2023-12-29")
	require.Nil(t, aapl.RealisedReturn, "AAPL's data ends on 2023-12-29")
}

func TestForecastPostgresAndMigrateDownUp(t *testing.T) {
	url, schema := storetest.Schema(t)
	url += "&search_path=" + schema
	for _, verb := range []string{"up", "down", "up"} {
		code, out, stderr := run(t, "--database-url", url, "migrate", verb)
		require.Equal(t, ExitOK, code, stderr)
		require.Contains(t, out, "migrate "+verb)
	}
	code, out, _ := run(t, "--database-url", url, "migrate", "status")
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, "0001  init")
	require.Contains(t, out, "applied")

	args := []string{"--database-url", url, "--data", prices,
		"forecast", "--ensemble", "naive", "--symbols", "AAPL,MSFT,SPY", "--as-of", "2023-12-29"}
	for i := 0; i < 2; i++ {
		code, out, stderr := run(t, args...)
		require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	}
	s, err := postgres.Open(context.Background(), postgres.Config{URL: url})
	require.NoError(t, err)
	defer s.Close()
	fs := forecasts(t, s)
	require.Len(t, fs, 3)
	// The same numbers as the SQLite run (numpy, see above).
	require.InDelta(t, 0.0004714445881801276, fs[0].Return, 1e-15)
	var runs int
	require.NoError(t, s.Pool().QueryRow(context.Background(), `SELECT COUNT(*) FROM forecast_runs`).Scan(&runs))
	require.Equal(t, 2, runs)
}

func copyFile(t *testing.T, src, dst string) {
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, b, 0o644))
}

func TestForecastOneBadSymbolIsPartial(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(prices, "AAPL.csv"), filepath.Join(dir, "AAPL.csv"))
	copyFile(t, filepath.Join(prices, "MSFT.csv"), filepath.Join(dir, "MSFT.csv"))
	copyFile(t, "../testdata/bad/duplicate_date.csv", filepath.Join(dir, "BAD.csv"))
	db := filepath.Join(t.TempDir(), "runner.db")
	code, out, stderr := run(t, "--database-url", "sqlite:"+db, "--data", dir,
		"forecast", "--ensemble", "naive", "--symbols", "AAPL,BAD,MSFT", "--as-of", "2023-12-29")
	require.Equal(t, ExitPartial, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, out, "BAD: FAILED: marketdata: BAD ("+filepath.Join(dir, "BAD.csv")+", line 4, 2023-12-27): duplicate date")
	s, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	defer s.Close()
	fs := forecasts(t, s)
	require.Len(t, fs, 2)
	require.Equal(t, "AAPL", fs[0].Symbol)
	require.Equal(t, "MSFT", fs[1].Symbol)
	var status, errs string
	require.NoError(t, s.DB().QueryRow(`SELECT status, symbol_errors FROM forecast_runs`).Scan(&status, &errs))
	require.Equal(t, "partial", status)
	require.Contains(t, errs, "duplicate date")
}

func TestBadInputExitCodes(t *testing.T) {
	for _, f := range []string{"unparsable", "missing_close", "empty", "duplicate_date", "unsorted",
		"zero_price", "negative_price", "nan_price", "gap"} {
		t.Run(f, func(t *testing.T) {
			path := filepath.Join("..", "testdata", "bad", f+".csv")
			code, _, stderr := run(t, "fit", "--model", "naive", "--csv", path)
			require.Equal(t, ExitFailure, code)
			require.Contains(t, stderr, path)
			require.Regexp(t, `line \d+|\d{4}-\d{2}-\d{2}|empty file`, stderr)
		})
	}
	// Fewer bars than asked for.
	code, _, stderr := run(t, "fit", "--model", "naive", "--csv", "../testdata/bad/short.csv", "--train-bars", "756")
	require.Equal(t, ExitFailure, code)
	require.Contains(t, stderr, "3 bars on or before as-of date, need 756")
}

func TestDataImportIdempotentAndPartial(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(prices, "MSFT.csv"), filepath.Join(dir, "MSFT.csv"))
	copyFile(t, "../testdata/bad/gap.csv", filepath.Join(dir, "GAP.csv"))
	db := filepath.Join(t.TempDir(), "runner.db")
	for i := 0; i < 2; i++ {
		code, out, _ := run(t, "--database-url", "sqlite:"+db, "data", "import", "--csv", dir)
		require.Equal(t, ExitPartial, code)
		require.Contains(t, out, "MSFT    2768 bars  2013-01-02 .. 2023-12-29")
		require.Contains(t, out, "GAP    FAILED marketdata: GAP ("+filepath.Join(dir, "GAP.csv")+", line 4, 2023-12-15): gap of 11 calendar days")
	}
	s, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	defer s.Close()
	var n int
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM price_bars`).Scan(&n))
	require.Equal(t, 2768, n, "importing twice leaves one row per bar")

	// The imported bars serve a forecast from the store (--data postgres
	// names the store's price_bars table; it works for SQLite too).
	code, out, stderr := run(t, "--database-url", "sqlite:"+db, "--data", "store", "forecast", "--ensemble", "naive",
		"--symbols", "MSFT")
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, out, "MSFT    2023-12-29  2024-01-02  naive")
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"forecast", "--mode", "sideways"},
		{"forecast", "--mode", "canary", "--ensemble", "naive"},
		{"forecast", "--ensemble", "naive", "--as-of", "29/12/2023"},
		{"forecast", "--no-such-flag"},
		{"migrate", "sideways"},
		{"--log-format", "xml", "migrate", "status"},
	} {
		code, _, stderr := run(t, args...)
		require.Equal(t, ExitUsage, code, fmt.Sprint(args, stderr))
		require.True(t, strings.HasPrefix(stderr, "runner: "), stderr)
	}
}
