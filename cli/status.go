package cli

import (
	"fmt"
	"math"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"runner/jobs"
	"runner/marketdata"
	"runner/store"
)

func statusCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "accuracy of each symbol's ensembles over their latest matured forecasts",
		UsageText: "runner status [--symbols A,B] [--window 20]",
		Description: "A forecast matures when the bar after its as-of date exists; the forecast and\n" +
			"canary jobs record its realised return. For each symbol and ensemble, over the last\n" +
			"--window matured forecasts: RMSE and MAE of the return, RMSE relative to the legacy\n" +
			"ensemble and to the naive model on the same dates (below 1 is better), directional\n" +
			"accuracy, the coverage of the 90% interval as forecast (calibrated where a calibration\n" +
			"was applied: CALIBRATED counts those) and of the raw one, and the Brier score and ECE\n" +
			"(15 bins) of P(up), calibrated and raw, beside BASE BRIER: the Brier score of always\n" +
			"forecasting those forecasts' own share of up days (known only afterwards; a P(up) scores\n" +
			"below it only with skill on the direction). Then, per symbol and ensemble, the latest\n" +
			"walk-forward window (runner validate): its RMSEs, divergence and level, and the weights\n" +
			"in force (runner forecast --weights calibrated). Last, the canary: its stage, the criteria\n" +
			"of its latest evaluation and what production serves (runner canary status for the history).",
		Flags: []cli.Flag{
			symbolsFlag(&cli.StringSliceFlag{Name: "symbols", Usage: "symbols to report (default: every symbol with matured forecasts)"}),
			intAtLeast(&cli.IntFlag{Name: "window", Value: jobs.DefaultStatusWindow, Usage: "latest matured forecasts per symbol and ensemble (at least 1)"}, 1),
			stringOneOf(&cli.StringFlag{Name: "horizon", Value: jobs.DefaultHorizon, Usage: "forecast horizon (only 1D)"}, jobs.DefaultHorizon),
		},
		Action: func(c *cli.Context) error {
			return withStore(c, e, true, func(s store.Store) error {
				job := &jobs.StatusJob{Source: source(c, s), Store: s}
				rows, err := job.Run(c.Context, jobs.StatusConfig{Symbols: upper(c.StringSlice("symbols")),
					Horizon: c.String("horizon"), Window: c.Int("window")})
				if err != nil {
					return err
				}
				if len(rows) == 0 {
					fmt.Fprintln(e.out, "no matured forecasts yet")
				} else {
					tw := tabwriter.NewWriter(e.out, 0, 0, 2, ' ', 0)
					fmt.Fprintln(tw, "SYMBOL\tENSEMBLE\tN\tFROM\tTO\tRMSE\tMAE\tVS LEGACY\tVS NAIVE\tDIRECTION\tCOVERAGE 90%\tRAW COVERAGE\tCALIBRATED\tBRIER P(UP) (RAW)\tBASE BRIER\tECE P(UP) (RAW)")
					for _, r := range rows {
						fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%.6f\t%.6f\t%s\t%s\t%.1f%%\t%.1f%%\t%.1f%%\t%d\t%s\t%s\t%s\n", r.Symbol, r.Ensemble, r.N,
							r.From.Format(marketdata.DateLayout), r.To.Format(marketdata.DateLayout), r.RMSE, r.MAE,
							relative(r.RelLegacy), relative(r.RelNaive), 100*r.DirectionalAccuracy, 100*r.Coverage,
							100*r.RawCoverage, r.Calibrated, scorePair(r.Brier, r.RawBrier), score(r.BaseBrier), scorePair(r.ECE, r.RawECE))
					}
					if err := tw.Flush(); err != nil {
						return err
					}
				}
				vs, err := job.ValidationStatus(c.Context, jobs.StatusConfig{Symbols: upper(c.StringSlice("symbols")),
					Horizon: c.String("horizon")})
				if err != nil {
					return err
				}
				fmt.Fprintln(e.out)
				if len(vs) == 0 {
					fmt.Fprintln(e.out, "no validation yet: run runner validate")
					return canarySection(c, e, s)
				}
				tw := tabwriter.NewWriter(e.out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "SYMBOL\tENSEMBLE\tVALIDATED\tWINDOW\tVAL RMSE\tTEST RMSE\tDIVERGENCE\tLEVEL\tCURRENT WEIGHTS")
				for _, r := range vs {
					validated, window, val, test, div, level := "-", "-", "-", "-", "-", "-"
					if m := r.Latest; m != nil {
						validated, window = day(m.ValidationDate), fmt.Sprint(m.WindowID)
						val, test, div = fmt.Sprintf("%.6f", m.ValRMSE), fmt.Sprintf("%.6f", m.TestRMSE), fmt.Sprintf("%.4f", m.Divergence)
						level = r.Level
					}
					weights := "defaults (none validated)"
					if w := r.Weights; w != nil {
						weights = fmt.Sprintf("%s (%s, from %s)", weightList(w.Weights), w.Source, day(w.EffectiveAt))
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Symbol, r.Ensemble, validated, window, val, test, div, level, weights)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				return canarySection(c, e, s)
			})
		},
	}
}

// scorePair prints a score and its raw counterpart.
func scorePair(cal, raw float64) string {
	if math.IsNaN(cal) {
		return "-"
	}
	return fmt.Sprintf("%.4f (%.4f)", cal, raw)
}

// score is a Brier score to four places, "-" for NaN.
func score(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.4f", x)
}

func relative(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.3f", x)
}
