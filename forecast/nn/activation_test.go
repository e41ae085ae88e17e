package nn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTanh compares the vectorised tanh with Go's math.Tanh (the reference,
// correctly rounded to within 1 ulp) on a grid covering the small-argument,
// transition and saturated ranges, and on special values. Tolerance 5e-16
// absolute.
func TestTanh(t *testing.T) {
	var x []float64
	for v := -25.0; v <= 25; v += 0.0137 {
		x = append(x, v)
	}
	x = append(x, 0, math.Copysign(0, -1), 1e-300, -1e-20, 709, -800, math.Inf(1), math.Inf(-1))
	for len(x)%4 != 3 { // exercise the scalar tail
		x = append(x, 0.3)
	}
	for _, scale := range []float64{1, 0.5} {
		got := make([]float64, len(x))
		Tanh(got, x, scale)
		worst := 0.0
		for i, v := range x {
			want := math.Tanh(scale * v)
			worst = math.Max(worst, math.Abs(got[i]-want))
			require.InDelta(t, want, got[i], 5e-16, "tanh(%v·%v)", scale, v)
		}
		t.Logf("scale %v: max |tanh - math.Tanh| = %.3g over %d points", scale, worst, len(x))
	}
}
