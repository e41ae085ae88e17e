package transformer

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast/nn"
)

// parityFixture is testdata/nn/transformer_parity.json, written by
// testdata/nn/gen_fixtures.py with PyTorch 1.13 in float64: nn.Linear(4, 16)
// + sinusoidal positions + nn.TransformerEncoderLayer(16, 2, 32, dropout=0,
// batch_first, post-norm, ReLU) + nn.Linear(16, 1) on the last token.
type parityFixture struct {
	Batch, Length, Features int
	DModel                  int `json:"d_model"`
	Heads, FF               int
	X, Y, Pred              []float64
	Loss                    float64
	Params                  []struct {
		Name        string
		Shape       []int
		Value, Grad []float64
	}
}

func loadFixture(t *testing.T) (parityFixture, *Network) {
	t.Helper()
	b, err := os.ReadFile("../../testdata/nn/transformer_parity.json")
	require.NoError(t, err)
	var f parityFixture
	require.NoError(t, json.Unmarshal(b, &f))
	n := NewNetwork(f.Features, f.DModel, f.Heads, f.FF, nn.NewRand(1, nn.StreamInit))
	ps := n.Params()
	require.Len(t, f.Params, len(ps))
	for i, p := range ps {
		require.Equal(t, f.Params[i].Name, p.Name)
		require.Equal(t, f.Params[i].Shape, p.Shape)
		copy(p.W, f.Params[i].Value)
	}
	return f, n
}

// TestParityPyTorch compares the forward pass, the MSE loss and every
// parameter gradient with the PyTorch reference module on the same weights
// (testdata/nn/transformer_parity.json). Tolerance 1e-9 absolute (issue 4).
func TestParityPyTorch(t *testing.T) {
	const tol = 1e-9
	f, n := loadFixture(t)
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
		t.Logf("%-30s max |grad - torch| = %.3g", p.Name, worst)
		require.LessOrEqual(t, worst, tol, "gradient of %s vs PyTorch", p.Name)
	}
}

// TestGradientCheck compares the analytic gradient with finite differences
// of the loss (five-point central stencil, truncation error O(h⁴)) on small
// shapes; the maximum relative error must be under 1e-6 (issue 4). The
// relative error is taken against max(|analytic|, |numeric|, 1e-6).
func TestGradientCheck(t *testing.T) {
	const (
		in, dim, heads, ff, length, batch = 3, 6, 2, 5, 5, 4
		h                                 = 1e-3
		tol                               = 1e-6
	)
	rng := nn.NewRand(42, 1)
	n := NewNetwork(in, dim, heads, ff, rng)
	// Move layer norms and biases off their constant initial values.
	for _, p := range n.Params() {
		for j := range p.W {
			p.W[j] += 0.3 * rng.NormFloat64()
		}
	}
	x := make([]float64, batch*length*in)
	y := make([]float64, batch)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	scale := 1 / float64(batch)
	loss := func() float64 { return n.Replica().Grad(x, y, batch, scale) * scale }
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
