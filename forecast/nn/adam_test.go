package nn

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAdamPyTorch runs three Adam steps on the gradients of
// testdata/nn/adam.json and compares the parameters after each step with
// torch.optim.Adam(lr=1e-3) (PyTorch 1.13, float64, from
// testdata/nn/gen_fixtures.py). Tolerance 1e-12 absolute (issue 4).
func TestAdamPyTorch(t *testing.T) {
	const tol = 1e-12
	b, err := os.ReadFile("../../testdata/nn/adam.json")
	require.NoError(t, err)
	var f struct {
		LR     float64
		Betas  []float64
		Eps    float64
		Shapes [][]int
		Init   [][]float64
		Steps  []struct{ Grads, Params [][]float64 }
	}
	require.NoError(t, json.Unmarshal(b, &f))
	var ps []*Param
	for i, s := range f.Shapes {
		p := NewParam("p", s...)
		copy(p.W, f.Init[i])
		ps = append(ps, p)
	}
	opt := NewAdam(f.LR)
	require.Equal(t, f.Betas, []float64{opt.Beta1, opt.Beta2}, "Adam betas vs PyTorch defaults")
	require.Equal(t, f.Eps, opt.Eps, "Adam eps vs PyTorch default")
	for k, st := range f.Steps {
		for i, p := range ps {
			copy(p.G, st.Grads[i])
		}
		opt.Step(ps)
		worst := 0.0
		for i, p := range ps {
			for j, w := range p.W {
				worst = math.Max(worst, math.Abs(w-st.Params[i][j]))
			}
		}
		require.LessOrEqual(t, worst, tol, "step %d: parameters vs torch.optim.Adam", k+1)
		t.Logf("step %d: max |p - torch| = %.3g", k+1, worst)
	}
}
