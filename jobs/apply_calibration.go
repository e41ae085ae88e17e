package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"runner/calibration"
	"runner/forecast"
	"runner/store"
)

// symbolInputs is what a symbol's forecast reads from the store besides its
// bars.
type symbolInputs struct {
	// past holds the symbol's matured forecasts before the as-of date, for
	// the weight methods that learn from history.
	past []store.Forecast
	// validated holds, for forecast.Calibrated, each ensemble's current
	// weights row (nil where validation has decided none).
	validated map[string]*store.EnsembleWeights
	// calibrations holds each ensemble's latest calibration (nil where
	// there is none).
	calibrations map[string]*storedCalibration
}

// storedCalibration is a calibrations row and the calibration it holds.
type storedCalibration struct {
	row store.Calibration
	cal *calibration.Calibration
}

// latestCalibrations reads each ensemble's latest calibration usable as of
// asOf: its samples' returns all known by then.
func latestCalibrations(ctx context.Context, s store.Store, sym, horizon string, asOf time.Time, es []forecast.Ensemble) (map[string]*storedCalibration, error) {
	out := map[string]*storedCalibration{}
	for _, e := range es {
		row, err := s.LatestCalibration(ctx, sym, horizon, e.Name, asOf)
		switch {
		case errors.Is(err, store.ErrNotFound):
			out[e.Name] = nil
			continue
		case err != nil:
			return nil, fmt.Errorf("%s: latest calibration of %s: %w", sym, e.Name, err)
		}
		c, err := RestoreCalibration(row)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", sym, e.Name, err)
		}
		out[e.Name] = &storedCalibration{row: row, cal: c}
	}
	return out, nil
}

// calibrationNotes says, per ensemble, which calibration is applied.
func calibrationNotes(es []forecast.Ensemble, cs map[string]*storedCalibration) map[string]string {
	out := map[string]string{}
	for _, e := range es {
		sc := cs[e.Name]
		if sc == nil {
			out[e.Name] = "no calibration yet: raw interval and probabilities (run runner calibrate)"
			continue
		}
		out[e.Name] = fmt.Sprintf("calibration #%d (%s, %d samples to %s)", sc.row.ID, sc.row.Method, sc.row.NSamples,
			sc.row.SampleTo.Format(time.DateOnly))
	}
	return out
}

// applyCalibration keeps the mixture's raw interval and P(up) beside the
// forecast's and, with a calibration, replaces the interval, the class
// probabilities, the label and the confidence by the calibrated ones.
func applyCalibration(f *store.Forecast, comps []forecast.Component, c forecast.Combined, sc *storedCalibration) {
	lo, hi, up := c.CILower, c.CIUpper, mixtureUp(comps, c.Weights)
	f.CILowerRaw, f.CIUpperRaw, f.PUpRaw = &lo, &hi, &up
	if sc == nil {
		f.PUp = &up
		return
	}
	a := sc.cal.Apply(c.Mu, c.Sigma)
	f.CILower, f.CIUpper = a.CILower, a.CIUpper
	f.PBear, f.PNeutral, f.PBull = a.PBear, a.PNeutral, a.PBull
	f.Label, f.Confidence = string(a.Label), a.Confidence
	pu, id := a.PUp, sc.row.ID
	f.PUp, f.CalibrationID = &pu, &id
}

// mixtureUp is P(r > 0) under the mixture of the components' normals.
func mixtureUp(comps []forecast.Component, w map[string]float64) float64 {
	var p float64
	for _, c := range comps {
		p += w[c.Model] * distuv.Normal{Mu: c.Dist.Mu, Sigma: c.Dist.Sigma}.Survival(0)
	}
	return p
}
