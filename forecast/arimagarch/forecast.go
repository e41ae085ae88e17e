package arimagarch

import (
	"fmt"
	"math"
)

// Forecast returns the forecasts 1..h steps after the last observation.
//
// Without GARCH they come from the Kalman filter: the predicted state after
// the last observation and its covariance (the exact finite-sample
// forecast, as R's predict.Arima). With GARCH the mean follows the ARMA
// recursion on the conditional residuals and the error variance is
// sum_{j<k} psi_j^2 E[h_{n+k-j}], with E[h_{n+l}] = s2 + (alpha+beta)^(l-1)
// (h_{n+1} - s2) and s2 = omega/(1-alpha-beta). With D = 1 the forecasts are
// of the undifferenced series.
func (r *Result) Forecast(h int) ([]Step, error) {
	s, err := r.forecast(h)
	if err != nil {
		return nil, fmt.Errorf("arimagarch: %w", err)
	}
	return s, nil
}

func (r *Result) forecast(h int) ([]Step, error) {
	if h < 1 {
		return nil, fmt.Errorf("forecast horizon %d: must be at least 1", h)
	}
	var s []Step
	if r.garch != nil {
		s = r.garchForecast(h)
	} else {
		s = r.armaForecast(h)
	}
	for k, st := range s {
		if math.IsNaN(st.Mean) || math.IsInf(st.Mean, 0) || !(st.SE > 0) || math.IsInf(st.SE, 0) {
			return nil, fmt.Errorf("forecast step %d is not finite: %+v", k+1, st)
		}
	}
	return s, nil
}

// armaForecast iterates the state-space form from the filter's final
// prediction; with D = 1 the state is augmented by the last level.
func (r *Result) armaForecast(h int) []Step {
	f := r.arma
	rr := f.r
	d := r.D
	n := rr + d
	// State s = (level, alpha) when d = 1, alpha otherwise.
	a := make([]float64, n)
	P := make([]float64, n*n)
	copy(a[d:], f.a)
	for i := 0; i < rr; i++ {
		for j := 0; j < rr; j++ {
			P[(i+d)*n+j+d] = f.P[i*rr+j]
		}
	}
	if d == 1 {
		a[0] = r.last
	}
	// Transition G and disturbance loading L.
	G := make([]float64, n*n)
	L := make([]float64, n)
	for i := 0; i < rr; i++ {
		G[(i+d)*n+d] = f.phi[i]
		if i+1 < rr {
			G[(i+d)*n+d+i+1] = 1
		}
		L[i+d] = f.rv[i]
	}
	if d == 1 {
		G[0] = 1
		G[1] = 1 // level' = level + mu + alpha_0 (mu added below)
	}
	Z := make([]float64, n) // observation: y = Z s + mu
	Z[0] = 1
	if d == 1 {
		Z[1] = 1
	}
	steps := make([]Step, h)
	na, M, PN := make([]float64, n), make([]float64, n*n), make([]float64, n*n)
	for k := 0; k < h; k++ {
		var mean, v float64
		for i := 0; i < n; i++ {
			mean += Z[i] * a[i]
			for j := 0; j < n; j++ {
				v += Z[i] * P[i*n+j] * Z[j]
			}
		}
		mean += f.mean
		steps[k] = Step{Mean: mean, SE: math.Sqrt(f.sigma2 * v), Variance: f.sigma2}
		// a <- G a (+ mu into the level); P <- G P G' + L L'.
		for i := 0; i < n; i++ {
			var s float64
			for j := 0; j < n; j++ {
				s += G[i*n+j] * a[j]
			}
			na[i] = s
		}
		if d == 1 {
			na[0] += f.mean
		}
		copy(a, na)
		matMul(M, G, P, n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				var s float64
				for l := 0; l < n; l++ {
					s += M[i*n+l] * G[j*n+l]
				}
				PN[i*n+j] = s + L[i]*L[j]
			}
		}
		copy(P, PN)
	}
	return steps
}

// garchForecast is the forecast of the ARMA-GARCH model.
func (r *Result) garchForecast(h int) []Step {
	f := r.garch
	mu, phi, ma, omega, alpha, beta, _ := f.parts()
	y, e := f.y, f.e
	n := len(y)
	// Mean of the (differenced) series.
	x := append(append([]float64(nil), y...), make([]float64, h)...)
	ee := append(append([]float64(nil), e...), make([]float64, h)...)
	for k := 0; k < h; k++ {
		t := n + k
		v := mu
		for i, c := range phi {
			v += c * (x[t-1-i] - mu)
		}
		for j, c := range ma {
			if t-1-j >= f.p && t-1-j < n {
				v += c * ee[t-1-j]
			}
		}
		x[t] = v
	}
	// Conditional variances E_n[h_{n+l}], l = 1..h.
	persist := alpha + beta
	s2 := omega / (1 - persist)
	hv := make([]float64, h)
	hv[0] = omega + alpha*e[n-1]*e[n-1] + beta*f.h[n-1]
	for l := 1; l < h; l++ {
		if r.Integrated {
			// E[h_{n+l+1}] = omega + (alpha+beta) E[h_{n+l}], which with
			// alpha + beta at 1 grows by omega a step.
			hv[l] = omega + persist*hv[l-1]
			continue
		}
		hv[l] = s2 + math.Pow(persist, float64(l))*(hv[0]-s2)
	}
	// psi weights of phi(z)(1-z)^D.
	ar := append([]float64(nil), phi...)
	if r.D == 1 {
		// 1 - sum a_i z^i = (1 - sum phi_i z^i)(1 - z): a_i = phi_i - phi_{i-1},
		// with phi_0 = -1 and phi_{p+1} = 0.
		ar = make([]float64, len(phi)+1)
		for i := 1; i <= len(phi)+1; i++ {
			cur, prev := 0.0, -1.0
			if i <= len(phi) {
				cur = phi[i-1]
			}
			if i >= 2 {
				prev = phi[i-2]
			}
			ar[i-1] = cur - prev
		}
	}
	psi := make([]float64, h)
	psi[0] = 1
	for j := 1; j < h; j++ {
		var v float64
		if j-1 < len(ma) {
			v = ma[j-1]
		}
		for i := 1; i <= len(ar) && i <= j; i++ {
			v += ar[i-1] * psi[j-i]
		}
		psi[j] = v
	}
	steps := make([]Step, h)
	level := r.last
	for k := 0; k < h; k++ {
		var v float64
		for j := 0; j <= k; j++ {
			v += psi[j] * psi[j] * hv[k-j]
		}
		mean := x[n+k]
		if r.D == 1 {
			level += x[n+k]
			mean = level
		}
		steps[k] = Step{Mean: mean, SE: math.Sqrt(v), Variance: hv[k]}
	}
	return steps
}
