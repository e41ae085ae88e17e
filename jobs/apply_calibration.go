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
	// live is the number of live outcomes an adaptive calibration has
	// adapted over (calibration.Calibration.Adapt); 0 for one that is not
	// adaptive.
	live int
}

// latestCalibrations reads each ensemble's latest calibration usable as of
// asOf: its samples' returns all known by then. An adaptive calibration is
// adapted over the outcomes of the live forecasts issued since its samples
// ended (liveMisses), so the interval a forecast gets depends on how the
// earlier ones fared: a backfill runs such units in date order.
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
		sc := &storedCalibration{row: row, cal: c}
		if c.Adaptive {
			misses, err := liveMisses(ctx, s, sym, horizon, e.Name, row.SampleTo, asOf)
			if err != nil {
				return nil, fmt.Errorf("%s: live outcomes of %s since calibration #%d: %w", sym, e.Name, row.ID, err)
			}
			sc.cal, sc.live = c.Adapt(misses), len(misses)
		}
		out[e.Name] = sc
	}
	return out, nil
}

// liveMisses reports, oldest first, whether each matured forecast of one
// symbol, horizon and ensemble made as of sampleTo (the target date of the
// calibration's last sample, so the first forecast not among its samples)
// up to the day before asOf missed: its realised return fell outside the
// interval it issued.
func liveMisses(ctx context.Context, s store.Store, sym, horizon, ens string, sampleTo, asOf time.Time) ([]bool, error) {
	yes := true
	fs, err := s.Forecasts(ctx, store.ForecastFilter{Symbol: sym, Horizon: horizon, Ensemble: ens, Matured: &yes,
		From: sampleTo, To: asOf.AddDate(0, 0, -1)})
	if err != nil {
		return nil, err
	}
	misses := make([]bool, 0, len(fs))
	for _, f := range fs {
		if f.TargetDate.After(asOf) {
			continue // not known as of asOf (a forecast rewritten after a gap in the bars)
		}
		r := *f.RealisedReturn
		misses = append(misses, r < f.CILower || r > f.CIUpper)
	}
	return misses, nil
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
		if sc.cal.Adaptive {
			out[e.Name] += fmt.Sprintf(", adaptive: conformal level %.1f%% after %d live outcomes, for %g%% coverage",
				100*(1-sc.cal.Alpha), sc.live, 100*sc.cal.Level)
		}
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
