package calibration_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/calibration"
)

// t4Coverage is the exact coverage of the Gaussian 90% interval
// mu ± 1.6448536269514722 sigma when r - mu is sigma times a unit-variance
// Student t with 4 degrees of freedom, t4/sqrt(2):
// 2 T4(1.6448536269514722·sqrt(2)) - 1 = 2 T4(2.3262) - 1 = 0.9194107803062213
// (scipy stats.t.cdf, in testdata/calibration/fixtures.json). The t4 is more
// peaked than the normal of the same variance, so the normal interval covers
// 1.94 points too much; its tails are heavier, so further out it covers too
// little.
const t4Coverage = 0.9194107803062213

// coverage is the share of samples inside their forecast intervals.
func coverage(s []calibration.Sample, fc func(calibration.Sample) calibration.Applied) float64 {
	return calibration.Score(s, fc, func(calibration.Sample) float64 { return 0 }).Coverage
}

// Returns r = mu + sigma·t4/sqrt(2) with Gaussian forecasts (mu, sigma):
// the raw interval covers t4Coverage, the calibrated one 90%.
//
// Large sample: calibrated on 20000, scored on 20000 fresh samples of the
// same process. The calibrated coverage on a fixed calibration set is
// Beta-distributed around 0.9 with variance about 0.9·0.1/n_cal (the rank
// of a new residual among the calibration ones), and the test set adds the
// binomial 0.9·0.1/n_test: one standard error is
// sqrt(0.09 (1/20000 + 1/20000)) = 0.0030.
//
// Small samples (Platt's regime): 400 calibration sets of 250, each scored
// on 50 fresh samples. Split conformal covers exactly
// (k_hi - k_lo)/(n+1) = (239 - 12)/251 = 0.904382 on average over
// calibration sets (ranks k for n = 250 in the package documentation); the
// standard error of the mean of the 400 coverages is
// sqrt((Var Beta(227, 24) + 0.0866/50)/400) = sqrt((3.43e-4 + 1.73e-3)/400)
// = 0.0023.
func TestCalibratedCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 6))
	cfg := calibration.Config{}
	raw := func(s calibration.Sample) calibration.Applied { return calibration.Raw(s.Mu, s.Sigma, cfg) }

	cal := process(rng, 20000, 1, 1, false)
	fresh := process(rng, 20000, 1, 1, false)
	c, err := calibration.Fit(cal, cfg)
	require.NoError(t, err)
	require.Equal(t, calibration.Isotonic, c.Prob)
	rawCov := coverage(fresh, raw)
	calCov := coverage(fresh, func(s calibration.Sample) calibration.Applied { return c.Apply(s.Mu, s.Sigma) })
	seRaw := math.Sqrt(t4Coverage * (1 - t4Coverage) / 20000)
	seCal := math.Sqrt(0.09 * (1.0/20000 + 1.0/20000))
	t.Logf("n 20000: raw %.4f (exact %.4f, se %.4f), calibrated %.4f (se %.4f), QLo %.4f QHi %.4f (t4/sqrt2 quantiles ∓1.5074)",
		rawCov, t4Coverage, seRaw, calCov, seCal, c.QLo, c.QHi)
	require.InDelta(t, t4Coverage, rawCov, 3*seRaw)
	require.InDelta(t, 0.90, calCov, 3*seCal)
	require.Greater(t, math.Abs(rawCov-0.90), 3*seCal)
	// The quantiles of t4/sqrt(2) at 5% and 95% are ∓2.1318468/sqrt(2) =
	// ∓1.5074 (scipy stats.t.ppf(0.95, 4)); the conformal ones estimate them
	// from 20000 draws, standard error about 0.02.
	require.InDelta(t, -1.5074, c.QLo, 0.06)
	require.InDelta(t, 1.5074, c.QHi, 0.06)

	const reps, m = 400, 50
	var rawSum, calSum float64
	for range reps {
		c, err := calibration.Fit(process(rng, 250, 1, 1, false), cfg)
		require.NoError(t, err)
		test := process(rng, m, 1, 1, false)
		rawSum += coverage(test, raw)
		calSum += coverage(test, func(s calibration.Sample) calibration.Applied { return c.Apply(s.Mu, s.Sigma) })
	}
	rawCov, calCov = rawSum/reps, calSum/reps
	const exact = 227.0 / 251
	se := math.Sqrt((227.0*24/(251*251*252) + exact*(1-exact)/m) / reps)
	t.Logf("n 250 ×%d: raw %.4f, calibrated %.4f (exact %.4f, se %.4f)", reps, rawCov, calCov, exact, se)
	require.InDelta(t, exact, calCov, 3*se)
	require.InDelta(t, t4Coverage, rawCov, 3*math.Sqrt(t4Coverage*(1-t4Coverage)/(reps*m)))
}

// A forecaster that overstates the drift (r = 0.2 mu + noise) and
// understates the noise by a third (scale 1.5): on the held-out third the
// calibration must improve every score. The raw interval's coverage is
// 2 Phi(1.6449/1.5) - 1 = 0.7272 (scipy norm.cdf) at mu = 0, lower with the
// shrunk drift.
func TestHeldOutImproves(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	s := process(rng, 3000, 0.2, 1.5, true)
	before, after, err := calibration.HeldOut(s, calibration.Config{})
	require.NoError(t, err)
	t.Logf("before %+v", before)
	t.Logf("after  %+v", after)
	require.Equal(t, 1000, before.N)
	require.Equal(t, 1000, after.N)
	require.Less(t, before.Coverage, 0.75)
	require.InDelta(t, 0.90, after.Coverage, 3*math.Sqrt(0.09*(1.0/2000+1.0/1000)))
	require.Greater(t, after.MeanWidth, before.MeanWidth)
	require.Less(t, after.Brier, before.Brier)
	require.Less(t, after.LogLoss, before.LogLoss)
	require.Less(t, after.ECE, before.ECE)
	require.Less(t, after.CRPS, before.CRPS)
}

// ACI on a process whose noise doubles after the first half: the recursion
// meets misses in the second half and lowers alpha (to 0.06 with this seed),
// widening the interval beyond the split-conformal one. On the stationary
// first half alpha ends near the nominal 0.1: near it, alpha_t is about an
// AR(1) with coefficient 1 - gamma and innovations of variance
// gamma^2 a(1-a), so its standard deviation is sqrt(gamma a(1-a)/2) = 0.015
// (gamma = 0.005, a = 0.1), and 3 of them are 0.045.
func TestAdaptiveFollowsShift(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	s := append(process(rng, 1000, 1, 1, true), process(rng, 1000, 1, 2, true)...)
	split, err := calibration.Fit(s, calibration.Config{})
	require.NoError(t, err)
	aci, err := calibration.Fit(s, calibration.Config{Adaptive: true})
	require.NoError(t, err)
	t.Logf("split [%.3f, %.3f] alpha %.4f; aci [%.3f, %.3f] alpha %.4f", split.QLo, split.QHi, split.Alpha, aci.QLo, aci.QHi, aci.Alpha)
	require.InDelta(t, 0.1, split.Alpha, 1e-15)
	require.Less(t, aci.Alpha, 0.08)
	require.Greater(t, aci.QHi-aci.QLo, split.QHi-split.QLo)

	first, err := calibration.Fit(s[:1000], calibration.Config{Adaptive: true})
	require.NoError(t, err)
	t.Logf("stationary half: aci alpha %.4f", first.Alpha)
	require.InDelta(t, 0.1, first.Alpha, 0.045)
}
