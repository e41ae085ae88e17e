#!/usr/bin/python3
"""Reference fixtures for runner/forecast/nn, forecast/lstm and forecast/transformer.

Generated with Debian's python3-torch (torch 1.13), float64, CPU:

    /usr/bin/python3 testdata/nn/gen_fixtures.py

Writes, next to this script:
  lstm_parity.json         nn.LSTM(4, 32, batch_first) + nn.Linear(32, 1) on the last
                           hidden state: weights, inputs, targets, predictions, MSE loss
                           and the gradient of every parameter.
  transformer_parity.json  nn.Linear(4, 16) input projection + sinusoidal positions +
                           nn.TransformerEncoderLayer(16, 2, 32, dropout=0, batch_first,
                           post-norm, ReLU) + nn.Linear(16, 1) on the last token: the same.
  adam.json                three torch.optim.Adam(lr=1e-3) steps on fixed gradients.
"""
import json
import math
import os

import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def dump(name, obj):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f)
        f.write("\n")


def params_of(model):
    return [
        {"name": n, "shape": list(p.shape), "value": flat(p), "grad": flat(p.grad)}
        for n, p in model.named_parameters()
    ]


class LSTMNet(nn.Module):
    def __init__(self, inp, hidden):
        super().__init__()
        self.lstm = nn.LSTM(inp, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :]).squeeze(-1)


def sinusoidal(length, dim):
    pe = torch.zeros(length, dim)
    pos = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    for i in range(0, dim, 2):
        freq = math.exp(-float(i) * math.log(10000.0) / dim)
        pe[:, i] = torch.sin(pos[:, 0] * freq)
        if i + 1 < dim:
            pe[:, i + 1] = torch.cos(pos[:, 0] * freq)
    return pe


class TransformerNet(nn.Module):
    def __init__(self, inp, d_model, heads, ff, length):
        super().__init__()
        self.inp = nn.Linear(inp, d_model)
        self.enc = nn.TransformerEncoderLayer(
            d_model, heads, dim_feedforward=ff, dropout=0.0, activation="relu",
            batch_first=True, norm_first=False)
        self.head = nn.Linear(d_model, 1)
        self.register_buffer("pe", sinusoidal(length, d_model))

    def forward(self, x):
        z = self.inp(x) + self.pe[: x.shape[1]]
        z = self.enc(z)
        return self.head(z[:, -1, :]).squeeze(-1)


def parity(model, batch, length, features, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, length, features, generator=g)
    y = torch.randn(batch, generator=g)
    model.train()
    model.zero_grad()
    pred = model(x)
    loss = torch.mean((pred - y) ** 2)
    loss.backward()
    return {
        "batch": batch, "length": length, "features": features,
        "x": flat(x), "y": flat(y), "pred": flat(pred), "loss": float(loss),
        "params": params_of(model),
    }


def main():
    torch.manual_seed(20240101)
    lstm = LSTMNet(4, 32)
    fx = parity(lstm, 5, 20, 4, 1)
    fx["hidden"] = 32
    dump("lstm_parity.json", fx)

    torch.manual_seed(20240102)
    tf = TransformerNet(4, 16, 2, 32, 20)
    # Move the parameters PyTorch initialises to constants (layer norms,
    # attention biases) away from them so that their gradients are tested.
    with torch.no_grad():
        g = torch.Generator().manual_seed(7)
        for n, p in tf.named_parameters():
            if "norm" in n and n.endswith("weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            elif "bias" in n:
                p.copy_(0.2 * torch.randn(p.shape, generator=g))
    fx = parity(tf, 5, 20, 4, 2)
    fx.update({"d_model": 16, "heads": 2, "ff": 32})
    dump("transformer_parity.json", fx)

    g = torch.Generator().manual_seed(3)
    ps = [torch.randn(4, 3, generator=g).requires_grad_(), torch.randn(5, generator=g).requires_grad_()]
    init = [flat(p) for p in ps]
    opt = torch.optim.Adam(ps, lr=1e-3)
    steps = []
    for k in range(3):
        grads = [torch.randn(p.shape, generator=g) * (10.0 ** (k - 1)) for p in ps]
        for p, gr in zip(ps, grads):
            p.grad = gr.clone()
        opt.step()
        steps.append({"grads": [flat(gr) for gr in grads], "params": [flat(p) for p in ps]})
    dump("adam.json", {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8,
                       "shapes": [list(p.shape) for p in ps], "init": init, "steps": steps})


if __name__ == "__main__":
    main()
