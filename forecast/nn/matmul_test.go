package nn

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// TestMatMul compares the three products, on the kernel and off it, with
// gonum's reference dgemm for shapes that exercise every column block of
// the kernel (32, 16, 4 and the non-multiple-of-4 fallback). Tolerance
// 1e-13 relative to the sum of |terms| (fused and unfused rounding differ).
func TestMatMul(t *testing.T) {
	rng := NewRand(5, 1)
	fill := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	impl := blas64.Implementation()
	for _, sh := range [][3]int{{3, 128, 32}, {7, 52, 5}, {2, 4, 640}, {5, 3, 4}, {1, 1, 16}, {4, 20, 1}} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, beta := range []float64{0, 1} {
			c0 := fill(m * n)
			check := func(name string, got []float64, ta, tb blas.Transpose, a, b []float64, lda, ldb int) {
				want := append([]float64(nil), c0...)
				impl.Dgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, beta, want, n)
				for i := range want {
					require.InDelta(t, want[i], got[i], 1e-13*float64(k+1)*4, "%s m=%d n=%d k=%d beta=%v", name, m, n, k, beta)
				}
			}
			a, b := fill(m*k), fill(k*n)
			c := append([]float64(nil), c0...)
			MulNN(c, a, b, m, n, k, beta)
			check("NN", c, blas.NoTrans, blas.NoTrans, a, b, k, n)
			at := fill(k * m)
			c = append([]float64(nil), c0...)
			MulTN(c, at, b, m, n, k, beta)
			check("TN", c, blas.Trans, blas.NoTrans, at, b, m, n)
			bt := fill(n * k)
			c = append([]float64(nil), c0...)
			MulNT(c, a, bt, m, n, k, beta)
			check("NT", c, blas.NoTrans, blas.Trans, a, bt, k, k)
		}
	}
}
