package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "from-config.db")
	cfg := filepath.Join(dir, "runner.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(`
database-url: sqlite:`+db+`
data: `+prices+`
log-level: warn
forecast:
  ensemble: naive
  symbols: [MSFT, SPY]
  as-of: "2023-12-29"
`), 0o644))
	code, out, stderr := run(t, "--config", cfg, "forecast")
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, out, "MSFT    2023-12-29")
	require.Contains(t, out, "SPY     2023-12-29")
	require.NotContains(t, out, "AAPL")
	_, err := os.Stat(db)
	require.NoError(t, err, "the store named in the file is used")

	// The command line wins over the file.
	code, out, _ = run(t, "--config", cfg, "forecast", "--symbols", "AAPL")
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, "AAPL    2023-12-29")
	require.NotContains(t, out, "MSFT")

	require.NoError(t, os.WriteFile(cfg, []byte("forecast:\n  symbol: [AAPL]\n"), 0o644))
	code, _, stderr = run(t, "--config", cfg, "forecast")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, stderr, `--config: forecast: unknown key "symbol"`)
}
