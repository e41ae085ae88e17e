package nn

// Dense is a fully connected layer y = x·Wᵀ + b over a batch of rows, a view
// on parameter storage: W is [Out×In] as in PyTorch's nn.Linear, GW and GB
// receive the gradients. B and GB may be nil for a layer without bias.
type Dense struct {
	In, Out int
	W, GW   []float64
	B, GB   []float64
}

// NewDense returns a dense layer with its weight and bias parameters.
func NewDense(name string, in, out int) (Dense, *Param, *Param) {
	w := NewParam(name+".weight", out, in)
	b := NewParam(name+".bias", out)
	return Dense{In: in, Out: out, W: w.W, GW: w.G, B: b.W, GB: b.G}, w, b
}

// Forward sets y[n×Out] = x[n×In]·Wᵀ + b.
func (d Dense) Forward(y, x []float64, n int) {
	if d.B != nil {
		for i := 0; i < n; i++ {
			copy(y[i*d.Out:(i+1)*d.Out], d.B)
		}
		MulNT(y, x, d.W, n, d.Out, d.In, 1)
		return
	}
	MulNT(y, x, d.W, n, d.Out, d.In, 0)
}

// Backward adds the weight and bias gradients for upstream gradient
// dy[n×Out] at input x[n×In], and sets dx[n×In] = dy·W unless dx is nil.
func (d Dense) Backward(dx, dy, x []float64, n int) {
	MulTN(d.GW, dy, x, d.Out, d.In, n, 1)
	if d.GB != nil {
		AddColSums(d.GB, dy, n, d.Out)
	}
	if dx != nil {
		MulNN(dx, dy, d.W, n, d.In, d.Out, 0)
	}
}
