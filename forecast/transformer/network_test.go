package transformer

import (
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/forecast/nn"
	"runner/forecast/nn/nntest"
)

// TestParityPyTorch compares the forward pass, the MSE loss and every
// parameter gradient with PyTorch on the same weights: nn.Linear(4, 16) +
// sinusoidal positions + nn.TransformerEncoderLayer(16, 2, 32, dropout=0,
// batch_first, post-norm, ReLU) + nn.Linear(16, 1) on the last token
// (testdata/nn/transformer_parity.json). Tolerance 1e-9 absolute (issue 4).
func TestParityPyTorch(t *testing.T) {
	f := nntest.LoadParity(t, "transformer_parity.json")
	n := NewNetwork(f.Features, f.DModel, f.Heads, f.FF, nn.NewRand(1, nn.StreamInit))
	f.SetWeights(t, n)
	nntest.CheckParity(t, n, f)
}

// TestGradientCheck: analytic gradient against finite differences on small
// shapes, maximum relative error under 1e-6 (issue 4).
func TestGradientCheck(t *testing.T) {
	const in, dim, heads, ff, length, batch = 3, 6, 2, 5, 5, 4
	rng := nn.NewRand(42, 1)
	n := NewNetwork(in, dim, heads, ff, rng)
	// Move layer norms and biases off their constant initial values.
	for _, p := range n.Params() {
		for j := range p.W {
			p.W[j] += 0.3 * rng.NormFloat64()
		}
	}
	nntest.CheckGradient(t, n, in, length, batch, rng)
}

// TestPredictParityPyTorch: the fitted model's Predict on the day of its
// last training bar and on 126 later days (windows the training never saw,
// standardised with the training scaler), with PyTorch's weights, against
// PyTorch's full nn.TransformerEncoderLayer model on the same windows
// (testdata/nn/predict_parity.json, from testdata/nn/gen_predict.py),
// d_model 16 and 8. Tolerance 1e-12 absolute; windows and scaler bit for
// bit.
func TestPredictParityPyTorch(t *testing.T) {
	f := nntest.LoadPredictParity(t)
	n := 0
	for _, c := range f.Models {
		if c.Model != Name {
			continue
		}
		n++
		m, err := NewConfig(Config{DModel: c.Config.DModel, Heads: c.Config.Heads, FF: c.Config.FF},
			forecast.Options{Seed: 1, Epochs: 1})
		require.NoError(t, err)
		z, mu := nntest.CheckPredictParity(t, m, f, c)
		t.Logf("d_model %d: max |z - torch| = %.3g, max |mu - torch| = %.3g over %d days", c.Config.DModel, z, mu, len(c.Mu))
	}
	require.Equal(t, 2, n)
}
