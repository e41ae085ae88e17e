package cli

import (
	"fmt"
	"io"
	"math"
	"sort"
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
		if r.Err != nil {
			fmt.Fprintf(w, "%s: FAILED: %v\n", r.Symbol, r.Err)
		}
		for _, m := range sortedNames(r.LostModels) {
			fmt.Fprintf(w, "%s: model %s failed, ensembles renormalised: %v\n", r.Symbol, m, r.LostModels[m])
		}
		for _, e := range sortedNames(r.FailedEnsembles) {
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
}

// priceInterval turns the return interval into prices.
func priceInterval(f store.Forecast) (lo, hi float64) {
	return f.LastPrice * math.Exp(f.CILower), f.LastPrice * math.Exp(f.CIUpper)
}

func sortedNames(m map[string]error) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
