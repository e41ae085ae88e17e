package report

import (
	"fmt"
	"sort"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"runner/store"
)

// weightsChart draws the history of one ensemble's weights, each model's
// weight held from the row's effective time to the next row (the last to
// end), and marks the reversions to the defaults.
func weightsChart(sym, ens string, all []store.EnsembleWeights, end time.Time) (chart, error) {
	c := chart{ID: sym + "-weights-" + ens, Title: sym + ": " + ens + " weights"}
	var ws []store.EnsembleWeights
	for _, w := range all {
		if w.Ensemble == ens {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		c.Empty, c.Command = "no weights decided yet (the defaults are in force)", "runner validate"
		return c, nil
	}
	// The last row holds to the end of the range, and for at least a week
	// so that its weights show.
	if last := ws[len(ws)-1].EffectiveAt.AddDate(0, 0, 7); end.Before(last) {
		end = last
	}
	models := map[string]bool{}
	for _, w := range ws {
		for m := range w.Weights {
			models[m] = true
		}
	}
	names := make([]string, 0, len(models))
	for m := range models {
		names = append(names, m)
	}
	sort.Strings(names)
	f := newFigure("effective date", "weight")
	f.timeAxis(narrowLabels)
	for _, m := range names {
		pts := make(plotter.XYs, 0, len(ws)+1)
		for _, w := range ws {
			pts = append(pts, plotter.XY{X: unix(w.EffectiveAt), Y: w.Weights[m]})
		}
		pts = append(pts, plotter.XY{X: unix(end), Y: ws[len(ws)-1].Weights[m]})
		l := line(pts, colorOf(modelColor, m), vg.Points(1.6))
		l.StepStyle = plotter.PostStep
		f.add(m, l)
	}
	rev := reversions(ws)
	for i, w := range rev {
		name := ""
		if i == 0 {
			name = "reverted to defaults"
		}
		x := unix(w.EffectiveAt)
		f.add(name, line(plotter.XYs{{X: x, Y: 0}, {X: x, Y: 1}}, overfitColor, vg.Points(1), vg.Points(2), vg.Points(2)))
	}
	f.p.Y.Min, f.p.Y.Max = 0, 1
	c.Caption = fmt.Sprintf("%d weight decisions of runner validate: calibrated weights accepted when the window's "+
		"divergence is at most 15%%, reverted to the DESIGN §4 defaults above (dashed: %d reversions).", len(ws), len(rev))
	svg, err := f.svg(narrowWidth)
	c.SVG = svg
	return c, err
}
