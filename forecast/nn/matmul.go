package nn

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// The matrix products below are thin wrappers over BLAS dgemm on dense
// row-major slices. beta is 0 to overwrite c or 1 to accumulate into it.

// MulNT sets c[m×n] = a[m×k]·b[n×k]ᵀ + beta·c.
func MulNT(c, a, b []float64, m, n, k int, beta float64) {
	if m == 0 || n == 0 {
		return
	}
	blas64.Implementation().Dgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, k, b, k, beta, c, n)
}

// MulNN sets c[m×n] = a[m×k]·b[k×n] + beta·c.
func MulNN(c, a, b []float64, m, n, k int, beta float64) {
	if m == 0 || n == 0 {
		return
	}
	blas64.Implementation().Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, beta, c, n)
}

// MulTN sets c[m×n] = a[k×m]ᵀ·b[k×n] + beta·c.
func MulTN(c, a, b []float64, m, n, k int, beta float64) {
	if m == 0 || n == 0 {
		return
	}
	blas64.Implementation().Dgemm(blas.Trans, blas.NoTrans, m, n, k, 1, a, m, b, n, beta, c, n)
}

// AddColSums adds the column sums of a[m×n] to dst[n].
func AddColSums(dst, a []float64, m, n int) {
	for i := 0; i < m; i++ {
		row := a[i*n : i*n+n]
		for j, v := range row {
			dst[j] += v
		}
	}
}
