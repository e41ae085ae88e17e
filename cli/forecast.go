package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
	"runner/store"
)

// DefaultCanarySymbols are the symbols of the canary's first stage.
var DefaultCanarySymbols = []string{"AAPL", "MSFT", "SPY"}

func forecastCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "forecast",
		Usage: "fit the models and write next-day ensemble forecasts",
		UsageText: "runner forecast [--mode canary|production|shadow | --ensemble candidate|legacy|naive]\n" +
			"                [--symbols AAPL,MSFT,SPY] [--as-of YYYY-MM-DD] [--dry-run]",
		Description: "Modes: canary computes the candidate and legacy ensembles side by side on the canary\n" +
			"symbols (legacy is the served one); shadow computes the candidate only, not served;\n" +
			"production forecasts every symbol of the data with the served ensemble (legacy until a\n" +
			"promotion). --ensemble runs one ensemble, not served. Each symbol's forecasts are\n" +
			"written in one transaction; a symbol that fails is reported and the others are still\n" +
			"written (exit code 3).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "mode", Usage: "canary, production or shadow (default canary unless --ensemble is given)"},
			&cli.StringFlag{Name: "ensemble", Usage: "run one ensemble instead of a mode: candidate, legacy or naive"},
			&cli.StringSliceFlag{Name: "symbols", Usage: "symbols to forecast (default: AAPL,MSFT,SPY for canary and shadow, every symbol otherwise)"},
			&cli.StringFlag{Name: "horizon", Value: jobs.DefaultHorizon, Usage: "forecast horizon (only 1D)"},
			&cli.StringFlag{Name: "as-of", Usage: "date of the last bar the models see, YYYY-MM-DD (default: the last date every symbol has)"},
			&cli.IntFlag{Name: "train-bars", Value: jobs.DefaultTrainBars, Usage: "bars each model fits on, ending at --as-of"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed of the learned models"},
			&cli.IntFlag{Name: "epochs", Usage: "training epochs of the learned models (default 0: canonical)"},
			&cli.BoolFlag{Name: "early-stop", Value: true, Usage: "early stopping of the learned models"},
			&cli.Float64Flag{Name: "neutral-band", Value: forecast.DefaultNeutralBand, Usage: "half-width of the neutral return class"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "symbols run concurrently"},
			&cli.BoolFlag{Name: "dry-run", Usage: "compute and print, write nothing"},
		},
		Action: func(c *cli.Context) error {
			cfg, err := forecastConfig(c)
			if err != nil {
				return err
			}
			run := func(s store.Store) error {
				job := &jobs.ForecastJob{Source: source(c, s), Store: s, Log: e.log}
				if cfg.DryRun {
					job.Store = nil
				}
				res, err := job.Run(c.Context, cfg)
				printForecasts(e.out, res)
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

func forecastConfig(c *cli.Context) (jobs.ForecastConfig, error) {
	cfg := jobs.ForecastConfig{
		Symbols:   c.StringSlice("symbols"),
		Horizon:   c.String("horizon"),
		TrainBars: c.Int("train-bars"),
		Workers:   c.Int("workers"),
		DryRun:    c.Bool("dry-run"),
		Model: forecast.Options{Seed: c.Int64("seed"), NeutralBand: c.Float64("neutral-band"),
			Epochs: c.Int("epochs"), NoEarlyStop: !c.Bool("early-stop")},
		CodeVersion: codeVersion(),
	}
	cfg.Host, _ = os.Hostname()
	for i, s := range cfg.Symbols {
		cfg.Symbols[i] = strings.ToUpper(strings.TrimSpace(s))
	}
	if s := c.String("as-of"); s != "" {
		d, err := time.Parse(marketdata.DateLayout, s)
		if err != nil {
			return cfg, usageErrorf("forecast: --as-of %q: want YYYY-MM-DD", s)
		}
		cfg.AsOf = d
	}
	if cfg.Workers < 1 {
		return cfg, usageErrorf("forecast: --workers %d: need at least 1", cfg.Workers)
	}
	mode, ens := c.String("mode"), c.String("ensemble")
	switch {
	case mode != "" && ens != "":
		return cfg, usageErrorf("forecast: give --mode or --ensemble, not both")
	case ens != "":
		e, err := forecast.EnsembleByName(ens)
		if err != nil {
			return cfg, usageErrorf("%v", err)
		}
		cfg.Ensembles, cfg.Mode = []forecast.Ensemble{e}, ens
		return cfg, nil
	case mode == "":
		mode = "canary"
	}
	cfg.Mode = mode
	switch mode {
	case "canary":
		cfg.Ensembles, cfg.Served = []forecast.Ensemble{forecast.Candidate, forecast.Legacy}, forecast.Legacy.Name
		if len(cfg.Symbols) == 0 {
			cfg.Symbols = DefaultCanarySymbols
		}
	case "shadow":
		cfg.Ensembles = []forecast.Ensemble{forecast.Candidate}
		if len(cfg.Symbols) == 0 {
			cfg.Symbols = DefaultCanarySymbols
		}
	case "production":
		cfg.Ensembles, cfg.Served = []forecast.Ensemble{forecast.Legacy}, forecast.Legacy.Name
	default:
		return cfg, usageErrorf("forecast: --mode %q: want canary, production or shadow", mode)
	}
	return cfg, nil
}

// printForecasts prints one line per symbol and ensemble, then the errors.
func printForecasts(w io.Writer, res jobs.ForecastResult) {
	if len(res.Symbols) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SYMBOL\tAS-OF\tTARGET\tENSEMBLE\tRETURN\tLAST\tFORECAST\t90% INTERVAL\tLABEL\tCONFIDENCE\tMODELS")
	for _, r := range res.Symbols {
		for _, f := range r.Forecasts {
			lo, hi := f.LastPrice*math.Exp(f.CILower), f.LastPrice*math.Exp(f.CIUpper)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%+.4f%%\t%.2f\t%.2f\t%.2f .. %.2f\t%s\t%.3f\t%s\n",
				f.Symbol, f.AsOf.Format(marketdata.DateLayout), f.TargetDate.Format(marketdata.DateLayout),
				f.Ensemble, 100*f.Return, f.LastPrice, f.Price, lo, hi, f.Label, f.Confidence,
				strings.Join(f.ModelsUsed, ","))
		}
	}
	tw.Flush()
	for _, r := range res.Symbols {
		if r.Err != nil {
			fmt.Fprintf(w, "%s: FAILED: %v\n", r.Symbol, r.Err)
		}
		for _, m := range sortedModelNames(r.LostModels) {
			fmt.Fprintf(w, "%s: model %s failed, ensembles renormalised: %v\n", r.Symbol, m, r.LostModels[m])
		}
	}
	if res.Run.ID != 0 {
		fmt.Fprintf(w, "run %d: %s\n", res.Run.ID, res.Run.Status)
	}
}

func sortedModelNames(m map[string]error) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// codeVersion is Version when set at build time, else the VCS revision the
// binary was built from, else "dev".
func codeVersion() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if rev != "" {
			return rev[:min(12, len(rev))] + dirty
		}
	}
	return "dev"
}
