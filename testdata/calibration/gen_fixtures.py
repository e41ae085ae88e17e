#!/usr/bin/python3
"""Reference fixture for runner/calibration (DESIGN section 6).

Run from the repository root with Debian's Python (scikit-learn 1.2.1,
numpy 1.24.2, scipy 1.10.1):

    /usr/bin/python3 testdata/calibration/gen_fixtures.py

Writes testdata/calibration/fixtures.json, which the Go tests read; they never
run Python. Every number is computed here independently of the Go code, from
the definitions in calibration/doc.go:

  z_i      = (r_i - mu_i) / sigma_i
  k_hi     = ceil((n+1)(1 - a/2) - 1e-9), k_lo = n + 1 - k_hi, a = 1 - level
  q_hi     = k_hi-th smallest z, q_lo = k_lo-th smallest z (1-based); also
             checked against np.quantile(z, k/n, method="inverted_cdf")
  y_i      = 1{r_i > 0}
  p_i      = leave-one-out P(up) of sample i under the calibrated
             distribution: #{j != i : z_j > -mu_i/sigma_i} / (n - 1)
  Platt    sklearn.linear_model.LogisticRegression(C=1e10, lbfgs, tol 1e-12)
           of y on logit(clip(p, 1/(2n), 1 - 1/(2n))); also the exact
           unpenalised MLE by Newton's method in numpy (a cross-check)
  isotonic sklearn.isotonic.IsotonicRegression(out_of_bounds="clip",
           y_min=0, y_max=1) of y on p: X_thresholds_, y_thresholds_ and
           predict()
  apply    for a new (mu, sigma): P(up) = #{z > -mu/sigma}/n, the classes
           #{z < (-band-mu)/sigma}/n and #{z > (band-mu)/sigma}/n, P(up)
           recalibrated, the up part (bull, neutral above 0) scaled by
           P'/P and the down part by (1-P')/(1-P) (an empty part's mass
           goes to neutral), interval mu + q sigma
  CRPS     empirical: sigma (mean|z - x| - mean_ij |z_i - z_j| / 2) by brute
           force over all pairs; Gaussian: the closed form of Gneiting &
           Raftery (2007), as in properscoring.crps_gaussian
  metrics  sklearn.metrics.brier_score_loss and log_loss(eps=1e-15)

and, for the synthetic coverage test, the exact coverage of the Gaussian
interval mu +- z_{0.95} sigma when r - mu is sigma times a Student t with 4
degrees of freedom scaled to unit variance (t4 / sqrt(2)).
"""
import json
import math
import os

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss

HERE = os.path.dirname(os.path.abspath(__file__))
BAND = 0.002


def ranks(n, level):
    a = 1 - level
    hi = math.ceil((n + 1) * (1 - a / 2) - 1e-9)
    return n + 1 - hi, hi


def conformal(z, level):
    n = len(z)
    lo, hi = ranks(n, level)
    s = np.sort(z)
    if hi > n:
        return {"level": level, "n": n, "k_lo": lo, "k_hi": hi, "finite": False}
    qlo, qhi = s[lo - 1], s[hi - 1]
    # The same ranks through numpy's own quantile definition.
    assert np.quantile(z, hi / n, method="inverted_cdf") == qhi
    assert np.quantile(z, lo / n, method="inverted_cdf") == qlo
    return {"level": level, "n": n, "k_lo": lo, "k_hi": hi, "finite": True,
            "q_lo": float(qlo), "q_hi": float(qhi)}


def samples(seed, n, shrink, df):
    """Forecasts whose mean overstates the drift: r = shrink*mu + noise."""
    rng = np.random.default_rng(seed)
    mu = rng.normal(0, 0.01, n)
    sigma = rng.uniform(0.008, 0.02, n)
    noise = sigma * rng.standard_t(df, n) / math.sqrt(df / (df - 2))
    r = shrink * mu + noise
    return mu, sigma, r


def loo_pup(mu, sigma, z):
    s = np.sort(z)
    t0 = -mu / sigma
    count = len(z) - np.searchsorted(s, t0, side="right")  # #{z_j > t0}
    own = (z > t0).astype(int)
    return (count - own) / (len(z) - 1)


def logit(p):
    return np.log(p / (1 - p))


def newton_mle(x, y):
    a, b = 1.0, 0.0
    for _ in range(100):
        eta = a * x + b
        p = 1 / (1 + np.exp(-eta))
        g = np.array([np.sum((y - p) * x), np.sum(y - p)])
        w = p * (1 - p)
        h = np.array([[np.sum(w * x * x), np.sum(w * x)], [np.sum(w * x), np.sum(w)]])
        step = np.linalg.solve(h, g)
        a, b = a + step[0], b + step[1]
        if np.max(np.abs(step)) < 1e-14:
            break
    return a, b


def apply_classes(z, mu, sigma, recal):
    n = len(z)
    s = np.sort(z)
    n_up = int(np.sum(s > -mu / sigma))
    n_bear = int(np.sum(s < (-BAND - mu) / sigma))
    n_bull = int(np.sum(s > (BAND - mu) / sigma))
    p = n_up / n
    pc = float(recal(p))
    if n_up > 0:
        bull, nu = pc * n_bull / n_up, pc * (n_up - n_bull) / n_up
    else:
        bull, nu = 0.0, pc
    if n_up < n:
        bear, nd = (1 - pc) * n_bear / (n - n_up), (1 - pc) * (n - n_up - n_bear) / (n - n_up)
    else:
        bear, nd = 0.0, 1 - pc
    return {"mu": mu, "sigma": sigma, "p_raw": p, "p_up": pc,
            "p_bear": bear, "p_neutral": nu + nd, "p_bull": bull}


def crps_empirical(z, mu, sigma, r):
    x = (r - mu) / sigma
    spread = np.mean(np.abs(z[:, None] - z[None, :]))
    return float(sigma * (np.mean(np.abs(z - x)) - spread / 2))


def crps_gaussian(mu, sigma, r):
    x = (r - mu) / sigma
    return float(sigma * (x * (2 * stats.norm.cdf(x) - 1) + 2 * stats.norm.pdf(x) - 1 / math.sqrt(math.pi)))


def case(name, seed, n, shrink, df, method, queries, crps_queries):
    mu, sigma, r = samples(seed, n, shrink, df)
    z = (r - mu) / sigma
    y = (r > 0).astype(int)
    p = loo_pup(mu, sigma, z)
    out = {"name": name, "method": method, "mu": mu.tolist(), "sigma": sigma.tolist(),
           "realised": r.tolist(), "z": z.tolist(), "y": y.tolist(), "p_loo": p.tolist(),
           "conformal": conformal(z, 0.90)}
    if method == "platt":
        eps = 1 / (2 * n)
        x = logit(np.clip(p, eps, 1 - eps))
        lr = LogisticRegression(C=1e10, solver="lbfgs", tol=1e-12, max_iter=100000)
        lr.fit(x[:, None], y)
        a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
        na, nb = newton_mle(x, y)
        assert abs(a - na) < 1e-6 and abs(b - nb) < 1e-6, (a, na, b, nb)
        out.update({"platt_a": a, "platt_b": b, "newton_a": float(na), "newton_b": float(nb)})

        def recal(q):
            xq = logit(np.clip(q, eps, 1 - eps))
            return lr.predict_proba(np.array([[xq]]))[0, 1]
    else:
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1)
        iso.fit(p, y)
        out.update({"iso_x": iso.X_thresholds_.tolist(), "iso_y": iso.y_thresholds_.tolist()})
        grid = np.concatenate([[-0.5, 0, 1, 1.5], np.linspace(0, 1, 41), p[:25]])
        out["iso_grid"] = grid.tolist()
        out["iso_pred"] = iso.predict(grid).tolist()

        def recal(q):
            return iso.predict(np.array([q]))[0]
    qs = conformal(z, 0.90)
    applied = []
    for m, s in queries:
        d = apply_classes(z, m, s, recal)
        d["ci_lower"] = m + qs["q_lo"] * s
        d["ci_upper"] = m + qs["q_hi"] * s
        applied.append(d)
    out["apply"] = applied
    out["crps"] = [{"mu": m, "sigma": s, "realised": rr, "crps": crps_empirical(z, m, s, rr)}
                   for m, s, rr in crps_queries]
    return out


def main():
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
           "band": BAND}

    # Conformal quantiles on fixed standardised residuals, at the smallest n
    # whose 90% interval is finite (19), one below it and larger n.
    rng = np.random.default_rng(20240601)
    zs = rng.standard_t(3, 250)
    out["conformal"] = [conformal(zs[:n], lv)
                        for n in (18, 19, 20, 37, 250) for lv in (0.5, 0.8, 0.9, 0.95)]
    out["conformal_z"] = zs.tolist()

    queries = [(0.0, 0.01), (0.003, 0.012), (-0.004, 0.009), (0.0011, 0.015),
               (-0.02, 0.005), (0.03, 0.004), (0.0005, 0.0004)]
    crps_q = [(0.0, 0.01, 0.004), (0.002, 0.015, -0.03), (-0.001, 0.008, 0.0), (0.01, 0.01, 0.2)]
    out["platt"] = case("platt", 7, 300, 0.4, 5, "platt", queries, crps_q)
    out["isotonic"] = case("isotonic", 11, 1500, 0.4, 5, "isotonic", queries, crps_q)

    # Brier score and log loss, with probabilities at and beyond the clip.
    p = np.array([0.0, 1.0, 0.3, 0.7, 0.5, 1e-17, 1 - 1e-17, 0.99, 0.01, 0.2, 0.85, 0.6])
    y = np.array([0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1])
    out["metrics"] = {"p": p.tolist(), "y": y.tolist(),
                      "brier": float(brier_score_loss(y, p)),
                      "log_loss": float(log_loss(y, p, eps=1e-15))}
    gq = [(0.0, 1.0, 0.0), (0.001, 0.01, 0.02), (-0.003, 0.02, -0.05), (0.0, 0.015, 0.0015), (0.5, 2.0, -3.0)]
    out["crps_gaussian"] = [{"mu": m, "sigma": s, "realised": rr, "crps": crps_gaussian(m, s, rr)}
                            for m, s, rr in gq]

    z95 = stats.norm.ppf(0.95)
    out["t4"] = {"z95": float(z95),
                 "gaussian_interval_coverage": float(2 * stats.t.cdf(z95 * math.sqrt(2), 4) - 1)}

    with open(os.path.join(HERE, "fixtures.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
