package cli

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestForecastShowsConfigurations: every component of a forecast carries
// the configuration its fit chose, in the text output and in --json; the
// ARIMA-GARCH order is one of the nine of the search.
func TestForecastShowsConfigurations(t *testing.T) {
	args := []string{"--data", prices, "forecast", "--mode", "canary", "--symbols", "AAPL", "--as-of", "2023-12-29",
		"--epochs", "2", "--dry-run"}
	code, out, stderr := run(t, args...)
	require.Equal(t, ExitOK, code, stderr)
	require.Regexp(t, `arima_garch  ARMA\([012],[012]\)-GARCH\(1,1\) normal`, out)
	require.Contains(t, out, "lstm         hidden 32, lr 0.001, 2 epochs")
	require.Contains(t, out, "gb           200 trees, depth 3, lr 0.05")
	code, out, stderr = run(t, append(args, "--json")...)
	require.Equal(t, ExitOK, code, stderr)
	var got struct {
		Symbols []struct {
			Forecasts []struct {
				Ensemble   string
				Components []struct {
					Model string         `json:"model"`
					Spec  map[string]any `json:"spec"`
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Len(t, got.Symbols[0].Forecasts, 2)
	for _, f := range got.Symbols[0].Forecasts {
		for _, c := range f.Components {
			require.NotEmpty(t, c.Spec, "%s %s", f.Ensemble, c.Model)
			if c.Model == "arima_garch" {
				require.Contains(t, []float64{0, 1, 2}, c.Spec["p"])
				require.Contains(t, []float64{0, 1, 2}, c.Spec["q"])
			}
		}
	}
}
