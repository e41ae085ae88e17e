package nn

import "math"

// Sinusoidal returns the [length×dim] sinusoidal position encoding of
// "Attention is all you need": pe[p][2i] = sin(p/10000^(2i/dim)),
// pe[p][2i+1] = cos(p/10000^(2i/dim)).
func Sinusoidal(length, dim int) []float64 {
	pe := make([]float64, length*dim)
	for p := 0; p < length; p++ {
		for i := 0; i < dim; i += 2 {
			freq := math.Exp(-float64(i) * math.Log(10000) / float64(dim))
			pe[p*dim+i] = math.Sin(float64(p) * freq)
			if i+1 < dim {
				pe[p*dim+i+1] = math.Cos(float64(p) * freq)
			}
		}
	}
	return pe
}
