package report

import (
	"fmt"

	"gonum.org/v1/plot/vg"

	"runner/forecast"
	"runner/store"
)

// RMSE ratios of the canary's criteria (DESIGN §9): candidate RMSE within 5%
// of legacy to advance, more than 15% worse fails, more than 20% worse rolls
// back at once.
const (
	ratioAdvance  = 1.05
	ratioFail     = 1.15
	ratioRollback = 1.20
)

// rmseChart draws the rolling RMSE of the candidate relative to legacy with
// the canary's thresholds.
func rmseChart(sym string, fs []store.Forecast, window int) (chart, error) {
	c := chart{ID: sym + "-rmse", Title: sym + ": candidate RMSE relative to legacy"}
	groups, _ := byEnsemble(fs)
	ps := rollingRMSERatio(groups[forecast.Candidate.Name], groups[forecast.Legacy.Name], window)
	if len(ps) == 0 {
		c.Empty = fmt.Sprintf("not enough matured forecasts of both ensembles yet (%d as-of dates needed)", window)
		c.Command = "runner forecast --mode canary"
		return c, nil
	}
	f := newFigure("as-of date", "RMSE candidate / legacy")
	f.timeAxis(narrowLabels)
	x0, x1 := unix(ps[0].At), unix(ps[len(ps)-1].At)
	f.add("parity", hline(1, x0, x1, guideColor))
	f.add("+5% (advance within)", hline(ratioAdvance, x0, x1, warnColor, vg.Points(4), vg.Points(3)))
	f.add("+15% (fail)", hline(ratioFail, x0, x1, overfitColor, vg.Points(4), vg.Points(3)))
	f.add("+20% (roll back now)", hline(ratioRollback, x0, x1, criticalColor, vg.Points(4), vg.Points(3)))
	f.add(fmt.Sprintf("rolling %d-day ratio", window), line(xys(ps, 1), colorOf(ensembleColor, forecast.Candidate.Name), vg.Points(1.5)))
	c.Caption = fmt.Sprintf("Candidate RMSE over the last %d as-of dates both ensembles forecast and that have matured, "+
		"divided by legacy's over the same dates; below 1 the candidate is more accurate. Lines: the canary's criteria.", window)
	svg, err := f.svg(narrowWidth)
	c.SVG = svg
	return c, err
}
