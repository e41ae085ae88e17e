package forecast

import (
	"math"

	"runner/marketdata"
)

// RealisedVol returns the k-bar realised volatility of returns at every
// index: v[t] = sqrt(mean(r[t-k+1..t]^2)), over the first t+1 returns while
// t < k-1. It looks only backwards, so a feature at t uses data up to t only.
func RealisedVol(returns []float64, k int) []float64 {
	v := make([]float64, len(returns))
	var sum float64
	for t, r := range returns {
		sum += r * r
		n := t + 1
		if t >= k {
			old := returns[t-k]
			sum -= old * old
			n = k
		}
		if sum < 0 { // rounding of the running sum
			sum = 0
		}
		v[t] = math.Sqrt(sum / float64(n))
	}
	return v
}

// VolumeChange returns ln((v[t+1]+1)/(v[t]+1)) for consecutive bars, aligned
// with marketdata.LogReturns; the +1 keeps a zero-volume day finite.
func VolumeChange(bars []marketdata.Bar) []float64 {
	if len(bars) < 2 {
		return nil
	}
	c := make([]float64, len(bars)-1)
	for i := 1; i < len(bars); i++ {
		c[i-1] = math.Log((bars[i].Volume + 1) / (bars[i-1].Volume + 1))
	}
	return c
}

// SequenceFeatures returns the per-bar feature rows of the sequence models
// (DESIGN §3): return, 5-bar and 20-bar realised volatility, volume change.
// Row t describes the return ending at bar t+1, so there is one row per
// return and len(rows) == len(bars)-1.
func SequenceFeatures(bars []marketdata.Bar) [][]float64 {
	r := marketdata.LogReturns(bars)
	v5, v20, vc := RealisedVol(r, 5), RealisedVol(r, 20), VolumeChange(bars)
	rows := make([][]float64, len(r))
	for t := range r {
		rows[t] = []float64{r[t], v5[t], v20[t], vc[t]}
	}
	return rows
}
