package forecast_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast"
)

// The legacy ensemble's default weights over four made-up components.
// Expected values from scipy 1.10.1: brentq on
// sum(w*norm.cdf(x, mu, s)) - p (xtol 1e-16) for the quantiles, and
// sum(w*norm.cdf(-0.002, mu, s)), sum(w*norm.sf(0.002, mu, s)) for the
// class probabilities; mean and sd from the mixture moments.
func TestCombineLegacyMixture(t *testing.T) {
	band := forecast.DefaultNeutralBand
	comps := []forecast.Component{
		{Model: "arima_garch", Weight: 0.20, Dist: forecast.Normal(0.001, 0.012, band)},
		{Model: "gb", Weight: 0.35, Dist: forecast.Normal(-0.0005, 0.009, band)},
		{Model: "lstm", Weight: 0.25, Dist: forecast.Normal(0.002, 0.015, band)},
		{Model: "transformer", Weight: 0.20, Dist: forecast.Normal(0.0, 0.011, band)},
	}
	c, err := forecast.Combine(comps)
	require.NoError(t, err)
	require.InDelta(t, 0.0005250000000000001, c.Mu, 1e-17)
	require.InDelta(t, 0.011773354449773437, c.Sigma, 1e-16)
	require.InDelta(t, -0.018392447785920765, c.CILower, 1e-15)
	require.InDelta(t, 0.020129334512915348, c.CIUpper, 1e-15)
	require.InDelta(t, 0.4163826625976124, c.PBear, 1e-14)
	require.InDelta(t, 0.44063820756323396, c.PBull, 1e-14)
	require.Equal(t, forecast.Bullish, c.Label)
	require.InDelta(t, 0.44063820756323396, c.Confidence, 1e-14)
	// Labels: bullish (mu 0.001 > 0), bearish, bullish, and the zero-mean
	// component, whose bear and bull probabilities tie above neutral's:
	// bullish by the tie rule of Distribution.Label. Two distinct labels
	// among four: 1 - 1/3.
	require.InDelta(t, 2.0/3, c.Agreement, 1e-15)
}

// Renormalisation: the candidate ensemble with one model lost is that model
// alone; one normal's 5% and 95% quantiles are mu -/+ 1.6448536269514722
// sigma (scipy.stats.norm.ppf(0.95)).
func TestCombineRenormalises(t *testing.T) {
	d := forecast.Normal(0.001, 0.02, forecast.DefaultNeutralBand)
	c, err := forecast.Combine([]forecast.Component{{Model: "lstm", Weight: 0.5, Dist: d}})
	require.NoError(t, err)
	require.Equal(t, map[string]float64{"lstm": 1}, c.Weights)
	require.InDelta(t, d.Mu, c.Mu, 1e-18)
	require.InDelta(t, d.Sigma, c.Sigma, 1e-17)
	require.InDelta(t, 0.001-1.6448536269514722*0.02, c.CILower, 1e-15)
	require.InDelta(t, 0.001+1.6448536269514722*0.02, c.CIUpper, 1e-15)
	require.Equal(t, 1.0, c.Agreement)
}

func TestCombineErrors(t *testing.T) {
	d := forecast.Normal(0, 0.01, forecast.DefaultNeutralBand)
	_, err := forecast.Combine(nil)
	require.Error(t, err)
	_, err = forecast.Combine([]forecast.Component{{Model: "a", Weight: -1, Dist: d}})
	require.ErrorContains(t, err, "a weight -1")
	_, err = forecast.Combine([]forecast.Component{{Model: "a", Weight: 0, Dist: d}})
	require.ErrorContains(t, err, "weights sum to 0")
	bad := d
	bad.Mu = math.NaN()
	_, err = forecast.Combine([]forecast.Component{{Model: "a", Weight: 1, Dist: bad}})
	require.ErrorContains(t, err, "a: forecast: non-finite")
}

// Class probabilities of a normal: P(r < -0.002) for N(0.001, 0.01) is
// Phi(-0.3) = 0.38208857781104733 and P(r > 0.002) is 1 - Phi(0.1) =
// 0.46017216272297101 (scipy.stats.norm.cdf(-0.3), norm.sf(0.1)).
func TestNormalClassProbabilities(t *testing.T) {
	d := forecast.Normal(0.001, 0.01, 0.002)
	require.InDelta(t, 0.38208857781104733, d.PBear, 1e-15)
	require.InDelta(t, 0.46017216272297101, d.PBull, 1e-15)
	require.InDelta(t, 1-0.38208857781104733-0.46017216272297101, d.PNeutral, 1e-15)
	require.NoError(t, d.Check())
}

// RealisedVol over 3 bars, by hand: sqrt(mean of squares of the trailing window).
func TestRealisedVol(t *testing.T) {
	v := forecast.RealisedVol([]float64{0.01, -0.02, 0.03, 0.0}, 3)
	require.InDeltaSlice(t, []float64{
		0.01,                             // sqrt(0.0001/1)
		math.Sqrt((0.0001 + 0.0004) / 2), // 0.0158113883
		math.Sqrt((0.0001 + 0.0004 + 0.0009) / 3), // 0.0216024690
		math.Sqrt((0.0004 + 0.0009 + 0) / 3),      // 0.0208166600
	}, v, 1e-15)
	require.InDelta(t, 0.021602468994692867, v[2], 1e-15)
}
