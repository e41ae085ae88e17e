package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store/sqlite"
)

// quoteCrasher is the issue 9 repro, a bare quote inside a date, under a
// full price header (the repro's Date,Close header is itself an error now).
// Reading it used to panic and stop the whole run.
const quoteCrasher = "Date,Open,High,Low,Close,Volume\n2023-12-2\"9,1,1,1,1,1\n"

// quoteCause is the error quoteCrasher gives, after its file and line 2.
const quoteCause = `malformed CSV record: column 10: bare " in non-quoted-field`

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
	require.Contains(t, out, "BAD: FAILED: marketdata: BAD ("+bad+", line 2): "+quoteCause)
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
	require.Contains(t, out, "BAD    FAILED marketdata: BAD ("+bad+", line 2): "+quoteCause)

	code, out, stderr = run(t, "fit", "--model", "naive", "--csv", bad)
	require.Equal(t, ExitFailure, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, stderr, bad+", line 2): "+quoteCause)

	// --column reads any CSV; a malformed record there is located too.
	col := writeFile(t, dir, "series.csv", "x\n1\n2\n3\"\n4\n")
	code, out, stderr = run(t, "fit", "--model", "arima_garch", "--csv", col, "--column", "x")
	require.Equal(t, ExitFailure, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, stderr, col+" line 4")
	require.Contains(t, stderr, `bare "`)
}

// A price file whose header is wrong fails its symbol with an error naming
// the column; the run goes on with the others. A misspelt Volume used to
// zero the volumes silently.
func TestForecastBadHeaderNamed(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(prices, "AAPL.csv"), filepath.Join(dir, "AAPL.csv"))
	b, err := os.ReadFile(filepath.Join(prices, "MSFT.csv"))
	require.NoError(t, err)
	bad := writeFile(t, dir, "MSFT.csv", strings.Replace(string(b), "Volume", "Volumne", 1))
	code, out, stderr := run(t, "--data", dir, "forecast", "--ensemble", "naive", "--symbols", "AAPL,MSFT",
		"--as-of", "2023-12-29", "--dry-run")
	require.Equal(t, ExitPartial, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, out, "MSFT: FAILED: marketdata: MSFT ("+bad+`, line 1): header: unknown column "Volumne" (column 6); allowed: Date, Open, High, Low, Close, Adj Close, Volume`)
	require.Contains(t, out, "AAPL    2023-12-29")
}

// fit --column reads any CSV with a header, e.g. a bare Date,Close file,
// which is not a price file. The column must be named exactly once, and
// every row must have the header's number of fields and a finite value.
func TestFitColumn(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("Date,Close\n")
	for i := range 60 {
		fmt.Fprintf(&sb, "d%d,%g\n", i, 100+float64(i%7)-0.3*float64(i%3))
	}
	closes := writeFile(t, dir, "closes.csv", sb.String())
	code, out, stderr := run(t, "fit", "--model", "arima_garch", "--csv", closes, "--column", "Close",
		"--p", "1", "--q", "0", "--garch", "none", "--json")
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, out, `"column": "Close"`)
	require.Contains(t, out, `"nobs": 60`)

	for _, tc := range []struct {
		name, data, column string
		code               int
		msg                string
	}{
		{"unknown column", "Date,Close\nd1,1\n", "Clsoe", ExitUsage,
			`fit: --column "Clsoe": not a column of FILE (columns: Date, Close)`},
		{"column twice", "Date,Close,close\nd1,1,2\n", "Close", ExitFailure,
			`fit: FILE line 1: column Close appears twice (columns 2 and 3)`},
		{"extra field", "Date,Close\nd1,1\nd2,2,3\n", "Close", ExitFailure,
			`fit: FILE line 3: row has 3 fields, the header has 2`},
		{"missing field", "Date,Close\nd1\n", "Close", ExitFailure,
			`fit: FILE line 2: row has 1 fields, the header has 2`},
		{"not finite", "Date,Close\nd1,1\nd2,NaN\n", "Close", ExitFailure,
			`fit: FILE line 3: Close NaN is not a finite number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, "bad.csv", tc.data)
			code, out, stderr := run(t, "fit", "--model", "arima_garch", "--csv", path, "--column", tc.column)
			require.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
			require.Contains(t, stderr, strings.ReplaceAll(tc.msg, "FILE", path))
		})
	}
}

// File names are case-insensitive: aapl.csv is AAPL's file. Two files of one
// symbol fail that symbol, naming both files.
func TestForecastFileNameCase(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(prices, "AAPL.csv"), filepath.Join(dir, "aapl.csv"))
	copyFile(t, filepath.Join(prices, "MSFT.csv"), filepath.Join(dir, "msft.csv"))
	copyFile(t, filepath.Join(prices, "MSFT.csv"), filepath.Join(dir, "MSFT.csv"))
	code, out, stderr := run(t, "--data", dir, "forecast", "--ensemble", "naive", "--as-of", "2023-12-29", "--dry-run")
	require.Equal(t, ExitPartial, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, out, "AAPL    2023-12-29  2024-01-02  naive")
	require.Contains(t, out, "MSFT: FAILED: marketdata: MSFT: 2 files for one symbol: "+
		filepath.Join(dir, "MSFT.csv")+", "+filepath.Join(dir, "msft.csv"))
}
