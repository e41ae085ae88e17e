package calibration

// Adapt returns the calibration to apply to the next live forecast, given
// whether each live forecast issued since the calibration's samples ended
// missed its outcome (the realised return fell outside the interval it
// issued), oldest first: the adaptive mode for live forecasts (Gibbs and
// Candès 2021). For an adaptive calibration, Alpha steps once per outcome,
// alpha <- alpha + Gamma·((1 - Level) - miss), clamped to [AlphaMin,
// AlphaMax] as in the fit's recursion, and QLo and QHi become the conformal
// quantiles of Z at the final alpha; the residuals Z stay those of the
// calibration's samples. A calibration that is not adaptive, or no
// outcomes, returns c itself. c is not modified.
func (c *Calibration) Adapt(misses []bool) *Calibration {
	if !c.Adaptive || len(misses) == 0 {
		return c
	}
	out := *c
	target := 1 - c.Level
	for _, miss := range misses {
		var m float64
		if miss {
			m = 1
		}
		out.Alpha = min(max(out.Alpha+c.Gamma*(target-m), AlphaMin), AlphaMax)
	}
	out.QLo, out.QHi = conformalQuantiles(out.Z, out.Alpha)
	return &out
}
