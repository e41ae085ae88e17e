package nn

import "math"

// LayerNormEps is PyTorch's default nn.LayerNorm epsilon.
const LayerNormEps = 1e-5

// LayerNorm normalises each row of width Dim to zero mean and unit
// (biased) variance, then scales by Gamma and shifts by Beta, as
// nn.LayerNorm(Dim) does.
type LayerNorm struct {
	Dim           int
	Gamma, GGamma []float64
	Beta, GBeta   []float64
	Eps           float64
}

// NewLayerNorm returns a layer norm with gamma 1 and beta 0 and its parameters.
func NewLayerNorm(name string, dim int) (LayerNorm, *Param, *Param) {
	g := NewParam(name+".weight", dim)
	b := NewParam(name+".bias", dim)
	for i := range g.W {
		g.W[i] = 1
	}
	return LayerNorm{Dim: dim, Gamma: g.W, GGamma: g.G, Beta: b.W, GBeta: b.G, Eps: LayerNormEps}, g, b
}

// Forward normalises the n rows of x into y, keeping the normalised rows in
// xhat[n×Dim] and the reciprocal standard deviations in rstd[n] for Backward.
func (l LayerNorm) Forward(y, xhat, rstd, x []float64, n int) {
	d := l.Dim
	for i := 0; i < n; i++ {
		row := x[i*d : i*d+d]
		var mean float64
		for _, v := range row {
			mean += v
		}
		mean /= float64(d)
		var variance float64
		for _, v := range row {
			variance += (v - mean) * (v - mean)
		}
		variance /= float64(d)
		r := 1 / math.Sqrt(variance+l.Eps)
		rstd[i] = r
		xh, yr := xhat[i*d:i*d+d], y[i*d:i*d+d]
		for j, v := range row {
			h := (v - mean) * r
			xh[j] = h
			yr[j] = h*l.Gamma[j] + l.Beta[j]
		}
	}
}

// Backward adds the gamma and beta gradients and sets dx from dy, using the
// xhat and rstd kept by Forward. dx may alias dy.
func (l LayerNorm) Backward(dx, dy, xhat, rstd []float64, n int) {
	d := l.Dim
	for i := 0; i < n; i++ {
		g, xh := dy[i*d:i*d+d], xhat[i*d:i*d+d]
		var s1, s2 float64
		for j := range g {
			l.GGamma[j] += g[j] * xh[j]
			l.GBeta[j] += g[j]
			dh := g[j] * l.Gamma[j]
			s1 += dh
			s2 += dh * xh[j]
		}
		s1 /= float64(d)
		s2 /= float64(d)
		r := rstd[i]
		out := dx[i*d : i*d+d]
		for j := range g {
			dh := g[j] * l.Gamma[j]
			out[j] = r * (dh - s1 - xh[j]*s2)
		}
	}
}
