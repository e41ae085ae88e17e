package calibration_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/calibration"
	"runner/forecast"
)

// process draws n samples of forecasts (mu, sigma) and returns that follow
// r = shrink·mu + scale·sigma·e, e a unit-variance Student t with 4 degrees
// of freedom, t4/sqrt(2) (or a standard normal when normal is set).
func process(rng *rand.Rand, n int, shrink, scale float64, normal bool) []calibration.Sample {
	out := make([]calibration.Sample, n)
	for i := range out {
		mu := 0.005 * rng.NormFloat64()
		sigma := 0.005 + 0.025*rng.Float64()
		e := rng.NormFloat64()
		if !normal {
			var chi2 float64
			for range 4 {
				v := rng.NormFloat64()
				chi2 += v * v
			}
			e /= math.Sqrt(chi2/4) * math.Sqrt2
		}
		out[i] = calibration.Sample{Mu: mu, Sigma: sigma, Realised: shrink*mu + scale*sigma*e}
	}
	return out
}

func TestFitErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	s := process(rng, 200, 1, 1, true)
	for _, c := range []struct {
		n    int
		cfg  calibration.Config
		want string
	}{
		{15, calibration.Config{}, "calibration: 15 samples: a 90% conformal interval needs at least 19"},
		{30, calibration.Config{}, "calibration: 30 samples: platt needs at least 50"},
		{30, calibration.Config{Method: calibration.Platt}, "calibration: 30 samples: platt needs at least 50"},
		{150, calibration.Config{Method: calibration.Isotonic}, "calibration: 150 samples: isotonic needs at least 1000"},
		{60, calibration.Config{Level: 0.98}, "calibration: 60 samples: a 98% conformal interval needs at least 99"},
	} {
		_, err := calibration.Fit(s[:c.n], c.cfg)
		require.EqualError(t, err, c.want)
	}
	_, err := calibration.Fit(s[:60], calibration.Config{})
	require.NoError(t, err)
	_, _, err = calibration.HeldOut(s[:60], calibration.Config{})
	require.EqualError(t, err, "calibration: held out, fit on the first 40 of 60 samples: 40 samples: platt needs at least 50")

	bad := append([]calibration.Sample(nil), s[:60]...)
	bad[3].Sigma = 0
	_, err = calibration.Fit(bad, calibration.Config{})
	require.EqualError(t, err, "calibration: sample 3: sigma 0 is not positive")
	bad[3] = calibration.Sample{Mu: math.NaN(), Sigma: 0.01, Realised: 0.001}
	_, err = calibration.Fit(bad, calibration.Config{})
	require.EqualError(t, err, "calibration: sample 3: non-finite {Mu:NaN Sigma:0.01 Realised:0.001}")

	// A perfect forecaster: sign(r) = sign(mu), residuals within ±0.1 sigma,
	// so the leave-one-out P(up) is 1 for every up and 0 for every down.
	sep := make([]calibration.Sample, 60)
	for i := range sep {
		mu := 0.01 * float64(1-2*(i%2))
		sep[i] = calibration.Sample{Mu: mu, Sigma: 0.01, Realised: mu + 0.001*(rng.Float64()-0.5)}
	}
	_, err = calibration.Fit(sep, calibration.Config{})
	require.EqualError(t, err, "calibration: 60 samples: platt: P(up) separates the 30 up and 30 down outcomes: no maximum-likelihood fit exists")
	for i := range sep {
		sep[i].Realised = math.Abs(sep[i].Realised)
	}
	_, err = calibration.Fit(sep, calibration.Config{})
	require.EqualError(t, err, "calibration: 60 samples: platt: 60 of 60 outcomes up: both kinds are needed")
}

func TestCallerMistakesPanic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := process(rng, 100, 1, 1, true)
	c, err := calibration.Fit(s, calibration.Config{})
	require.NoError(t, err)
	require.PanicsWithValue(t, "calibration: level 1.5 outside (0, 1)", func() { calibration.Fit(s, calibration.Config{Level: 1.5}) })
	require.PanicsWithValue(t, "calibration: gamma 2 outside (0, 1)", func() { calibration.Fit(s, calibration.Config{Gamma: 2}) })
	require.PanicsWithValue(t, "calibration: neutral band -0.1 is not a non-negative number", func() { calibration.Raw(0, 1, calibration.Config{Band: -0.1}) })
	require.PanicsWithValue(t, `calibration: unknown probability method "bayes" (want auto, platt, isotonic or base_rate)`, func() { calibration.Fit(s, calibration.Config{Method: "bayes"}) })
	require.PanicsWithValue(t, "calibration: apply: forecast mu 0, sigma 0: want a finite mu and a positive sigma", func() { c.Apply(0, 0) })
	require.PanicsWithValue(t, "calibration: raw: forecast mu NaN, sigma 1: want a finite mu and a positive sigma", func() { calibration.Raw(math.NaN(), 1, calibration.Config{}) })
	require.PanicsWithValue(t, "calibration: score: no samples", func() { calibration.Score(nil, nil, nil) })
	require.PanicsWithValue(t, "calibration: apply: empty calibration", func() { (&calibration.Calibration{}).Apply(0, 1) })
	m, err := calibration.ParseProbMethod("")
	require.NoError(t, err)
	require.Equal(t, calibration.Auto, m)
}

// Over a grid of forecasts, for a Platt and an isotonic calibration: the
// classes are probabilities summing to 1, the label and confidence are the
// argmax and max (forecast.Distribution's tie rule), P(up) does not decrease
// with mu (both recalibrations are increasing here: Platt's A > 0), and the
// interval is [mu + QLo sigma, mu + QHi sigma].
func TestApplyProbabilities(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{300, 1500} {
		c, err := calibration.Fit(process(rng, n, 0.5, 1.2, false), calibration.Config{})
		require.NoError(t, err)
		if c.Prob == calibration.Platt {
			require.Greater(t, c.PlattA, 0.0)
		}
		for sigma := 0.0005; sigma < 0.06; sigma *= 1.7 {
			prev := -1.0
			for mu := -0.06; mu <= 0.06; mu += 0.0005 {
				a := c.Apply(mu, sigma)
				for _, p := range []float64{a.PBear, a.PNeutral, a.PBull, a.PUp} {
					require.True(t, p >= 0 && p <= 1, "%+v", a)
				}
				require.InDelta(t, 1, a.PBear+a.PNeutral+a.PBull, 1e-12)
				// The up part is bull and some of neutral; the down part bear and the rest.
				require.LessOrEqual(t, a.PBull, a.PUp+1e-15)
				require.LessOrEqual(t, a.PBear, 1-a.PUp+1e-15)
				d := forecast.Distribution{PBear: a.PBear, PNeutral: a.PNeutral, PBull: a.PBull}
				require.Equal(t, d.Label(), a.Label)
				require.Equal(t, math.Max(a.PBear, math.Max(a.PNeutral, a.PBull)), a.Confidence)
				require.GreaterOrEqual(t, a.PUp, prev)
				prev = a.PUp
				require.InDelta(t, mu+c.QLo*sigma, a.CILower, 1e-15)
				require.InDelta(t, mu+c.QHi*sigma, a.CIUpper, 1e-15)
			}
		}
	}
}

// Expected interval from scipy: norm.ppf(0.95) = 1.6448536269514722; the
// classes are forecast.Normal's and P(up) = Phi(0.1) = 0.539827837277029
// (scipy norm.cdf(0.1)).
func TestRaw(t *testing.T) {
	a := calibration.Raw(0.001, 0.01, calibration.Config{})
	require.InDelta(t, 0.001-0.016448536269514722, a.CILower, 1e-15)
	require.InDelta(t, 0.001+0.016448536269514722, a.CIUpper, 1e-15)
	require.InDelta(t, 0.539827837277029, a.PUp, 1e-15)
	d := forecast.Normal(0.001, 0.01, forecast.DefaultNeutralBand)
	require.Equal(t, []float64{d.PBear, d.PNeutral, d.PBull}, []float64{a.PBear, a.PNeutral, a.PBull})
	require.Equal(t, d.Label(), a.Label)
	require.Equal(t, d.Confidence(), a.Confidence)
}

// Hand computation, 15 bins of width 1/15, bin min(floor(15p), 14):
//
//	p     0.05  0.10  0.50  0.52  0.95  1.00
//	bin   0     1     7     7     14    14
//	y     0     1     1     0     1     1
//
// bin 0: |0.05 - 0| = 0.05; bin 1: |0.10 - 1| = 0.90; bin 7: |0.51 - 0.5| =
// 0.01, weight 2; bin 14: |0.975 - 1| = 0.025, weight 2.
// ECE = (0.05 + 0.90 + 2·0.01 + 2·0.025)/6 = 1.02/6 = 0.17.
// Brier = (0.0025 + 0.81 + 0.25 + 0.2704 + 0.0025 + 0)/6 = 1.3354/6.
func TestECEHandComputed(t *testing.T) {
	p := []float64{0.05, 0.10, 0.50, 0.52, 0.95, 1.0}
	y := []float64{-1, 1, 1, -1, 1, 1}
	s := make([]calibration.Sample, len(p))
	for i := range s {
		s[i] = calibration.Sample{Mu: float64(i), Sigma: 1, Realised: y[i]}
	}
	r := calibration.Score(s, func(s calibration.Sample) calibration.Applied {
		return calibration.Applied{PUp: p[int(s.Mu)]}
	}, func(calibration.Sample) float64 { return 0 })
	require.InDelta(t, 0.17, r.ECE, 1e-15)
	require.InDelta(t, 1.3354/6, r.Brier, 1e-15)
}

// TestAutoFallsBackToBaseRate: with Auto, a recalibration that scores no
// better than the base rate on the held-out third gives way to the base
// rate; one with skill is kept. The first samples' forecasts tell the
// direction, the last third's do not (skill that did not last): Platt
// learns a confident mapping that the held-out third punishes.
func TestAutoFallsBackToBaseRate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	noSkill := make([]calibration.Sample, 300)
	skilled := make([]calibration.Sample, 300)
	ups := 0
	for i := range noSkill {
		mu := 0.01 * rng.NormFloat64()
		r := mu + 0.005*rng.NormFloat64()
		if i >= 200 {
			// The return is independent of the forecast mean: no skill.
			r = 0.0005 + 0.01*rng.NormFloat64()
		}
		noSkill[i] = calibration.Sample{Mu: mu, Sigma: 0.01, Realised: r}
		if r > 0 {
			ups++
		}
		// The forecast mean explains most of the return: skill.
		mu = 0.01 * rng.NormFloat64()
		skilled[i] = calibration.Sample{Mu: mu, Sigma: 0.005, Realised: mu + 0.005*rng.NormFloat64()}
	}
	c, err := calibration.Fit(noSkill, calibration.Config{})
	require.NoError(t, err)
	require.Equal(t, calibration.BaseRate, c.Prob)
	// The base rate is the share of up returns, counted here.
	require.Equal(t, float64(ups)/300, c.Base)
	for _, mu := range []float64{-0.01, 0, 0.003} {
		a := c.Apply(mu, 0.01)
		require.Equal(t, c.Base, a.PUp, "P(up) is the base rate whatever the forecast")
		require.InDelta(t, 1, a.PBear+a.PNeutral+a.PBull, 1e-12)
	}
	// Asked for explicitly, Platt is kept even without skill.
	p, err := calibration.Fit(noSkill, calibration.Config{Method: calibration.Platt})
	require.NoError(t, err)
	require.Equal(t, calibration.Platt, p.Prob)
	require.Nil(t, p.SkillCheck, "no skill check runs for a method asked for")

	// The held-out report scores the base rate of the first two thirds on
	// the last third: its Brier score, computed here by hand.
	_, after, err := calibration.HeldOut(noSkill, calibration.Config{})
	require.NoError(t, err)
	k, upsK := 200, 0
	for _, s := range noSkill[:k] {
		if s.Realised > 0 {
			upsK++
		}
	}
	base, brier := float64(upsK)/float64(k), 0.0
	for _, s := range noSkill[k:] {
		y := 0.0
		if s.Realised > 0 {
			y = 1
		}
		brier += (base - y) * (base - y)
	}
	require.InDelta(t, brier/100, after.Brier, 1e-15)

	s, err := calibration.Fit(skilled, calibration.Config{})
	require.NoError(t, err)
	require.Equal(t, calibration.Platt, s.Prob, "a recalibration with skill is kept")
	require.Greater(t, s.Apply(0.01, 0.005).PUp, 0.9)
}

// TestAutoNeedsSignificantSkill: Auto keeps Platt scaling only when, fitted
// on the first two thirds, it beats the base rate of the first two thirds
// on the last third by more than chance: the mean of the per-sample
// differences of squared error over its standard error (computed here by
// hand) above SkillZ. Weak real skill on 250 samples (a better held-out
// Brier score, t below SkillZ) falls back to the base rate; the same
// model's stronger skill on 600 samples is kept.
func TestAutoNeedsSignificantSkill(t *testing.T) {
	sample := func(n int, spread float64) []calibration.Sample {
		rng := rand.New(rand.NewPCG(1, 2))
		out := make([]calibration.Sample, n)
		for i := range out {
			mu := spread * rng.NormFloat64()
			out[i] = calibration.Sample{Mu: mu, Sigma: 0.01, Realised: 0.5*mu + 0.012*rng.NormFloat64()}
		}
		return out
	}
	tStat := func(samples []calibration.Sample) float64 {
		k := 2 * len(samples) / 3
		c, err := calibration.Fit(samples[:k], calibration.Config{Method: calibration.Platt})
		require.NoError(t, err)
		var d []float64
		for _, s := range samples[k:] {
			y := 0.0
			if s.Realised > 0 {
				y = 1
			}
			p := c.Apply(s.Mu, s.Sigma).PUp
			d = append(d, (c.Base-y)*(c.Base-y)-(p-y)*(p-y))
		}
		var mean, ss float64
		for _, v := range d {
			mean += v
		}
		mean /= float64(len(d))
		for _, v := range d {
			ss += (v - mean) * (v - mean)
		}
		return mean / math.Sqrt(ss/float64(len(d)-1)/float64(len(d)))
	}
	for _, c := range []struct {
		n      int
		spread float64
		want   calibration.ProbMethod
	}{{250, 0.004, calibration.BaseRate}, {600, 0.01, calibration.Platt}} {
		s := sample(c.n, c.spread)
		tt := tStat(s)
		t.Logf("n %d: t = %.3f", c.n, tt)
		fitted, err := calibration.Fit(s, calibration.Config{})
		require.NoError(t, err)
		require.Equal(t, c.want, fitted.Prob, "n %d: t = %.3f", c.n, tt)
		// The fit records the check it made: the statistic computed above.
		require.NotNil(t, fitted.SkillCheck)
		require.Equal(t, calibration.Platt, fitted.SkillCheck.Tested)
		require.Equal(t, c.n-2*c.n/3, fitted.SkillCheck.Held)
		require.InDelta(t, tt, fitted.SkillCheck.T(), 1e-9)
		require.Equal(t, c.want == calibration.Platt, fitted.SkillCheck.Kept)
		if c.want == calibration.BaseRate {
			require.Greater(t, tt, 0.0, "n %d: better than the base rate on the held-out third, yet not kept", c.n)
			require.Less(t, tt, calibration.SkillZ)
		} else {
			require.Greater(t, tt, calibration.SkillZ)
		}
	}
}

// MinSamples is the edge where Fit and HeldOut start to work: one sample
// fewer fails one of them, for each method (the samples: AAPL-like
// returns with no skill, so that Platt's outcomes are never separated).
func TestMinSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	samples := make([]calibration.Sample, 1000)
	for i := range samples {
		samples[i] = calibration.Sample{Mu: 0.0005 * rng.NormFloat64(), Sigma: 0.01, Realised: 0.01 * rng.NormFloat64()}
	}
	for _, c := range []struct {
		method calibration.ProbMethod
		want   int
	}{{calibration.Auto, 75}, {calibration.Platt, 75}, {calibration.BaseRate, 29}, {calibration.Isotonic, 1000}} {
		cfg := calibration.Config{Method: c.method}
		n := calibration.MinSamples(cfg)
		require.Equal(t, c.want, n, c.method)
		works := func(n int) bool {
			if _, err := calibration.Fit(samples[:n], cfg); err != nil {
				return false
			}
			_, _, err := calibration.HeldOut(samples[:n], cfg)
			return err == nil
		}
		require.True(t, works(n), "%s with %d samples", c.method, n)
		require.False(t, works(n-1), "%s with %d samples", c.method, n-1)
	}
	// At 80%: the conformal minimum is 2/0.2 - 1 = 9, below MinConformal
	// (19), which still holds.
	require.Equal(t, 29, calibration.MinSamples(calibration.Config{Level: 0.8, Method: calibration.BaseRate}))
	// At 95%: 2/0.05 - 1 = 39, two thirds of which is n = 59.
	require.Equal(t, 59, calibration.MinSamples(calibration.Config{Level: 0.95, Method: calibration.BaseRate}))
}
