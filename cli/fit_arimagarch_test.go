package cli

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// runner fit --model arima_garch on R's lh series reproduces R's arima()
// AR(3) (shared/data/README.md, reference/arima: ar 0.6448 -0.0634
// -0.2198, mean 2.3931, sigma2 0.1787, loglik -27.09, first forecast
// 2.4602 with se 0.42268), half a unit in R's last printed place.
func TestFitARIMAGARCHOnLH(t *testing.T) {
	code, out, stderr := run(t, "fit", "--model", "arima_garch", "--csv", "../testdata/reference/arima/lh.csv",
		"--column", "value", "--p", "3", "--q", "0", "--garch", "none", "--horizon", "2", "--json")
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	var got struct {
		Params []struct {
			Name  string
			Value float64
			SE    float64
		}
		LogLik   float64
		Sigma2   float64
		Forecast []struct{ Mean, SE float64 }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	want := []float64{2.3931, 0.6448, -0.0634, -0.2198}
	for i, w := range want {
		require.InDelta(t, w, got.Params[i].Value, 0.5e-4, got.Params[i].Name)
	}
	require.InDelta(t, 0.1787, got.Sigma2, 0.5e-4)
	require.InDelta(t, -27.09, got.LogLik, 0.005)
	require.Len(t, got.Forecast, 2)
	require.InDelta(t, 2.4602, got.Forecast[0].Mean, 0.5e-4)
	require.InDelta(t, 0.42268, got.Forecast[0].SE, 0.5e-5)
}

// The canonical configuration on AAPL's last 757 bars picks ARMA(0,0), as
// statsmodels' AIC search does (testdata/arimagarch/statsmodels_sarimax.json),
// and the GARCH estimates match scipy's (testdata/arimagarch/scipy_garch.json:
// alpha 0.049918, beta 0.938390) to 1e-3 relative.
func TestFitARIMAGARCHOnReturns(t *testing.T) {
	code, out, stderr := run(t, "fit", "--model", "arima_garch", "--csv", "../testdata/prices/AAPL.csv",
		"--train-bars", "757", "--json")
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	var got struct {
		P, Q   int
		Params []struct {
			Name  string
			Value float64
		}
		Search []struct{ P, Q int }
		Next   map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Equal(t, 0, got.P)
	require.Equal(t, 0, got.Q)
	require.Len(t, got.Search, 9)
	require.Equal(t, "alpha", got.Params[2].Name)
	require.InEpsilon(t, 0.049918227961668366, got.Params[2].Value, 1e-3)
	require.InEpsilon(t, 0.9383900991966323, got.Params[3].Value, 1e-3)
	require.Equal(t, "bullish", got.Next["label"])
}

func TestFitARIMAGARCHUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--garch", "21"},
		{"--dist", "cauchy"},
		{"--auto", "--p", "1"},
		{"--d", "2", "--p", "1"},
	} {
		code, out, stderr := run(t, append([]string{"fit", "--model", "arima_garch", "--csv", "../testdata/prices/SPY.csv"}, args...)...)
		require.Equal(t, ExitUsage, code, "%v: stdout:\n%s\nstderr:\n%s", args, out, stderr)
	}
	// A fit that fails is an error that names the model and the file.
	code, _, stderr := run(t, "fit", "--model", "arima_garch", "--csv", "../testdata/reference/arima/lh.csv", "--column", "value")
	require.Equal(t, ExitFailure, code)
	require.Contains(t, stderr, "fit arima_garch: ../testdata/reference/arima/lh.csv column value: arimagarch: 48 observations: ARMA(2,2)-GARCH(1,1) needs at least 100")
}
