package arimagarch

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/marketdata"
)

// scipyFit is one fit of testdata/arimagarch/scipy_garch.json, written by
// testdata/arimagarch/gen_scipy_garch.py (scipy 1.10.1: constant-mean
// GARCH(1,1) on the last 756 returns, FCP initialisation, L-BFGS-B then
// Nelder-Mead).
type scipyFit struct {
	Mu, Omega, Alpha, Beta, Nu, LogLik float64
	NextMu                             float64 `json:"next_mu"`
	NextSigma                          float64 `json:"next_sigma"`
	PBear                              float64 `json:"p_bearish"`
	PNeutral                           float64 `json:"p_neutral"`
	PBull                              float64 `json:"p_bullish"`
}

func TestModelMatchesScipyGARCH(t *testing.T) {
	b, err := os.ReadFile("../../testdata/arimagarch/scipy_garch.json")
	require.NoError(t, err)
	var fx struct {
		Band   float64
		Series []struct {
			Symbol string
			Normal scipyFit
			T      scipyFit
		}
	}
	require.NoError(t, json.Unmarshal(b, &fx))
	require.Len(t, fx.Series, 2)
	for _, s := range fx.Series {
		bars, err := marketdata.ReadCSVFile("../../testdata/prices/"+s.Symbol+".csv", s.Symbol)
		require.NoError(t, err)
		bars = bars[len(bars)-757:]
		for _, c := range []struct {
			dist Dist
			ref  scipyFit
		}{{Normal, s.Normal}, {StudentT, s.T}} {
			cfg := Config{Auto: true, GARCH: true, Dist: c.dist}
			var m forecast.Model
			if c.dist == Normal {
				m, err = forecast.New(Name, forecast.Options{NeutralBand: fx.Band})
			} else {
				m, err = NewWithConfig(cfg, forecast.Options{NeutralBand: fx.Band})
			}
			require.NoError(t, err)
			d, err := forecast.Forecast(context.Background(), m, bars)
			require.NoError(t, err, "%s %s", s.Symbol, c.dist)
			require.NoError(t, d.Check())

			res, err := Fit(context.Background(), marketdata.LogReturns(bars), cfg)
			require.NoError(t, err)
			// statsmodels' AIC search picks ARMA(0,0) on both windows
			// (statsmodels_sarimax.json), the model scipy fitted.
			require.Equal(t, [2]int{0, 0}, [2]int{res.P, res.Q}, "%s order", s.Symbol)
			// Both optimisers stop within about 1e-9 of the same maximum of a
			// flat likelihood: the log-likelihood agrees to 1e-8 relative, the
			// estimates to 1e-3 relative (omega 2e-3), the predictive mean and
			// standard deviation to 1e-3 relative and the class probabilities
			// to 1e-4.
			require.InEpsilon(t, c.ref.LogLik, res.LogLik, 1e-8, "%s %s loglik", s.Symbol, c.dist)
			require.InEpsilon(t, c.ref.Mu, res.Mean, 1e-3, "%s %s mu", s.Symbol, c.dist)
			require.InEpsilon(t, c.ref.Omega, res.Omega, 2e-3, "%s %s omega", s.Symbol, c.dist)
			require.InEpsilon(t, c.ref.Alpha, res.Alpha, 1e-3, "%s %s alpha", s.Symbol, c.dist)
			require.InEpsilon(t, c.ref.Beta, res.Beta, 1e-3, "%s %s beta", s.Symbol, c.dist)
			if c.dist == StudentT {
				require.InEpsilon(t, c.ref.Nu, res.Nu, 1e-3, "%s nu", s.Symbol)
			}
			require.InEpsilon(t, c.ref.NextMu, d.Mu, 1e-3, "%s %s next mu", s.Symbol, c.dist)
			require.InEpsilon(t, c.ref.NextSigma, d.Sigma, 1e-3, "%s %s next sigma", s.Symbol, c.dist)
			require.InDelta(t, c.ref.PBear, d.PBear, 1e-4, "%s %s P(bearish)", s.Symbol, c.dist)
			require.InDelta(t, c.ref.PNeutral, d.PNeutral, 1e-4, "%s %s P(neutral)", s.Symbol, c.dist)
			require.InDelta(t, c.ref.PBull, d.PBull, 1e-4, "%s %s P(bullish)", s.Symbol, c.dist)
		}
	}
}

func TestModelRegisteredAndShortInputIsError(t *testing.T) {
	require.True(t, forecast.Registered(Name))
	m, err := forecast.New(Name, forecast.Options{})
	require.NoError(t, err)
	require.Equal(t, "arima_garch", m.Name())
	bars, err := marketdata.ReadCSVFile("../../testdata/prices/SPY.csv", "SPY")
	require.NoError(t, err)
	_, err = forecast.Forecast(context.Background(), m, bars[:50])
	require.ErrorContains(t, err, "arimagarch: SPY: 49 observations: ARMA(2,2)-GARCH(1,1) needs at least 100")
	_, err = NewWithConfig(Config{D: 1}, forecast.Options{})
	require.Error(t, err)
}
