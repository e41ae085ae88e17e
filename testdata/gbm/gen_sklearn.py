#!/usr/bin/python3
"""Generate the scikit-learn reference fixture for forecast/gbm.

Run from the repository root with Debian's Python (scikit-learn 1.2.1):

    /usr/bin/python3 testdata/gbm/gen_sklearn.py

The Go side writes nothing for this script: the features are computed here
from testdata/prices/AAPL.csv exactly as forecast/gbm builds them (DESIGN
section 3), and the Go test rebuilds its own matrix from the same CSV and
checks that it equals the one stored here before comparing predictions.

Features, for the window of the last 756 bars (AAPL has no Adj Close column,
so the Close is the adjusted series):

  r[i]    = ln(close[i+1] / close[i])                     (755 returns,
            ln computed by a port of Go's amd64 math.Log, see go_log)
  v_k[t]  = sqrt(mean(r[t-k+1..t]^2)), computed with the same running sum as
            forecast.RealisedVol (add the new square, subtract the one that
            leaves, clamp at 0), k = 5 and 20
  row t   = [r[t], r[t-1], ..., r[t-9], v_5[t], v_20[t]]  for t = 19 .. 754
  target  = r[t+1]                                         for t = 19 .. 753

so there are 735 training rows and one forecast row (t = 754, the as-of bar).

Cases (all GradientBoostingRegressor(criterion="squared_error")):

  aapl_canonical   the canonical model of DESIGN section 3: 200 trees, depth 3,
                   learning rate 0.05, subsample 1.0, random_state 0, fitted on
                   the 735 rows; predictions for all 736 rows.
  aapl_holdout     the same model fitted on the first 588 rows (the last 20%,
                   147 rows, held out) with predictions for all 736 rows; the
                   held-out RMSE is the model's sigma.
  aapl_subsample   row subsampling 0.7, min_samples_leaf 5, depth 4, 60 trees,
                   learning rate 0.1, random_state 7: exercises the seeded
                   MT19937 stream (sample masks and splitter seeds).
  ties_seed3/11    a synthetic matrix with three identical copies of one
                   column, a column rounded to one decimal (many exact
                   duplicates and within-1e-7 neighbours) and an integer
                   column: exact ties in split gain are everywhere, so the
                   chosen features test that ties are broken exactly as
                   scikit-learn breaks them for a given random_state.

Also stored: the first numbers of numpy's legacy RandomState(seed) stream
(randint(0, 2**31-1) and random_sample), which the Go MT19937 must reproduce.

The output, testdata/gbm/sklearn_gbr.json, is what the Go tests read; the
tests never run Python.
"""
import csv
import json
import math

import numpy as np
import sklearn
from sklearn.ensemble import GradientBoostingRegressor

BARS = 756
LAGS = 10
VOL_SHORT, VOL_LONG = 5, 20


# Go's math.Log on amd64 (src/math/log_amd64.s), operation for operation.
# Python's math.log (glibc) differs from it by one ulp for some ratios, and
# one ulp in a target is enough to flip which of two features that isolate
# the same rows wins an exact tie in split gain (the partition, hence every
# training prediction, is the same; the as-of row can fall on either side).
# With this port the fixture's matrix and targets are bit-identical to Go's.
_L = [6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
      2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
      1.479819860511658591e-01]
_LN2HI, _LN2LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_HSQRT2 = 7.07106781186547524401e-01


def go_log(x):
    assert x > 0 and math.isfinite(x)
    f1, ki = math.frexp(x)
    k = float(ki)
    if f1 <= _HSQRT2:
        k -= 1.0
        f1 *= 2.0
    f = f1 - 1.0
    s = f / (2.0 + f)
    s2 = s * s
    s4 = s2 * s2
    t1 = s2 * (_L[0] + s4 * (_L[2] + s4 * (_L[4] + s4 * _L[6])))
    t2 = s4 * (_L[1] + s4 * (_L[3] + s4 * _L[5]))
    R = t1 + t2
    hfsq = 0.5 * f * f
    return k * _LN2HI - ((hfsq - (s * (hfsq + R) + k * _LN2LO)) - f)


def realised_vol(r, k):
    """forecast.RealisedVol, operation for operation."""
    v = []
    s = 0.0
    for t, x in enumerate(r):
        s += x * x
        n = t + 1
        if t >= k:
            old = r[t - k]
            s -= old * old
            n = k
        if s < 0:
            s = 0.0
        v.append(math.sqrt(s / float(n)))
    return v


def aapl_features():
    with open("testdata/prices/AAPL.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    col = "Adj Close" if "Adj Close" in rows[0] else "Close"
    rows = rows[-BARS:]
    adj = [float(r[col]) for r in rows]
    r = [go_log(adj[i + 1] / adj[i]) for i in range(len(adj) - 1)]
    v5, v20 = realised_vol(r, VOL_SHORT), realised_vol(r, VOL_LONG)
    first = max(LAGS, VOL_LONG) - 1
    X = []
    for t in range(first, len(r)):
        X.append([r[t - j] for j in range(LAGS)] + [v5[t], v20[t]])
    y = [r[t + 1] for t in range(first, len(r) - 1)]
    return rows[0]["Date"], rows[-1]["Date"], np.array(X), np.array(y)


def tree_dump(est):
    t = est.tree_
    return {
        "feature": t.feature.tolist(),
        "threshold": t.threshold.tolist(),
        "left": t.children_left.tolist(),
        "right": t.children_right.tolist(),
        "value": t.value[:, 0, 0].tolist(),
        "n_node_samples": t.n_node_samples.tolist(),
        "impurity": t.impurity.tolist(),
    }


def case(name, X, y, n_train, params, note):
    g = GradientBoostingRegressor(criterion="squared_error", **params)
    g.fit(X[:n_train], y[:n_train])
    return {
        "name": name,
        "note": note,
        "params": params,
        "n_train": n_train,
        "X": X.tolist(),
        "y": y.tolist(),
        "init": float(g.init_.constant_[0][0]),
        "train_score": g.train_score_.tolist(),
        "feature_importances": g.feature_importances_.tolist(),
        "predictions": g.predict(X).tolist(),
        "trees": [tree_dump(e[0]) for e in g.estimators_],
    }


def synthetic():
    rs = np.random.RandomState(2024)
    n = 240
    a = rs.normal(size=n)
    b = np.round(rs.uniform(-1, 1, size=n), 1)
    c = rs.normal(size=n)
    d = rs.randint(0, 5, size=n).astype(np.float64)
    X = np.column_stack([a, a, b, c, a, d])
    y = 0.8 * a + 0.5 * (b > 0.25) - 0.3 * d + 0.2 * rs.normal(size=n)
    return X, y


def main():
    first, last, X, y = aapl_features()
    n = len(y)
    n_hold = int(round(0.2 * n))
    canonical = dict(n_estimators=200, max_depth=3, learning_rate=0.05,
                     subsample=1.0, random_state=0)
    cases = [
        case("aapl_canonical", X, y, n, canonical,
             "DESIGN section 3 canonical GB on AAPL, fitted on all 735 rows"),
        case("aapl_holdout", X, y, n - n_hold, canonical,
             "canonical GB fitted on the first 588 rows; rows 588..734 held out"),
        case("aapl_subsample", X, y, n,
             dict(n_estimators=60, max_depth=4, learning_rate=0.1, subsample=0.7,
                  min_samples_leaf=5, random_state=7),
             "row subsampling and a minimum leaf size"),
    ]
    Xs, ys = synthetic()
    for seed in (3, 11):
        cases.append(case(f"ties_seed{seed}", Xs, ys, len(ys),
                          dict(n_estimators=30, max_depth=3, learning_rate=0.1,
                               subsample=1.0, random_state=seed),
                          "synthetic matrix full of exact ties in split gain"))

    hold = cases[1]
    pred = np.array(hold["predictions"])
    resid = y[n - n_hold:] - pred[n - n_hold:n]
    sigma = math.sqrt(float(np.mean(resid ** 2)))

    rng = {}
    for seed in (0, 1, 7, 4294967295):
        rs = np.random.RandomState(seed)
        ints = [int(rs.randint(0, 2**31 - 1)) for _ in range(5)]
        rs = np.random.RandomState(seed)
        rng[str(seed)] = {"randint": ints, "random_sample": rs.random_sample(5).tolist()}

    out = {
        "generator": "testdata/gbm/gen_sklearn.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "symbol": "AAPL",
        "bars": BARS,
        "first_date": first,
        "last_date": last,
        "feature_names": [f"ret_lag{j + 1}" for j in range(LAGS)] + ["vol5", "vol20"],
        "forecast": {
            "mu": cases[0]["predictions"][n],
            "sigma": sigma,
            "n_holdout": n_hold,
            "note": "mu: aapl_canonical prediction for the forecast row; "
                    "sigma: RMSE of aapl_holdout on its 147 held-out rows",
        },
        "numpy_random_state": rng,
        "cases": cases,
    }
    with open("testdata/gbm/sklearn_gbr.json", "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
