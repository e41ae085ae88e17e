package arimagarch

import (
	"errors"
	"math"
)

// errPrior is returned when the stationary prior of the state cannot be
// computed: the ARMA coefficients are (numerically) not stationary.
var errPrior = errors.New("stationary state covariance does not exist (AR part not stationary)")

// steadyTol is the largest change of any element of the (unit-variance)
// state covariance at which the filter is taken to have reached its steady
// state, after which the gain and innovation variance are held fixed. The
// remaining error in the log-likelihood is far below 1e-8.
const steadyTol = 1e-13

// kalman evaluates the exact Gaussian likelihood of a zero-mean ARMA(p,q)
// process plus a constant by the Kalman filter on Harvey's state-space form:
// state dimension r = max(p, q+1), transition T with first column phi and an
// identity superdiagonal, disturbance loading R = (1, theta_1, ...,
// theta_{r-1}), observation y_t - mu = alpha_t[0], and the stationary prior
// a_1 = 0, P_1 = sum_k T^k R R' T'^k. Variances are in units of sigma2.
//
// It filters the data y and a column of ones at once (the gain does not
// depend on the data), so that the likelihood of y - mu for any mu follows
// from the sums it returns: this gives the GLS estimate of the mean and the
// likelihood concentrated over mu and sigma2 in one pass.
type kalman struct {
	r         int
	phi, rv   []float64 // transition column and disturbance loading, len r
	P, M, A   []float64 // r x r row-major
	B         []float64 // r x r scratch
	K         []float64 // gain, len r
	ay, a1    []float64 // predicted states of y and of the ones column
	steady    bool
	steadyF   float64
	steadyLog float64
}

func newKalman(maxR int) *kalman {
	maxR = max(maxR, 3)
	return &kalman{
		phi: make([]float64, maxR), rv: make([]float64, maxR),
		P: make([]float64, maxR*maxR), M: make([]float64, maxR*maxR),
		A: make([]float64, maxR*maxR), B: make([]float64, maxR*maxR),
		K: make([]float64, maxR), ay: make([]float64, maxR), a1: make([]float64, maxR),
	}
}

// setModel loads the coefficients and computes the stationary prior.
func (k *kalman) setModel(phi, theta []float64) error {
	r := max(len(phi), len(theta)+1)
	if r < 3 && len(k.phi) >= 3 {
		r = 3 // padded with zero coefficients for filter3
	}
	if r > len(k.phi) {
		panic("arimagarch: kalman state larger than allocated")
	}
	k.r = r
	for i := 0; i < r; i++ {
		k.phi[i], k.rv[i] = 0, 0
		if i < len(phi) {
			k.phi[i] = phi[i]
		}
		if i > 0 && i-1 < len(theta) {
			k.rv[i] = theta[i-1]
		}
	}
	k.rv[0] = 1
	if r == 3 {
		return k.prior3()
	}
	return k.prior()
}

// prior sets P to the solution of P = T P T' + R R' by doubling:
// P <- P + A P A', A <- A A, starting from P = R R', A = T.
func (k *kalman) prior() error {
	r := k.r
	P, A, M, B := k.P[:r*r], k.A[:r*r], k.M[:r*r], k.B[:r*r]
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			P[i*r+j] = k.rv[i] * k.rv[j]
			A[i*r+j] = 0
		}
		A[i*r] = k.phi[i]
		if i+1 < r {
			A[i*r+i+1] = 1
		}
	}
	for it := 0; it < 200; it++ {
		// M = A P, B = M A' (the increment).
		matMul(M, A, P, r)
		var inc, size float64
		for i := 0; i < r; i++ {
			for j := 0; j < r; j++ {
				var s float64
				for l := 0; l < r; l++ {
					s += M[i*r+l] * A[j*r+l]
				}
				B[i*r+j] = s
			}
		}
		for i := range P {
			P[i] += B[i]
			inc = math.Max(inc, math.Abs(B[i]))
			size = math.Max(size, math.Abs(P[i]))
		}
		if math.IsNaN(size) || math.IsInf(size, 0) || size > 1e15 {
			return errPrior
		}
		if inc <= 1e-17*size {
			return nil
		}
		matMul(M, A, A, r)
		copy(A, M)
	}
	return errPrior
}

func matMul(dst, a, b []float64, r int) {
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			var s float64
			for l := 0; l < r; l++ {
				s += a[i*r+l] * b[l*r+j]
			}
			dst[i*r+j] = s
		}
	}
}

// filterSums are the sufficient sums of one filter pass over n
// observations: the likelihood of y - mu in units of sigma2 is
// -n/2 log(2 pi sigma2) - SumLogF/2 - (Syy - 2 mu Sy1 + mu^2 S11)/(2 sigma2).
type filterSums struct {
	N             int
	SumLogF       float64
	Syy, Sy1, S11 float64
}

// filter runs the filter over y from the prior set by setModel. When
// withOnes is false the ones column is not filtered (a model without a
// constant). The final predicted states and covariance remain in k for
// forecasting.
func (k *kalman) filter(y []float64, withOnes bool) filterSums {
	if k.r == 3 {
		return k.filter3(y, withOnes)
	}
	return k.filterN(y, withOnes)
}

// filterN is filter for any state dimension.
func (k *kalman) filterN(y []float64, withOnes bool) filterSums {
	r := k.r
	P, M, K := k.P[:r*r], k.M[:r*r], k.K[:r]
	ay, a1, phi, rv := k.ay[:r], k.a1[:r], k.phi[:r], k.rv[:r]
	for i := 0; i < r; i++ {
		ay[i], a1[i] = 0, 0
	}
	k.steady = false
	var s filterSums
	s.N = len(y)
	var F, logF float64
	for _, yt := range y {
		if !k.steady {
			F = P[0]
			logF = math.Log(F)
			// K = T P Z' / F, with (T P)_{i0} = phi_i P_00 + P_{i+1,0}.
			for i := 0; i < r; i++ {
				v := phi[i] * P[0]
				if i+1 < r {
					v += P[(i+1)*r]
				}
				K[i] = v / F
			}
		}
		vy := yt - ay[0]
		s.SumLogF += logF
		s.Syy += vy * vy / F
		y0 := ay[0]
		for i := 0; i < r; i++ {
			v := phi[i]*y0 + K[i]*vy
			if i+1 < r {
				v += ay[i+1]
			}
			ay[i] = v
		}
		if withOnes {
			v1 := 1 - a1[0]
			s.Sy1 += vy * v1 / F
			s.S11 += v1 * v1 / F
			o0 := a1[0]
			for i := 0; i < r; i++ {
				v := phi[i]*o0 + K[i]*v1
				if i+1 < r {
					v += a1[i+1]
				}
				a1[i] = v
			}
		}
		if k.steady {
			continue
		}
		// P <- T P T' + R R' - F K K', with M = T P.
		for i := 0; i < r; i++ {
			for j := 0; j < r; j++ {
				v := phi[i] * P[j]
				if i+1 < r {
					v += P[(i+1)*r+j]
				}
				M[i*r+j] = v
			}
		}
		var change float64
		for i := 0; i < r; i++ {
			for j := 0; j < r; j++ {
				v := phi[j]*M[i*r] + rv[i]*rv[j] - F*K[i]*K[j]
				if j+1 < r {
					v += M[i*r+j+1]
				}
				change = math.Max(change, math.Abs(v-P[i*r+j]))
				P[i*r+j] = v
			}
		}
		if change < steadyTol {
			k.steady = true
			// The gain and F of the next steps are those of the converged P.
			F = P[0]
			logF = math.Log(F)
			for i := 0; i < r; i++ {
				v := phi[i] * P[0]
				if i+1 < r {
					v += P[(i+1)*r]
				}
				K[i] = v / F
			}
		}
	}
	return s
}
