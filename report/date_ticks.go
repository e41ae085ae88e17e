package report

import (
	"time"

	"gonum.org/v1/plot"
)

// dateTicks marks a date axis (Unix seconds) at month starts ("Jan 2023",
// then "Feb", "Mar", ...) over spans of more than 70 days, every k months so
// that at most maxLabels are labelled, and at Mondays ("Jan 02") over
// shorter spans.
type dateTicks struct {
	maxLabels int
}

// Ticks implements plot.Ticker.
func (dt dateTicks) Ticks(lo, hi float64) []plot.Tick {
	from, to := time.Unix(int64(lo), 0).UTC(), time.Unix(int64(hi), 0).UTC()
	var ticks []plot.Tick
	if to.Sub(from) <= 70*24*time.Hour {
		d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
		for d.Weekday() != time.Monday || d.Before(from) {
			d = d.AddDate(0, 0, 1)
		}
		for ; !d.After(to); d = d.AddDate(0, 0, 7) {
			ticks = append(ticks, plot.Tick{Value: unix(d), Label: d.Format("Jan 02")})
		}
		return ticks
	}
	months := (to.Year()-from.Year())*12 + int(to.Month()-from.Month()) + 1
	step := (months + dt.maxLabels - 1) / dt.maxLabels
	d := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if d.Before(from) {
		d = d.AddDate(0, 1, 0)
	}
	year := -1
	for i := 0; !d.After(to); i, d = i+1, d.AddDate(0, 1, 0) {
		if i%step != 0 {
			ticks = append(ticks, plot.Tick{Value: unix(d)})
			continue
		}
		label := d.Format("Jan")
		if d.Year() != year {
			label, year = d.Format("Jan 2006"), d.Year()
		}
		ticks = append(ticks, plot.Tick{Value: unix(d), Label: label})
	}
	return ticks
}
