package arimagarch

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// R's lh series (48 observations) and the results of R's arima() (exact ML,
// Kalman filter, stationary prior) printed in R's own saved example output,
// as listed in shared/data/README.md (reference/arima). R prints
// coefficients and standard errors to 4 decimals, sigma2 to 4, the
// log-likelihood and AIC to 2, forecasts to 4 and their standard errors to
// 5; the tolerances are half a unit in the last printed place.
func TestLHMatchesR(t *testing.T) {
	y := readColumn(t, "../../testdata/reference/arima/lh.csv", "value")
	require.Len(t, y, 48)
	cases := []struct {
		p            int
		ar, seAR     []float64
		mean, seMean float64
		sigma2       float64
		loglik, aic  float64
	}{
		{1, []float64{0.5739}, []float64{0.1161}, 2.4133, 0.1466, 0.1975, -29.38, 64.76},
		{3, []float64{0.6448, -0.0634, -0.2198}, []float64{0.1394, 0.1668, 0.1421}, 2.3931, 0.0963, 0.1787, -27.09, 64.18},
	}
	for _, c := range cases {
		res, err := Fit(context.Background(), y, Config{P: c.p, StdErrors: true})
		require.NoError(t, err)
		require.InDeltaSlice(t, c.ar, res.AR, 0.5e-4, "AR(%d) coefficients", c.p)
		require.InDelta(t, c.mean, res.Mean, 0.5e-4, "AR(%d) mean", c.p)
		require.InDelta(t, c.sigma2, res.Sigma2, 0.5e-4, "AR(%d) sigma2", c.p)
		require.InDelta(t, c.loglik, res.LogLik, 0.005, "AR(%d) log-likelihood", c.p)
		require.InDelta(t, c.aic, res.AIC, 0.005, "AR(%d) AIC", c.p)
		// R's standard errors come from optim's finite-difference Hessian
		// (step 1e-3 on the transformed parameters), ours from a
		// 1e-4-relative one on the original parameters: they agree to 1 in
		// the 4th decimal.
		require.Equal(t, "mean", res.Params[0].Name)
		require.InDelta(t, c.seMean, res.Params[0].SE, 1.5e-4, "AR(%d) se(mean)", c.p)
		for i := range c.seAR {
			require.InDelta(t, c.seAR[i], res.Params[1+i].SE, 1.5e-4, "AR(%d) se(ar%d)", c.p, i+1)
		}
	}
}

// predict(arima(lh, order = c(3,0,0)), n.ahead = 12) in R (same source).
// Means agree within 1e-4 and standard errors within 1e-5, one unit of
// R's last printed decimal rather than half: R's optim stops about 1e-5
// short of the optimum in the coefficients, which moves those digits (up to
// 5.3e-5 for the step-5 mean, 5.6e-6 for the step-3 standard error). A fully converged statsmodels fit agrees with ours to 1e-7
// (TestLHForecastMatchesStatsmodels).
func TestLHForecastMatchesR(t *testing.T) {
	y := readColumn(t, "../../testdata/reference/arima/lh.csv", "value")
	res, err := Fit(context.Background(), y, Config{P: 3})
	require.NoError(t, err)
	steps, err := res.Forecast(12)
	require.NoError(t, err)
	wantMean := []float64{2.4602, 2.2708, 2.1986, 2.2607, 2.3470, 2.4145, 2.4389, 2.4315, 2.4102, 2.3917, 2.3827, 2.3827}
	wantSE := []float64{0.42268, 0.50293, 0.52452, 0.52472, 0.53055, 0.53692, 0.53880, 0.53884, 0.53910, 0.53952, 0.53970, 0.53971}
	for k, s := range steps {
		require.InDelta(t, wantMean[k], s.Mean, 1e-4, "step %d mean", k+1)
		require.InDelta(t, wantSE[k], s.SE, 1e-5, "step %d se", k+1)
	}
}

// The Fiorentini-Calzolari-Panattoni (1996) GARCH(1,1) benchmark on the
// Bollerslev-Ghysels DEM/GBP returns, with h_0 = e_0^2 = mean squared
// residual (shared/data/README.md, reference/garch): estimates to 4
// significant digits, log-likelihood -1106.608 within 0.001, standard
// errors (analytic Hessian in the benchmark) within 1%.
func TestDEMGBPMatchesFCP(t *testing.T) {
	y := readColumn(t, "../../testdata/reference/garch/dem2gbp.csv", "ret")
	require.Len(t, y, 1974)
	res, err := Fit(context.Background(), y, Config{GARCH: true, StdErrors: true})
	require.NoError(t, err)
	want := []Param{
		{"mean", -0.00619041, 0.00846212},
		{"omega", 0.0107613, 0.00285271},
		{"alpha", 0.153134, 0.0265228},
		{"beta", 0.805974, 0.0335527},
	}
	require.Len(t, res.Params, len(want))
	for i, w := range want {
		got := res.Params[i]
		require.Equal(t, w.Name, got.Name)
		require.InEpsilon(t, w.Value, got.Value, 0.5e-4, "%s estimate", w.Name)
		require.InEpsilon(t, w.SE, got.SE, 0.01, "%s standard error", w.Name)
	}
	require.InDelta(t, -1106.608, res.LogLik, 0.001)
	require.Equal(t, 1974, res.NObs)
}

// The same AR(3) on lh fitted by statsmodels SARIMAX to full convergence
// (lh_ar3 in statsmodels_sarimax.json): both are at the same optimum, so
// estimates agree to 1e-6 and forecasts to 1e-7.
func TestLHForecastMatchesStatsmodels(t *testing.T) {
	ref := readFixture(t).LHAR3
	require.Len(t, ref.ForecastSE, 12)
	y := readColumn(t, "../../testdata/reference/arima/lh.csv", "value")
	res, err := Fit(context.Background(), y, Config{P: 3})
	require.NoError(t, err)
	require.InDeltaSlice(t, ref.AR, res.AR, 1e-6)
	require.InDelta(t, ref.Mean, res.Mean, 1e-6)
	require.InDelta(t, ref.Sigma2, res.Sigma2, 1e-7)
	require.InDelta(t, ref.LogLik, res.LogLik, 1e-8)
	steps, err := res.Forecast(12)
	require.NoError(t, err)
	for k, s := range steps {
		require.InDelta(t, ref.ForecastMean[k], s.Mean, 1e-7, "step %d mean", k+1)
		require.InDelta(t, ref.ForecastSE[k], s.SE, 1e-7, "step %d se", k+1)
	}
}

// ARIMA(1,1,0) with drift on lh against statsmodels SARIMAX(order=(1,1,0),
// trend="c") fitted to full convergence (lh_arima110 in
// statsmodels_sarimax.json): estimates to 1e-5, log-likelihood to 1e-8 and
// forecasts of the undifferenced series to 1e-5.
func TestLHDifferencedMatchesStatsmodels(t *testing.T) {
	ref := readFixture(t).LHARIMA110
	require.Len(t, ref.ForecastSE, 4)
	y := readColumn(t, "../../testdata/reference/arima/lh.csv", "value")
	res, err := Fit(context.Background(), y, Config{P: 1, D: 1})
	require.NoError(t, err)
	require.Equal(t, "drift", res.Params[0].Name)
	require.InDeltaSlice(t, ref.AR, res.AR, 1e-5)
	require.InDelta(t, ref.Drift, res.Mean, 1e-5)
	require.InDelta(t, ref.Sigma2, res.Sigma2, 1e-5)
	require.InDelta(t, ref.LogLik, res.LogLik, 1e-8)
	steps, err := res.Forecast(4)
	require.NoError(t, err)
	for k, s := range steps {
		require.InDelta(t, ref.ForecastMean[k], s.Mean, 1e-5, "step %d mean", k+1)
		require.InDelta(t, ref.ForecastSE[k], s.SE, 1e-5, "step %d se", k+1)
	}
}
