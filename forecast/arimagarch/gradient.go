package arimagarch

import "slices"

// memo remembers the last value of an objective, so that a gradient by
// forward differences requested at the point just evaluated (as
// gonum/optimize does after each accepted step) does not evaluate it again.
type memo struct {
	f  func([]float64) float64
	x  []float64
	fx float64
	ok bool
}

// Func evaluates f at x and remembers the value.
func (m *memo) Func(x []float64) float64 {
	m.fx = m.f(x)
	m.x = append(m.x[:0], x...)
	m.ok = true
	return m.fx
}

// at returns f(x), remembered when x is the last point evaluated. It does
// not change what is remembered.
func (m *memo) at(x []float64) float64 {
	if m.ok && slices.Equal(m.x, x) {
		return m.fx
	}
	return m.f(x)
}

// centralGrad writes to g the central-difference gradient of f at x, with a
// step of h per coordinate. x is restored.
func centralGrad(g []float64, f func([]float64) float64, x []float64, h float64) {
	for i := range x {
		xi := x[i]
		x[i] = xi + h
		fp := f(x)
		x[i] = xi - h
		fm := f(x)
		x[i] = xi
		g[i] = (fp - fm) / (2 * h)
	}
}

// forwardGrad writes to g the forward-difference gradient of f at x, where
// f(x) = f0 (one evaluation per coordinate; error about h |f”| + eps |f| /
// h). x is restored.
func forwardGrad(g []float64, f func([]float64) float64, x []float64, f0, h float64) {
	for i := range x {
		xi := x[i]
		x[i] = xi + h
		g[i] = (f(x) - f0) / h
		x[i] = xi
	}
}
