package calibration_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"runner/calibration"
)

// The forecasts of TestECEHandComputed, binned by hand (bin
// min(floor(15p), 14)): bin 0 holds 0.05 (down), bin 1 holds 0.10 (up), bin
// 7 holds 0.50 (up) and 0.52 (down), bin 14 holds 0.95 and 1.00 (both up).
// Mean P(up) of bin 7 = 0.51, share up 0.5; bin 14: 0.975 and 1. ECE 0.17 as
// computed there.
func TestReliabilityHandComputed(t *testing.T) {
	var r calibration.Reliability
	for i, p := range []float64{0.05, 0.10, 0.50, 0.52, 0.95, 1.0} {
		r.Add(p, []bool{false, true, true, false, true, true}[i])
	}
	require.Equal(t, 6, r.N)
	want := map[int][3]float64{0: {1, 0.05, 0}, 1: {1, 0.10, 1}, 7: {2, 0.51, 0.5}, 14: {2, 0.975, 1}}
	for b, bin := range r.Bins {
		w, ok := want[b]
		if !ok {
			require.Zero(t, bin.N, "bin %d", b)
			continue
		}
		require.Equal(t, int(w[0]), bin.N, "bin %d", b)
		require.InDelta(t, w[1], bin.MeanP(), 1e-15, "bin %d", b)
		require.InDelta(t, w[2], bin.Freq(), 1e-15, "bin %d", b)
	}
	require.InDelta(t, 0.17, r.ECE(), 1e-15)
	require.Zero(t, calibration.Reliability{}.ECE())
}
