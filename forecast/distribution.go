package forecast

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultNeutralBand is the half-width of the neutral class: a return r with
// |r| <= DefaultNeutralBand is neutral.
const DefaultNeutralBand = 0.002

// Label is the class of a return.
type Label string

// The three classes of a return.
const (
	Bearish Label = "bearish"
	Neutral Label = "neutral"
	Bullish Label = "bullish"
)

// Distribution is a model's predictive distribution for the next log return.
type Distribution struct {
	Mu       float64 // mean
	Sigma    float64 // standard deviation, > 0
	PBear    float64 // P(r < -band)
	PNeutral float64 // P(|r| <= band)
	PBull    float64 // P(r > band)
}

// Normal returns the Gaussian distribution with mean mu and standard
// deviation sigma, with its class probabilities for the given neutral band.
func Normal(mu, sigma, band float64) Distribution {
	n := distuv.Normal{Mu: mu, Sigma: sigma}
	bear := n.CDF(-band)
	bull := n.Survival(band)
	return Distribution{Mu: mu, Sigma: sigma, PBear: bear, PNeutral: math.Max(0, 1-bear-bull), PBull: bull}
}

// Label returns the most probable class; ties go to neutral, then bullish.
func (d Distribution) Label() Label {
	l, p := Neutral, d.PNeutral
	if d.PBull > p {
		l, p = Bullish, d.PBull
	}
	if d.PBear > p {
		l = Bearish
	}
	return l
}

// Confidence is the probability of the most probable class.
func (d Distribution) Confidence() float64 {
	return math.Max(d.PNeutral, math.Max(d.PBull, d.PBear))
}

// Check returns an error when any field is NaN or Inf, sigma is not
// positive, or the class probabilities do not sum to one.
func (d Distribution) Check() error {
	for _, v := range []float64{d.Mu, d.Sigma, d.PBear, d.PNeutral, d.PBull} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("forecast: non-finite distribution %+v", d)
		}
	}
	if d.Sigma <= 0 {
		return fmt.Errorf("forecast: sigma %v is not positive", d.Sigma)
	}
	if s := d.PBear + d.PNeutral + d.PBull; math.Abs(s-1) > 1e-9 {
		return fmt.Errorf("forecast: class probabilities sum to %v", s)
	}
	return nil
}
