package cli

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"runner/canary"
	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
	"runner/store"
)

// DefaultCanarySymbols are the symbols of the canary's first stage.
var DefaultCanarySymbols = []string{"AAPL", "MSFT", "SPY"}

func forecastCommand(e *env) *cli.Command {
	flags := []cli.Flag{
		stringNotEmpty(&cli.StringFlag{Name: "mode", EnvVars: []string{"CANARY_MODE"},
			Usage: "canary, production or shadow (true = canary, false = production); default canary unless --ensemble is given"},
			"canary, production or shadow"),
		stringNotEmpty(&cli.StringFlag{Name: "ensemble", Usage: "run one ensemble instead of a mode: candidate, legacy or naive (not served)"},
			"candidate, legacy or naive"),
		intOneOf(&cli.IntFlag{Name: "model-count", EnvVars: []string{"ENSEMBLE_MODEL_COUNT"},
			Usage: "the served ensemble: 4 (legacy) or 2 (candidate); in production mode it overrides the canary state", DefaultText: "unset: legacy, or the canary state in production"}, 2, 4),
		symbolsFlag(&cli.StringSliceFlag{Name: "symbols", Usage: "symbols to forecast (default: the canary symbols for canary and shadow, every symbol of the data for production and --ensemble)"}),
		symbolsFlag(&cli.StringSliceFlag{Name: "canary-symbols", EnvVars: []string{"CANARY_SYMBOLS"}, Value: cli.NewStringSlice(DefaultCanarySymbols...),
			Usage: "the canary's symbols"}),
		stringOneOf(&cli.StringFlag{Name: "weights", EnvVars: []string{"ENSEMBLE_OPTIMIZATION_METHOD"}, Value: string(forecast.WeightsDefault),
			Usage: "ensemble weights: default (DESIGN §4), simple_avg, inverse_rmse or ridge (the last two learn from the last --weight-lookback matured forecasts), or calibrated (each symbol's weights decided by runner validate; the defaults where there are none)"},
			string(forecast.WeightsDefault), string(forecast.SimpleAvg), string(forecast.InverseRMSE), string(forecast.Ridge), string(forecast.Calibrated)),
		intAtLeast(&cli.IntFlag{Name: "weight-lookback", Value: jobs.DefaultWeightLookback,
			Usage: fmt.Sprintf("matured forecasts inverse_rmse and ridge learn from (at least %d)", forecast.MinWeightHistory)}, forecast.MinWeightHistory),
		stringOneOf(&cli.StringFlag{Name: "horizon", Value: jobs.DefaultHorizon, Usage: "forecast horizon (only 1D)"}, jobs.DefaultHorizon),
		dateFlag(&cli.StringFlag{Name: "as-of", Usage: "date of the last bar the models see, YYYY-MM-DD (default: the last date every symbol has)"}),
		intAtLeast(&cli.IntFlag{Name: "train-bars", Value: jobs.DefaultTrainBars, Usage: "bars each model fits on, ending at --as-of (at least 2)"}, 2),
		int64FromTo(&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed of the learned models, 0 to 4294967295"}, 0, math.MaxUint32),
		intAtLeast(&cli.IntFlag{Name: "epochs", Usage: "training epochs of the learned models, at least 1", DefaultText: "canonical, 30"}, 1),
		&cli.BoolFlag{Name: "early-stop", Value: true, Usage: "early stopping of the learned models"},
		floatIn(&cli.Float64Flag{Name: "neutral-band", Value: forecast.DefaultNeutralBand,
			Usage: "half-width of the neutral return class, > 0 and < 1"}, neutralBandRange),
		intAtLeast(&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "symbols run concurrently (at least 1)"}, 1),
		&cli.BoolFlag{Name: "dry-run", Usage: "compute and print, write nothing"},
		&cli.BoolFlag{Name: "json", Usage: "print the forecasts as JSON (components and their fitted configurations included)"},
		&cli.BoolFlag{Name: "calibrate", Value: true, Usage: "apply each symbol's and ensemble's latest calibration (runner calibrate); the raw interval is kept beside it"},
	}
	for _, f := range enableFlags {
		flags = append(flags, &cli.BoolFlag{Name: f.flag, EnvVars: []string{f.env}, Value: true,
			Usage: "use the " + f.model + " model; an ensemble that needs a switched-off model is an error"})
	}
	return &cli.Command{
		Name:  "forecast",
		Usage: "fit the models and write next-day ensemble forecasts",
		UsageText: "runner forecast [--mode canary|production|shadow | --ensemble candidate|legacy|naive]\n" +
			"                [--symbols AAPL,MSFT,SPY] [--as-of YYYY-MM-DD] [--weights METHOD] [--dry-run]",
		Description: "Modes: canary fits the four models once per canary symbol and combines them into the\n" +
			"candidate and legacy ensembles side by side (legacy is served unless --model-count 2);\n" +
			"shadow computes the candidate only, not served; production forecasts every symbol of the\n" +
			"data with the ensemble the canary state serves for each symbol (runner canary: the candidate\n" +
			"for the symbols of the stages passed, legacy elsewhere and after a rollback); --model-count\n" +
			"(ENSEMBLE_MODEL_COUNT), when given, wins over the canary state: every symbol gets that\n" +
			"ensemble. --ensemble runs one ensemble, not served.\n" +
			"Each symbol's forecasts are written in one transaction; a symbol that fails or loses a\n" +
			"model is reported and the others are still written (exit code 3). The seed system's\n" +
			"environment switches bind to flags: CANARY_MODE, CANARY_SYMBOLS, ENSEMBLE_MODEL_COUNT,\n" +
			"ENSEMBLE_OPTIMIZATION_METHOD, ENABLE_ARIMA_GARCH, ENABLE_GB, ENABLE_LSTM, ENABLE_TRANSFORMER.",
		Flags: flags,
		Action: func(c *cli.Context) error {
			cfg, err := forecastConfig(c)
			if err != nil {
				return err
			}
			runs, err := runConfig(c)
			if err != nil {
				return err
			}
			run := func(s store.Store) error {
				if cfg.Mode == "production" && !c.IsSet("model-count") && s != nil {
					if err := canaryServing(c, e, s, &cfg); err != nil {
						return err
					}
				}
				// A dry run reads the store (for the weights) but writes nothing.
				job := &jobs.ForecastJob{Source: source(c, s), Store: s, Log: e.log, Runs: runs}
				res, err := job.Run(c.Context, cfg)
				if c.Bool("json") {
					if jerr := printForecastsJSON(e.out, res); jerr != nil && err == nil {
						err = jerr
					}
				} else {
					printForecasts(e.out, res)
				}
				if errors.Is(err, jobs.ErrPartial) {
					return partialError(err)
				}
				return err
			}
			needsStore := cfg.WeightMethod.NeedsHistory() || cfg.WeightMethod == forecast.Calibrated
			if cfg.DryRun && !needsStore && c.String("data") != "postgres" && c.String("data") != "store" &&
				c.String("database-url") == "" && !fileExists(DefaultSQLitePath) {
				// A dry run on a machine without a store: nothing to read
				// calibrations from, nothing to write.
				cfg.Calibrate = false
				return run(nil)
			}
			if cfg.DryRun {
				return withReadStore(c, e, run)
			}
			return withStore(c, e, true, run)
		},
	}
}

// neutralBandRange is the range of --neutral-band: a half-width of the
// neutral class of log returns.
var neutralBandRange = interval{lo: 0, hi: 1, loOpen: true, hiOpen: true}

func forecastConfig(c *cli.Context) (jobs.ForecastConfig, error) {
	cfg := jobs.ForecastConfig{
		Symbols:        upper(c.StringSlice("symbols")),
		Horizon:        c.String("horizon"),
		TrainBars:      c.Int("train-bars"),
		Workers:        c.Int("workers"),
		DryRun:         c.Bool("dry-run"),
		Calibrate:      c.Bool("calibrate"),
		WeightLookback: c.Int("weight-lookback"),
		Model: forecast.Options{Seed: c.Int64("seed"), NeutralBand: c.Float64("neutral-band"),
			Epochs: c.Int("epochs"), NoEarlyStop: !c.Bool("early-stop")},
		CodeVersion: codeVersion(),
	}
	cfg.Host, _ = os.Hostname()
	if s := c.String("as-of"); s != "" {
		d, err := time.Parse(marketdata.DateLayout, s)
		if err != nil {
			return cfg, usageErrorf("forecast: --as-of %q: want YYYY-MM-DD", s)
		}
		cfg.AsOf = d
	}
	method, err := forecast.ParseWeightMethod(c.String("weights"))
	if err != nil {
		return cfg, usageErrorf("forecast: --weights (ENSEMBLE_OPTIMIZATION_METHOD): %v", err)
	}
	cfg.WeightMethod = method
	sel := selection{Mode: c.String("mode"), Ensemble: c.String("ensemble"), ModelCount: c.Int("model-count"),
		Enabled: map[string]bool{}}
	for _, f := range enableFlags {
		sel.Enabled[f.model] = c.Bool(f.flag)
	}
	if cfg.Ensembles, cfg.Served, cfg.Mode, err = sel.resolve(); err != nil {
		return cfg, usageErrorf("forecast: %v", err)
	}
	if len(cfg.Symbols) == 0 && (cfg.Mode == "canary" || cfg.Mode == "shadow") {
		cfg.Symbols = upper(c.StringSlice("canary-symbols"))
		if len(cfg.Symbols) == 0 {
			return cfg, usageErrorf("forecast: --canary-symbols (CANARY_SYMBOLS) is empty")
		}
	}
	return cfg, nil
}

func upper(syms []string) []string {
	var out []string
	for _, s := range syms {
		if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
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

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// canaryServing sets, for a production run without --model-count, the
// ensemble each symbol is served by the canary state (DESIGN §9): both
// ensembles are configured and each symbol computes the one it serves.
func canaryServing(c *cli.Context, e *env, s store.Store, cfg *jobs.ForecastConfig) error {
	p := &canary.Policy{Store: s, Source: source(c, s), Log: e.log}
	syms := cfg.Symbols
	if len(syms) == 0 {
		var err error
		if syms, err = p.Source.Symbols(c.Context); err != nil {
			return fmt.Errorf("forecast: list symbols: %w", err)
		}
	}
	serving, err := p.Serving(c.Context, syms)
	if err != nil {
		return fmt.Errorf("forecast: production serving: %w", err)
	}
	cfg.Ensembles, cfg.ServeByCanary = []forecast.Ensemble{forecast.Candidate, forecast.Legacy}, true
	cfg.Serving = serving
	return nil
}
