package calibration

import (
	"fmt"
	"math"
)

// plattClip is the clip of p before the logit in a calibration of n samples:
// half an atom of the empirical distribution.
func plattClip(n int) float64 { return 1 / (2 * float64(n)) }

// plattFeature is logit(p), p clipped to [eps, 1-eps].
func plattFeature(p, eps float64) float64 {
	p = min(max(p, eps), 1-eps)
	return math.Log(p / (1 - p))
}

// sigmoid is 1/(1 + exp(-t)).
func sigmoid(t float64) float64 {
	if t >= 0 {
		return 1 / (1 + math.Exp(-t))
	}
	e := math.Exp(t)
	return e / (1 + e)
}

// softplus is log(1 + exp(t)).
func softplus(t float64) float64 {
	if t > 0 {
		return t + math.Log1p(math.Exp(-t))
	}
	return math.Log1p(math.Exp(t))
}

// fitPlatt returns the maximum-likelihood a, b of the logistic regression
// P(y) = sigmoid(a x + b), by Newton's method with step halving from the
// identity (1, 0). It fails when x is constant or separates the outcomes,
// where the estimate does not exist.
func fitPlatt(x []float64, y []bool) (a, b float64, err error) {
	var up int
	lo := [2]float64{math.Inf(1), math.Inf(1)}   // min x over downs, ups
	hi := [2]float64{math.Inf(-1), math.Inf(-1)} // max x over downs, ups
	for i, xi := range x {
		k := 0
		if y[i] {
			k, up = 1, up+1
		}
		lo[k], hi[k] = min(lo[k], xi), max(hi[k], xi)
	}
	n := len(x)
	switch {
	case up == 0 || up == n:
		return 0, 0, fmt.Errorf("platt: %d of %d outcomes up: both kinds are needed", up, n)
	case min(lo[0], lo[1]) == max(hi[0], hi[1]):
		return 0, 0, fmt.Errorf("platt: P(up) takes one value on all %d samples", n)
	case hi[0] <= lo[1] || hi[1] <= lo[0]:
		return 0, 0, fmt.Errorf("platt: P(up) separates the %d up and %d down outcomes: no maximum-likelihood fit exists", up, n-up)
	}
	loglik := func(a, b float64) float64 {
		var l float64
		for i, xi := range x {
			t := a*xi + b
			if y[i] {
				l += t
			}
			l -= softplus(t)
		}
		return l
	}
	a, b = 1, 0
	l := loglik(a, b)
	for range 100 {
		var ga, gb, haa, hab, hbb float64
		for i, xi := range x {
			p := sigmoid(a*xi + b)
			r := -p
			if y[i] {
				r = 1 - p
			}
			w := p * (1 - p)
			ga += r * xi
			gb += r
			haa += w * xi * xi
			hab += w * xi
			hbb += w
		}
		det := haa*hbb - hab*hab
		if !(det > 0) {
			return 0, 0, fmt.Errorf("platt: singular information matrix at A=%v, B=%v", a, b)
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		t := 1.0
		for range 60 {
			if nl := loglik(a+t*da, b+t*db); nl >= l || t < 1e-12 {
				a, b, l = a+t*da, b+t*db, nl
				break
			}
			t /= 2
		}
		if math.Abs(t*da) <= 1e-14*(1+math.Abs(a)) && math.Abs(t*db) <= 1e-14*(1+math.Abs(b)) {
			return a, b, nil
		}
	}
	// Newton's method converges quadratically on this concave likelihood;
	// a hundred steps without settling means the numbers are pathological.
	return 0, 0, fmt.Errorf("platt: no convergence in 100 Newton steps (A=%v, B=%v)", a, b)
}
