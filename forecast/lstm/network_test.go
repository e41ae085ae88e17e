package lstm

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast/nn"
)

// TestParityPyTorch compares the forward pass, the MSE loss and every
// parameter gradient with PyTorch's nn.LSTM(4, 32, batch_first) +
// nn.Linear(32, 1) on the same weights (testdata/nn/lstm_parity.json, from
// testdata/nn/gen_fixtures.py). Tolerance 1e-9 absolute (issue 4).
func TestParityPyTorch(t *testing.T) {
	const tol = 1e-9
	f := loadFixture(t)
	n := networkFrom(t, f)
	pred := make([]float64, f.Batch)
	n.Predict(pred, f.X, f.Batch)
	require.InDeltaSlice(t, f.Pred, pred, tol, "predictions vs PyTorch")
	nn.ZeroGrad(n.Params())
	sse := n.Grad(f.X, f.Y, f.Batch, 1/float64(f.Batch))
	require.InDelta(t, f.Loss, sse/float64(f.Batch), tol, "loss vs PyTorch")
	for i, p := range n.Params() {
		worst := 0.0
		for j, g := range p.G {
			worst = math.Max(worst, math.Abs(g-f.Params[i].Grad[j]))
		}
		t.Logf("%-20s max |grad - torch| = %.3g", p.Name, worst)
		require.LessOrEqual(t, worst, tol, "gradient of %s vs PyTorch", p.Name)
	}
}

// TestGradientCheck compares the analytic gradient with finite differences
// of the loss (five-point central stencil, truncation error O(h⁴)) on small
// shapes; the maximum relative error must be under 1e-6 (issue 4). The
// relative error is taken against max(|analytic|, |numeric|, 1e-6).
func TestGradientCheck(t *testing.T) {
	const (
		in, hidden, length, batch = 3, 5, 6, 4
		h                         = 1e-3
		tol                       = 1e-6
	)
	rng := nn.NewRand(42, 1)
	n := NewNetwork(in, hidden, rng)
	x := make([]float64, batch*length*in)
	y := make([]float64, batch)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	scale := 1 / float64(batch)
	loss := func() float64 {
		r := n.Replica()
		return r.Grad(x, y, batch, scale) * scale
	}
	nn.ZeroGrad(n.Params())
	n.Grad(x, y, batch, scale)
	worst := 0.0
	for _, p := range n.Params() {
		for j := range p.W {
			w := p.W[j]
			at := func(d float64) float64 { p.W[j] = w + d; return loss() }
			num := (at(-2*h) - 8*at(-h) + 8*at(h) - at(2*h)) / (12 * h)
			p.W[j] = w
			rel := math.Abs(num-p.G[j]) / math.Max(math.Max(math.Abs(num), math.Abs(p.G[j])), 1e-6)
			worst = math.Max(worst, rel)
			require.Less(t, rel, tol, "%s[%d]: analytic %.10g, finite difference %.10g", p.Name, j, p.G[j], num)
		}
	}
	t.Logf("max relative error %.3g over %d parameters", worst, nn.Count(n.Params()))
}
