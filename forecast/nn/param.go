package nn

// Param is one parameter tensor: its values W and the gradient G of the
// loss with respect to them, both flat and row-major in the layout PyTorch
// uses for the same tensor (a Linear weight is [out×in]).
type Param struct {
	Name  string
	Shape []int
	W, G  []float64
}

// NewParam returns a zero parameter of the given shape.
func NewParam(name string, shape ...int) *Param {
	n := 1
	for _, s := range shape {
		if s <= 0 {
			panic("nn: non-positive parameter dimension")
		}
		n *= s
	}
	return &Param{Name: name, Shape: shape, W: make([]float64, n), G: make([]float64, n)}
}

// ZeroGrad sets the gradients of ps to zero.
func ZeroGrad(ps []*Param) {
	for _, p := range ps {
		clear(p.G)
	}
}

// Snapshot copies the values of ps into one flat slice, reusing dst when
// it is large enough.
func Snapshot(dst []float64, ps []*Param) []float64 {
	dst = dst[:0]
	for _, p := range ps {
		dst = append(dst, p.W...)
	}
	return dst
}

// Restore copies a Snapshot back into ps.
func Restore(ps []*Param, src []float64) {
	for _, p := range ps {
		if len(src) < len(p.W) {
			panic("nn: snapshot too short")
		}
		copy(p.W, src[:len(p.W)])
		src = src[len(p.W):]
	}
}

// Count returns the number of scalar parameters in ps.
func Count(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += len(p.W)
	}
	return n
}
