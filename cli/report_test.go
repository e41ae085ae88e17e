package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// runner report after a real forecast run: the page has the symbol's
// section, draws its forecasts, lists the run, and says where the canary and
// the validation are missing.
func TestReportAfterForecast(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "runner.db")
	code, out, stderr := run(t, "--database-url", db, "--data", prices, "forecast", "--ensemble", "naive",
		"--symbols", "SPY", "--as-of", "2023-12-27")
	require.Equal(t, ExitOK, code, out, stderr)
	page := filepath.Join(dir, "out", "report.html")
	require.NoError(t, os.Mkdir(filepath.Dir(page), 0o755))
	code, out, stderr = run(t, "--database-url", db, "--data", prices, "report", "--out", page)
	require.Equal(t, ExitOK, code, stderr)
	require.Regexp(t, `^wrote .*report.html: [0-9.]+ kB, 1 symbols, 1 forecasts, 1 runs, in `, out)
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	html := string(b)
	require.Contains(t, html, `<section id="SPY">`)
	require.Contains(t, html, `data-chart="SPY-forecasts"`)
	// The forecast matured (the bar of 2023-12-28 exists): the forecasts and
	// the reliability of its P(up) are drawn; the rolling charts need 20 and
	// 60 matured forecasts, the others validation.
	require.Equal(t, 2, strings.Count(html, "<svg"))
	require.Contains(t, html, "no canary started: run <code>runner canary start</code>")
	require.Contains(t, html, "no validation yet: run <code>runner validate</code>")
	require.Contains(t, html, `<span class="badge status-succeeded">succeeded</span>`)
	entries, err := os.ReadDir(filepath.Dir(page))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left beside the report")
}

func TestReportUsage(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "runner.db")
	for _, args := range [][]string{
		{"report", "--from", "2023-02-01", "--to", "2023-01-01"},
		{"report", "--from", "2023-13-01"},
		{"report", "--rmse-window", "1"},
		{"report", "--out", ""},
	} {
		code, _, stderr := run(t, append([]string{"--database-url", db}, args...)...)
		require.Equal(t, ExitUsage, code, "%v: %s", args, stderr)
	}
}
