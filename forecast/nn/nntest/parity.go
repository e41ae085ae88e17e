package nntest

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast/nn"
)

// Parity is a PyTorch reference fixture of testdata/nn (lstm_parity.json,
// transformer_parity.json), written by testdata/nn/gen_fixtures.py with
// PyTorch 1.13 in float64: the module's weights, a batch of windows X with
// targets Y, its predictions, its MSE loss and every parameter gradient.
type Parity struct {
	Batch, Length, Features int
	Hidden                  int // LSTM
	DModel                  int `json:"d_model"` // Transformer
	Heads, FF               int // Transformer
	X, Y, Pred              []float64
	Loss                    float64
	Params                  []struct {
		Name        string
		Shape       []int
		Value, Grad []float64
	}
}

// LoadParity reads testdata/nn/name.
func LoadParity(t *testing.T, name string) Parity {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "nn", name))
	require.NoError(t, err)
	var f Parity
	require.NoError(t, json.Unmarshal(b, &f))
	return f
}

// SetWeights copies the fixture's weights into net, checking that the
// parameters come in PyTorch's order and shapes.
func (f Parity) SetWeights(t *testing.T, net nn.Network) {
	t.Helper()
	ps := net.Params()
	require.Len(t, f.Params, len(ps))
	for i, p := range ps {
		require.Equal(t, f.Params[i].Name, p.Name)
		require.Equal(t, f.Params[i].Shape, p.Shape)
		copy(p.W, f.Params[i].Value)
	}
}

// CheckParity compares net (holding the fixture's weights) with PyTorch:
// the forward pass, the MSE loss and every parameter gradient, to 1e-9
// absolute (issue 4).
func CheckParity(t *testing.T, net nn.Network, f Parity) {
	const tol = 1e-9
	pred := make([]float64, f.Batch)
	net.Predict(pred, f.X, f.Batch)
	require.InDeltaSlice(t, f.Pred, pred, tol, "predictions vs PyTorch")
	nn.ZeroGrad(net.Params())
	sse := net.Grad(f.X, f.Y, f.Batch, 1/float64(f.Batch))
	require.InDelta(t, f.Loss, sse/float64(f.Batch), tol, "loss vs PyTorch")
	for i, p := range net.Params() {
		worst := 0.0
		for j, g := range p.G {
			worst = math.Max(worst, math.Abs(g-f.Params[i].Grad[j]))
		}
		t.Logf("%-30s max |grad - torch| = %.3g", p.Name, worst)
		require.LessOrEqual(t, worst, tol, "gradient of %s vs PyTorch", p.Name)
	}
}

// CheckGradient compares net's analytic gradient with finite differences
// of the loss (five-point central stencil, h = 1e-3, truncation error
// O(h⁴)) on batch windows of length×in standard normal inputs and targets
// drawn from rng; the maximum relative error, taken against
// max(|analytic|, |numeric|, 1e-6), must be under 1e-6 (issue 4).
func CheckGradient(t *testing.T, net nn.Replicator, in, length, batch int, rng *rand.Rand) {
	const (
		h   = 1e-3
		tol = 1e-6
	)
	x := make([]float64, batch*length*in)
	y := make([]float64, batch)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	scale := 1 / float64(batch)
	loss := func() float64 { return net.Replica().Grad(x, y, batch, scale) * scale }
	nn.ZeroGrad(net.Params())
	net.Grad(x, y, batch, scale)
	worst := 0.0
	for _, p := range net.Params() {
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
	t.Logf("max relative error %.3g over %d parameters", worst, nn.Count(net.Params()))
}
