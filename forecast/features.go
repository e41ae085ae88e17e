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
	rv := RunningVol{K: k}
	for t, r := range returns {
		var old float64
		if t >= k {
			old = returns[t-k]
		}
		v[t] = rv.Next(t, r, old)
	}
	return v
}

// RunningVol computes RealisedVol one return at a time, so that a model can
// continue the features of its training bars over later bars and get, bit
// for bit, what RealisedVol over all of them gives.
type RunningVol struct {
	K   int     // window length
	Sum float64 // running sum of squares of the last K returns
}

// Next takes return t, rt, and the one leaving the window, old = r[t-K]
// (ignored while t < K), and returns the realised volatility at t.
func (v *RunningVol) Next(t int, rt, old float64) float64 {
	v.Sum += rt * rt
	n := t + 1
	if t >= v.K {
		v.Sum -= old * old
		n = v.K
	}
	if v.Sum < 0 { // rounding of the running sum
		v.Sum = 0
	}
	return math.Sqrt(v.Sum / float64(n))
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
