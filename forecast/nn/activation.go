package nn

import "math"

// Sigmoid returns 1/(1+exp(-x)), computed as (1+tanh(x/2))/2: the same
// function without overflow for large |x|, and cheaper, because math.Tanh
// uses a rational approximation instead of exp for small arguments.
func Sigmoid(x float64) float64 {
	return 0.5 + 0.5*math.Tanh(0.5*x)
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
