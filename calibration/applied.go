package calibration

import (
	"fmt"

	"gonum.org/v1/gonum/stat/distuv"

	"runner/forecast"
)

// Applied is a forecast of the next log return: interval, class
// probabilities (summing to 1), P(up), label and confidence.
type Applied struct {
	CILower, CIUpper       float64
	PBear, PNeutral, PBull float64
	PUp                    float64 // P(r > 0)
	Label                  forecast.Label
	Confidence             float64
}

// labelled sets the label and confidence from the class probabilities, with
// the tie rule of forecast.Distribution.Label.
func (a Applied) labelled() Applied {
	d := forecast.Distribution{PBear: a.PBear, PNeutral: a.PNeutral, PBull: a.PBull}
	a.Label, a.Confidence = d.Label(), d.Confidence()
	return a
}

// Apply returns the calibrated forecast of the raw predictive distribution
// (mu, sigma): the conformal interval, the class probabilities of the
// calibrated distribution rescaled to the recalibrated P(up) (see the
// package documentation), the label and the confidence. A non-finite mu, a
// sigma that is not a positive number, or an empty calibration panics.
func (c *Calibration) Apply(mu, sigma float64) Applied {
	checkForecast("apply", mu, sigma)
	n := len(c.Z)
	if n == 0 {
		panic("calibration: apply: empty calibration")
	}
	nUp := c.above(-mu / sigma)
	nBear := c.below((-c.Band - mu) / sigma)
	nBull := c.above((c.Band - mu) / sigma)
	pc := c.recalibrate(float64(nUp) / float64(n))

	out := Applied{CILower: mu + c.QLo*sigma, CIUpper: mu + c.QHi*sigma, PUp: pc}
	var neutralUp, neutralDown float64
	if nUp > 0 {
		out.PBull = pc * float64(nBull) / float64(nUp)
		neutralUp = pc * float64(nUp-nBull) / float64(nUp)
	} else {
		neutralUp = pc
	}
	if down := n - nUp; down > 0 {
		out.PBear = (1 - pc) * float64(nBear) / float64(down)
		neutralDown = (1 - pc) * float64(down-nBear) / float64(down)
	} else {
		neutralDown = 1 - pc
	}
	out.PNeutral = neutralUp + neutralDown
	return out.labelled()
}

// Raw is the uncalibrated forecast of the normal distribution (mu, sigma):
// the interval mu ± z_{1-a/2} sigma (a = 1 - Level), the class probabilities
// of forecast.Normal and P(up) = Phi(mu/sigma). An invalid cfg, a non-finite
// mu or a sigma that is not a positive number panics.
func Raw(mu, sigma float64, cfg Config) Applied {
	cfg = cfg.withDefaults()
	checkForecast("raw", mu, sigma)
	h := distuv.UnitNormal.Quantile(1-(1-cfg.Level)/2) * sigma
	d := forecast.Normal(mu, sigma, cfg.Band)
	return Applied{
		CILower: mu - h, CIUpper: mu + h,
		PBear: d.PBear, PNeutral: d.PNeutral, PBull: d.PBull,
		PUp: distuv.UnitNormal.CDF(mu / sigma),
	}.labelled()
}

func checkForecast(op string, mu, sigma float64) {
	if !finite(mu) || !finite(sigma) || sigma <= 0 {
		panic(fmt.Sprintf("calibration: %s: forecast mu %v, sigma %v: want a finite mu and a positive sigma", op, mu, sigma))
	}
}
