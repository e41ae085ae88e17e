package cli

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"runner/jobs"
	"runner/marketdata"
	"runner/store"
)

// printForecasts prints a run's forecasts: one line per symbol for a run of
// one ensemble; for several, each symbol's ensembles side by side with their
// components. Failures and lost models follow.
func printForecasts(w io.Writer, res jobs.ForecastResult) {
	if len(res.Symbols) == 0 {
		return
	}
	ensembles := 0
	for _, r := range res.Symbols {
		ensembles = max(ensembles, len(r.Forecasts))
	}
	if ensembles <= 1 {
		printForecastTable(w, res)
	} else {
		for _, r := range res.Symbols {
			if len(r.Forecasts) > 0 {
				printSideBySide(w, r.Forecasts)
			}
		}
	}
	for _, r := range res.Symbols {
		if r.ServeNote != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Symbol, r.ServeNote)
		}
		for _, e := range sortedKeys(r.WeightNotes) {
			fmt.Fprintf(w, "%s: %s: %s\n", r.Symbol, e, r.WeightNotes[e])
		}
		for _, e := range sortedKeys(r.CalibrationNotes) {
			fmt.Fprintf(w, "%s: %s: %s\n", r.Symbol, e, r.CalibrationNotes[e])
		}
		if r.Err != nil {
			fmt.Fprintf(w, "%s: FAILED: %v\n", r.Symbol, r.Err)
		}
		for _, m := range sortedKeys(r.LostModels) {
			fmt.Fprintf(w, "%s: model %s failed, ensembles renormalised: %v\n", r.Symbol, m, r.LostModels[m])
		}
		for _, e := range sortedKeys(r.FailedEnsembles) {
			fmt.Fprintf(w, "%s: ensemble %s: no forecast: %v\n", r.Symbol, e, r.FailedEnsembles[e])
		}
	}
	if res.Run.ID != 0 {
		fmt.Fprintf(w, "run %d: %s\n", res.Run.ID, res.Run.Status)
	}
}

func printForecastTable(w io.Writer, res jobs.ForecastResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SYMBOL\tAS-OF\tTARGET\tENSEMBLE\tRETURN\tLAST\tFORECAST\t90% INTERVAL\tLABEL\tCONFIDENCE\tMODELS")
	for _, r := range res.Symbols {
		for _, f := range r.Forecasts {
			lo, hi := priceInterval(f)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%+.4f%%\t%.2f\t%.2f\t%.2f .. %.2f\t%s\t%.3f\t%s\n",
				f.Symbol, f.AsOf.Format(marketdata.DateLayout), f.TargetDate.Format(marketdata.DateLayout),
				f.Ensemble, 100*f.Return, f.LastPrice, f.Price, lo, hi, f.Label, f.Confidence,
				strings.Join(f.ModelsUsed, ","))
		}
	}
	tw.Flush()
}

// printSideBySide prints one symbol's ensembles in columns.
func printSideBySide(w io.Writer, fs []store.Forecast) {
	f0 := fs[0]
	fmt.Fprintf(w, "\n%s  as of %s  target %s  last %.2f\n", f0.Symbol, f0.AsOf.Format(marketdata.DateLayout),
		f0.TargetDate.Format(marketdata.DateLayout), f0.LastPrice)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	row := func(label string, cell func(f store.Forecast) string) {
		fmt.Fprint(tw, "  "+label)
		for _, f := range fs {
			fmt.Fprint(tw, "\t"+cell(f))
		}
		fmt.Fprintln(tw)
	}
	row("", func(f store.Forecast) string {
		if f.Served {
			return f.Ensemble + " (served)"
		}
		return f.Ensemble
	})
	row("return", func(f store.Forecast) string { return fmt.Sprintf("%+.4f%%", 100*f.Return) })
	row("price", func(f store.Forecast) string { return fmt.Sprintf("%.2f", f.Price) })
	row("90% interval", func(f store.Forecast) string {
		lo, hi := priceInterval(f)
		return fmt.Sprintf("%.2f .. %.2f", lo, hi)
	})
	if anyCalibrated(fs) {
		row("raw interval", func(f store.Forecast) string {
			if f.CalibrationID == nil || f.CILowerRaw == nil {
				return "(not calibrated)"
			}
			return fmt.Sprintf("%.2f .. %.2f", f.LastPrice*math.Exp(*f.CILowerRaw), f.LastPrice*math.Exp(*f.CIUpperRaw))
		})
	}
	row("P(up)", func(f store.Forecast) string {
		switch {
		case f.PUp == nil:
			return "-"
		case f.CalibrationID != nil && f.PUpRaw != nil:
			return fmt.Sprintf("%.3f (raw %.3f)", *f.PUp, *f.PUpRaw)
		}
		return fmt.Sprintf("%.3f", *f.PUp)
	})
	row("volatility", func(f store.Forecast) string { return fmt.Sprintf("%.4f%%", 100*f.Volatility) })
	row("label", func(f store.Forecast) string { return fmt.Sprintf("%s %.3f", f.Label, f.Confidence) })
	row("agreement", func(f store.Forecast) string { return fmt.Sprintf("%.2f", f.Agreement) })
	var models []string
	seen := map[string]bool{}
	for _, f := range fs {
		for _, c := range f.Components {
			if !seen[c.Model] {
				seen[c.Model] = true
				models = append(models, c.Model)
			}
		}
	}
	for _, m := range models {
		row(m, func(f store.Forecast) string {
			for _, c := range f.Components {
				if c.Model != m {
					continue
				}
				if c.Error != "" {
					return "failed"
				}
				return fmt.Sprintf("%+.4f%% ±%.3f%% w %.2f", 100*c.Mu, 100*c.Sigma, c.Weight)
			}
			return "-"
		})
	}
	tw.Flush()
	// Each model is fitted once per symbol: its configuration is the same
	// in every ensemble that has it.
	for _, m := range models {
		if spec := componentSpec(fs, m); spec != nil {
			fmt.Fprintf(w, "  %-13s%s\n", m, specSummary(m, spec))
		}
	}
}

// componentSpec is the fitted configuration of model in the first forecast
// that has it.
func componentSpec(fs []store.Forecast, model string) map[string]any {
	for _, f := range fs {
		for _, c := range f.Components {
			if c.Model == model && c.Spec != nil {
				return c.Spec
			}
		}
	}
	return nil
}

// specSummary describes a model's fitted configuration in a few words: the
// order ARIMA-GARCH chose, the networks' size, rate and epochs, the trees.
func specSummary(model string, s map[string]any) string {
	switch model {
	case "arima_garch":
		return fmt.Sprintf("ARMA(%v,%v)-GARCH(%v) %v", s["p"], s["q"], s["garch"], s["dist"])
	case "lstm":
		return fmt.Sprintf("hidden %v, lr %v, %v epochs (best %v)", s["hidden"], s["learning_rate"], s["epochs"], s["best_epoch"])
	case "transformer":
		return fmt.Sprintf("d_model %v, %v heads, lr %v, %v epochs (best %v)", s["d_model"], s["heads"], s["learning_rate"], s["epochs"], s["best_epoch"])
	case "gb":
		return fmt.Sprintf("%v trees, depth %v, lr %v", s["trees"], s["max_depth"], s["learning_rate"])
	}
	return paramString(nil, s)
}

// printForecastsJSON prints a run and its forecasts, components and their
// fitted configurations included, as JSON.
func printForecastsJSON(w io.Writer, res jobs.ForecastResult) error {
	type symbolOut struct {
		Symbol          string            `json:"symbol"`
		Forecasts       []store.Forecast  `json:"forecasts"`
		Error           string            `json:"error,omitempty"`
		LostModels      map[string]string `json:"lost_models,omitempty"`
		FailedEnsembles map[string]string `json:"failed_ensembles,omitempty"`
	}
	out := struct {
		RunID   int64       `json:"run_id,omitempty"`
		Status  string      `json:"status,omitempty"`
		Symbols []symbolOut `json:"symbols"`
	}{RunID: res.Run.ID, Status: string(res.Run.Status)}
	for _, r := range res.Symbols {
		s := symbolOut{Symbol: r.Symbol, Forecasts: r.Forecasts}
		if r.Err != nil {
			s.Error = r.Err.Error()
		}
		for m, err := range r.LostModels {
			if s.LostModels == nil {
				s.LostModels = map[string]string{}
			}
			s.LostModels[m] = err.Error()
		}
		for e, err := range r.FailedEnsembles {
			if s.FailedEnsembles == nil {
				s.FailedEnsembles = map[string]string{}
			}
			s.FailedEnsembles[e] = err.Error()
		}
		out.Symbols = append(out.Symbols, s)
	}
	return writeJSON(w, out)
}

// priceInterval turns the return interval into prices.
func priceInterval(f store.Forecast) (lo, hi float64) {
	return f.LastPrice * math.Exp(f.CILower), f.LastPrice * math.Exp(f.CIUpper)
}

func anyCalibrated(fs []store.Forecast) bool {
	for _, f := range fs {
		if f.CalibrationID != nil {
			return true
		}
	}
	return false
}
