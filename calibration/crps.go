package calibration

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// GaussianCRPS is the continuous ranked probability score of the raw normal
// forecast (s.Mu, s.Sigma) at s.Realised, in closed form (Gneiting and
// Raftery 2007): sigma (x (2 Phi(x) - 1) + 2 phi(x) - 1/sqrt(pi)),
// x = (r - mu)/sigma. A sigma that is not a positive number panics.
func GaussianCRPS(s Sample) float64 {
	checkForecast("gaussian crps", s.Mu, s.Sigma)
	x := (s.Realised - s.Mu) / s.Sigma
	return s.Sigma * (x*(2*distuv.UnitNormal.CDF(x)-1) + 2*distuv.UnitNormal.Prob(x) - 1/math.Sqrt(math.Pi))
}

// CRPS is the continuous ranked probability score of the calibrated
// distribution of (s.Mu, s.Sigma) at s.Realised: sigma times the CRPS of the
// empirical distribution of Z at x = (r - mu)/sigma,
// mean|z_i - x| - (1/(2n^2)) sum_ij |z_i - z_j|, the second term computed
// in O(n) from the sorted Z as sum_k z_(k) (2k - n - 1)/n^2. The interval is
// not involved. A sigma that is not a positive number panics.
func (c *Calibration) CRPS(s Sample) float64 {
	checkForecast("crps", s.Mu, s.Sigma)
	n := len(c.Z)
	if n == 0 {
		panic("calibration: crps: empty calibration")
	}
	x := (s.Realised - s.Mu) / s.Sigma
	var dist, spread float64
	for k, z := range c.Z {
		dist += math.Abs(z - x)
		spread += z * float64(2*k-n+1)
	}
	fn := float64(n)
	return s.Sigma * (dist/fn - spread/(fn*fn))
}
