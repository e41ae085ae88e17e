package calibration

import (
	"cmp"
	"fmt"
	"math"

	"runner/forecast"
)

// ProbMethod is the recalibration of P(up).
type ProbMethod string

// The recalibration methods.
const (
	// Auto is Platt below IsotonicMin samples and Isotonic from it, or
	// BaseRate when that recalibration does not beat the base rate on the
	// held-out third of the samples by more than chance (see Fit).
	Auto     ProbMethod = "auto"
	Platt    ProbMethod = "platt"
	Isotonic ProbMethod = "isotonic"
	// BaseRate forecasts P'(up) = the share of up outcomes in the samples,
	// whatever the forecast: the climatological forecast, for a P(up) with
	// no skill over it.
	BaseRate ProbMethod = "base_rate"
)

// ParseProbMethod returns the method named s; "" is Auto.
func ParseProbMethod(s string) (ProbMethod, error) {
	switch m := ProbMethod(s); m {
	case "":
		return Auto, nil
	case Auto, Platt, Isotonic, BaseRate:
		return m, nil
	}
	return "", fmt.Errorf("calibration: unknown probability method %q (want auto, platt, isotonic or base_rate)", s)
}

// Minimum sample counts.
const (
	// MinConformal is the fewest samples whose default 90% conformal
	// interval is finite: the upper rank ceil((n+1)·0.95) is at most n from
	// n = 19. A level L needs 2/(1-L) - 1, which Fit checks.
	MinConformal = 19
	// MinPlatt is the fewest samples Platt scaling is fitted on: two
	// parameters, and with P(up) near one half 50 samples give about 25
	// outcomes of each kind, above the usual ten events per parameter of
	// logistic regression; with fewer the fit is unstable and separation of
	// the outcomes (no estimate at all) becomes likely.
	MinPlatt = 50
	// IsotonicMin is where Auto switches from Platt to isotonic regression
	// and the fewest samples isotonic regression is fitted on (DESIGN §6): a
	// monotone step function has as many free levels as it likes and
	// overfits small samples; Niculescu-Mizil and Caruana (2005) found it
	// worse than Platt scaling below about 1000 calibration samples.
	IsotonicMin = 1000
)

// MinSamples is the fewest samples that both Fit and HeldOut accept with
// cfg. HeldOut fits the first floor(2n/3) samples, so the interval needs
// two thirds of at least the conformal minimum (19 at 90%: n >= 29), and
// Platt scaling, which Auto uses below IsotonicMin, two thirds of at
// least MinPlatt (n >= 75); isotonic regression needs IsotonicMin
// samples in all (its two-thirds fit has no minimum of its own). An
// invalid cfg panics.
func MinSamples(cfg Config) int {
	cfg = cfg.withDefaults()
	// twoThirds is the fewest n with floor(2n/3) >= k: ceil(3k/2).
	twoThirds := func(k int) int { return (3*k + 1) / 2 }
	n := twoThirds(conformalMin(1 - cfg.Level))
	switch cfg.Method {
	case Auto, Platt:
		n = max(n, twoThirds(MinPlatt))
	case Isotonic:
		n = max(n, IsotonicMin)
	}
	return n
}

// Defaults of Config.
const (
	LevelDefault = 0.90
	GammaDefault = 0.005
)

// Clamp of the adaptive miscoverage alpha_t. The upper end keeps the interval
// at least a 50% interval; the lower end keeps the recursion from running
// to 0 or below, where the interval would be the whole line.
const (
	AlphaMin = 0.001
	AlphaMax = 0.5
)

// Config sets a calibration. The zero value is the default.
type Config struct {
	// Level is the nominal coverage of the interval, in (0, 1). Default
	// LevelDefault (0.90).
	Level float64
	// Band is the half-width of the neutral class, >= 0. Default
	// forecast.DefaultNeutralBand (0.002).
	Band float64
	// Method recalibrates P(up). Default Auto: Platt below IsotonicMin
	// samples, Isotonic from it, BaseRate when the held-out third does not
	// show the recalibrated P(up) significantly better than the base rate.
	Method ProbMethod
	// Adaptive runs adaptive conformal inference (Gibbs and Candès 2021)
	// over the samples for the interval. Default false: split conformal.
	Adaptive bool
	// Gamma is the step of the adaptive recursion, in (0, 1). Default
	// GammaDefault (0.005); used only when Adaptive.
	Gamma float64
}

// withDefaults fills the zero fields and panics on invalid ones.
func (c Config) withDefaults() Config {
	c.Level = cmp.Or(c.Level, LevelDefault)
	c.Band = cmp.Or(c.Band, forecast.DefaultNeutralBand)
	c.Method = cmp.Or(c.Method, Auto)
	c.Gamma = cmp.Or(c.Gamma, GammaDefault)
	if !(c.Level > 0 && c.Level < 1) {
		panic(fmt.Sprintf("calibration: level %v outside (0, 1)", c.Level))
	}
	if !(c.Band >= 0) || math.IsInf(c.Band, 0) {
		panic(fmt.Sprintf("calibration: neutral band %v is not a non-negative number", c.Band))
	}
	if !(c.Gamma > 0 && c.Gamma < 1) {
		panic(fmt.Sprintf("calibration: gamma %v outside (0, 1)", c.Gamma))
	}
	if _, err := ParseProbMethod(string(c.Method)); err != nil {
		panic(err.Error())
	}
	return c
}
