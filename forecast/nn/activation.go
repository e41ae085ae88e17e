package nn

import "math"

// Sigmoid returns 1/(1+exp(-x)), computed without overflow for large |x|.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// ReLU sets y = max(x, 0) element-wise; y and x may be the same slice.
func ReLU(y, x []float64) {
	for i, v := range x {
		if v > 0 {
			y[i] = v
		} else {
			y[i] = 0
		}
	}
}

// ReLUBackward zeroes dy where the ReLU output y is not positive, turning
// the gradient at the output into the gradient at the input in place.
func ReLUBackward(dy, y []float64) {
	for i, v := range y {
		if v <= 0 {
			dy[i] = 0
		}
	}
}
