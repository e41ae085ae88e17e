package arimagarch

import (
	"fmt"
	"math"
)

// OneStep returns the one-step forecasts of a fitted model with its
// parameters held fixed: for every n from from to len(y), the forecast of
// y[n] made from y[:n]. y is the series the model was fitted on (not
// differenced; D must be 0), optionally extended by later observations.
// Nothing is refitted, and the forecast from y[:n] reads y[:n] only.
//
// The model's recursion runs once over y, from its start: the Kalman filter
// of the ARMA model from the stationary prior, with the fitted mean; or the
// conditional residuals and variances of the ARMA-GARCH model, from the
// pre-sample variance fixed at the fit (the mean squared residual of the
// fitted series, not recomputed over y). The forecast from the fitted
// series itself is the first step of Forecast, bit for bit, and a forecast
// from y[:n] is the same whatever follows y[n-1] in y.
//
// from must be at least 1, and more than P with GARCH errors. A forecast
// that is not finite is an error.
func (r *Result) OneStep(y []float64, from int) ([]Step, error) {
	s, err := r.oneStep(y, from)
	if err != nil {
		return nil, fmt.Errorf("arimagarch: %w", err)
	}
	return s, nil
}

func (r *Result) oneStep(y []float64, from int) ([]Step, error) {
	switch {
	case r.D != 0:
		return nil, fmt.Errorf("one-step forecasts of a differenced model (d = %d) are not implemented", r.D)
	case from < 1 || from > len(y):
		return nil, fmt.Errorf("one-step forecasts from %d of %d observations", from, len(y))
	case r.garch != nil && from <= r.P:
		return nil, fmt.Errorf("one-step forecasts from %d observations: ARMA(%d,%d)-GARCH(1,1) conditions on the first %d", from, r.P, r.Q, r.P)
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("observation %d is %v", i+1, v)
		}
	}
	steps := make([]Step, len(y)-from+1)
	if r.garch != nil {
		r.garchOneStep(steps, y, from)
	} else if err := r.armaOneStep(steps, y, from); err != nil {
		return nil, err
	}
	for k, st := range steps {
		if math.IsNaN(st.Mean) || math.IsInf(st.Mean, 0) || !(st.SE > 0) || math.IsInf(st.SE, 0) {
			return nil, fmt.Errorf("one-step forecast from %d observations is not finite: %+v", from+k, st)
		}
	}
	return steps, nil
}

// garchResiduals writes to e the conditional residuals of the ARMA mean of
// the GARCH model, e[t] = 0 for t < p, with the arithmetic of
// garchObjective.logLik, and returns the pre-sample variance
// h_p = e_p^2 = mean of e[t]^2 over t >= p (Fiorentini, Calzolari and
// Panattoni).
func garchResiduals(e, y []float64, p int, mu float64, phi, ma []float64) float64 {
	for t := 0; t < p; t++ {
		e[t] = 0
	}
	var s2 float64
	for t := p; t < len(y); t++ {
		v := y[t] - mu
		for i, f := range phi {
			v -= f * (y[t-1-i] - mu)
		}
		for j, th := range ma {
			if t-1-j >= p {
				v -= th * e[t-1-j]
			}
		}
		e[t] = v
		s2 += v * v
	}
	return s2 / float64(len(y)-p)
}

// garchOneStep writes to dst the one-step forecasts from y[:n], n = from ..
// len(y), of the ARMA-GARCH model: one pass of the residual and variance
// recursions of the likelihood over y, started from the pre-sample
// variance of the fit. Each forecast is computed as in garchForecast's
// first step (which is why the forecast variance, alpha*e*e, may differ in
// the last bit from the in-sample h of the next day, alpha*(e*e)).
// It returns the residuals and conditional variances over y (for tests).
func (r *Result) garchOneStep(dst []Step, y []float64, from int) (e, h []float64) {
	f := r.garch
	mu, phi, ma, omega, alpha, beta, _ := f.parts()
	p := r.P
	n := len(y)
	e = make([]float64, n)
	h = make([]float64, n)
	garchResiduals(e, y, p, mu, phi, ma)
	hPrev, e2Prev := f.h0, f.h0
	for t := p; t < n; t++ {
		ht := omega + alpha*e2Prev + beta*hPrev
		h[t] = ht
		e2Prev, hPrev = e[t]*e[t], ht
		m := t + 1 // observations seen
		if m < from {
			continue
		}
		mean := mu
		for i, c := range phi {
			mean += c * (y[m-1-i] - mu)
		}
		for j, c := range ma {
			if m-1-j >= p {
				mean += c * e[m-1-j]
			}
		}
		hv := omega + alpha*e[m-1]*e[m-1] + beta*h[m-1]
		dst[m-from] = Step{Mean: mean, SE: math.Sqrt(hv), Variance: hv}
	}
	return e, h
}

// armaOneStep writes to dst the one-step forecasts from y[:n], n = from ..
// len(y), of the ARMA model: one pass of the Kalman filter from the
// stationary prior, on the data and the column of ones as in the fit, with
// the fitted mean. Each forecast is computed as in armaForecast's first
// step.
func (r *Result) armaOneStep(dst []Step, y []float64, from int) error {
	k := newKalman(max(len(r.AR), len(r.MA)+1))
	if err := k.setModel(r.AR, r.MA); err != nil {
		return err
	}
	mean, sigma2 := r.Mean, r.Sigma2
	emit := func(n int, ay0, a10, p00 float64) {
		a0 := ay0
		if r.HasMean {
			a0 -= mean * a10
		}
		dst[n-from] = Step{Mean: a0 + mean, SE: math.Sqrt(sigma2 * p00), Variance: sigma2}
	}
	if k.r == 3 {
		k.path3(y, r.HasMean, from, emit)
	} else {
		k.pathN(y, r.HasMean, from, emit)
	}
	return nil
}

// path3 runs filter3 over y and calls emit after each y[n-1], n >= from,
// with the predicted state of the data and of the ones column and the
// predicted variance (units of sigma2). Its arithmetic is filter3's, so
// the state after the last observation is the one filter3 leaves.
func (k *kalman) path3(y []float64, withOnes bool, from int, emit func(n int, ay0, a10, p00 float64)) {
	phi0, phi1, phi2 := k.phi[0], k.phi[1], k.phi[2]
	rv1, rv2 := k.rv[1], k.rv[2]
	P := k.P
	p00, p01, p02, p11, p12, p22 := P[0], P[1], P[2], P[4], P[5], P[8]
	var ay0, ay1, ay2, a10, a11, a12 float64
	var k0, k1, k2, invF float64
	steady := false
	for t, yt := range y {
		if !steady {
			F := p00
			invF = 1 / F
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
			y0 := ay0
			ay0 = phi0*y0 + ay1 + k0*vy
			ay1 = phi1*y0 + ay2 + k1*vy
			ay2 = phi2*y0 + k2*vy
			if withOnes {
				v1 := 1 - a10
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
			}
		} else {
			vy := yt - ay0
			y0 := ay0
			ay0 = phi0*y0 + ay1 + k0*vy
			ay1 = phi1*y0 + ay2 + k1*vy
			ay2 = phi2*y0 + k2*vy
			if withOnes {
				v1 := 1 - a10
				o0 := a10
				a10 = phi0*o0 + a11 + k0*v1
				a11 = phi1*o0 + a12 + k1*v1
				a12 = phi2*o0 + k2*v1
			}
		}
		if t+1 >= from {
			emit(t+1, ay0, a10, p00)
		}
	}
}

// pathN is path3 for any state dimension, with filterN's arithmetic.
func (k *kalman) pathN(y []float64, withOnes bool, from int, emit func(n int, ay0, a10, p00 float64)) {
	r := k.r
	P, M, K := k.P[:r*r], k.M[:r*r], k.K[:r]
	ay, a1, phi, rv := k.ay[:r], k.a1[:r], k.phi[:r], k.rv[:r]
	for i := 0; i < r; i++ {
		ay[i], a1[i] = 0, 0
	}
	steady := false
	var F float64
	for t, yt := range y {
		if !steady {
			F = P[0]
			for i := 0; i < r; i++ {
				v := phi[i] * P[0]
				if i+1 < r {
					v += P[(i+1)*r]
				}
				K[i] = v / F
			}
		}
		vy := yt - ay[0]
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
			o0 := a1[0]
			for i := 0; i < r; i++ {
				v := phi[i]*o0 + K[i]*v1
				if i+1 < r {
					v += a1[i+1]
				}
				a1[i] = v
			}
		}
		if !steady {
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
				steady = true
				F = P[0]
				for i := 0; i < r; i++ {
					v := phi[i] * P[0]
					if i+1 < r {
						v += P[(i+1)*r]
					}
					K[i] = v / F
				}
			}
		}
		if t+1 >= from {
			emit(t+1, ay[0], a1[0], P[0])
		}
	}
}
