#!/usr/bin/python3
"""Reference: one walk-forward validation window (DESIGN §5) in the Python stack.

This script does the same work as one window of `runner validate --grid
canonical` for one symbol, with the usual Python tools, so that a speed
comparison between the Go runner and "what you would write in Python" is for
equal work. It is a timing reference, not a test fixture: it prints the wall
and CPU time of each phase and the ensembles' RMSEs (for sanity only).

Workload (DESIGN §3 and §5, canonical grid):

  * AAPL, testdata/prices/AAPL.csv (no Adj Close: Close is the modelled
    price), the window whose last test bar is 2023-12-29: 1008 consecutive
    bars, train T=756, validation V=126, test S=126.
  * Modelled series: log returns r = ln(c[t]/c[t-1]) of the window's bars,
    so the train span has 755 returns and V and S have 126 each.
  * Per model, every configuration of its grid is fitted once on the train
    bars and makes one-step forecasts of the V validation returns without
    refitting (inputs updated with realised data). The configuration with
    the lowest validation RMSE is refitted once on train+validation and
    forecasts the S test returns the same way. As the Go runner does for
    train_rmse (DESIGN §5 step 4), the chosen train-fitted configuration
    also predicts in sample from the 65th training bar on (691 days).
  * Simplex weights (w >= 0, sum 1) minimising validation MSE, by scipy
    SLSQP, for the candidate (arima_garch, lstm) and legacy (arima_garch,
    gb, lstm, transformer) ensembles; val and test RMSE of each.

Grids:
  arima_garch  ARMA(p,q) + constant, (p,q) in {0,1,2}^2, GARCH(1,1), Gaussian
               QMLE: statsmodels SARIMAX exact MLE (trend='c') for the start,
               then joint ARMA-GARCH negative log-likelihood in numpy/scipy
               (lfilter recursions) minimised by L-BFGS-B: 9 configurations.
  lstm         1 layer, hidden {16,32} x Adam lr {1e-3,3e-3}: 4.
  transformer  nn.TransformerEncoderLayer, d_model {8,16} x lr {1e-3,3e-3},
               2 heads, feed-forward 32, ReLU, post-norm, dropout 0: 4.
  gb           GradientBoostingRegressor, 200 trees, depth {2,3} x
               learning rate {0.05,0.1}: 4 (each = 2 fits, see below).

The networks read windows of 20 bars of 4 features (return, 5- and 20-bar
realised vol sqrt(mean r^2), volume change ln((v[t]+1)/(v[t-1]+1))),
standardised with training statistics, predict the next standardised return,
train in float64 with Adam, batch 32, 30 epochs, no early stopping, on the
first 90% of the windows; the time-ordered last 10% gives the residual sigma.
GB's sigma is the RMSE of a second fit on the first 80% of its rows over the
last 20%.

Threads: torch.set_num_threads(2) (the machine has 2 cores). scikit-learn's
gradient boosting is single-threaded; numpy/scipy use the system BLAS.

Run:  cd /work/main && /usr/bin/python3 scripts/reference_window.py
Needs Debian's python3-numpy, python3-scipy, python3-statsmodels,
python3-torch, python3-sklearn.
"""

import time

T_START = time.perf_counter()
C_START = time.process_time()

import csv
import math
import os
import warnings

import numpy as np
from scipy.optimize import minimize
from scipy.signal import lfilter
import torch
import torch.nn as nn
from sklearn.ensemble import GradientBoostingRegressor
from statsmodels.tsa.statespace.sarimax import SARIMAX

torch.set_num_threads(2)
torch.set_default_dtype(torch.float64)
# statsmodels warns about convergence and frequency-less data; the fits are
# checked below, so keep the output readable.
warnings.filterwarnings("ignore")

SEED = 1
TRAIN, VAL, TEST = 756, 126, 126
LAST_TEST_DATE = "2023-12-29"
SEQ_LEN = 20          # bars per network input window
EPOCHS = 30
BATCH = 32
NN_TAIL = 0.10        # time-ordered tail of the training windows for sigma
GB_HOLDOUT = 0.20     # time-ordered holdout of the GB rows for sigma
IN_SAMPLE_FROM = 64   # first training bar of the in-sample predictions (Go: walkforward.InSampleFrom)

HERE = os.path.dirname(os.path.abspath(__file__))
CSV_PATH = os.path.join(HERE, "..", "testdata", "prices", "AAPL.csv")


def round_half_away(x):
    """Go's math.Round (half away from zero) for non-negative x."""
    return int(math.floor(x + 0.5))


def rmse(pred, real):
    d = np.asarray(pred) - np.asarray(real)
    return float(np.sqrt(np.mean(d * d)))


class Timer:
    """Accumulates wall and CPU seconds per phase, in the order first used."""

    def __init__(self):
        self.wall, self.cpu, self.order = {}, {}, []

    def phase(self, name):
        timer = self

        class _Ctx:
            def __enter__(self):
                self.w, self.c = time.perf_counter(), time.process_time()

            def __exit__(self, *exc):
                if name not in timer.wall:
                    timer.order.append(name)
                    timer.wall[name], timer.cpu[name] = 0.0, 0.0
                timer.wall[name] += time.perf_counter() - self.w
                timer.cpu[name] += time.process_time() - self.c

        return _Ctx()


# ---------------------------------------------------------------------------
# Data and features


def load_window():
    """The 1008 bars ending LAST_TEST_DATE: closes and volumes."""
    dates, close, volume = [], [], []
    with open(CSV_PATH, newline="") as f:
        for row in csv.DictReader(f):
            dates.append(row["Date"])
            close.append(float(row["Close"]))
            volume.append(float(row["Volume"]))
    end = dates.index(LAST_TEST_DATE)
    start = end - (TRAIN + VAL + TEST) + 1
    sl = slice(start, end + 1)
    return dates[sl], np.array(close[sl]), np.array(volume[sl])


def realised_vol(r, k):
    """v[t] = sqrt(mean(r[t-k+1..t]^2)); over the first t+1 returns while t < k-1."""
    c = np.cumsum(r * r)
    n = np.minimum(np.arange(1, len(r) + 1), k)
    s = c.copy()
    s[k:] = c[k:] - c[:-k]
    return np.sqrt(np.maximum(s, 0.0) / n)


def sequence_features(r, vol):
    """Rows [r, vol5, vol20, volume change], one per return (row t: return of bar t+1)."""
    vc = np.log((vol[1:] + 1.0) / (vol[:-1] + 1.0))
    return np.column_stack([r, realised_vol(r, 5), realised_vol(r, 20), vc])


# ---------------------------------------------------------------------------
# ARIMA-GARCH: ARMA(p,q) with constant, GARCH(1,1) errors, Gaussian QMLE.
# The model is fitted to percentage returns y = 100 r (the usual scaling for
# GARCH optimisation); forecasts are scaled back.


def arma_garch_filter(theta, y, p, q, h0):
    """Conditional residuals e and variances h of ARMA(p,q)-GARCH(1,1) on y,
    and the one-step forecasts mu[t], sig2[t] of y[t+1] made at t.

    Recursions start at t = p (presample residuals zero), h[p] = h0.
    Everything at t uses y[..t] only.
    """
    c = theta[0]
    phi, th = theta[1:1 + p], theta[1 + p:1 + p + q]
    omega, alpha, beta = theta[1 + p + q:]
    n = len(y)
    # u[t] = y[t] - c - sum phi_i y[t-i], for t >= p
    u = y[p:] - c
    for i in range(p):
        u = u - phi[i] * y[p - 1 - i:n - 1 - i]
    # e[t] = u[t] - sum theta_j e[t-j]
    e = lfilter([1.0], np.r_[1.0, th], u)
    # h[t] = omega + alpha e[t-1]^2 + beta h[t-1], h[first] = h0
    x = np.empty_like(e)
    x[0] = h0
    x[1:] = omega + alpha * e[:-1] ** 2
    h = lfilter([1.0], [1.0, -beta], x)
    # One-step forecasts made at each t >= p (for y[t+1]).
    m = len(e)  # t = p .. n-1
    mu = np.full(m, c)
    ypad = np.r_[np.zeros(p), y]          # ypad[p + t] = y[t]
    for i in range(p):                    # phi_i y[t+1-i], i = 1..p
        mu += phi[i] * ypad[2 * p - i: 2 * p - i + m]  # y[t+1-(i+1)], t = p..
    epad = np.r_[np.zeros(q), e]          # epad[q + k] = e[p + k]
    for j in range(q):                    # theta_j e[t+1-j], j = 1..q
        mu += th[j] * epad[q - j: q - j + m]
    sig2 = omega + alpha * e ** 2 + beta * h
    return e, h, mu, sig2


def stationary_invertible(phi, th):
    for coef in (np.r_[1.0, -np.asarray(phi)], np.r_[1.0, np.asarray(th)]):
        if len(coef) > 1 and np.any(np.abs(np.roots(coef[::-1])) <= 1.001):
            return False
    return True


def arma_garch_nll(theta, y, p, q, h0):
    phi, th = theta[1:1 + p], theta[1 + p:1 + p + q]
    omega, alpha, beta = theta[1 + p + q:]
    if alpha + beta >= 0.9999 or omega <= 0 or not stationary_invertible(phi, th):
        return 1e10
    e, h, _, _ = arma_garch_filter(theta, y, p, q, h0)
    if np.any(h <= 0):
        return 1e10
    return 0.5 * float(np.sum(np.log(2 * np.pi) + np.log(h) + e * e / h))


def fit_arima_garch(r, p, q):
    """SARIMAX exact MLE for the ARMA start, then joint ARMA-GARCH QMLE."""
    y = 100.0 * r
    sm = SARIMAX(y, order=(p, 0, q), trend="c").fit(disp=False)
    c0 = sm.params[0]
    phi0, th0 = sm.params[1:1 + p], sm.params[1 + p:1 + p + q]
    s2 = sm.params[-1]
    h0 = float(np.var(sm.resid[p:]))
    x0 = np.r_[c0, phi0, th0, 0.05 * s2, 0.05, 0.90]
    bounds = ([(None, None)] + [(-0.999, 0.999)] * (p + q)
              + [(1e-8, None), (1e-8, 0.999), (1e-8, 0.999)])
    res = minimize(arma_garch_nll, x0, args=(y, p, q, h0), method="L-BFGS-B", bounds=bounds)
    theta = res.x
    alpha, beta = theta[-2], theta[-1]
    ok = (res.success and np.isfinite(res.fun) and res.fun < 1e9
          and alpha + beta < 0.999
          and stationary_invertible(theta[1:1 + p], theta[1 + p:1 + p + q]))
    if not ok:
        raise RuntimeError(f"ARMA({p},{q})-GARCH(1,1) QMLE: {res.message}, alpha+beta={alpha + beta:.4f}")
    return {"theta": theta, "p": p, "q": q, "h0": h0}


def predict_arima_garch(model, r_path, asof):
    """One-step mu, sigma of r[t+1] for each as-of return index t in asof,
    running both recursions over r_path with the fitted parameters."""
    p = model["p"]
    _, _, mu, sig2 = arma_garch_filter(model["theta"], 100.0 * r_path, p, model["q"], model["h0"])
    idx = np.asarray(asof) - p
    return mu[idx] / 100.0, np.sqrt(sig2[idx]) / 100.0


# ---------------------------------------------------------------------------
# Sequence networks


class LSTMNet(nn.Module):
    def __init__(self, n_in, hidden):
        super().__init__()
        self.lstm = nn.LSTM(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :]).squeeze(-1)


def sinusoidal(length, dim):
    pe = torch.zeros(length, dim)
    pos = torch.arange(length, dtype=torch.float64)
    for i in range(0, dim, 2):
        freq = math.exp(-float(i) * math.log(10000.0) / dim)
        pe[:, i] = torch.sin(pos * freq)
        if i + 1 < dim:
            pe[:, i + 1] = torch.cos(pos * freq)
    return pe


class TransformerNet(nn.Module):
    def __init__(self, n_in, d_model, heads=2, ff=32, length=SEQ_LEN):
        super().__init__()
        self.inp = nn.Linear(n_in, d_model)
        self.enc = nn.TransformerEncoderLayer(
            d_model, heads, dim_feedforward=ff, dropout=0.0, activation="relu",
            batch_first=True, norm_first=False)
        self.head = nn.Linear(d_model, 1)
        self.register_buffer("pe", sinusoidal(length, d_model))

    def forward(self, x):
        z = self.enc(self.inp(x) + self.pe[: x.shape[1]])
        return self.head(z[:, -1, :]).squeeze(-1)


def windows(xs, ends):
    """Stack the SEQ_LEN-row windows of xs ending at each index of ends."""
    ends = np.asarray(ends)
    idx = ends[:, None] + np.arange(-SEQ_LEN + 1, 1)[None, :]
    return torch.from_numpy(xs[idx])


def fit_network(make_net, rows, lr):
    """Train on the feature rows of the fit span (rows[t] = features of return t).

    Window i ends at row SEQ_LEN-1+i and targets the standardised return of
    the next row; the last NN_TAIL of the windows (time order) are held out
    for sigma. Standardisation uses the rows the training windows and their
    targets read.
    """
    n = len(rows) - SEQ_LEN
    n_val = max(1, round_half_away(NN_TAIL * n))
    n_train = n - n_val
    fit_rows = rows[:SEQ_LEN + n_train]
    mean, std = fit_rows.mean(axis=0), fit_rows.std(axis=0)
    xs = (rows - mean) / std
    ends = SEQ_LEN - 1 + np.arange(n)
    X = windows(xs, ends)
    Y = torch.from_numpy(xs[ends + 1, 0].copy())
    Xtr, Ytr, Xva, Yva = X[:n_train], Y[:n_train], X[n_train:], Y[n_train:]

    torch.manual_seed(SEED)
    net = make_net()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(SEED)
    loss_fn = nn.MSELoss()
    net.train()
    for _ in range(EPOCHS):  # all 30 epochs: no early stopping
        order = torch.randperm(n_train, generator=gen)
        for b in range(0, n_train, BATCH):
            i = order[b:b + BATCH]
            opt.zero_grad()
            loss = loss_fn(net(Xtr[i]), Ytr[i])
            loss.backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        pv = net(Xva).numpy()
    sigma = float(np.sqrt(np.mean(((pv - Yva.numpy()) * std[0]) ** 2)))
    return {"net": net, "mean": mean, "std": std, "sigma": sigma}


def predict_network(model, rows_path, asof):
    """Forecast of r[t+1] for each as-of return index t: the window of the
    SEQ_LEN rows ending at t, standardised with the training statistics."""
    xs = (rows_path - model["mean"]) / model["std"]
    with torch.no_grad():
        z = model["net"](windows(xs, asof)).numpy()
    mu = z * model["std"][0] + model["mean"][0]
    return mu, np.full(len(mu), model["sigma"])


# ---------------------------------------------------------------------------
# Gradient boosting

GB_LAGS, GB_FIRST = 10, 19  # first row: the first index with a full 20-bar window


def gb_rows(r):
    """Row for return index t: r[t], ..., r[t-9], vol5[t], vol20[t]; t from GB_FIRST."""
    v5, v20 = realised_vol(r, 5), realised_vol(r, 20)
    t = np.arange(GB_FIRST, len(r))
    lags = np.column_stack([r[t - j] for j in range(GB_LAGS)])
    return np.column_stack([lags, v5[t], v20[t]])


def fit_gb(r, depth, lr):
    rows = gb_rows(r)
    X, y = rows[:-1], r[GB_FIRST + 1:]
    kw = dict(criterion="squared_error", n_estimators=200, max_depth=depth,
              learning_rate=lr, random_state=SEED)
    full = GradientBoostingRegressor(**kw).fit(X, y)
    n_hold = round_half_away(GB_HOLDOUT * len(y))
    cut = len(y) - n_hold
    early = GradientBoostingRegressor(**kw).fit(X[:cut], y[:cut])
    sigma = rmse(early.predict(X[cut:]), y[cut:])
    return {"model": full, "sigma": sigma}


def predict_gb(model, r_path, asof):
    rows = gb_rows(r_path)
    mu = model["model"].predict(rows[np.asarray(asof) - GB_FIRST])
    return mu, np.full(len(mu), model["sigma"])


# ---------------------------------------------------------------------------
# Grids (DESIGN §5) as (label, fit(r, rows), predict(model, r_path, rows_path, asof))


def grid():
    g = {"arima_garch": [], "lstm": [], "transformer": [], "gb": []}
    for p in range(3):
        for q in range(3):
            g["arima_garch"].append((
                f"p={p},q={q}",
                lambda r, rows, p=p, q=q: fit_arima_garch(r, p, q),
                lambda m, r, rows, asof: predict_arima_garch(m, r, asof)))
    for hidden in (16, 32):
        for lr in (1e-3, 3e-3):
            g["lstm"].append((
                f"hidden={hidden},lr={lr:g}",
                lambda r, rows, h=hidden, lr=lr: fit_network(lambda: LSTMNet(4, h), rows, lr),
                lambda m, r, rows, asof: predict_network(m, rows, asof)))
    for d in (8, 16):
        for lr in (1e-3, 3e-3):
            g["transformer"].append((
                f"d_model={d},lr={lr:g}",
                lambda r, rows, d=d, lr=lr: fit_network(lambda: TransformerNet(4, d), rows, lr),
                lambda m, r, rows, asof: predict_network(m, rows, asof)))
    for depth in (2, 3):
        for lr in (0.05, 0.1):
            g["gb"].append((
                f"max_depth={depth},lr={lr:g}",
                lambda r, rows, d=depth, lr=lr: fit_gb(r, d, lr),
                lambda m, r, rows, asof: predict_gb(m, r, asof)))
    return g


def simplex_weights(P, y):
    """w >= 0, sum w = 1 minimising sum((P w - y)^2), scipy SLSQP."""
    k = P.shape[1]

    def f(w):
        d = P @ w - y
        return float(d @ d)

    def jac(w):
        return 2.0 * P.T @ (P @ w - y)

    res = minimize(f, np.full(k, 1.0 / k), jac=jac, method="SLSQP",
                   bounds=[(0.0, 1.0)] * k,
                   constraints=[{"type": "eq", "fun": lambda w: np.sum(w) - 1.0,
                                 "jac": lambda w: np.ones(k)}],
                   options={"ftol": 1e-16, "maxiter": 200})
    w = np.clip(res.x, 0.0, None)
    return w / w.sum()


def main():
    timer = Timer()
    t_imports = time.perf_counter() - T_START
    c_imports = time.process_time() - C_START

    with timer.phase("data"):
        dates, close, volume = load_window()
        r = np.log(close[1:] / close[:-1])            # r[k]: return of bar k+1, 1007 returns
        rows = sequence_features(r, volume)            # rows[k]: features of return k
        n_tr = TRAIN - 1                               # 755 train returns: r[0..754]
        n_trval = TRAIN + VAL - 1                      # 881 train+val returns: r[0..880]
        # As-of return indices (forecast of r[t+1] made with data up to t).
        val_asof = np.arange(n_tr - 1, n_trval - 1)            # 754..879 -> targets r[755..880]
        test_asof = np.arange(n_trval - 1, len(r) - 1)         # 880..1005 -> targets r[881..1006]
        ins_asof = np.arange(IN_SAMPLE_FROM - 1, n_tr - 1)     # 63..753 -> targets r[64..754]
        val_real, test_real, ins_real = r[val_asof + 1], r[test_asof + 1], r[ins_asof + 1]
        # Paths end at the last as-of bar: nothing after it is read.
        val_path, test_path = slice(0, n_trval - 1), slice(0, len(r) - 1)
    print(f"AAPL window: train {dates[0]}..{dates[TRAIN - 1]}, val {dates[TRAIN]}..{dates[TRAIN + VAL - 1]}, "
          f"test {dates[TRAIN + VAL]}..{dates[-1]} ({len(dates)} bars; {n_tr} train returns, "
          f"{len(val_real)} val, {len(test_real)} test)")
    print(f"torch {torch.__version__}, torch.set_num_threads(2) -> {torch.get_num_threads()} threads; float64")

    chosen = {}
    for name, configs in grid().items():
        with timer.phase(f"{name} grid"):
            best = None
            for label, fit, predict in configs:
                try:
                    m = fit(r[:n_tr], rows[:n_tr])
                    mu, sig = predict(m, r[val_path], rows[val_path], val_asof)
                    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(sig)) and np.all(sig > 0)):
                        raise RuntimeError("non-finite or non-positive forecast")
                except Exception as exc:  # a failed configuration is skipped and recorded
                    print(f"  {name} {label}: failed: {exc}")
                    continue
                score = rmse(mu, val_real)
                print(f"  {name:12s} {label:22s} val RMSE {score:.6f}")
                if best is None or score < best[0]:
                    best = (score, label, fit, predict, m, mu)
        if best is None:
            print(f"  {name}: every configuration failed; it leaves the ensembles")
            continue
        chosen[name] = best

    preds = {}
    with timer.phase("refits+test"):
        for name, (score, label, fit, predict, m_train, val_mu) in chosen.items():
            ins_mu, _ = predict(m_train, r[:n_tr - 1], rows[:n_tr - 1], ins_asof)  # in-sample, for train RMSE
            m = fit(r[:n_trval], rows[:n_trval])                                   # refit on train+val
            test_mu, _ = predict(m, r[test_path], rows[test_path], test_asof)
            preds[name] = {"val": val_mu, "test": test_mu, "ins": ins_mu}
            print(f"  chosen {name:12s} {label:22s} val {score:.6f}  test {rmse(test_mu, test_real):.6f}")

    ensembles = {
        "candidate": (["arima_garch", "lstm"], [0.5, 0.5]),
        "legacy": (["arima_garch", "gb", "lstm", "transformer"], [0.20, 0.35, 0.25, 0.20]),
    }
    results = {}
    with timer.phase("weights"):
        for ens, (members, defaults) in ensembles.items():
            used = [m for m in members if m in preds]
            dflt = np.array([d for m, d in zip(members, defaults) if m in preds])
            dflt = dflt / dflt.sum()
            P = {s: np.column_stack([preds[m][s] for m in used]) for s in ("val", "test", "ins")}
            w = simplex_weights(P["val"], val_real)
            v, t = rmse(P["val"] @ w, val_real), rmse(P["test"] @ w, test_real)
            results[ens] = dict(used=used, w=w, val=v, test=t,
                                test_default=rmse(P["test"] @ dflt, test_real),
                                train=rmse(P["ins"] @ w, ins_real),
                                divergence=abs(v - t) / v)

    total_wall = time.perf_counter() - T_START
    total_cpu = time.process_time() - C_START

    print()
    print("Ensembles (sanity only):")
    for ens, e in results.items():
        ws = ", ".join(f"{m} {x:.4f}" for m, x in zip(e["used"], e["w"]))
        print(f"  {ens:9s} weights [{ws}]")
        print(f"  {'':9s} train RMSE {e['train']:.6f}  val RMSE {e['val']:.6f}  test RMSE {e['test']:.6f}  "
              f"(default weights {e['test_default']:.6f})  divergence {e['divergence']:.4f}")
    print()
    print("Timings (wall s / CPU s of this process):")
    print(f"  {'imports':14s} {t_imports:8.2f} {c_imports:8.2f}")
    for name in timer.order:
        print(f"  {name:14s} {timer.wall[name]:8.2f} {timer.cpu[name]:8.2f}")
    print(f"  {'total':14s} {total_wall:8.2f} {total_cpu:8.2f}   (from interpreter start of the script, imports included)")


if __name__ == "__main__":
    main()
