package nn

import "math"

// Adam is the Adam optimiser with PyTorch's defaults and update order
// (torch.optim.Adam, single-tensor path, no weight decay, no amsgrad):
//
//	m ← β1·m + (1-β1)·g,  v ← β2·v + (1-β2)·g²
//	p ← p - (lr/(1-β1ᵗ))·m / (sqrt(v)/sqrt(1-β2ᵗ) + ε)
type Adam struct {
	LR, Beta1, Beta2, Eps float64

	t    int
	m, v [][]float64
}

// NewAdam returns Adam with learning rate lr, betas (0.9, 0.999) and eps 1e-8.
func NewAdam(lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Step updates ps from their gradients. The same parameters, in the same
// order, must be passed at every step.
func (a *Adam) Step(ps []*Param) {
	if a.m == nil {
		a.m = make([][]float64, len(ps))
		a.v = make([][]float64, len(ps))
		for i, p := range ps {
			a.m[i] = make([]float64, len(p.W))
			a.v[i] = make([]float64, len(p.W))
		}
	}
	if len(ps) != len(a.m) {
		panic("nn: Adam step with a different parameter list")
	}
	a.t++
	b1, b2 := a.Beta1, a.Beta2
	c1, c2 := 1-b1, 1-b2
	stepSize := a.LR / (1 - math.Pow(b1, float64(a.t)))
	bc2 := math.Sqrt(1 - math.Pow(b2, float64(a.t)))
	for i, p := range ps {
		m, v := a.m[i], a.v[i]
		for j, g := range p.G {
			m[j] = m[j]*b1 + c1*g
			v[j] = v[j]*b2 + c2*g*g
			p.W[j] += -stepSize * m[j] / (math.Sqrt(v[j])/bc2 + a.Eps)
		}
	}
}
