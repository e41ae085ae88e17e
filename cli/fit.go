package cli

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"runner/forecast"
	"runner/marketdata"
)

// fitInput is what `runner fit` hands a model's fitter.
type fitInput struct {
	// File is the --csv path.
	File string
	// Column is the --column name; empty when the file was read as bars.
	Column string
	// Series is the modelled series: the values of Column when given,
	// otherwise the log returns of the adjusted close of Bars.
	Series []float64
	// Bars are the validated bars of File, up to --as-of and limited to the
	// last --train-bars; nil when Column is given.
	Bars []marketdata.Bar
	// Opts are the common model options from the flags.
	Opts forecast.Options
	// Horizon is the number of steps to forecast (--horizon, default 1).
	Horizon int
	// JSON asks for machine-readable output.
	JSON bool
	// Out is where the report goes.
	Out io.Writer
}

// fitter is one model's implementation of `runner fit`.
type fitter struct {
	// flags are the model's own flags, added to the fit command.
	flags []cli.Flag
	// needsBars is true for models that need prices and volumes (not a bare
	// series given with --column).
	needsBars bool
	// multiStep is true for models that forecast more than one step
	// (--horizon above 1).
	multiStep bool
	run       func(c *cli.Context, in fitInput) error
	// model builds the model with the flags, for --predict-to.
	model func(c *cli.Context, opts forecast.Options) (forecast.Model, error)
}

var fitters = map[string]fitter{}

// registerFitter adds a model to `runner fit`; called from init functions.
func registerFitter(name string, f fitter) {
	if _, dup := fitters[name]; dup {
		panic("cli: fitter registered twice: " + name)
	}
	fitters[name] = f
}

func fitterNames() []string {
	var n []string
	for k := range fitters {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

func fitCommand(e *env) *cli.Command {
	flags := []cli.Flag{
		stringOneOf(&cli.StringFlag{Name: "model", Required: true, Usage: "model to fit: " + strings.Join(fitterNames(), ", ")},
			fitterNames()...),
		pathFlag(&cli.StringFlag{Name: "csv", Required: true, Usage: "CSV file: a price file (Date,Open,High,Low,Close[,Adj Close],Volume) or any CSV with --column"},
			false, "a CSV file"),
		stringNotEmpty(&cli.StringFlag{Name: "column", Usage: "model this column as a bare series instead of the log returns of a price file"},
			"a column name of the CSV file"),
		dateFlag(&cli.StringFlag{Name: "as-of", Usage: "last bar to use, YYYY-MM-DD (default: the last bar of the file)"}),
		intAtLeast(&cli.IntFlag{Name: "train-bars", Usage: "fit on the last N bars up to --as-of, at least 2", DefaultText: "all bars"}, 2),
		intAtLeast(&cli.IntFlag{Name: "horizon", Value: 1, Usage: "forecast steps ahead (above 1 for arima_garch only)"}, 1),
		int64FromTo(&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed for models that use one, 0 to 4294967295"}, 0, math.MaxUint32),
		intAtLeast(&cli.IntFlag{Name: "epochs", Usage: "training epochs for learned models, at least 1", DefaultText: "the model's canonical value"}, 1),
		&cli.BoolFlag{Name: "early-stop", Value: true, Usage: "early stopping for learned models"},
		floatIn(&cli.Float64Flag{Name: "neutral-band", Value: forecast.DefaultNeutralBand,
			Usage: "half-width of the neutral return class, > 0 and < 1"}, neutralBandRange),
		dateFlag(&cli.StringFlag{Name: "predict-to", Usage: "fit once on the bars ending at --as-of, then predict every trading day from --as-of to this date (YYYY-MM-DD) from the bars up to it, without refitting"}),
		&cli.BoolFlag{Name: "json", Usage: "print JSON instead of text"},
	}
	seen := map[string]bool{}
	for _, name := range fitterNames() {
		for _, f := range fitters[name].flags {
			if !seen[f.Names()[0]] {
				seen[f.Names()[0]] = true
				flags = append(flags, f)
			}
		}
	}
	return &cli.Command{
		Name:      "fit",
		Usage:     "fit one model on one series and print estimates, diagnostics and the forecast",
		UsageText: "runner fit --model NAME --csv FILE [--column NAME | --as-of DATE --train-bars N [--predict-to DATE]] [model flags] [--json]",
		Description: "A researcher's tool: fits one model on one CSV file, the way anyone can check a model\n" +
			"against another package. Without --column the file is read as daily bars and the model\n" +
			"fits the log returns of the adjusted close. With --predict-to the model is fitted once and\n" +
			"predicts each later day from the bars up to it (fit once, predict later days), with the\n" +
			"realised returns where the file has them and the RMSE, MAE and directional accuracy.",
		Flags: flags,
		Action: func(c *cli.Context) error {
			name := c.String("model")
			f, ok := fitters[name]
			if !ok {
				return usageErrorf("fit: unknown model %q (available: %s)", name, strings.Join(fitterNames(), ", "))
			}
			in := fitInput{
				File:    c.String("csv"),
				Column:  c.String("column"),
				Horizon: c.Int("horizon"),
				JSON:    c.Bool("json"),
				Out:     e.out,
				Opts: forecast.Options{Seed: c.Int64("seed"), NeutralBand: c.Float64("neutral-band"),
					Epochs: c.Int("epochs"), NoEarlyStop: !c.Bool("early-stop")},
			}
			if err := checkFitFlags(c, name, f, in); err != nil {
				return err
			}
			if in.Column != "" {
				if f.needsBars {
					return usageErrorf("fit: model %s needs a price file with volumes; drop --column", name)
				}
				s, err := readColumn(in.File, in.Column)
				if err != nil {
					return err
				}
				in.Series = s
				return f.run(c, in)
			}
			bars, err := marketdata.ReadCSVFile(in.File, "")
			if err != nil {
				return err
			}
			var asOf time.Time
			if s := c.String("as-of"); s != "" {
				if asOf, err = time.Parse(marketdata.DateLayout, s); err != nil {
					return usageErrorf("fit: --as-of %q: want YYYY-MM-DD", s)
				}
			}
			n := c.Int("train-bars")
			if n <= 0 {
				n = marketdata.IndexOf(bars, bars[len(bars)-1].Date) + 1
				if !asOf.IsZero() {
					n = 1
					for n < len(bars) && !bars[n].Date.After(asOf) {
						n++
					}
				}
			}
			if in.Bars, err = marketdata.Window(bars, asOf, n); err != nil {
				return err
			}
			in.Series = marketdata.LogReturns(in.Bars)
			if c.IsSet("predict-to") {
				return fitPredict(c, name, f, in, bars)
			}
			return f.run(c, in)
		},
	}
}

// checkFitFlags rejects flags that the chosen model or input would ignore:
// another model's flags, --horizon above 1 for a one-step model, and the
// bar-window flags with --column.
func checkFitFlags(c *cli.Context, name string, f fitter, in fitInput) error {
	own := map[string]bool{}
	for _, fl := range f.flags {
		own[fl.Names()[0]] = true
	}
	var multi []string
	for _, other := range fitterNames() {
		if fitters[other].multiStep {
			multi = append(multi, other)
		}
		if other == name {
			continue
		}
		for _, fl := range fitters[other].flags {
			if n := fl.Names()[0]; c.IsSet(n) && !own[n] {
				return usageErrorf("fit: --%s applies to model %s, not %s", n, other, name)
			}
		}
	}
	if c.IsSet("predict-to") && in.Horizon > 1 {
		return usageErrorf("fit: --predict-to makes one-step predictions: drop --horizon %d", in.Horizon)
	}
	if in.Horizon > 1 && !f.multiStep {
		return usageErrorf("fit: --horizon %d: model %s forecasts one step; only %s forecasts more",
			in.Horizon, name, strings.Join(multi, ", "))
	}
	if in.Column != "" {
		for _, n := range []string{"as-of", "train-bars", "predict-to"} {
			if c.IsSet(n) {
				return usageErrorf("fit: --%s applies to a price file read as bars; drop it with --column", n)
			}
		}
	}
	return nil
}

// readColumn reads the named numeric column of a CSV file with a header. The
// column must be named exactly once (ignoring letter case); every row must
// have the header's number of fields and a finite value in the column. A
// name the header does not have is a usage error listing the columns.
func readColumn(path, column string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1 // checked below, to name the line in our own words
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("fit: %s: empty file: no header", path)
	}
	if err != nil {
		return nil, csvReadError(path, err)
	}
	headerLine, _ := r.FieldPos(0)
	idx := -1
	for i, h := range header {
		if !strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), column) {
			continue
		}
		if idx >= 0 {
			return nil, fmt.Errorf("fit: %s line %d: column %s appears twice (columns %d and %d)", path, headerLine, column, idx+1, i+1)
		}
		idx = i
	}
	if idx < 0 {
		return nil, usageErrorf("fit: --column %q: not a column of %s (columns: %s)", column, path, strings.Join(header, ", "))
	}
	var s []float64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// No FieldPos here: after a failed Read it panics.
			return nil, csvReadError(path, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			return nil, fmt.Errorf("fit: %s line %d: row has %d fields, the header has %d", path, line, len(rec), len(header))
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[idx]), 64)
		if err != nil {
			return nil, fmt.Errorf("fit: %s line %d: unparsable %s %q", path, line, column, rec[idx])
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("fit: %s line %d: %s %v is not a finite number", path, line, column, v)
		}
		s = append(s, v)
	}
	if len(s) == 0 {
		return nil, fmt.Errorf("fit: %s: column %s has no values", path, column)
	}
	return s, nil
}

// csvReadError locates an error of the CSV reader: the file and the line
// where the record it was reading starts.
func csvReadError(path string, err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("fit: read %s: %w", path, err)
	}
	if pe.Line != pe.StartLine {
		return fmt.Errorf("fit: %s line %d: malformed CSV record: line %d, column %d: %w", path, pe.StartLine, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("fit: %s line %d: malformed CSV record: column %d: %w", path, pe.StartLine, pe.Column, pe.Err)
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
