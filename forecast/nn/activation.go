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

// Tanh sets dst[i] = tanh(scale·src[i]); dst and src may be the same
// slice. On amd64 with AVX2 and FMA it runs a vectorised kernel
// (tanh_amd64.s, absolute error a few 1e-16); elsewhere it calls math.Tanh.
func Tanh(dst, src []float64, scale float64) {
	n := len(src)
	_ = dst[n-1]
	i := 0
	if hasFMA && n >= 4 {
		i = n &^ 3
		tanhVec(&dst[0], &src[0], i, scale)
	}
	for ; i < n; i++ {
		dst[i] = math.Tanh(scale * src[i])
	}
}

// SigmoidSlice sets dst[i] = sigmoid(src[i]) = (1+tanh(src[i]/2))/2.
func SigmoidSlice(dst, src []float64) {
	Tanh(dst, src, 0.5)
	for i, v := range dst[:len(src)] {
		dst[i] = 0.5 + 0.5*v
	}
}
