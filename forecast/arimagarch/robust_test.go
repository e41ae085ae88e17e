package arimagarch

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/marketdata"
)

// A search stopped before convergence is an error, never a result.
func TestNotConvergedIsError(t *testing.T) {
	y := readColumn(t, "../../testdata/reference/garch/dem2gbp.csv", "ret")
	_, err := Fit(context.Background(), y, Config{GARCH: true, MaxIterations: 3})
	require.Error(t, err)
	require.True(t, errors.Is(err, errNotConverged), "%v", err)
	require.Contains(t, err.Error(), "arimagarch: fit ARMA(0,0)-GARCH(1,1) normal")

	lh := readColumn(t, "../../testdata/reference/arima/lh.csv", "value")
	_, err = Fit(context.Background(), lh, Config{P: 3, MaxIterations: 1})
	require.ErrorIs(t, err, errNotConverged)
	require.Contains(t, err.Error(), "arimagarch: fit ARMA(3,0)")
}

func TestConstantSeriesIsError(t *testing.T) {
	y := make([]float64, 200)
	for i := range y {
		y[i] = 0.01
	}
	for _, cfg := range []Config{{P: 1}, {Auto: true, GARCH: true}} {
		_, err := Fit(context.Background(), y, cfg)
		require.ErrorContains(t, err, "constant series")
	}
	// A linear trend differenced once is constant.
	for i := range y {
		y[i] = float64(i)
	}
	_, err := Fit(context.Background(), y, Config{D: 1})
	require.ErrorContains(t, err, "constant differenced series")
}

func TestShortSeriesIsError(t *testing.T) {
	lh := readColumn(t, "../../testdata/reference/arima/lh.csv", "value")
	_, err := Fit(context.Background(), lh[:8], Config{P: 1})
	require.ErrorContains(t, err, "8 observations: ARMA(1,0) needs at least 10")
	_, err = Fit(context.Background(), lh, Config{GARCH: true})
	require.ErrorContains(t, err, "48 observations: ARMA(0,0)-GARCH(1,1) needs at least 100")
	_, err = Fit(context.Background(), lh[:15], Config{Auto: true})
	require.ErrorContains(t, err, "15 observations: ARMA(2,2) needs at least 18")
}

func TestNonFiniteInputIsError(t *testing.T) {
	lh := readColumn(t, "../../testdata/reference/arima/lh.csv", "value")
	lh[5] = math.NaN()
	_, err := Fit(context.Background(), lh, Config{P: 1})
	require.ErrorContains(t, err, "observation 6 is NaN")
}

// The log price level of SPY (2000-2024, 6057 days) is a random walk: an
// AR(1) without differencing has its root at the unit circle, an error
// that says to difference; with d = 1 the fit succeeds.
func TestNearUnitRootIsError(t *testing.T) {
	bars, err := marketdata.ReadCSVFile("../../testdata/prices/SPY.csv", "SPY")
	require.NoError(t, err)
	y := make([]float64, len(bars))
	for i, b := range bars {
		y[i] = math.Log(b.AdjClose)
	}
	_, err = Fit(context.Background(), y, Config{P: 1})
	require.Error(t, err)
	require.Contains(t, err.Error(), "near unit root: difference the series")
	res, err := Fit(context.Background(), y, Config{P: 1, D: 1})
	require.NoError(t, err)
	require.Less(t, math.Abs(res.AR[0]), 0.5)
}

func TestCancelledContextIsError(t *testing.T) {
	y := readColumn(t, "../../testdata/reference/garch/dem2gbp.csv", "ret")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Fit(ctx, y, Config{Auto: true, GARCH: true})
	require.ErrorIs(t, err, context.Canceled)
}

// Fitting the canonical model (automatic order, GARCH(1,1), Gaussian and
// Student t) on every bundled symbol's full history gives finite estimates,
// standard errors and forecasts, or an error, never NaN or Inf.
func TestFullHistoriesAreFinite(t *testing.T) {
	files, err := filepath.Glob("../../testdata/prices/*.csv")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		sym := strings.TrimSuffix(filepath.Base(file), ".csv")
		bars, err := marketdata.ReadCSVFile(file, sym)
		require.NoError(t, err)
		r := marketdata.LogReturns(bars)
		for _, dist := range []Dist{Normal, StudentT} {
			if testing.Short() && dist == StudentT {
				continue
			}
			res, err := Fit(context.Background(), r, Config{Auto: true, GARCH: true, Dist: dist, StdErrors: true})
			if err != nil {
				// An error is an acceptable outcome; a non-finite number is not.
				t.Logf("%s %s: %v", sym, dist, err)
				continue
			}
			for _, p := range res.Params {
				require.False(t, math.IsNaN(p.Value) || math.IsInf(p.Value, 0), "%s %s %s = %v", sym, dist, p.Name, p.Value)
				require.False(t, math.IsNaN(p.SE) || math.IsInf(p.SE, 0), "%s %s se(%s) = %v", sym, dist, p.Name, p.SE)
			}
			steps, err := res.Forecast(5)
			require.NoError(t, err, "%s %s", sym, dist)
			for _, s := range steps {
				require.True(t, s.SE > 0 && !math.IsInf(s.SE, 0) && !math.IsNaN(s.Mean), "%s %s %+v", sym, dist, s)
			}
			require.NoError(t, res.Predictive(steps[0], 0.002).Check(), "%s %s", sym, dist)
			t.Logf("%s %s: ARMA(%d,%d) alpha %.3f beta %.3f nu %.1f", sym, dist, res.P, res.Q, res.Alpha, res.Beta, res.Nu)
		}
	}
}
