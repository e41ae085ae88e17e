#!/usr/bin/python3
"""Generate the scipy GARCH(1,1) reference fixture for forecast/arimagarch.

Run from the repository root with Debian's Python (scipy 1.10.1):

    /usr/bin/python3 testdata/arimagarch/gen_scipy_garch.py

For AAPL and SPY, the last 756 daily log returns (as in
gen_statsmodels.py; for both, statsmodels' AIC search over ARMA(p,q),
p,q <= 2, picks ARMA(0,0)), it fits the constant-mean GARCH(1,1)

    y_t = mu + e_t,  e_t = sqrt(h_t) z_t,  h_t = omega + alpha e_{t-1}^2 + beta h_{t-1},
    h_0 = e_0^2 = mean((y - mu)^2),

by maximum likelihood with scipy.optimize (L-BFGS-B, then Nelder-Mead to
polish), for Gaussian z and for Student t z scaled to unit variance. It
records the estimates, the log-likelihood, the one-step predictive mean
and standard deviation, and the class probabilities of the next return for
the neutral band |r| <= 0.002 under the fitted distribution. Output:
testdata/arimagarch/scipy_garch.json.
"""
import csv
import json

import numpy as np
import scipy
from scipy import optimize, special, stats

BARS = 757
BAND = 0.002


def returns(symbol):
    with open(f"testdata/prices/{symbol}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    col = "Adj Close" if "Adj Close" in rows[0] else "Close"
    adj = np.array([float(r[col]) for r in rows[-BARS:]])
    return np.log(adj[1:] / adj[:-1])


def variances(y, mu, omega, alpha, beta):
    e = y - mu
    s2 = np.mean(e * e)
    h = np.empty_like(y)
    hp, ep2 = s2, s2
    for t in range(len(y)):
        h[t] = omega + alpha * ep2 + beta * hp
        hp, ep2 = h[t], e[t] * e[t]
    return e, h


def loglik(theta, y, dist):
    mu, omega, alpha, beta = theta[:4]
    if omega <= 0 or alpha < 0 or beta < 0 or alpha + beta >= 1:
        return -np.inf
    e, h = variances(y, mu, omega, alpha, beta)
    if dist == "normal":
        return float(np.sum(-0.5 * (np.log(2 * np.pi) + np.log(h) + e * e / h)))
    nu = theta[4]
    if nu <= 2:
        return -np.inf
    c = special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2) - 0.5 * np.log(np.pi * (nu - 2))
    return float(np.sum(c - 0.5 * np.log(h) - (nu + 1) / 2 * np.log1p(e * e / (h * (nu - 2)))))


def fit(y, dist):
    s2 = np.var(y)
    # Work in scaled units (mu/sd, omega/s2) so that the optimisers see
    # parameters of order one.
    sd = np.sqrt(s2)
    scale = np.array([sd, s2, 1, 1, 1])
    x0 = np.array([np.mean(y) / sd, 0.1, 0.1, 0.8, 8.0])
    k = 4 if dist == "normal" else 5
    f = lambda x: -loglik(x * scale[:k], y, dist)
    bounds = [(None, None), (1e-8, None), (0, 1), (0, 1), (2.05, 200)][:k]
    r = optimize.minimize(f, x0[:k], method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000})
    r = optimize.minimize(f, r.x, method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 40000, "maxfev": 80000})
    theta = r.x * scale[:k]
    mu, omega, alpha, beta = theta[:4]
    e, h = variances(y, mu, omega, alpha, beta)
    h1 = omega + alpha * e[-1] ** 2 + beta * h[-1]
    sigma = float(np.sqrt(h1))
    if dist == "normal":
        cdf = lambda x: stats.norm.cdf(x, loc=mu, scale=sigma)
    else:
        nu = theta[4]
        cdf = lambda x: stats.t.cdf(x, df=nu, loc=mu, scale=sigma * np.sqrt((nu - 2) / nu))
    bear = float(cdf(-BAND))
    bull = float(1 - cdf(BAND))
    out = {"mu": float(mu), "omega": float(omega), "alpha": float(alpha), "beta": float(beta),
           "loglik": -float(r.fun), "next_mu": float(mu), "next_sigma": sigma,
           "p_bearish": bear, "p_neutral": 1 - bear - bull, "p_bullish": bull}
    if dist == "t":
        out["nu"] = float(theta[4])
    return out


def main():
    out = {"source": "scipy %s optimize.minimize, GARCH(1,1) with constant mean" % scipy.__version__,
           "generator": "testdata/arimagarch/gen_scipy_garch.py", "band": BAND, "series": []}
    for symbol in ("AAPL", "SPY"):
        y = returns(symbol)
        out["series"].append({"symbol": symbol, "normal": fit(y, "normal"), "t": fit(y, "t")})
    with open("testdata/arimagarch/scipy_garch.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
