package nn

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// The matrix products below work on dense row-major slices; beta is 0 to
// overwrite c or 1 to accumulate into it. On amd64 CPUs with AVX2 and FMA,
// products whose output width is a multiple of 4 run on a register-blocked
// fused multiply-add kernel (fma_amd64.s); the others, and other CPUs, use
// gonum's BLAS dgemm. The kernel sums over k in order with one rounding per
// step, so results are deterministic on a given machine.

// MulNT sets c[m×n] = a[m×k]·b[n×k]ᵀ + beta·c.
func MulNT(c, a, b []float64, m, n, k int, beta float64) {
	if m == 0 || n == 0 {
		return
	}
	if !kernelFits(n, k) {
		blas64.Implementation().Dgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, k, b, k, beta, c, n)
		return
	}
	p := transposeBuf.Get().(*[]float64)
	bt := Transpose((*p)[:0], b, n, k)
	prepare(c, m, n, beta)
	fmaRows(m, &c[0], n, &a[0], k, 1, &bt[0], n, k, n)
	*p = bt
	transposeBuf.Put(p)
}

// MulNN sets c[m×n] = a[m×k]·b[k×n] + beta·c.
func MulNN(c, a, b []float64, m, n, k int, beta float64) {
	if m == 0 || n == 0 {
		return
	}
	if !kernelFits(n, k) {
		blas64.Implementation().Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, beta, c, n)
		return
	}
	prepare(c, m, n, beta)
	fmaRows(m, &c[0], n, &a[0], k, 1, &b[0], n, k, n)
}

// MulTN sets c[m×n] = a[k×m]ᵀ·b[k×n] + beta·c.
func MulTN(c, a, b []float64, m, n, k int, beta float64) {
	if m == 0 || n == 0 {
		return
	}
	if !kernelFits(n, k) {
		blas64.Implementation().Dgemm(blas.Trans, blas.NoTrans, m, n, k, 1, a, m, b, n, beta, c, n)
		return
	}
	prepare(c, m, n, beta)
	fmaRows(m, &c[0], n, &a[0], 1, m, &b[0], n, k, n)
}

// Transpose appends the transpose [k×n] of a[n×k] to dst[:0] and returns it.
func Transpose(dst, a []float64, n, k int) []float64 {
	if cap(dst) < n*k {
		dst = make([]float64, n*k)
	}
	dst = dst[:n*k]
	for i := 0; i < n; i++ {
		row := a[i*k : i*k+k]
		for j, v := range row {
			dst[j*n+i] = v
		}
	}
	return dst
}

func kernelFits(n, k int) bool { return hasFMA && n%4 == 0 && k > 0 }

func prepare(c []float64, m, n int, beta float64) {
	switch beta {
	case 0:
		clear(c[:m*n])
	case 1:
		_ = c[m*n-1]
	default:
		for i := range c[:m*n] {
			c[i] *= beta
		}
	}
}

var transposeBuf = sync.Pool{New: func() any { s := make([]float64, 0, 4096); return &s }}

// AddColSums adds the column sums of a[m×n] to dst[n].
func AddColSums(dst, a []float64, m, n int) {
	for i := 0; i < m; i++ {
		row := a[i*n : i*n+n]
		for j, v := range row {
			dst[j] += v
		}
	}
}
