package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A symbol that fails to load is logged at error level with its file, line
// and cause as fields, in both log formats, and the run's final log line
// names the failed symbols and their causes.
func TestLoadFailureLogged(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(prices, "AAPL.csv"), filepath.Join(dir, "AAPL.csv"))
	bad := writeFile(t, dir, "BAD.csv", quoteCrasher)
	args := func(format string) []string {
		return []string{"--log-format", format, "--log-level", "info", "--data", dir, "forecast", "--ensemble", "naive",
			"--symbols", "AAPL,BAD", "--as-of", "2023-12-29", "--dry-run"}
	}

	code, out, stderr := run(t, args("json")...)
	require.Equal(t, ExitPartial, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	var loadErr, summary map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.HasPrefix(line, "runner: ") {
			continue // the exit error, printed by Run
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		switch {
		case m["level"] == "error" && m["symbol"] == "BAD":
			loadErr = m
		case m["message"] == "forecast run finished":
			summary = m
		}
	}
	require.NotNil(t, loadErr, stderr)
	require.Equal(t, bad, loadErr["file"])
	require.Equal(t, 2.0, loadErr["line"])
	require.Equal(t, quoteCause, loadErr["cause"])
	require.NotNil(t, summary, stderr)
	require.Equal(t, "warn", summary["level"])
	require.Equal(t, []any{"BAD"}, summary["failed"])
	require.Contains(t, summary["symbol_errors"].(map[string]any)["BAD"], quoteCause)

	code, out, stderr = run(t, args("console")...)
	require.Equal(t, ExitPartial, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Regexp(t, `ERR .*cause=".*bare \\" in non-quoted-field" .*file=`+bad+` line=2 .*symbol=BAD`, stderr)
	require.Regexp(t, `WRN forecast run finished .*failed=\["BAD"\] .*symbol_errors=\{"BAD":".*bare`, stderr)
}
