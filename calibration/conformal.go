package calibration

import (
	"math"
	"slices"
)

// conformalRanks returns the 1-based ranks, in n sorted residuals, of the
// split-conformal quantiles for miscoverage alpha: hi = ceil((n+1)(1-alpha/2))
// (less 1e-9 against rounding) and lo = n + 1 - hi. hi may exceed n, when the
// finite-sample quantile is infinite.
func conformalRanks(n int, alpha float64) (lo, hi int) {
	hi = int(math.Ceil(float64(n+1)*(1-alpha/2) - 1e-9))
	return n + 1 - hi, hi
}

// conformalMin is the fewest residuals whose conformal interval at
// miscoverage alpha is finite, at least MinConformal.
func conformalMin(alpha float64) int {
	n := 1
	for {
		if _, hi := conformalRanks(n, alpha); hi <= n {
			return max(n, MinConformal)
		}
		n++
	}
}

// conformalQuantiles returns the conformal quantiles of the sorted residuals
// z at miscoverage alpha, the upper rank capped at len(z) (and so the lower
// at 1).
func conformalQuantiles(z []float64, alpha float64) (lo, hi float64) {
	n := len(z)
	_, k := conformalRanks(n, alpha)
	k = min(max(k, 1), n)
	return z[n-k], z[k-1]
}

// aci runs adaptive conformal inference over the residuals z (in time
// order) from miscoverage alpha with step gamma, after a burn-in of the
// first burn residuals, and returns the final alpha.
func aci(z []float64, alpha, gamma float64, burn int) float64 {
	target := alpha
	seen := slices.Clone(z[:burn])
	slices.Sort(seen)
	for _, zt := range z[burn:] {
		lo, hi := conformalQuantiles(seen, alpha)
		var miss float64
		if zt < lo || zt > hi {
			miss = 1
		}
		alpha = min(max(alpha+gamma*(target-miss), AlphaMin), AlphaMax)
		i, _ := slices.BinarySearch(seen, zt)
		seen = slices.Insert(seen, i, zt)
	}
	return alpha
}
