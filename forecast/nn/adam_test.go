package nn

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// TestAdamPyTorch runs three Adam steps on the gradients of
// testdata/nn/adam.json and compares the parameters after each step with
// torch.optim.Adam(lr=1e-3) (PyTorch 1.13, float64, from
// testdata/nn/gen_fixtures.py). Tolerance 1e-12 absolute (issue 4).
func TestAdamPyTorch(t *testing.T) {
	const tol = 1e-12
	b, err := os.ReadFile("../../testdata/nn/adam.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		LR     float64
		Betas  []float64
		Eps    float64
		Shapes [][]int
		Init   [][]float64
		Steps  []struct{ Grads, Params [][]float64 }
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var ps []*Param
	for i, s := range f.Shapes {
		p := NewParam("p", s...)
		copy(p.W, f.Init[i])
		ps = append(ps, p)
	}
	opt := NewAdam(f.LR)
	if opt.Beta1 != f.Betas[0] || opt.Beta2 != f.Betas[1] || opt.Eps != f.Eps {
		t.Fatalf("Adam defaults %v %v %v differ from PyTorch's %v %v", opt.Beta1, opt.Beta2, opt.Eps, f.Betas, f.Eps)
	}
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
		if worst > tol {
			t.Fatalf("step %d: parameters differ from torch.optim.Adam by %g > %g", k+1, worst, tol)
		}
		t.Logf("step %d: max |p - torch| = %.3g", k+1, worst)
	}
}
