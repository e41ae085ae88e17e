#!/usr/bin/python3
"""Generate the statsmodels SARIMAX reference fixture for forecast/arimagarch.

Run from the repository root with Debian's Python (statsmodels 0.13.5):

    /usr/bin/python3 testdata/arimagarch/gen_statsmodels.py

For AAPL (Close: the file has no Adj Close) and SPY (Adj Close), it takes the
last 757 bars of testdata/prices/SYMBOL.csv, forms the 756 daily log returns
r[i] = ln(adj[i+1]/adj[i]) (the canonical 756-return training window of
DESIGN section 3), and fits SARIMAX(order=(p,0,q), trend="c") by exact
Gaussian maximum likelihood (Kalman filter, stationary prior, stationarity
and invertibility enforced) for every (p,q) in {0,1,2}^2. SARIMAX's "c" is the
intercept of y_t = c + phi_1 y_{t-1} + ... ; the process mean is
c / (1 - sum(phi)), stored as "mean" for the Go side, which estimates the mean.

Two fits per order:

- "default": statsmodels' own start values and L-BFGS-B (tight tolerances):
  what a statsmodels-based pipeline gets.
- "best": the highest likelihood over statsmodels' start values and, for mixed
  orders (p > 0 and q > 0), four more starts with near-cancelling AR and MA
  roots (ar.L1 = a, ma.L1 = -a for a in +-0.5, +-0.9), each polished by BFGS
  and then Nelder-Mead. The ARMA likelihood of daily returns is multimodal
  along the ridge of near-cancelling roots, and L-BFGS-B alone often stops
  short; "best" is the reference optimum for parameter comparisons. As in
  Hyndman and Khandakar's automatic ARIMA (and in the Go model), an optimum
  with an AR or MA root within 1% of the unit circle (inverse root modulus
  >= 1/1.01) is not admissible: "best" is the best admissible optimum.

It also fits R's lh series (testdata/reference/arima/lh.csv) as AR(3) with a
constant, polished to full convergence (L-BFGS-B, then Nelder-Mead), and
records the 12-step forecast means and standard errors ("lh_ar3"): R's
printed forecasts come from an optimum that R's optim leaves about 1e-5 short
in the coefficients, so this is the check at full precision.

And ARIMA(1,1,0) with drift on lh ("lh_arima110"), the check of the
differenced model and its forecasts of the undifferenced series.

The output, testdata/arimagarch/statsmodels_sarimax.json, is what the Go
tests read; the tests never run Python.
"""
import csv
import json
import math
import warnings

import numpy as np
import statsmodels
from statsmodels.tsa.statespace.sarimax import SARIMAX

BARS = 757


def returns(symbol):
    with open(f"testdata/prices/{symbol}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    col = "Adj Close" if "Adj Close" in rows[0] else "Close"
    rows = rows[-BARS:]
    adj = np.array([float(r[col]) for r in rows])
    return rows[0]["Date"], rows[-1]["Date"], np.log(adj[1:] / adj[:-1])


def summary(mod, res, p, q):
    params = dict(zip(mod.param_names, res.params))
    bse = dict(zip(mod.param_names, res.bse))
    ar = [params[f"ar.L{i}"] for i in range(1, p + 1)]
    ma = [params[f"ma.L{i}"] for i in range(1, q + 1)]
    c = params["intercept"]
    return {
        "intercept": c,
        "mean": c / (1.0 - sum(ar)),
        "ar": ar,
        "ma": ma,
        "sigma2": params["sigma2"],
        "se_ar": [bse[f"ar.L{i}"] for i in range(1, p + 1)],
        "se_ma": [bse[f"ma.L{i}"] for i in range(1, q + 1)],
        "loglik": res.llf,
        "aic": res.aic,
    }


def admissible(res):
    roots = list(res.arroots) + list(res.maroots)
    return all(abs(1.0 / z) < 1 / 1.01 for z in roots)


def fit(y, p, q):
    mod = SARIMAX(y, order=(p, 0, q), trend="c")
    starts = [None]
    if p > 0 and q > 0:
        for a in (0.5, -0.5, 0.9, -0.9):
            sp = mod.start_params.copy()
            sp[1], sp[1 + p] = a, -a
            starts.append(sp)
    default, best = None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sp in starts:
            r1 = mod.fit(start_params=sp, disp=False, method="lbfgs", maxiter=5000, pgtol=1e-10, factr=10.0)
            if default is None:
                default = r1
            r2 = mod.fit(start_params=r1.params, disp=False, method="bfgs", maxiter=5000, gtol=1e-9)
            r3 = mod.fit(start_params=r2.params, disp=False, method="nm", maxiter=20000, xtol=1e-12, ftol=1e-14)
            for r in (r1, r2, r3):
                if not admissible(r):
                    continue
                if best is None or r.llf > best.llf:
                    best = r
    return {"p": p, "q": q, "default": summary(mod, default, p, q), "best": summary(mod, best, p, q)}


def main():
    out = {
        "source": "statsmodels %s SARIMAX(order=(p,0,q), trend='c'); see the generator's doc string"
        % statsmodels.__version__,
        "generator": "testdata/arimagarch/gen_statsmodels.py",
        "series": [],
    }
    for symbol in ("AAPL", "SPY"):
        first, last, y = returns(symbol)
        fits = [fit(y, p, q) for p in range(3) for q in range(3)]
        out["series"].append({
            "symbol": symbol,
            "first_bar": first,
            "last_bar": last,
            "returns": [float(v) for v in y],
            "fits": fits,
            "aic_order_default": min(((f["default"]["aic"], [f["p"], f["q"]]) for f in fits))[1],
            "aic_order_best": min(((f["best"]["aic"], [f["p"], f["q"]]) for f in fits))[1],
        })
    with open("testdata/reference/arima/lh.csv", newline="") as f:
        lh = np.array([float(r["value"]) for r in csv.DictReader(f)])
    mod = SARIMAX(lh, order=(3, 0, 0), trend="c")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = mod.fit(disp=False, method="lbfgs", maxiter=5000, pgtol=1e-12, factr=1.0)
        r = mod.fit(start_params=r.params, disp=False, method="nm", maxiter=50000, xtol=1e-12, ftol=1e-14)
    fc = r.get_forecast(12)
    out["lh_ar3"] = {
        "ar": [float(v) for v in r.params[1:4]],
        "mean": float(r.params[0] / (1 - sum(r.params[1:4]))),
        "sigma2": float(r.params[4]),
        "loglik": float(r.llf),
        "forecast_mean": [float(v) for v in fc.predicted_mean],
        "forecast_se": [float(v) for v in fc.se_mean],
    }
    # ARIMA(1,1,0) with drift on lh: SARIMAX's "c" with d = 1 is the
    # intercept of the differenced equation; the drift (mean of the
    # differences) is c / (1 - phi). Forecasts are of the undifferenced series.
    mod = SARIMAX(lh, order=(1, 1, 0), trend="c")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = mod.fit(disp=False, method="lbfgs", maxiter=5000, pgtol=1e-12, factr=1.0)
        r = mod.fit(start_params=r.params, disp=False, method="nm", maxiter=50000, xtol=1e-12, ftol=1e-14)
    fc = r.get_forecast(4)
    out["lh_arima110"] = {
        "ar": [float(r.params[1])],
        "drift": float(r.params[0] / (1 - r.params[1])),
        "sigma2": float(r.params[2]),
        "loglik": float(r.llf),
        "forecast_mean": [float(v) for v in fc.predicted_mean],
        "forecast_se": [float(v) for v in fc.se_mean],
    }
    with open("testdata/arimagarch/statsmodels_sarimax.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
