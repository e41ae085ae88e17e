package calibration

import (
	"fmt"
	"math"
)

// ECEBins is the number of equal-width bins of P(up) in the expected
// calibration error (DESIGN §6).
const ECEBins = 15

// logLossClip bounds the probabilities in the log loss, as scikit-learn's
// log_loss(eps=1e-15).
const logLossClip = 1e-15

// Report scores forecasts against what followed (see the package
// documentation for each definition).
type Report struct {
	N         int     // samples scored
	Coverage  float64 // share of realised returns inside the interval, ends included
	MeanWidth float64 // mean of CIUpper - CILower
	Brier     float64 // mean (P(up) - 1{r > 0})^2
	LogLoss   float64 // mean -log of the probability given to the outcome
	ECE       float64 // expected calibration error of P(up), ECEBins bins
	CRPS      float64 // mean continuous ranked probability score
}

// Score scores the forecasts fc(s) and their scores crps(s) over samples.
// No samples panics.
func Score(samples []Sample, fc func(Sample) Applied, crps func(Sample) float64) Report {
	n := len(samples)
	if n == 0 {
		panic("calibration: score: no samples")
	}
	var r Report
	r.N = n
	var rel Reliability
	for _, s := range samples {
		a := fc(s)
		if a.CILower <= s.Realised && s.Realised <= a.CIUpper {
			r.Coverage++
		}
		r.MeanWidth += a.CIUpper - a.CILower
		var y float64
		if s.Realised > 0 {
			y = 1
		}
		p := a.PUp
		r.Brier += (p - y) * (p - y)
		q := min(max(p, logLossClip), 1-logLossClip)
		if y == 1 {
			r.LogLoss -= math.Log(q)
		} else {
			r.LogLoss -= math.Log(1 - q)
		}
		rel.Add(p, y == 1)
		r.CRPS += crps(s)
	}
	r.ECE = rel.ECE()
	fn := float64(n)
	r.Coverage /= fn
	r.MeanWidth /= fn
	r.Brier /= fn
	r.LogLoss /= fn
	r.CRPS /= fn
	return r
}

// HeldOut fits on the first two thirds of samples (oldest first; the first
// floor(2n/3), with the recalibration a fit of all n uses, isotonic
// regression included) and scores on the rest both the raw forecasts (Raw,
// GaussianCRPS) and the calibrated ones (Apply, CRPS). With Adaptive the
// recursion runs over the fitting part, then on over the held-out part as
// it would over live forecasts (Adapt after each outcome), each scored with
// the interval of its turn. With Method Auto, the calibrated P(up) scored
// is the one Fit's skill check keeps, the recalibration or the base rate of
// the fitting part: the held-out third chose it, so the after figures of a
// base-rate calibration are those of the better of the two there. The
// errors are Fit's.
func HeldOut(samples []Sample, cfg Config) (before, after Report, err error) {
	cfg = cfg.withDefaults()
	n := len(samples)
	c, k, err := fitTwoThirds(samples, cfg)
	if err != nil {
		return Report{}, Report{}, fmt.Errorf("calibration: held out, fit on the first %d of %d samples: %w", k, n, err)
	}
	test := samples[k:]
	if cfg.Method == Auto && len(test) > 0 && !skillOf(c, test).recalibrated() {
		c.Prob = BaseRate
	}
	before = Score(test, func(s Sample) Applied { return Raw(s.Mu, s.Sigma, cfg) }, GaussianCRPS)
	live := c
	after = Score(test, func(s Sample) Applied {
		a := live.Apply(s.Mu, s.Sigma)
		live = live.Adapt([]bool{s.Realised < a.CILower || s.Realised > a.CIUpper})
		return a
	}, c.CRPS)
	return before, after, nil
}
