#!/usr/bin/python3
"""Reference predictions of the sequence models on new windows, for the
fit-once, predict-later path of forecast/nn (DESIGN section 3).

Generated with Debian's python3-torch (torch 1.13), float64, CPU, from the
repository root:

    /usr/bin/python3 testdata/nn/gen_predict.py

Writes testdata/nn/predict_parity.json. The tests never run Python.

Data: the 756 AAPL bars ending 2023-06-30 (the training bars) and the 126
bars after them, to 2023-12-29. Feature rows are forecast.SequenceFeatures
(log return, 5- and 20-bar realised volatility, volume change), computed
over all 882 bars with a port of Go's math.Log (testdata/gbm/gen_sklearn.py)
and forecast.RealisedVol's running sum, so they equal Go's bit for bit.

Scaler: the training standardisation of nn.SplitSeries on the 755 training
rows with windows of 20 and a 10% validation tail: 735 windows, 74 in the
tail, mean and population standard deviation (summed in row order, as
nn.FitStandardiser does) of the first 20 + 661 rows.

Windows: for day i = 0 .. 126, the last 20 rows of the 756 + i bars,
standardised with that scaler; day 0 is the last training window, days 1 ..
126 are windows the training never saw. Each model predicts the 127
windows in one batch.

Models (PyTorch initialisation from a fixed seed, the classes of
gen_fixtures.py): LSTM hidden 32 (canonical) and 16; Transformer d_model 16
(canonical) and 8, 2 heads, feed-forward 32, with layer norms and biases
moved off their constant initial values so that they matter. Stored: the
weights, the standardised predictions z and mu = z * std[0] + mean[0], the
forecast in return units.
"""
import csv
import json
import math
import os
import sys

import torch

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "gbm"))
from gen_fixtures import LSTMNet, TransformerNet, flat  # noqa: E402
from gen_sklearn import go_log, realised_vol  # noqa: E402

torch.set_default_dtype(torch.float64)

AS_OF = "2023-06-30"
TRAIN, LATER, WINDOW = 756, 126, 20
VAL_FRAC = 0.1


def features(bars):
    adj = [float(b["Close"]) for b in bars]
    vol = [float(b["Volume"]) for b in bars]
    r = [go_log(adj[i + 1] / adj[i]) for i in range(len(adj) - 1)]
    vc = [go_log((vol[i + 1] + 1) / (vol[i] + 1)) for i in range(len(vol) - 1)]
    v5, v20 = realised_vol(r, 5), realised_vol(r, 20)
    return [[r[t], v5[t], v20[t], vc[t]] for t in range(len(r))]


def scaler(rows):
    """nn.FitStandardiser, operation for operation."""
    n = float(len(rows))
    f = len(rows[0])
    mean = [0.0] * f
    for r in rows:
        for j in range(f):
            mean[j] += r[j]
    mean = [m / n for m in mean]
    std = [0.0] * f
    for r in rows:
        for j in range(f):
            d = r[j] - mean[j]
            std[j] += d * d
    return mean, [math.sqrt(s / n) for s in std]


def params_of(model):
    return [{"name": n, "shape": list(p.shape), "value": flat(p)} for n, p in model.named_parameters()]


def main():
    with open("testdata/prices/AAPL.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    end = [r["Date"] for r in rows].index(AS_OF)
    bars = rows[end - TRAIN + 1:end + LATER + 1]
    assert len(bars) == TRAIN + LATER
    feats = features(bars)

    R = TRAIN - 1
    n = R - WINDOW
    n_val = max(1, int(math.floor(VAL_FRAC * n + 0.5)))
    mean, std = scaler(feats[:WINDOW + n - n_val])

    first = R - WINDOW  # first row of the day-0 window
    windows = []
    for i in range(LATER + 1):
        last = R + i  # rows of the R + i returns of 756 + i bars
        windows.append([[(v - mean[j]) / std[j] for j, v in enumerate(r)] for r in feats[last - WINDOW:last]])
    x = torch.tensor(windows)

    models = []

    def add(name, config, model):
        model.train()  # dropout is 0; train mode keeps PyTorch off its fused inference path
        with torch.no_grad():
            z = model(x)
        models.append({"model": name, "config": config, "params": params_of(model),
                       "z": flat(z), "mu": [v * std[0] + mean[0] for v in flat(z)]})

    for hidden, seed in ((32, 20240601), (16, 20240602)):
        torch.manual_seed(seed)
        add("lstm", {"hidden": hidden}, LSTMNet(4, hidden))
    for d_model, seed in ((16, 20240603), (8, 20240604)):
        torch.manual_seed(seed)
        tf = TransformerNet(4, d_model, 2, 32, WINDOW)
        with torch.no_grad():
            g = torch.Generator().manual_seed(seed)
            for pn, p in tf.named_parameters():
                if "norm" in pn and pn.endswith("weight"):
                    p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
                elif "bias" in pn:
                    p.copy_(0.2 * torch.randn(p.shape, generator=g))
        add("transformer", {"d_model": d_model, "heads": 2, "ff": 32}, tf)

    out = {
        "generator": "testdata/nn/gen_predict.py",
        "torch": torch.__version__,
        "symbol": "AAPL",
        "train_bars": TRAIN,
        "first_date": bars[0]["Date"],
        "as_of": AS_OF,
        "last_date": bars[-1]["Date"],
        "window": WINDOW,
        "train_windows": n - n_val,
        "val_windows": n_val,
        "mean": mean,
        "std": std,
        "first_row": first,
        "rows": feats[first:],
        "models": models,
    }
    with open(os.path.join(HERE, "predict_parity.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
