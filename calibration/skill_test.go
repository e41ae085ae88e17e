package calibration_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/calibration"
)

// By hand: outcomes down, up, down, up at p = 0.1 .. 0.4. Pool adjacent
// violators pools the middle pair (up then down) to 0.5, so the fitted
// values are 0, 0.5, 0.5, 1 and the Brier score (0 + 0.25 + 0.25 + 0)/4 =
// 0.125, against 0.25 for the base rate one half. Outcomes that fall as p
// rises (up, up, down, down) pool into one block at the base rate: Brier
// 0.25, gain 0.
func TestHindsightBrierHandComputed(t *testing.T) {
	p := []float64{0.1, 0.2, 0.3, 0.4}
	require.InDelta(t, 0.125, calibration.HindsightBrier(p, []bool{false, true, false, true}), 1e-15)
	require.InDelta(t, 0.25, calibration.HindsightBrier(p, []bool{true, true, false, false}), 1e-15)
	s := calibration.PermutationSkill(p, []bool{true, true, false, false}, 99, 1)
	require.Equal(t, 4, s.N)
	require.InDelta(t, 0.5, s.Base, 1e-15)
	require.InDelta(t, 0, s.Gain, 1e-15)
	require.Equal(t, 1.0, s.P, "every shuffle gains at least nothing")
	// Ties in p are pooled before the fit (scikit-learn's _make_unique):
	// one value of p for all four outcomes is the base rate itself.
	require.InDelta(t, 0.1875, calibration.HindsightBrier([]float64{0.3, 0.3, 0.3, 0.3}, []bool{true, false, false, false}), 1e-15)
}

// A P(up) whose outcomes follow it (up with probability p, p uniform on
// [0.2, 0.8]) has skill no shuffle reaches; outcomes drawn without regard
// to p (up with probability 0.55) gain what shuffles gain. The expected
// gain of the skilled case is the variance of p, 0.6^2/12 = 0.03, less the
// isotonic fit's noise.
func TestPermutationSkill(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	n := 1000
	p := make([]float64, n)
	follows, ignores := make([]bool, n), make([]bool, n)
	for i := range p {
		p[i] = 0.2 + 0.6*r.Float64()
		follows[i] = r.Float64() < p[i]
		ignores[i] = r.Float64() < 0.55
	}
	s := calibration.PermutationSkill(p, follows, 199, 1)
	require.InDelta(t, 0.03, s.Gain, 0.008)
	require.Equal(t, 1.0/200, s.P, "no shuffle gains as much")

	s = calibration.PermutationSkill(p, ignores, 199, 1)
	require.Less(t, s.Gain, 0.01)
	require.Greater(t, s.P, 0.05, "no skill detected at 5%%")
	require.Equal(t, s, calibration.PermutationSkill(p, ignores, 199, 1), "same seed, same result")
}
