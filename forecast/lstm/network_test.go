package lstm

import (
	"testing"

	"runner/forecast/nn"
	"runner/forecast/nn/nntest"
)

// TestParityPyTorch compares the forward pass, the MSE loss and every
// parameter gradient with PyTorch's nn.LSTM(4, 32, batch_first) +
// nn.Linear(32, 1) on the same weights (testdata/nn/lstm_parity.json, from
// testdata/nn/gen_fixtures.py). Tolerance 1e-9 absolute (issue 4).
func TestParityPyTorch(t *testing.T) {
	f := nntest.LoadParity(t, "lstm_parity.json")
	n := NewNetwork(f.Features, f.Hidden, nn.NewRand(1, nn.StreamInit))
	f.SetWeights(t, n)
	nntest.CheckParity(t, n, f)
}

// TestGradientCheck: analytic gradient against finite differences on small
// shapes, maximum relative error under 1e-6 (issue 4).
func TestGradientCheck(t *testing.T) {
	const in, hidden, length, batch = 3, 5, 6, 4
	rng := nn.NewRand(42, 1)
	nntest.CheckGradient(t, NewNetwork(in, hidden, rng), in, length, batch, rng)
}
