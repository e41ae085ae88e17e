package calibration

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Hand computation, a = 0.1, gamma = 0.005, burn-in 19 zeros, then z = 5:
// t = 19: 19 residuals, upper rank ceil(20·0.95) = 19, the interval [0, 0],
// 5 is outside: alpha = 0.1 + 0.005(0.1 - 1) = 0.0955.
// t = 20..23: 20+ residuals with the fives on top, upper rank
// ceil(21·(1 - 0.0955/2)) = ceil(19.997) = 20 (and above for the later
// ones), so the interval reaches 5 (ends included): alpha += 0.005·0.1 each.
// Final alpha = 0.0955 + 4·0.0005 = 0.0975.
func TestACIHandComputed(t *testing.T) {
	z := make([]float64, 24)
	for i := 19; i < 24; i++ {
		z[i] = 5
	}
	require.InDelta(t, 0.0975, aci(z, 0.1, 0.005, 19), 1e-15)

	// gamma = 0.5: the miss sends alpha to 0.1 + 0.5(0.1 - 1) = -0.35,
	// clamped to AlphaMin; then four covers add 0.05 each: 0.201.
	require.InDelta(t, AlphaMin+4*0.05, aci(z, 0.1, 0.5, 19), 1e-15)
	// gamma = 0.9, all covered (zeros throughout): 0.1 + 0.09 = 0.19, 0.28,
	// 0.37, 0.46, then 0.55 clamped to AlphaMax.
	require.InDelta(t, AlphaMax, aci(make([]float64, 24), 0.1, 0.9, 19), 1e-15)
	require.InDelta(t, 0.46, aci(make([]float64, 23), 0.1, 0.9, 19), 1e-15)
}

func TestFitPlattDegenerate(t *testing.T) {
	_, _, err := fitPlatt([]float64{0.3, 0.3, 0.3}, []bool{true, false, true})
	require.EqualError(t, err, "platt: P(up) takes one value on all 3 samples")
	// Quasi-complete separation: the downs at or below 0.2, the ups at or
	// above it.
	_, _, err = fitPlatt([]float64{0.1, 0.2, 0.2, 0.4}, []bool{false, false, true, true})
	require.EqualError(t, err, "platt: P(up) separates the 2 up and 2 down outcomes: no maximum-likelihood fit exists")
}

// TestAdaptLive: the live recursion continues from the fitted alpha, one
// step per outcome, and the interval follows the new alpha. Hand
// computation: Level 0.9 (target 0.1), Gamma 0.02, Alpha 0.1; outcomes
// miss, cover, cover: 0.1 + 0.02(0.1 - 1) = 0.082, + 0.002 = 0.084,
// + 0.002 = 0.086. Z = 1..99 (n = 99): upper rank ceil(100·(1 - 0.043)) =
// ceil(95.7) = 96, lower rank 100 - 96 = 4: QLo = 4, QHi = 96 (at the
// fitted 0.1: ceil(95) = 95, so 5 and 95).
func TestAdaptLive(t *testing.T) {
	z := make([]float64, 99)
	for i := range z {
		z[i] = float64(i + 1)
	}
	c := &Calibration{Config: Config{Level: 0.9, Gamma: 0.02, Adaptive: true}, N: 99, Z: z, Alpha: 0.1}
	c.QLo, c.QHi = conformalQuantiles(z, c.Alpha)
	require.Equal(t, []float64{5, 95}, []float64{c.QLo, c.QHi})

	a := c.Adapt([]bool{true, false, false})
	require.InDelta(t, 0.086, a.Alpha, 1e-15)
	require.Equal(t, []float64{4, 96}, []float64{a.QLo, a.QHi})
	require.Equal(t, 0.1, c.Alpha, "the calibration adapted from is not modified")

	// Not adaptive, or no outcomes: the calibration itself.
	require.Same(t, c, c.Adapt(nil))
	fixed := *c
	fixed.Adaptive = false
	require.Same(t, &fixed, fixed.Adapt([]bool{true, true}))

	// Every outcome missed: alpha falls to AlphaMin, the interval to the
	// extreme residuals.
	misses := make([]bool, 20)
	for i := range misses {
		misses[i] = true
	}
	a = c.Adapt(misses)
	require.Equal(t, AlphaMin, a.Alpha)
	require.Equal(t, []float64{1, 99}, []float64{a.QLo, a.QHi})
}
