#!/usr/bin/python3
"""Generate the fixed-parameter one-step forecast fixture for forecast/arimagarch.

Run from the repository root with Debian's Python (statsmodels 0.13.5,
numpy 1.24):

    /usr/bin/python3 testdata/arimagarch/gen_onestep.py

A fitted model forecasts later days with its parameters held fixed (DESIGN
section 3, "Fit once, forecast every later day"). This fixture checks those
forecasts against computations independent of the Go code.

"arma": statsmodels SARIMAX, exact Kalman filter from the stationary prior.
SPY daily log returns r[i] = ln(adj[i+1]/adj[i]) (Adj Close of
testdata/prices/SPY.csv): the 756 returns of the 757 bars to 2023-06-30 are
the training span, the next 126 returns the later days. For each case the
parameters are either statsmodels' own exact-ML fit on the training returns
("fitted": SARIMAX(order=(p,0,q), trend="c"), L-BFGS-B) or set by hand
("fixed"). With the parameters fixed, SARIMAX.filter runs the exact Kalman filter over all 882
returns from the stationary prior (with statsmodels' steady-state shortcut
switched off, see arma_case), and the one-step predictions of r[n] from
r[:n] for n = 756 .. 882 are the filter's forecasts (n < 882) and
get_forecast(1) (n = 882), with their standard errors
sqrt(forecasts_error_cov). SARIMAX's trend="c" is the intercept c of
y_t = c + phi_1 y_{t-1} + ...; the Go model estimates the process mean, so
"mean" is c / (1 - sum(phi)) (for "fixed" cases, c is mean * (1 - sum(phi))).
For trend="c" the script checks, to 1e-15, that the same forecasts follow
from the training results extended by the later returns with
SARIMAXResults.append(new, refit=False), and from trend="n" on the
demeaned returns.

"garch": an explicit Python recursion of the conditional residuals and
GARCH(1,1) variances on the Bollerslev-Ghysels DEM/GBP returns
(testdata/reference/garch/dem2gbp.csv) at the Fiorentini-Calzolari-Panattoni
estimates (mu -0.00619041, omega 0.0107613, alpha 0.153134, beta 0.805974;
TestDEMGBPMatchesFCP), and an ARMA(1,1) mean with made-up coefficients:

    e_t = y_t - mu - phi (y_{t-1} - mu) - theta e_{t-1}   for t >= p, e_t = 0 before,
    h_t = omega + alpha e_{t-1}^2 + beta h_{t-1},
    pre-sample h_{p-1} = e_{p-1}^2 = mean of e_t^2 over the training span t = p .. ntrain-1

(the FCP initialisation, computed on the training span only and then held
fixed). The one-step forecast from y[:n] has mean
mu + phi (y_{n-1} - mu) + theta e_{n-1} and variance h_n. Cases: the whole
series as training (forecasts from n = p+1 .. 1974: the full conditional
variance path), and the first 1848 observations as training with forecasts
for n = 1848 .. 1974.

Output: testdata/arimagarch/onestep.json. The Go tests never run Python.
"""
import csv
import json
import warnings

import numpy as np
import statsmodels
from statsmodels.tsa.statespace.sarimax import SARIMAX

AS_OF = "2023-06-30"
TRAIN = 756
LATER = 126


def spy_returns():
    with open("testdata/prices/SPY.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    end = [r["Date"] for r in rows].index(AS_OF)
    rows = rows[end - TRAIN: end + LATER + 1]
    adj = np.array([float(r["Adj Close"]) for r in rows])
    return rows[0]["Date"], rows[TRAIN]["Date"], rows[-1]["Date"], np.log(adj[1:] / adj[:-1])


def arma_case(y, name, p, q, trend, params=None):
    train, new = y[:TRAIN], y[TRAIN:]
    mod = SARIMAX(train, order=(p, 0, q), trend=trend)
    if params is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = mod.fit(disp=False, method="lbfgs", maxiter=5000)
        params = dict(zip(mod.param_names, fitted.params))
        source = "fitted"
    else:
        params = dict(params)
        if trend == "c":
            params["intercept"] = params.pop("mean") * (1.0 - sum(params.get(f"ar.L{i}", 0.0) for i in range(1, p + 1)))
        source = "fixed"
    vec = np.array([params[k] for k in mod.param_names])
    ar = [params[f"ar.L{i}"] for i in range(1, p + 1)]
    ma = [params[f"ma.L{i}"] for i in range(1, q + 1)]
    c = params.get("intercept", 0.0)
    mean = c / (1.0 - sum(ar))

    # The whole series filtered with the parameters fixed. statsmodels
    # stops updating the state covariance once it changes by less than
    # ssm.tolerance (1e-19, in the data's units) between steps, which for
    # time-invariant models of returns (variance ~1e-4) happens after one
    # step and moves the forecasts by up to 1e-10: tolerance 0 keeps the
    # exact filter throughout.
    full = SARIMAX(y, order=(p, 0, q), trend=trend)
    full.ssm.tolerance = 0.0
    res = full.filter(vec)
    fr = res.filter_results
    assert not fr.converged
    fc = res.get_forecast(1)
    means = list(fr.forecasts[0, TRAIN:]) + [fc.predicted_mean[0]]
    ses = list(np.sqrt(fr.forecasts_error_cov[0, 0, TRAIN:])) + [fc.se_mean[0]]

    # The same from the training results extended by the later returns
    # with append(refit=False); with trend "c" SARIMAX's state intercept is
    # time-varying, so statsmodels never takes the steady-state shortcut.
    if trend == "c":
        ext = mod.filter(vec).append(new, refit=False)
        assert not ext.filter_results.converged
        assert np.allclose(ext.filter_results.forecasts[0, TRAIN:], means[:-1], rtol=0, atol=1e-15)
        assert abs(ext.get_forecast(1).predicted_mean[0] - means[-1]) < 1e-15
        # And from trend "n" on the demeaned returns, which checks the
        # conversion between intercept and mean.
        nvec = np.array([params[k] for k in mod.param_names if k != "intercept"])
        dmod = SARIMAX(y - mean, order=(p, 0, q), trend="n")
        dmod.ssm.tolerance = 0.0
        dm = dmod.filter(nvec)
        assert np.allclose(dm.filter_results.forecasts[0, TRAIN:] + mean, means[:-1], rtol=0, atol=1e-15)
        assert np.allclose(np.sqrt(dm.filter_results.forecasts_error_cov[0, 0, TRAIN:]), ses[:-1], rtol=1e-13, atol=0)
    # The stationary prior includes the state mean: the first forecast is
    # the process mean.
    assert abs(fr.forecasts[0, 0] - mean) < 1e-15
    return {
        "name": name, "p": p, "q": q, "trend": trend, "params": source,
        "intercept": c, "mean": mean, "ar": ar, "ma": ma, "sigma2": params["sigma2"],
        "forecast_mean": [float(v) for v in means],
        "forecast_se": [float(v) for v in ses],
    }


def garch_case(y, name, ntrain, mu, ar, ma, omega, alpha, beta):
    p, q = len(ar), len(ma)
    n = len(y)
    e = [0.0] * n
    for t in range(p, n):
        v = y[t] - mu
        for i in range(p):
            v -= ar[i] * (y[t - 1 - i] - mu)
        for j in range(q):
            if t - 1 - j >= p:
                v -= ma[j] * e[t - 1 - j]
        e[t] = v
    h0 = sum(v * v for v in e[p:ntrain]) / (ntrain - p)
    h = [0.0] * (n + 1)  # h[t]: conditional variance of y[t]; h[n] the forecast
    hp, ep2 = h0, h0
    for t in range(p, n + 1):
        h[t] = omega + alpha * ep2 + beta * hp
        if t < n:
            hp, ep2 = h[t], e[t] * e[t]
    start = ntrain if ntrain < n else p + 1
    means, variances = [], []
    for m in range(start, n + 1):
        v = mu
        for i in range(p):
            v += ar[i] * (y[m - 1 - i] - mu)
        for j in range(q):
            if m - 1 - j >= p:
                v += ma[j] * e[m - 1 - j]
        means.append(v)
        variances.append(h[m])
    return {
        "name": name, "p": p, "q": q, "mu": mu, "ar": ar, "ma": ma,
        "omega": omega, "alpha": alpha, "beta": beta,
        "train": ntrain, "h0": h0, "from": start,
        "forecast_mean": means, "forecast_variance": variances,
    }


def main():
    first, as_of_next, last, y = spy_returns()
    arma = [
        arma_case(y, "ar1_fitted", 1, 0, "c"),
        arma_case(y, "ma1_fitted", 0, 1, "c"),
        arma_case(y, "arma11_fitted", 1, 1, "c"),
        arma_case(y, "arma22_fitted", 2, 2, "c"),
        arma_case(y, "arma41_fitted", 4, 1, "c"),
        arma_case(y, "arma22_fixed", 2, 2, "c",
                  {"mean": 0.0005, "ar.L1": 0.6, "ar.L2": -0.3, "ma.L1": 0.4, "ma.L2": 0.25, "sigma2": 1.5e-4}),
        arma_case(y, "arma21_nomean_fixed", 2, 1, "n",
                  {"ar.L1": -0.5, "ar.L2": 0.2, "ma.L1": 0.7, "sigma2": 1.5e-4}),
    ]
    with open("testdata/reference/garch/dem2gbp.csv", newline="") as f:
        dem = [float(r["ret"]) for r in csv.DictReader(f)]
    fcp = dict(omega=0.0107613, alpha=0.153134, beta=0.805974)
    garch = [
        garch_case(dem, "fcp_whole", len(dem), -0.00619041, [], [], **fcp),
        garch_case(dem, "fcp_later", len(dem) - 126, -0.00619041, [], [], **fcp),
        garch_case(dem, "arma11_fcp_later", len(dem) - 126, -0.006, [0.3], [-0.1], **fcp),
    ]
    out = {
        "source": "statsmodels %s SARIMAX filter with fixed parameters (arma); explicit Python recursion (garch); see the generator's doc string"
        % statsmodels.__version__,
        "generator": "testdata/arimagarch/gen_onestep.py",
        "arma": {
            "symbol": "SPY", "first_bar": first, "as_of": AS_OF, "first_later_bar": as_of_next, "last_bar": last,
            "train": TRAIN, "returns": [float(v) for v in y], "cases": arma,
        },
        "garch": {"series": "testdata/reference/garch/dem2gbp.csv", "cases": garch},
    }
    with open("testdata/arimagarch/onestep.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
