package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store/sqlite"
)

// quoteCrasher is the issue 9 repro: a bare quote inside a date. Reading it
// used to panic and stop the whole run.
const quoteCrasher = "Date,Close\n2023-12-2\"9,1\n"

// writeFile writes data to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	return path
}

// A file the CSV reader cannot parse fails its own symbol with the file and
// line; the others are still forecast and written, and the run is partial.
func TestForecastMalformedCSVIsPartial(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(prices, "AAPL.csv"), filepath.Join(dir, "AAPL.csv"))
	bad := writeFile(t, dir, "BAD.csv", quoteCrasher)
	db := filepath.Join(t.TempDir(), "runner.db")
	code, out, stderr := run(t, "--database-url", "sqlite:"+db, "--data", dir,
		"forecast", "--ensemble", "naive", "--symbols", "AAPL,BAD", "--as-of", "2023-12-29")
	require.Equal(t, ExitPartial, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, out, "BAD: FAILED: marketdata: BAD ("+bad+", line ")
	require.Contains(t, out, "AAPL    2023-12-29  2024-01-02  naive")
	s, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	defer s.Close()
	fs := forecasts(t, s)
	require.Len(t, fs, 1)
	require.Equal(t, "AAPL", fs[0].Symbol)
	var status, errs string
	require.NoError(t, s.DB().QueryRow(`SELECT status, symbol_errors FROM forecast_runs`).Scan(&status, &errs))
	require.Equal(t, "partial", status)
	require.Contains(t, errs, bad)
}

// data import and fit report the same file as a located error instead of
// crashing.
func TestImportAndFitMalformedCSV(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(prices, "MSFT.csv"), filepath.Join(dir, "MSFT.csv"))
	bad := writeFile(t, dir, "BAD.csv", quoteCrasher)
	db := filepath.Join(t.TempDir(), "runner.db")
	code, out, stderr := run(t, "--database-url", "sqlite:"+db, "data", "import", "--csv", dir)
	require.Equal(t, ExitPartial, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, out, "MSFT    2768 bars")
	require.Contains(t, out, "BAD    FAILED marketdata: BAD ("+bad+", line ")

	code, out, stderr = run(t, "fit", "--model", "naive", "--csv", bad)
	require.Equal(t, ExitFailure, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, stderr, bad+", line ")

	// --column reads any CSV; a malformed record there is located too.
	col := writeFile(t, dir, "series.csv", "x\n1\n2\n3\"\n4\n")
	code, out, stderr = run(t, "fit", "--model", "arima_garch", "--csv", col, "--column", "x")
	require.Equal(t, ExitFailure, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, stderr, col+" line 4")
	require.Contains(t, stderr, `bare "`)
}
