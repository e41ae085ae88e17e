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
