package calibration

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// Sample is one out-of-sample one-step forecast and what followed.
type Sample struct {
	Mu, Sigma float64 // the raw predictive distribution's mean and standard deviation
	Realised  float64 // the log return that followed
}

// Calibration is a fitted calibration (see the package documentation). Its
// exported fields are all Apply and CRPS read, so a calibration restored
// from storage field by field works as the one Fit returned.
type Calibration struct {
	Config // as given to Fit, defaults filled in

	N int // samples fitted
	// QLo and QHi are the conformal quantiles of z at miscoverage Alpha.
	QLo, QHi float64
	// Z holds the N standardised residuals (r - mu)/sigma, sorted.
	Z []float64
	// Prob is the recalibration fitted: Platt, Isotonic or BaseRate.
	Prob ProbMethod
	// Base is the share of the samples whose return was up: P'(up) of
	// BaseRate.
	Base float64
	// PlattA and PlattB are Platt's P'(up) = 1/(1 + exp(-(A logit(p) + B))).
	PlattA, PlattB float64
	// IsoX and IsoY are the isotonic fit's thresholds: P'(up) is their
	// linear interpolation, p clipped to [IsoX[0], IsoX[last]].
	IsoX, IsoY []float64
	// Alpha is the interval's miscoverage: 1 - Level, or the final alpha of
	// the adaptive recursion when Adaptive.
	Alpha float64
	// SkillCheck is Auto's skill check, nil when it did not run (another
	// Method, or a first two thirds too few to fit).
	SkillCheck *SkillCheck `json:",omitempty"`
}

// SkillCheck records Auto's check of a recalibration against the base
// rate on the held-out third of the samples (see Fit): why P(up) is what
// it is.
type SkillCheck struct {
	// Tested is the recalibration checked, fitted on the first two thirds:
	// Platt or Isotonic.
	Tested ProbMethod
	// Held is the number of held-out samples scored.
	Held int
	// MeanD is the base rate's Brier score less the recalibration's over
	// the held-out samples (positive: the recalibration did better), and
	// StdErr its standard error.
	MeanD, StdErr float64
	// Kept reports whether the recalibration was kept: T() > SkillZ.
	Kept bool
}

// T is the Diebold-Mariano statistic MeanD/StdErr (±Inf when StdErr is 0
// and MeanD is not, 0 when both are).
func (s SkillCheck) T() float64 { return skill{n: s.Held, meanD: s.MeanD, stdErr: s.StdErr}.T() }

// Fit calibrates on samples, oldest first. Too few samples for the interval
// or the method, a non-finite sample or one with sigma <= 0, and outcomes
// that Platt scaling cannot fit are errors. An invalid cfg panics.
//
// With Method Auto, Fit first asks the held-out third whether the
// recalibration has skill: fitted on the first two thirds (as HeldOut), does
// it score a lower Brier score on the last third than the base rate of the
// first two thirds, by more than chance (the one-sided Diebold-Mariano test
// at 5%: the mean of the per-sample differences of squared error over its
// standard error above SkillZ)? If not, the calibration forecasts the base
// rate of all the samples (BaseRate). When the first two thirds are too few to fit, the
// recalibration is kept.
func Fit(samples []Sample, cfg Config) (*Calibration, error) {
	cfg = cfg.withDefaults()
	c, err := fit(samples, cfg)
	if err != nil {
		return nil, fmt.Errorf("calibration: %w", err)
	}
	if cfg.Method == Auto && c.Prob != BaseRate {
		if h, k, err := fitTwoThirds(samples, cfg); err == nil && k < len(samples) {
			sk := skillOf(h, samples[k:])
			c.SkillCheck = &SkillCheck{Tested: c.Prob, Held: sk.n, MeanD: sk.meanD, StdErr: sk.stdErr, Kept: sk.recalibrated()}
			if !c.SkillCheck.Kept {
				c.Prob, c.PlattA, c.PlattB, c.IsoX, c.IsoY = BaseRate, 0, 0, nil, nil
			}
		}
	}
	return c, nil
}

// SkillZ is the critical value of Auto's skill check: the one-sided 5%
// quantile of the standard normal, z_0.95.
const SkillZ = 1.6448536269514722

// skill compares, on held-out samples, the squared errors of a
// recalibrated P(up) and of the base rate: d_i = (base - y_i)^2 -
// (p_i - y_i)^2, positive where the recalibration did better.
type skill struct {
	n      int
	meanD  float64 // mean of d: the base rate's Brier score less the recalibration's
	stdErr float64 // standard error of meanD: sd(d)/sqrt(n), sd with n-1
}

// T is the t statistic meanD/stdErr (±Inf when every d is equal and not
// zero, 0 when every d is zero).
func (s skill) T() float64 {
	if s.stdErr == 0 {
		if s.meanD == 0 {
			return 0
		}
		return math.Copysign(math.Inf(1), s.meanD)
	}
	return s.meanD / s.stdErr
}

// recalibrated reports whether the recalibration beat the base rate by
// more than chance: T above SkillZ, the one-sided Diebold-Mariano test at
// 5% (one-step forecasts: the loss differences need no overlap
// correction). A Brier score lower by a margin the held-out third's
// noise could give is no reason to leave the base rate.
func (s skill) recalibrated() bool { return s.n >= 2 && s.T() > SkillZ }

// skillOf scores c's recalibrated P(up) against c's base rate on the
// held-out samples.
func skillOf(c *Calibration, held []Sample) skill {
	d := make([]float64, len(held))
	for i, t := range held {
		var y float64
		if t.Realised > 0 {
			y = 1
		}
		p := c.Apply(t.Mu, t.Sigma).PUp
		d[i] = (c.Base-y)*(c.Base-y) - (p-y)*(p-y)
	}
	s := skill{n: len(d)}
	if s.n < 2 {
		return s
	}
	mean, sd := stat.MeanStdDev(d, nil)
	s.meanD, s.stdErr = mean, sd/math.Sqrt(float64(s.n))
	return s
}

// fitTwoThirds fits the first k = floor(2n/3) of the n samples, without
// the skill check of Auto, with the recalibration a fit of all n resolves
// to: isotonic regression, chosen for n >= IsotonicMin, is fitted on the
// two thirds although they are fewer, so that the held-out third judges
// the method the calibration uses.
func fitTwoThirds(samples []Sample, cfg Config) (*Calibration, int, error) {
	k := 2 * len(samples) / 3
	prob := resolveProb(cfg.Method, len(samples))
	need := minSamples(prob)
	if prob == Isotonic {
		need = 1
	}
	c, err := fitProb(samples[:k], cfg, prob, need)
	return c, k, err
}

// resolveProb is the recalibration method fitted on n samples: Auto is
// Platt below IsotonicMin and Isotonic from it (before Fit's skill check).
func resolveProb(m ProbMethod, n int) ProbMethod {
	if m != Auto {
		return m
	}
	if n >= IsotonicMin {
		return Isotonic
	}
	return Platt
}

// minSamples is the fewest samples a recalibration method is fitted on.
func minSamples(m ProbMethod) int {
	return map[ProbMethod]int{Platt: MinPlatt, Isotonic: IsotonicMin, BaseRate: 1}[m]
}

// fit is Fit on a config with its defaults, without the skill check of
// Auto, its errors without the package prefix.
func fit(samples []Sample, cfg Config) (*Calibration, error) {
	prob := resolveProb(cfg.Method, len(samples))
	return fitProb(samples, cfg, prob, minSamples(prob))
}

// fitProb fits samples with the recalibration prob, which needs at least
// need samples.
func fitProb(samples []Sample, cfg Config, prob ProbMethod, need int) (*Calibration, error) {
	n := len(samples)
	a := 1 - cfg.Level
	if need := conformalMin(a); n < need {
		return nil, fmt.Errorf("%d samples: a %g%% conformal interval needs at least %d", n, 100*cfg.Level, need)
	}
	if n < need {
		return nil, fmt.Errorf("%d samples: %s needs at least %d", n, prob, need)
	}
	z := make([]float64, n)
	for i, s := range samples {
		if !finite(s.Mu) || !finite(s.Sigma) || !finite(s.Realised) {
			return nil, fmt.Errorf("sample %d: non-finite %+v", i, s)
		}
		if s.Sigma <= 0 {
			return nil, fmt.Errorf("sample %d: sigma %v is not positive", i, s.Sigma)
		}
		z[i] = (s.Realised - s.Mu) / s.Sigma
	}
	c := &Calibration{Config: cfg, N: n, Prob: prob, Alpha: a}
	if cfg.Adaptive {
		c.Alpha = aci(z, a, cfg.Gamma, conformalMin(a))
	}
	c.Z = slices.Clone(z)
	slices.Sort(c.Z)
	c.QLo, c.QHi = conformalQuantiles(c.Z, c.Alpha)

	// Leave-one-out P(up) of each sample and its outcome.
	p := make([]float64, n)
	up := make([]bool, n)
	for i, s := range samples {
		t := -s.Mu / s.Sigma
		k := c.above(t)
		if z[i] > t {
			k--
		}
		p[i] = float64(k) / float64(n-1)
		up[i] = s.Realised > 0
		if up[i] {
			c.Base++
		}
	}
	c.Base /= float64(n)
	switch prob {
	case Platt:
		x := make([]float64, n)
		eps := plattClip(n)
		for i := range p {
			x[i] = plattFeature(p[i], eps)
		}
		var err error
		if c.PlattA, c.PlattB, err = fitPlatt(x, up); err != nil {
			return nil, fmt.Errorf("%d samples: %w", n, err)
		}
	case Isotonic:
		c.IsoX, c.IsoY = fitIsotonic(p, up)
	}
	return c, nil
}

// above is #{z > t}.
func (c *Calibration) above(t float64) int {
	return len(c.Z) - sort.Search(len(c.Z), func(i int) bool { return c.Z[i] > t })
}

// below is #{z < t}.
func (c *Calibration) below(t float64) int {
	return sort.Search(len(c.Z), func(i int) bool { return c.Z[i] >= t })
}

// recalibrate maps the calibrated distribution's P(up) to P'(up).
func (c *Calibration) recalibrate(p float64) float64 {
	switch c.Prob {
	case Platt:
		return sigmoid(c.PlattA*plattFeature(p, plattClip(c.N)) + c.PlattB)
	case Isotonic:
		return isotonicPredict(c.IsoX, c.IsoY, p)
	case BaseRate:
		return c.Base
	}
	panic(fmt.Sprintf("calibration: unknown fitted method %q", c.Prob))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
