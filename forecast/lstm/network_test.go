package lstm

import (
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast"
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

// TestPredictParityPyTorch: the fitted model's Predict on the day of its
// last training bar and on 126 later days (windows the training never saw,
// standardised with the training scaler), with PyTorch's weights, against
// PyTorch's nn.LSTM + nn.Linear on the same windows
// (testdata/nn/predict_parity.json, from testdata/nn/gen_predict.py), hidden
// 32 and 16. Tolerance 1e-12 absolute; windows and scaler bit for bit.
func TestPredictParityPyTorch(t *testing.T) {
	f := nntest.LoadPredictParity(t)
	n := 0
	for _, c := range f.Models {
		if c.Model != Name {
			continue
		}
		n++
		m, err := NewConfig(Config{Hidden: c.Config.Hidden}, forecast.Options{Seed: 1, Epochs: 1})
		require.NoError(t, err)
		z, mu := nntest.CheckPredictParity(t, m, f, c)
		t.Logf("hidden %d: max |z - torch| = %.3g, max |mu - torch| = %.3g over %d days", c.Config.Hidden, z, mu, len(c.Mu))
	}
	require.Equal(t, 2, n)
}
