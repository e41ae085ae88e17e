package forecast

import (
	"fmt"
	"math"
)

// IntervalLevel is the nominal coverage of the ensemble interval: its ends
// are the mixture's 5% and 95% quantiles.
const IntervalLevel = 0.90

// Component is one model's distribution with its ensemble weight.
type Component struct {
	Model  string
	Weight float64
	Dist   Distribution
}

// Combined is an ensemble forecast: the mixture of its components (DESIGN §4).
type Combined struct {
	// Distribution holds the mixture mean, the mixture standard deviation
	// sqrt(sum w_i (sigma_i^2 + mu_i^2) - mean^2) and the weighted class
	// probabilities.
	Distribution
	Label      Label
	Confidence float64
	// Agreement is 1 - (distinct component labels - 1)/(n - 1); 1 for one
	// component.
	Agreement float64
	// CILower and CIUpper are the mixture's 5% and 95% quantiles of the
	// return, each component entering as a normal with its mean and
	// standard deviation.
	CILower, CIUpper float64
	// Weights are the weights used, renormalised to sum to 1.
	Weights map[string]float64
}

// Combine mixes the components, renormalising their weights to sum to 1 (so
// that an ensemble that lost a model combines the ones that succeeded).
func Combine(comps []Component) (Combined, error) {
	if len(comps) == 0 {
		return Combined{}, fmt.Errorf("forecast: combine: no components")
	}
	var total float64
	for _, c := range comps {
		if !(c.Weight >= 0) || math.IsInf(c.Weight, 0) {
			return Combined{}, fmt.Errorf("forecast: combine: %s weight %v is not a non-negative number", c.Model, c.Weight)
		}
		if err := c.Dist.Check(); err != nil {
			return Combined{}, fmt.Errorf("forecast: combine: %s: %w", c.Model, err)
		}
		total += c.Weight
	}
	if total <= 0 {
		return Combined{}, fmt.Errorf("forecast: combine: weights sum to %v", total)
	}
	out := Combined{Weights: make(map[string]float64, len(comps))}
	var second float64
	labels := map[Label]bool{}
	w := make([]float64, len(comps))
	for i, c := range comps {
		w[i] = c.Weight / total
		out.Weights[c.Model] += w[i]
		d := c.Dist
		out.Mu += w[i] * d.Mu
		second += w[i] * (d.Sigma*d.Sigma + d.Mu*d.Mu)
		out.PBear += w[i] * d.PBear
		out.PNeutral += w[i] * d.PNeutral
		out.PBull += w[i] * d.PBull
		labels[d.Label()] = true
	}
	out.Sigma = math.Sqrt(math.Max(second-out.Mu*out.Mu, 0))
	out.Label = out.Distribution.Label()
	out.Confidence = out.Distribution.Confidence()
	out.Agreement = 1
	if n := len(comps); n > 1 {
		out.Agreement = 1 - float64(len(labels)-1)/float64(n-1)
	}
	tail := (1 - IntervalLevel) / 2
	out.CILower = mixtureQuantile(comps, w, tail)
	out.CIUpper = mixtureQuantile(comps, w, 1-tail)
	if err := out.Distribution.Check(); err != nil {
		return Combined{}, fmt.Errorf("forecast: combine: %w", err)
	}
	return out, nil
}

// mixtureQuantile solves sum w_i Phi((x - mu_i)/sigma_i) = p by bisection,
// to the last representable bit of x.
func mixtureQuantile(comps []Component, w []float64, p float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range comps {
		lo = math.Min(lo, c.Dist.Mu-12*c.Dist.Sigma)
		hi = math.Max(hi, c.Dist.Mu+12*c.Dist.Sigma)
	}
	cdf := func(x float64) float64 {
		var f float64
		for i, c := range comps {
			f += w[i] * 0.5 * math.Erfc(-(x-c.Dist.Mu)/(c.Dist.Sigma*math.Sqrt2))
		}
		return f
	}
	for range 200 {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if cdf(mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + (hi-lo)/2
}
