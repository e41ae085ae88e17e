#!/usr/bin/python3
"""Expected P(up) scores of jobs.TestStatusOverMaturedNaiveForecasts.

Twenty naive forecasts of SPY as of 2023-12-01 .. 2023-12-29 on
testdata/prices/SPY.csv: mu is the mean of the 755 log returns of the 756
bars ending at the as-of date, sigma the root mean square of the last 20,
P(up) = Phi(mu/sigma) (math.erf), the outcome the sign of the next return.
Prints the Brier score, the ECE over 15 equal-width bins (bin
min(floor(15 p), 14)) and the Brier score of the base rate u(1-u).
Standard library only:  /usr/bin/python3 testdata/calibration/status_naive.py
"""
import collections
import csv
import math
import os

here = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(here, "..", "prices", "SPY.csv"))))
dates = [r["Date"] for r in rows]
adj = [float(r["Adj Close"]) for r in rows]
ret = [math.log(adj[i] / adj[i - 1]) for i in range(1, len(adj))]  # ret[i-1]: into day i


def phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


p, y, err = [], [], []
for t in range(dates.index("2023-12-01"), dates.index("2023-12-29") + 1):
    mu = sum(ret[t - 755:t]) / 755
    sigma = math.sqrt(sum(x * x for x in ret[t - 20:t]) / 20)
    p.append(phi(mu / sigma))
    y.append(1 if ret[t] > 0 else 0)
    err.append(ret[t] - mu)
n = len(p)
u = sum(y) / n
bins = collections.defaultdict(lambda: [0.0, 0, 0])
for pi, yi in zip(p, y):
    b = bins[min(int(15 * pi), 14)]
    b[0] += pi
    b[1] += yi
    b[2] += 1
print("n", n, "rmse", repr(math.sqrt(sum(e * e for e in err) / n)))
print("brier", repr(sum((pi - yi) ** 2 for pi, yi in zip(p, y)) / n))
print("ece", repr(sum(abs(s - k) / n for s, k, _ in bins.values())))
print("base-rate brier", repr(u * (1 - u)), "bins", {k: v[2] for k, v in bins.items()})
