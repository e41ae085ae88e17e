package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
	"runner/store"
	"runner/walkforward"
)

func validateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "validate",
		Usage: "walk-forward validation: tune, calibrate weights, measure divergence, revert weights",
		UsageText: "runner validate --symbols A,B [--as-of DATE] [--windows N | --from DATE --to DATE]\n" +
			"                [--ensemble candidate|legacy|both] [--grid canonical|fixed] [--epochs N --early-stop=false]\n" +
			"                [--workers N] [--leak-check] [--dry-run]",
		Description: "Each window is train/validation/test spans of trading bars (--train-bars/--val-bars/--test-bars,\n" +
			"756/126/126), the latest test span ending at --as-of, earlier windows stepping back by --step (21).\n" +
			"Per window every member model's configurations are fitted on train and scored on validation by\n" +
			"one-step RMSE; simplex weights are calibrated on validation; the chosen configurations are\n" +
			"refitted on train+validation and scored on test. divergence = |val_rmse - test_rmse| / val_rmse;\n" +
			"levels: warning > 0.15, overfitting > 0.20, critical > 0.30. Each window's validation decides\n" +
			"the symbol's ensemble weights from its validation date on: calibrated when divergence <= 0.15,\n" +
			"the DESIGN §4 defaults otherwise (used by runner forecast --weights calibrated).\n" +
			"A window's rows are written in one transaction; re-running a window updates them.",
		Flags: []cli.Flag{
			symbolsFlag(&cli.StringSliceFlag{Name: "symbols", Value: cli.NewStringSlice(DefaultCanarySymbols...), Usage: "symbols to validate"}),
			dateFlag(&cli.StringFlag{Name: "as-of", Usage: "last test bar of the latest window, YYYY-MM-DD (default: the last date every symbol has)"}),
			intAtLeast(&cli.IntFlag{Name: "windows", Value: 1, Usage: "number of latest windows per symbol (at least 1)"}, 1),
			dateFlag(&cli.StringFlag{Name: "from", Usage: "validate every window whose test span ends from this date (YYYY-MM-DD) ..."}),
			dateFlag(&cli.StringFlag{Name: "to", Usage: "... to this date", DefaultText: "the last bar"}),
			ensembleFlag(),
			stringOneOf(&cli.StringFlag{Name: "grid", Value: "canonical", Usage: "canonical (the DESIGN §5 grid) or fixed (the canonical configurations; weights only)"}, "canonical", "fixed"),
			intAtLeast(&cli.IntFlag{Name: "train-bars", Value: walkforward.DefaultTrain, Usage: "train span T in bars (at least 100)"}, walkforward.MinTrain),
			intAtLeast(&cli.IntFlag{Name: "val-bars", Value: walkforward.DefaultVal, Usage: "validation span V in bars (at least 20)"}, walkforward.MinSpan),
			intAtLeast(&cli.IntFlag{Name: "test-bars", Value: walkforward.DefaultTest, Usage: "test span S in bars (at least 20)"}, walkforward.MinSpan),
			intAtLeast(&cli.IntFlag{Name: "step", Value: walkforward.DefaultStep, Usage: "step K between windows in bars (at least 1)"}, 1),
			stringOneOf(&cli.StringFlag{Name: "horizon", Value: jobs.DefaultHorizon, Usage: "forecast horizon (only 1D)"}, jobs.DefaultHorizon),
			int64FromTo(&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed of the learned models, 0 to 4294967295"}, 0, math.MaxUint32),
			intAtLeast(&cli.IntFlag{Name: "epochs", Usage: "training epochs of the learned models, at least 1", DefaultText: "canonical, 30"}, 1),
			&cli.BoolFlag{Name: "early-stop", Value: true, Usage: "early stopping of the learned models"},
			floatIn(&cli.Float64Flag{Name: "neutral-band", Value: forecast.DefaultNeutralBand,
				Usage: "half-width of the neutral return class, > 0 and < 1"}, neutralBandRange),
			intAtLeast(&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "windows run concurrently, at least 1 (results do not depend on it)"}, 1),
			&cli.BoolFlag{Name: "leak-check", Usage: "re-run each window with later bars replaced by noise; any change fails the window"},
			&cli.BoolFlag{Name: "dry-run", Usage: "validate and print, write nothing"},
		},
		Action: func(c *cli.Context) error {
			cfg, err := validateConfig(c)
			if err != nil {
				return err
			}
			run := func(s store.Store) error {
				job := &jobs.ValidateJob{Source: source(c, s), Store: s, Log: e.log}
				if cfg.DryRun {
					job.Store = nil
				}
				var p *progress
				cfg.Progress = func(done, total int) {
					if p == nil {
						p = newProgress(e, "validate", total)
					}
					p.Set(done, 0)
				}
				res, err := job.Run(c.Context, cfg)
				printValidation(e.out, res)
				if errors.Is(err, jobs.ErrPartial) {
					return partialError(err)
				}
				return err
			}
			if cfg.DryRun && c.String("data") != "postgres" && c.String("data") != "store" {
				return run(nil)
			}
			return withStore(c, e, true, run)
		},
	}
}

func validateConfig(c *cli.Context) (jobs.ValidateConfig, error) {
	opts := forecast.Options{Seed: c.Int64("seed"), NeutralBand: c.Float64("neutral-band"),
		Epochs: c.Int("epochs"), NoEarlyStop: !c.Bool("early-stop")}
	cfg := jobs.ValidateConfig{
		Symbols: upper(c.StringSlice("symbols")), Horizon: c.String("horizon"), Windows: c.Int("windows"),
		Window: walkforward.Config{Train: c.Int("train-bars"), Val: c.Int("val-bars"), Test: c.Int("test-bars"),
			Step: c.Int("step")},
		Model: opts, LeakCheck: c.Bool("leak-check"), Workers: c.Int("workers"), DryRun: c.Bool("dry-run"),
		GridName: c.String("grid"), CodeVersion: codeVersion(),
	}
	cfg.Host, _ = os.Hostname()
	for _, d := range []struct {
		flag string
		dst  *time.Time
	}{{"as-of", &cfg.AsOf}, {"from", &cfg.From}, {"to", &cfg.To}} {
		if s := c.String(d.flag); s != "" {
			t, err := time.Parse(marketdata.DateLayout, s)
			if err != nil {
				return cfg, usageErrorf("validate: --%s %q: want YYYY-MM-DD", d.flag, s)
			}
			*d.dst = t
		}
	}
	switch {
	case !cfg.To.IsZero() && cfg.From.IsZero():
		return cfg, usageErrorf("validate: --to needs --from")
	case !cfg.From.IsZero() && (c.IsSet("windows") || c.IsSet("as-of")):
		return cfg, usageErrorf("validate: --from/--to and --windows/--as-of exclude each other")
	case !cfg.From.IsZero() && !cfg.To.IsZero() && cfg.To.Before(cfg.From):
		return cfg, usageErrorf("validate: --to %s is before --from %s", c.String("to"), c.String("from"))
	}
	cfg.Ensembles = ensemblesOf(c)
	cfg.Grid = walkforward.CanonicalGrid(opts)
	if cfg.GridName == "fixed" {
		cfg.Grid = walkforward.FixedGrid(opts)
	}
	return cfg, nil
}

// printValidation prints, per symbol, ensemble and window, the RMSEs,
// divergence and level, the weights and their decision, and the chosen
// configurations.
func printValidation(w io.Writer, res jobs.ValidateResult) {
	for _, s := range res.Symbols {
		if s.Err != nil {
			fmt.Fprintf(w, "%s  error: %v\n\n", s.Symbol, s.Err)
			continue
		}
		for _, o := range s.Windows {
			win := o.Window
			fmt.Fprintf(w, "%s  window %d  train %s..%s  val %s..%s  test %s..%s\n", s.Symbol, win.ID,
				day(win.TrainFirst), day(win.TrainLast), day(win.ValFirst), day(win.ValLast), day(win.TestFirst), day(win.TestLast))
			if o.Err != nil {
				fmt.Fprintf(w, "  error: %v\n\n", o.Err)
				continue
			}
			if o.Result == nil {
				fmt.Fprintf(w, "  not run\n\n")
				continue
			}
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "  ensemble\ttrain_rmse\tval_rmse\ttest_rmse\tdivergence\tlevel\tweights\tdecision")
			decisions := map[string]store.EnsembleWeights{}
			for _, d := range o.Decisions {
				decisions[d.Ensemble] = d
			}
			for _, er := range o.Result.Ensembles {
				if er.Err != nil {
					fmt.Fprintf(tw, "  %s\terror: %v\n", er.Ensemble.Name, er.Err)
					continue
				}
				d := decisions[er.Ensemble.Name]
				fmt.Fprintf(tw, "  %s\t%.6f\t%.6f\t%.6f\t%.4f\t%s\t%s\t%s\n", er.Ensemble.Name, er.TrainRMSE, er.ValRMSE,
					er.TestRMSE, er.Divergence, walkforward.LevelOf(er.Divergence), weightString(er.Ensemble, er.WeightMap()),
					decisionString(d))
			}
			tw.Flush()
			var chosen []string
			for _, m := range sortedKeys(o.Result.Models) {
				mr := o.Result.Models[m]
				if mr.Err != nil {
					chosen = append(chosen, fmt.Sprintf("%s failed: %v", m, mr.Err))
					continue
				}
				c := m + " " + paramString(mr.Params(), nil)
				if mr.Spec["integrated"] == true {
					c += " (integrated GARCH)"
				}
				chosen = append(chosen, c)
			}
			fmt.Fprintf(w, "  chosen: %s\n\n", strings.Join(chosen, "; "))
		}
	}
	if res.Run.ID != 0 {
		fmt.Fprintf(w, "run %d: %s\n", res.Run.ID, res.Run.Status)
	}
}

func decisionString(d store.EnsembleWeights) string {
	switch d.Source {
	case store.WeightsCalibrated:
		return "calibrated weights accepted"
	case store.WeightsReverted:
		return "reverted to defaults " + weightList(d.Weights)
	}
	return "-"
}

func weightString(e forecast.Ensemble, w map[string]float64) string {
	var parts []string
	for _, m := range e.Members {
		parts = append(parts, fmt.Sprintf("%s %.2f", m.Model, w[m.Model]))
	}
	return strings.Join(parts, " ")
}
