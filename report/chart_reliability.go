package report

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"runner/calibration"
	"runner/store"
)

// reliabilityChart draws the reliability diagram of P(up) of each ensemble's
// matured forecasts, calibrated and raw, in calibration.ECEBins bins.
func reliabilityChart(sym string, fs []store.Forecast) (chart, error) {
	c := chart{ID: sym + "-reliability", Title: sym + ": reliability of P(up)"}
	groups, names := byEnsemble(fs)
	f := newFigure("forecast P(up)", "share that went up")
	f.add("perfect", line(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}, guideColor, vg.Points(1), vg.Points(4), vg.Points(3)))
	drawn := false
	for _, ens := range names {
		col := colorOf(ensembleColor, ens)
		var cal, raw calibration.Reliability
		for _, fc := range matured(groups[ens]) {
			if fc.PUp == nil || fc.PUpRaw == nil {
				continue
			}
			up := *fc.RealisedReturn > 0
			cal.Add(*fc.PUp, up)
			raw.Add(*fc.PUpRaw, up)
		}
		if cal.N == 0 {
			continue
		}
		drawn = true
		for _, r := range []struct {
			rel    calibration.Reliability
			name   string
			col    color.Color
			dashes []vg.Length
			shape  draw.GlyphDrawer
		}{
			{cal, "calibrated", col, nil, draw.CircleGlyph{}},
			{raw, "raw", translucent(col, 150), []vg.Length{vg.Points(3), vg.Points(2)}, draw.RingGlyph{}},
		} {
			var pts plotter.XYs
			for _, b := range r.rel.Bins {
				if b.N > 0 {
					pts = append(pts, plotter.XY{X: b.MeanP(), Y: b.Freq()})
				}
			}
			f.add(fmt.Sprintf("%s %s (ECE %.3f, n %d)", ens, r.name, r.rel.ECE(), r.rel.N),
				line(pts, r.col, vg.Points(1.2), r.dashes...), points(pts, r.col, r.shape, vg.Points(2.5)))
		}
	}
	if !drawn {
		c.Empty, c.Command = "no matured forecasts with P(up) yet", "runner backfill --from DATE --to DATE"
		return c, nil
	}
	f.p.X.Min, f.p.X.Max, f.p.Y.Min, f.p.Y.Max = 0, 1, 0, 1
	c.Caption = fmt.Sprintf("Matured forecasts binned by P(up) into %d equal-width bins: each bin's mean P(up) "+
		"against the share whose return was positive. On the diagonal P(up) means what it says.", calibration.ECEBins)
	svg, err := f.svg(narrowWidth)
	c.SVG = svg
	return c, err
}
