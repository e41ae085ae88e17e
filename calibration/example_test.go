package calibration_test

import (
	"fmt"
	"math/rand/v2"

	"runner/calibration"
)

// A model that doubles the drift and whose sigma is a fifth too small: for the
// forecast (0.006, 0.01) the return is really normal with mean 0.003 and
// standard deviation 0.012, so its 90% interval is [-0.0167, 0.0227], P(up)
// is Phi(0.25) = 0.599 and P(bull) = P(r > 0.002) = Phi(1/12) = 0.533.
// Calibration on 600 past forecasts widens the interval and pulls P(up)
// to the truth. (With the model's mean forecasts spread less, or fewer
// samples, the held-out third could not tell this skill from chance, and
// Auto would forecast the base rate.)
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	var samples []calibration.Sample
	for range 600 {
		mu := 0.01 * rng.NormFloat64()
		samples = append(samples, calibration.Sample{Mu: mu, Sigma: 0.01, Realised: 0.5*mu + 0.012*rng.NormFloat64()})
	}
	c, err := calibration.Fit(samples, calibration.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	raw := calibration.Raw(0.006, 0.01, calibration.Config{})
	cal := c.Apply(0.006, 0.01)
	fmt.Printf("%s on %d samples\n", c.Prob, c.N)
	fmt.Printf("raw:        [%.4f, %.4f] P(up) %.3f %s %.3f\n", raw.CILower, raw.CIUpper, raw.PUp, raw.Label, raw.Confidence)
	fmt.Printf("calibrated: [%.4f, %.4f] P(up) %.3f %s %.3f\n", cal.CILower, cal.CIUpper, cal.PUp, cal.Label, cal.Confidence)
	// Output:
	// platt on 600 samples
	// raw:        [-0.0104, 0.0224] P(up) 0.726 bullish 0.655
	// calibrated: [-0.0143, 0.0265] P(up) 0.597 bullish 0.559
}
