package report

import (
	"fmt"

	"gonum.org/v1/plot/vg"

	"runner/store"
)

// nominalCoverage is the coverage the 90% interval promises.
const nominalCoverage = 0.90

// coverageChart draws each ensemble's rolling coverage of the 90% interval,
// as forecast (calibrated where applied) and raw, against the nominal 90%.
func coverageChart(sym string, fs []store.Forecast, window int) (chart, error) {
	c := chart{ID: sym + "-coverage", Title: sym + ": coverage of the 90% interval"}
	groups, names := byEnsemble(fs)
	f := newFigure("as-of date", "coverage (%)")
	f.timeAxis(narrowLabels)
	var xs, ys []float64
	drawn := false
	for _, ens := range names {
		col := colorOf(ensembleColor, ens)
		for _, raw := range []bool{false, true} {
			ps := rollingCoverage(groups[ens], window, raw)
			if len(ps) == 0 {
				continue
			}
			drawn = true
			xs = append(xs, unix(ps[0].At), unix(ps[len(ps)-1].At))
			for _, p := range ps {
				ys = append(ys, 100*p.V)
			}
			if raw {
				f.add(ens+" raw", line(xys(ps, 100), translucent(col, 150), vg.Points(1.1), vg.Points(3), vg.Points(2)))
			} else {
				f.add(ens+" as forecast", line(xys(ps, 100), col, vg.Points(1.5)))
			}
		}
	}
	if !drawn {
		c.Empty = fmt.Sprintf("not enough matured forecasts yet (%d needed)", window)
		c.Command = "runner backfill --from DATE --to DATE"
		return c, nil
	}
	x0, x1, _ := span(xs...)
	lowest, _, _ := span(ys...)
	f.add("nominal 90%", hline(100*nominalCoverage, x0, x1, guideColor, vg.Points(4), vg.Points(3)))
	// The nominal line clear of the bottom edge.
	f.p.Y.Min, f.p.Y.Max = min(lowest, 100*nominalCoverage)-5, 100
	c.Caption = fmt.Sprintf("Share of the last %d realised returns inside their forecast's 5%%–95%% interval: "+
		"as forecast (calibrated where a calibration was applied) and raw (dashed).", window)
	svg, err := f.svg(narrowWidth)
	c.SVG = svg
	return c, err
}
