package arimagarch

import "math"

// filter3 is filter for a state of dimension 3 (smaller models padded with
// zero coefficients, which leaves the likelihood unchanged), unrolled over
// the six distinct elements of the symmetric covariance. It covers every
// order of the automatic search and is several times faster than the
// general loop.
func (k *kalman) filter3(y []float64, withOnes bool) filterSums {
	phi0, phi1, phi2 := k.phi[0], k.phi[1], k.phi[2]
	rv1, rv2 := k.rv[1], k.rv[2]
	P := k.P
	p00, p01, p02, p11, p12, p22 := P[0], P[1], P[2], P[4], P[5], P[8]
	var ay0, ay1, ay2, a10, a11, a12 float64
	var s filterSums
	s.N = len(y)
	// Sum of log F accumulated as a product (F >= 1), logged when large.
	prodF := 1.0
	var k0, k1, k2, F, invF float64
	steady := false
	nSteady := 0
	for _, yt := range y {
		if !steady {
			F = p00
			invF = 1 / F
			prodF *= F
			if prodF > 1e250 {
				s.SumLogF += math.Log(prodF)
				prodF = 1
			}
			m00 := phi0*p00 + p01
			m10 := phi1*p00 + p02
			m20 := phi2 * p00
			k0, k1, k2 = m00*invF, m10*invF, m20*invF
			m01 := phi0*p01 + p11
			m02 := phi0*p02 + p12
			m12 := phi1*p02 + p22
			n00 := phi0*m00 + m01 + 1 - m00*k0
			n01 := phi1*m00 + m02 + rv1 - m00*k1
			n02 := phi2*m00 + rv2 - m00*k2
			n11 := phi1*m10 + m12 + rv1*rv1 - m10*k1
			n12 := phi2*m10 + rv1*rv2 - m10*k2
			n22 := phi2*m20 + rv2*rv2 - m20*k2
			ch := math.Abs(n00 - p00)
			if d := math.Abs(n01 - p01); d > ch {
				ch = d
			}
			if d := math.Abs(n02 - p02); d > ch {
				ch = d
			}
			if d := math.Abs(n11 - p11); d > ch {
				ch = d
			}
			if d := math.Abs(n12 - p12); d > ch {
				ch = d
			}
			if d := math.Abs(n22 - p22); d > ch {
				ch = d
			}
			p00, p01, p02, p11, p12, p22 = n00, n01, n02, n11, n12, n22
			vy := yt - ay0
			s.Syy += vy * vy * invF
			y0 := ay0
			ay0 = phi0*y0 + ay1 + k0*vy
			ay1 = phi1*y0 + ay2 + k1*vy
			ay2 = phi2*y0 + k2*vy
			if withOnes {
				v1 := 1 - a10
				s.Sy1 += vy * v1 * invF
				s.S11 += v1 * v1 * invF
				o0 := a10
				a10 = phi0*o0 + a11 + k0*v1
				a11 = phi1*o0 + a12 + k1*v1
				a12 = phi2*o0 + k2*v1
			}
			if ch < steadyTol {
				steady = true
				F = p00
				invF = 1 / F
				m00 := phi0*p00 + p01
				m10 := phi1*p00 + p02
				k0, k1, k2 = m00*invF, m10*invF, phi2*p00*invF
				s.SumLogF += math.Log(prodF)
				prodF = 1
			}
			continue
		}
		nSteady++
		vy := yt - ay0
		s.Syy += vy * vy * invF
		y0 := ay0
		ay0 = phi0*y0 + ay1 + k0*vy
		ay1 = phi1*y0 + ay2 + k1*vy
		ay2 = phi2*y0 + k2*vy
		if withOnes {
			v1 := 1 - a10
			s.Sy1 += vy * v1 * invF
			s.S11 += v1 * v1 * invF
			o0 := a10
			a10 = phi0*o0 + a11 + k0*v1
			a11 = phi1*o0 + a12 + k1*v1
			a12 = phi2*o0 + k2*v1
		}
	}
	s.SumLogF += math.Log(prodF)
	if nSteady > 0 {
		// The steady steps all have the same F.
		s.SumLogF += float64(nSteady) * math.Log(F)
	}
	k.steady = steady
	P[0], P[1], P[2], P[3], P[4], P[5], P[6], P[7], P[8] = p00, p01, p02, p01, p11, p12, p02, p12, p22
	k.ay[0], k.ay[1], k.ay[2] = ay0, ay1, ay2
	k.a1[0], k.a1[1], k.a1[2] = a10, a11, a12
	return s
}

// prior3 sets P to the solution of P = T P T' + R R' for a 3-dimensional
// state by solving the 6 linear equations in the distinct elements of the
// symmetric P (Gaussian elimination with partial pivoting).
func (k *kalman) prior3() error {
	// Index of the unknown P_ij, i <= j.
	idx := [3][3]int{{0, 1, 2}, {1, 3, 4}, {2, 4, 5}}
	var T [3][3]float64
	for i := 0; i < 3; i++ {
		T[i][0] = k.phi[i]
		if i+1 < 3 {
			T[i][i+1] = 1
		}
	}
	var A [6][7]float64 // augmented
	for i := 0; i < 3; i++ {
		for j := i; j < 3; j++ {
			row := idx[i][j]
			A[row][row] += 1
			for a := 0; a < 3; a++ {
				if T[i][a] == 0 {
					continue
				}
				for b := 0; b < 3; b++ {
					if T[j][b] != 0 {
						A[row][idx[a][b]] -= T[i][a] * T[j][b]
					}
				}
			}
			A[row][6] = k.rv[i] * k.rv[j]
		}
	}
	for c := 0; c < 6; c++ {
		piv := c
		for r := c + 1; r < 6; r++ {
			if math.Abs(A[r][c]) > math.Abs(A[piv][c]) {
				piv = r
			}
		}
		if !(math.Abs(A[piv][c]) > 1e-14) {
			return errPrior
		}
		A[c], A[piv] = A[piv], A[c]
		for r := c + 1; r < 6; r++ {
			f := A[r][c] / A[c][c]
			if f == 0 {
				continue
			}
			for cc := c; cc < 7; cc++ {
				A[r][cc] -= f * A[c][cc]
			}
		}
	}
	var x [6]float64
	for r := 5; r >= 0; r-- {
		s := A[r][6]
		for cc := r + 1; cc < 6; cc++ {
			s -= A[r][cc] * x[cc]
		}
		x[r] = s / A[r][r]
	}
	if !(x[0] >= 1) || math.IsInf(x[0], 0) || x[0] > 1e15 {
		return errPrior
	}
	P := k.P
	P[0], P[1], P[2] = x[0], x[1], x[2]
	P[3], P[4], P[5] = x[1], x[3], x[4]
	P[6], P[7], P[8] = x[2], x[4], x[5]
	return nil
}
