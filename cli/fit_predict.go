package cli

import (
	"fmt"
	"math"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"runner/forecast"
	"runner/marketdata"
)

// prediction is one day of `runner fit --predict-to`: the one-step
// predictive distribution made from the bars up to AsOf for the return to
// the next bar, and that return where the file has it.
type prediction struct {
	AsOf     string   `json:"as_of"`
	Target   string   `json:"target,omitempty"`
	Mu       float64  `json:"mu"`
	Sigma    float64  `json:"sigma"`
	PBear    float64  `json:"p_bearish"`
	PNeutral float64  `json:"p_neutral"`
	PBull    float64  `json:"p_bullish"`
	Label    string   `json:"label"`
	Realised *float64 `json:"realised,omitempty"`
}

// fitPredict fits the model once on in.Bars (the --train-bars ending at
// --as-of) and predicts every day from --as-of to --predict-to from the
// bars of the file up to that day.
func fitPredict(c *cli.Context, name string, f fitter, in fitInput, all []marketdata.Bar) error {
	to, err := time.Parse(marketdata.DateLayout, c.String("predict-to"))
	if err != nil {
		return usageErrorf("fit: --predict-to %q: want YYYY-MM-DD", c.String("predict-to"))
	}
	asOf := in.Bars[len(in.Bars)-1].Date
	last := all[len(all)-1].Date
	switch {
	case to.Before(asOf):
		return usageErrorf("fit: --predict-to %s is before --as-of %s", day(to), day(asOf))
	case to.After(last):
		return usageErrorf("fit: --predict-to %s is past the data: %s ends on %s", day(to), in.File, day(last))
	}
	start := marketdata.IndexOf(all, in.Bars[0].Date)
	end := start + len(in.Bars) - 1
	stop := end
	for stop+1 < len(all) && !all[stop+1].Date.After(to) {
		stop++
	}
	m, err := f.model(c, in.Opts)
	if err != nil {
		return err
	}
	fitted, err := m.Fit(c.Context, in.Bars)
	if err != nil {
		return fmt.Errorf("fit %s: %s: %w", name, in.File, err)
	}
	ds, err := forecast.PredictPath(c.Context, fitted, all[start:stop+1], len(in.Bars)-1)
	if err != nil {
		return fmt.Errorf("fit %s: %s: %w", name, in.File, err)
	}
	preds := make([]prediction, len(ds))
	var sq, abs []float64
	hits := 0
	for i, d := range ds {
		j := end + i
		p := prediction{AsOf: day(all[j].Date), Mu: d.Mu, Sigma: d.Sigma, PBear: d.PBear, PNeutral: d.PNeutral,
			PBull: d.PBull, Label: string(d.Label())}
		if j+1 < len(all) {
			r := math.Log(all[j+1].AdjClose / all[j].AdjClose)
			p.Target, p.Realised = day(all[j+1].Date), &r
			e := r - d.Mu
			sq, abs = append(sq, e*e), append(abs, math.Abs(e))
			if (r > 0) == (d.Mu > 0) && r != 0 {
				hits++
			}
		} else {
			p.Target = day(marketdata.NextTradingDay(all[j].Date))
		}
		preds[i] = p
	}
	var rmse, mae, dir *float64
	if n := float64(len(sq)); n > 0 {
		r, a, h := math.Sqrt(mean(sq)), mean(abs), float64(hits)/n
		rmse, mae, dir = &r, &a, &h
	}
	sym := in.Bars[0].Symbol
	if in.JSON {
		return writeJSON(in.Out, map[string]any{
			"model": name, "symbol": sym, "file": in.File, "as_of": day(asOf), "predict_to": day(to),
			"train_bars": len(in.Bars), "train_from": day(in.Bars[0].Date), "spec": fitted.Spec(),
			"predictions": preds, "matured": len(sq), "rmse": rmse, "mae": mae, "directional_accuracy": dir,
		})
	}
	fmt.Fprintf(in.Out, "%s %s  fitted once on %d bars %s .. %s  %s\n", name, sym, len(in.Bars), day(in.Bars[0].Date),
		day(asOf), paramString(nil, fitted.Spec()))
	tw := tabwriter.NewWriter(in.Out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "as of\ttarget\tmu\tsigma\tP(bear)\tP(bull)\tlabel\trealised\t")
	for _, p := range preds {
		real := "-"
		if p.Realised != nil {
			real = fmt.Sprintf("%+.4f%%", 100**p.Realised)
		}
		fmt.Fprintf(tw, "%s\t%s\t%+.4f%%\t%.4f%%\t%.3f\t%.3f\t%s\t%s\t\n", p.AsOf, p.Target, 100*p.Mu, 100*p.Sigma,
			p.PBear, p.PBull, p.Label, real)
	}
	tw.Flush()
	if rmse == nil {
		fmt.Fprintln(in.Out, "no realised return in the file after these days yet")
		return nil
	}
	fmt.Fprintf(in.Out, "%d days with realised returns: RMSE %.6f  MAE %.6f  directional accuracy %.3f\n", len(sq), *rmse, *mae, *dir)
	return nil
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
