package report

import (
	"fmt"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"runner/store"
)

// forecastsChart draws, over the target dates, each ensemble's forecast
// return and its 90% band (calibrated where a calibration was applied) and
// the realised returns.
func forecastsChart(sym string, fs []store.Forecast) (chart, error) {
	c := chart{ID: sym + "-forecasts", Title: sym + ": realised returns against the forecasts", Wide: true}
	if len(fs) == 0 {
		c.Empty, c.Command = "no forecasts in this range yet", "runner backfill --from DATE --to DATE"
		return c, nil
	}
	f := newFigure("target date", "log return (%)")
	f.timeAxis(wideLabels)
	groups, names := byEnsemble(fs)
	calibrated := 0
	for _, ens := range names {
		g := groups[ens]
		band := make(plotter.XYs, 0, 2*len(g))
		mu, lo, hi := make(plotter.XYs, 0, len(g)), make(plotter.XYs, 0, len(g)), make(plotter.XYs, 0, len(g))
		for _, fc := range g {
			x := unix(target(fc))
			mu = append(mu, plotter.XY{X: x, Y: 100 * fc.Return})
			lo, hi = append(lo, plotter.XY{X: x, Y: 100 * fc.CILower}), append(hi, plotter.XY{X: x, Y: 100 * fc.CIUpper})
			band = append(band, lo[len(lo)-1])
			if fc.CalibrationID != nil {
				calibrated++
			}
		}
		for i := len(g) - 1; i >= 0; i-- {
			band = append(band, plotter.XY{X: unix(target(g[i])), Y: 100 * g[i].CIUpper})
		}
		col := colorOf(ensembleColor, ens)
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return c, fmt.Errorf("report: %s: %s band: %w", c.ID, ens, err)
		}
		poly.Color = translucent(col, 35)
		poly.LineStyle.Width = 0
		edge := translucent(col, 170)
		f.add(ens+" 90% band", poly, line(lo, edge, vg.Points(0.7)), line(hi, edge, vg.Points(0.7)))
		f.add(ens+" forecast", line(mu, col, vg.Points(1.3)))
	}
	// The realised return of each target date, whichever ensemble's
	// forecast recorded it.
	seen := map[time.Time]bool{}
	var realised plotter.XYs
	for _, fc := range fs {
		if t := target(fc); fc.RealisedReturn != nil && !seen[t] {
			seen[t] = true
			realised = append(realised, plotter.XY{X: unix(t), Y: 100 * *fc.RealisedReturn})
		}
	}
	if len(realised) > 0 {
		f.add("realised return", points(realised, realisedColor, draw.CircleGlyph{}, vg.Points(1.6)))
	}
	c.Caption = fmt.Sprintf("Forecast log return of each ensemble for the day after its as-of date, with the 5%%–95%% band "+
		"(calibrated on %d of %d forecasts: runner calibrate; raw on the others), and the return realised that day (dots).",
		calibrated, len(fs))
	svg, err := f.svg(wideWidth)
	c.SVG = svg
	return c, err
}

// target is the date a forecast is for (its as-of date when not recorded).
func target(f store.Forecast) time.Time {
	if f.TargetDate.IsZero() {
		return f.AsOf
	}
	return f.TargetDate
}
