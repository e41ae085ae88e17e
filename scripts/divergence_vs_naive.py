#!/usr/bin/python3
"""What the divergence of DESIGN §5 measures on the bundled data.

divergence = |val_rmse - test_rmse| / val_rmse compares the RMSE of one-step
return forecasts over two consecutive 126-day spans. The RMSE of a daily
return forecast is mostly the volatility of the span, so the divergence is
mostly the change in volatility between the two half-years, whatever the
models do. This script puts it beside the same divergence of the ensemble's
RMSE relative to the naive model's over the same days (mu = the mean of the
755 log returns ending at the as-of date, as forecast/naive), which cancels
the volatility level and moves only when the ensemble's skill changes:

    rel = rmse(ensemble) / rmse(naive) on a span
    relative divergence = |rel_val - rel_test| / rel_val

Input: a runner SQLite database after `runner validate` (its
validation_predictions, model 'ensemble') and testdata/prices. Standard
library only:

    /usr/bin/python3 scripts/divergence_vs_naive.py runner.db
"""
import collections
import csv
import math
import os
import sqlite3
import sys

here = os.path.dirname(os.path.abspath(__file__))


def load(sym):
    rows = list(csv.DictReader(open(os.path.join(here, "..", "testdata", "prices", sym + ".csv"))))
    col = "Adj Close" if "Adj Close" in rows[0] else "Close"
    price = [float(r[col]) for r in rows]
    ret = [math.log(price[i] / price[i - 1]) for i in range(1, len(price))]
    cum = [0.0]
    for x in ret:
        cum.append(cum[-1] + x)
    return {r["Date"]: i for i, r in enumerate(rows)}, cum


db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
prices = {}
sse = collections.defaultdict(lambda: [0.0, 0.0, 0])  # (symbol, ensemble, window, span): ensemble, naive, n
for sym, ens, win, span, as_of, mu, real in db.execute(
        "SELECT symbol, ensemble, window_id, span, substr(as_of, 1, 10), mu, realised_return "
        "FROM validation_predictions WHERE model = 'ensemble'"):
    if sym not in prices:
        prices[sym] = load(sym)
    index, cum = prices[sym]
    t = index[as_of]
    naive = (cum[t] - cum[t - 755]) / 755
    s = sse[(sym, ens, win, span)]
    s[0] += (real - mu) ** 2
    s[1] += (real - naive) ** 2
    s[2] += 1

by_ensemble = collections.defaultdict(list)
for (sym, ens, win, span), v in sse.items():
    t = sse.get((sym, ens, win, "test"))
    if span != "val" or t is None:
        continue
    val, test = math.sqrt(v[0] / v[2]), math.sqrt(t[0] / t[2])
    rel_val, rel_test = val / math.sqrt(v[1] / v[2]), test / math.sqrt(t[1] / t[2])
    by_ensemble[ens].append((abs(val - test) / val, abs(rel_val - rel_test) / rel_val))

for ens, pairs in sorted(by_ensemble.items()):
    n = len(pairs)
    div = sorted(p[0] for p in pairs)
    rel = sorted(p[1] for p in pairs)

    def above(xs, th):
        return sum(1 for x in xs if x > th) / n

    print("%-9s %d windows | divergence: median %.3f, > 0.10 %.0f%%, > 0.15 %.0f%%, > 0.30 %.0f%% | "
          "relative to naive: median %.4f, > 0.10 %.0f%%, > 0.15 %.0f%%, > 0.30 %.0f%%, max %.3f"
          % (ens, n, div[n // 2], 100 * above(div, .10), 100 * above(div, .15), 100 * above(div, .30),
             rel[n // 2], 100 * above(rel, .10), 100 * above(rel, .15), 100 * above(rel, .30), rel[-1]))
