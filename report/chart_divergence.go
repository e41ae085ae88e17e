package report

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"runner/forecast"
	"runner/store"
)

// Divergence levels of DESIGN §5, as fractions.
const (
	levelWarning     = 0.15
	levelOverfitting = 0.20
	levelCritical    = 0.30
)

// ensembleOfCount names the ensemble of a validation row by its model
// count (the candidate has 2 models, legacy 4).
func ensembleOfCount(n int) string {
	for _, e := range []forecast.Ensemble{forecast.Candidate, forecast.Legacy} {
		if len(e.Members) == n {
			return e.Name
		}
	}
	return fmt.Sprintf("%d models", n)
}

// divergenceChart draws each ensemble's divergence per walk-forward window
// with the warning, overfitting and critical levels, and marks the windows
// whose weights were reverted to the defaults.
func divergenceChart(sym string, ms []store.ValidationMetrics, ws []store.EnsembleWeights) (chart, error) {
	c := chart{ID: sym + "-divergence", Title: sym + ": divergence per walk-forward window"}
	if len(ms) == 0 {
		c.Empty, c.Command = "no validation yet", "runner validate"
		return c, nil
	}
	f := newFigure("validation date (last test bar)", "divergence (%)")
	f.timeAxis(narrowLabels)
	series := map[string]plotter.XYs{}
	var names []string
	var xs, ys []float64
	for _, m := range ms {
		ens := ensembleOfCount(m.ModelCount)
		if _, ok := series[ens]; !ok {
			names = append(names, ens)
		}
		series[ens] = append(series[ens], plotter.XY{X: unix(m.ValidationDate), Y: 100 * m.Divergence})
		xs, ys = append(xs, unix(m.ValidationDate)), append(ys, 100*m.Divergence)
	}
	x0, x1, _ := span(xs...)
	if x0 == x1 { // one window: give the levels some length
		x0, x1 = x0-7*86400, x1+7*86400
	}
	f.add("15% warning", hline(100*levelWarning, x0, x1, warnColor, vg.Points(4), vg.Points(3)))
	f.add("20% overfitting", hline(100*levelOverfitting, x0, x1, overfitColor, vg.Points(4), vg.Points(3)))
	f.add("30% critical", hline(100*levelCritical, x0, x1, criticalColor, vg.Points(4), vg.Points(3)))
	for _, ens := range names {
		col := colorOf(ensembleColor, ens)
		f.add(ens, line(series[ens], col, vg.Points(1.3)), points(series[ens], col, draw.CircleGlyph{}, vg.Points(2.2)))
	}
	var rev plotter.XYs
	for _, w := range reversions(ws) {
		rev = append(rev, plotter.XY{X: unix(w.ValidationDate), Y: 100 * w.Divergence})
	}
	if len(rev) > 0 {
		f.add("weights reverted", points(rev, realisedColor, draw.CrossGlyph{}, vg.Points(6)))
	}
	_, top, _ := span(ys...)
	f.p.Y.Min, f.p.Y.Max = 0, max(35, 1.05*top)
	c.Caption = fmt.Sprintf("|val RMSE − test RMSE| / val RMSE of %d windows. Above 15%% the window's weights revert "+
		"to the DESIGN §4 defaults (crosses: %d reversions).", len(ms), len(rev))
	svg, err := f.svg(narrowWidth)
	c.SVG = svg
	return c, err
}

// reversions returns the weights rows that reverted to the defaults.
func reversions(ws []store.EnsembleWeights) []store.EnsembleWeights {
	var out []store.EnsembleWeights
	for _, w := range ws {
		if w.Source == store.WeightsReverted {
			out = append(out, w)
		}
	}
	return out
}
