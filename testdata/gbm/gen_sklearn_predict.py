#!/usr/bin/python3
"""Generate the scikit-learn reference for forecast/gbm's Predict on later days.

Run from the repository root with Debian's Python (scikit-learn 1.2.1):

    /usr/bin/python3 testdata/gbm/gen_sklearn_predict.py

Writes testdata/gbm/sklearn_predict.json. The tests never run Python.

Fit once, predict later days (DESIGN section 3): each GradientBoostingRegressor
(criterion="squared_error", random_state=0) of the walk-forward grid (DESIGN
section 5: max depth {2, 3} x learning rate {0.05, 0.1}, 200 trees) is fitted
on the 735 rows of the 756 AAPL bars ending 2023-06-30, and predicts the rows
of that bar and of each of the 126 later bars (to 2023-12-29), rows the fit
never saw. Row i is built from the 756 + i bars, exactly as forecast/gbm's
Design builds the row of the last bar (see gen_sklearn.py: returns with a
port of Go's math.Log, realised volatility with forecast.RealisedVol's
running sum over all the returns so far). Also stored: the held-out sigma of
each configuration (RMSE over the last 147 training rows of the model fitted
on the first 588).
"""
import csv
import json
import math
import os
import sys

import numpy as np
import sklearn
from sklearn.ensemble import GradientBoostingRegressor

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_sklearn import LAGS, VOL_LONG, VOL_SHORT, go_log, realised_vol  # noqa: E402

AS_OF = "2023-06-30"
TRAIN, LATER = 756, 126
GRID = [(3, 0.05), (3, 0.1), (2, 0.05), (2, 0.1)]


def row(r, v5, v20, t):
    return [r[t - j] for j in range(LAGS)] + [v5[t], v20[t]]


def main():
    with open("testdata/prices/AAPL.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    end = [r["Date"] for r in rows].index(AS_OF)
    bars = rows[end - TRAIN + 1:end + LATER + 1]
    assert len(bars) == TRAIN + LATER
    adj = [float(b["Close"]) for b in bars]
    r = [go_log(adj[i + 1] / adj[i]) for i in range(len(adj) - 1)]
    v5, v20 = realised_vol(r, VOL_SHORT), realised_vol(r, VOL_LONG)

    R = TRAIN - 1  # training returns
    first = max(LAGS, VOL_LONG) - 1
    X = np.array([row(r, v5, v20, t) for t in range(first, R - 1)])
    y = np.array([r[t + 1] for t in range(first, R - 1)])
    later = np.array([row(r, v5, v20, R - 1 + i) for i in range(LATER + 1)])
    n = len(y)
    n_hold = int(round(0.2 * n))

    configs = []
    for depth, lr in GRID:
        params = dict(n_estimators=200, max_depth=depth, learning_rate=lr, subsample=1.0, random_state=0)
        full = GradientBoostingRegressor(criterion="squared_error", **params).fit(X, y)
        held = GradientBoostingRegressor(criterion="squared_error", **params).fit(X[:n - n_hold], y[:n - n_hold])
        resid = y[n - n_hold:] - held.predict(X[n - n_hold:])
        configs.append({
            "params": params,
            "predictions": full.predict(later).tolist(),
            "sigma": math.sqrt(float(np.mean(resid ** 2))),
        })

    out = {
        "generator": "testdata/gbm/gen_sklearn_predict.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "symbol": "AAPL",
        "train_bars": TRAIN,
        "first_date": bars[0]["Date"],
        "as_of": AS_OF,
        "last_date": bars[-1]["Date"],
        "n_train": n,
        "n_holdout": n_hold,
        "rows": later.tolist(),
        "configs": configs,
    }
    with open("testdata/gbm/sklearn_predict.json", "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
