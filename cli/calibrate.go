package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"runner/calibration"
	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
	"runner/store"
)

func calibrateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "calibrate",
		Usage:     "calibrate each symbol's 90% interval and P(up) on its out-of-sample forecasts",
		UsageText: "runner calibrate --symbols A,B [--ensemble candidate|legacy|both] [--samples 250] [--method auto|platt|isotonic|base_rate] [--adaptive [--gamma 0.005]] [--as-of DATE] [--dry-run]",
		Description: "Learns, per symbol and ensemble, from the latest --samples out-of-sample one-step forecasts\n" +
			"(walk-forward test spans written by runner validate, and matured live forecasts): the\n" +
			"interval by split conformal on the standardised residuals z = (r - mu)/sigma, P(up) by Platt\n" +
			"scaling below 1000 samples or isotonic regression from 1000. Prints coverage and width of\n" +
			"the 90% interval, Brier score, log loss, ECE (15 bins) of P(up) and CRPS, raw and\n" +
			"calibrated, on the last third of the samples with the calibration fitted on the first two.\n" +
			"runner forecast applies each symbol's latest calibration. Too few samples is an error for\n" +
			"that symbol (exit 3), never a silent default.",
		Flags: []cli.Flag{
			symbolsFlag(&cli.StringSliceFlag{Name: "symbols", Value: cli.NewStringSlice(DefaultCanarySymbols...), Usage: "symbols to calibrate"}),
			ensembleFlag(),
			intAtLeast(&cli.IntFlag{Name: "samples", Value: jobs.DefaultCalibrationSamples, Usage: "latest out-of-sample forecasts to learn from (" + samplesNeed + ")"},
				calibration.MinSamples(calibration.Config{Method: calibration.BaseRate})),
			stringOneOf(&cli.StringFlag{Name: "method", Value: string(calibration.Auto), Usage: "P(up) recalibration: auto (Platt below 1000 samples, isotonic from 1000, the base rate unless the held-out third finds it significantly better: one-sided Diebold-Mariano test at 5%), platt, isotonic or base_rate"},
				string(calibration.Auto), string(calibration.Platt), string(calibration.Isotonic), string(calibration.BaseRate)),
			&cli.BoolFlag{Name: "adaptive", Usage: "adaptive conformal inference (Gibbs & Candès 2021) for the interval"},
			floatIn(&cli.Float64Flag{Name: "gamma", Value: calibration.GammaDefault, Usage: "step of the adaptive recursion, > 0 and < 1"},
				interval{lo: 0, hi: 1, loOpen: true, hiOpen: true}),
			dateFlag(&cli.StringFlag{Name: "as-of", Usage: "learn only from forecasts whose returns were known by this date, YYYY-MM-DD", DefaultText: "all"}),
			stringOneOf(&cli.StringFlag{Name: "horizon", Value: jobs.DefaultHorizon, Usage: "forecast horizon (only 1D)"}, jobs.DefaultHorizon),
			floatIn(&cli.Float64Flag{Name: "neutral-band", Value: forecast.DefaultNeutralBand,
				Usage: "half-width of the neutral return class, > 0 and < 1"}, neutralBandRange),
			&cli.BoolFlag{Name: "dry-run", Usage: "fit and print, write nothing"},
		},
		Action: func(c *cli.Context) error {
			cfg := jobs.CalibrateConfig{Symbols: upper(c.StringSlice("symbols")), Horizon: c.String("horizon"),
				Samples: c.Int("samples"), DryRun: c.Bool("dry-run"), CodeVersion: codeVersion(),
				Calibration: calibration.Config{Method: calibration.ProbMethod(c.String("method")), Adaptive: c.Bool("adaptive"),
					Gamma: c.Float64("gamma"), Band: c.Float64("neutral-band")}}
			cfg.Host, _ = os.Hostname()
			if s := c.String("as-of"); s != "" {
				cfg.AsOf, _ = time.Parse(marketdata.DateLayout, s)
			}
			if need := calibration.MinSamples(cfg.Calibration); cfg.Samples < need {
				return usageErrorf("calibrate: --method %s needs --samples of at least %d (have %d): %s", cfg.Calibration.Method, need, cfg.Samples, samplesNeed)
			}
			cfg.Ensembles = ensemblesOf(c)
			run := func(s store.Store) error {
				res, err := (&jobs.CalibrateJob{Store: s, Log: e.log}).Run(c.Context, cfg)
				printCalibrations(e.out, res)
				if errors.Is(err, jobs.ErrPartial) {
					return partialError(err)
				}
				return err
			}
			if cfg.DryRun {
				return withReadStore(c, e, run)
			}
			return withStore(c, e, true, run)
		},
	}
}

// samplesNeed says how many samples each method needs
// (calibration.MinSamples at the 90% level).
var samplesNeed = fmt.Sprintf("the held-out report fits the first two thirds: at least %d for auto and platt, %d for base_rate, %d for isotonic",
	calibration.MinSamples(calibration.Config{Method: calibration.Auto}), calibration.MinSamples(calibration.Config{Method: calibration.BaseRate}),
	calibration.MinSamples(calibration.Config{Method: calibration.Isotonic}))

// printCalibrations prints the held-out figures, raw against calibrated,
// per symbol and ensemble.
func printCalibrations(w io.Writer, res jobs.CalibrateResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "symbol\tensemble\tsamples\tmethod\t\tcoverage\twidth\tBrier\tlog loss\tECE\tCRPS\t")
	for _, r := range res.Results {
		if r.Err != nil {
			fmt.Fprintf(tw, "%s\t%s\t\terror: %v\t\t\t\t\t\t\t\t\n", r.Symbol, r.Ensemble, r.Err)
			continue
		}
		method := r.Row.Method
		for i, rep := range []calibration.Report{r.Before, r.After} {
			label := "raw"
			if i == 1 {
				label = "calibrated"
			}
			sym, ens, n, m := r.Symbol, r.Ensemble, fmt.Sprint(r.Row.NSamples), method
			if i == 1 {
				sym, ens, n, m = "", "", "", ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f%%\t%.4f%%\t%.4f\t%.4f\t%.4f\t%.6f\t\n", sym, ens, n, m, label,
				100*rep.Coverage, 100*rep.MeanWidth, rep.Brier, rep.LogLoss, rep.ECE, rep.CRPS)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "figures on the last third of each symbol's samples (%s), the calibration fitted on the first two thirds\n", heldOutCount(res))
	for _, r := range res.Results {
		if r.Err != nil {
			continue
		}
		name := "not stored (dry run)"
		if r.Row.ID != 0 {
			name = fmt.Sprintf("calibration #%d", r.Row.ID)
		}
		fmt.Fprintf(w, "%s %s: %s, %d samples %s .. %s, interval z quantiles %.3f .. %.3f; %s\n", r.Symbol, r.Ensemble,
			name, r.Row.NSamples, day(r.Row.SampleFrom), day(r.Row.SampleTo), r.Fitted.QLo, r.Fitted.QHi, probNote(r.Fitted))
	}
	if res.Run.ID != 0 {
		fmt.Fprintf(w, "run %d: %s\n", res.Run.ID, res.Run.Status)
	}
}

// probNote says how a calibration forecasts P(up) and, for --method auto,
// what its skill check on the held-out third found.
func probNote(c *calibration.Calibration) string {
	what := "P(up) by " + string(c.Prob)
	if c.Prob == calibration.BaseRate {
		what = fmt.Sprintf("P(up) the base rate %.3f", c.Base)
	}
	k := c.SkillCheck
	switch {
	case c.Method != calibration.Auto:
		return fmt.Sprintf("%s (--method %s)", what, c.Method)
	case k == nil:
		return what + " (too few samples to check it against the base rate)"
	}
	than := fmt.Sprintf("beat the base rate by %.5f in Brier", k.MeanD)
	if k.MeanD <= 0 {
		than = fmt.Sprintf("did not beat the base rate (Brier %.5f worse)", -k.MeanD)
	}
	subject, verdict := string(k.Tested), fmt.Sprintf("t = %.2f <= %.3f, not significant", k.T(), calibration.SkillZ)
	if k.Kept {
		subject, verdict = "it", fmt.Sprintf("t = %.2f > %.3f", k.T(), calibration.SkillZ)
	}
	return fmt.Sprintf("%s: on the %d held-out samples %s %s, %s", what, k.Held, subject, than, verdict)
}

func heldOutCount(res jobs.CalibrateResult) string {
	for _, r := range res.Results {
		if r.Err == nil {
			return fmt.Sprintf("%d of %d", r.After.N, r.Row.NSamples)
		}
	}
	return "none"
}
