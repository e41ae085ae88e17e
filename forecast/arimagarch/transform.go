package arimagarch

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// maxPACF keeps a transformed partial autocorrelation strictly inside
// (-1, 1): tanh rounds to exactly 1 beyond |u| ~ 19, where the stationary
// prior would become infinite.
const maxPACF = 1 - 1e-12

// pacf maps an unconstrained value to a partial autocorrelation in (-1, 1).
func pacf(u float64) float64 {
	r := math.Tanh(u)
	return math.Max(-maxPACF, math.Min(maxPACF, r))
}

// pacfToCoef writes to dst the AR coefficients (of 1 - phi_1 z - ... -
// phi_n z^n) whose partial autocorrelations are r, by the Durbin-Levinson
// recursion (Barndorff-Nielsen and Schou 1973, Monahan 1984). The result is
// stationary whenever every |r_k| < 1. work must have len(r) elements.
func pacfToCoef(dst, r, work []float64) {
	n := len(r)
	for k := 1; k <= n; k++ {
		copy(work[:k-1], dst[:k-1])
		rk := r[k-1]
		for j := 0; j < k-1; j++ {
			dst[j] = work[j] - rk*work[k-2-j]
		}
		dst[k-1] = rk
	}
}

// coefToPACF inverts pacfToCoef: it writes to dst the partial
// autocorrelations of the AR coefficients phi and reports false when phi is
// not stationary. work must have len(phi) elements.
func coefToPACF(dst, phi, work []float64) bool {
	n := len(phi)
	copy(work, phi)
	for k := n; k >= 1; k-- {
		rk := work[k-1]
		if !(math.Abs(rk) < 1) {
			return false
		}
		dst[k-1] = rk
		d := 1 - rk*rk
		for j := 0; j < (k-1+1)/2; j++ {
			a, b := work[j], work[k-2-j]
			work[j] = (a + rk*b) / d
			work[k-2-j] = (b + rk*a) / d
		}
	}
	return true
}

// pacfJacobian writes to dst the coefficients pacfToCoef(tanh(u)) and to jac
// (row-major len(u) x len(u)) their derivatives d dst[j] / d u[m], by
// forward-mode differentiation of the Durbin-Levinson recursion.
func pacfJacobian(dst, jac, u []float64) {
	n := len(u)
	if n == 0 {
		return
	}
	old := make([]float64, n)
	oldJ := make([]float64, n*n)
	for i := range jac {
		jac[i] = 0
	}
	for k := 1; k <= n; k++ {
		copy(old[:k-1], dst[:k-1])
		copy(oldJ, jac)
		rk := pacf(u[k-1])
		drk := 1 - rk*rk // d tanh / du
		for j := 0; j < k-1; j++ {
			dst[j] = old[j] - rk*old[k-2-j]
			for m := 0; m < n; m++ {
				jac[j*n+m] = oldJ[j*n+m] - rk*oldJ[(k-2-j)*n+m]
			}
			jac[j*n+k-1] -= old[k-2-j] * drk
		}
		dst[k-1] = rk
		for m := 0; m < n; m++ {
			jac[(k-1)*n+m] = 0
		}
		jac[(k-1)*n+k-1] = drk
	}
}

// maxInverseRoot returns the largest modulus of the inverse roots of
// 1 - phi_1 z - ... - phi_p z^p (the eigenvalues of the companion matrix):
// the process is stationary when it is below one.
func maxInverseRoot(phi []float64) float64 {
	// Trailing zero coefficients do not change the nonzero roots.
	p := len(phi)
	for p > 0 && phi[p-1] == 0 {
		p--
	}
	switch p {
	case 0:
		return 0
	case 1:
		return math.Abs(phi[0])
	case 2:
		disc := phi[0]*phi[0] + 4*phi[1]
		if disc < 0 {
			return math.Sqrt(-phi[1])
		}
		s := math.Sqrt(disc)
		return math.Max(math.Abs(phi[0]+s), math.Abs(phi[0]-s)) / 2
	}
	c := mat.NewDense(p, p, nil)
	for j := 0; j < p; j++ {
		c.Set(0, j, phi[j])
	}
	for i := 1; i < p; i++ {
		c.Set(i, i-1, 1)
	}
	var eig mat.Eigen
	if !eig.Factorize(c, mat.EigenNone) {
		return math.Inf(1)
	}
	var m float64
	for _, v := range eig.Values(nil) {
		m = math.Max(m, math.Hypot(real(v), imag(v)))
	}
	return m
}
