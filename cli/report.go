package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"runner/canary"
	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
	"runner/report"
	"runner/store"
)

func reportCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "write one self-contained HTML page: canary, forecasts against outcomes, validation, calibration, runs",
		UsageText: "runner report --out report.html [--symbols A,B] [--from DATE --to DATE]",
		Description: "The page needs no network to open: its charts are inline SVG drawn by gonum/plot and\n" +
			"it loads no script, stylesheet or font. It shows the canary stage and its events; per symbol,\n" +
			"the summary of runner status over the matured forecasts of the range, the realised returns\n" +
			"against both ensembles' forecasts and 90% bands, the rolling RMSE of the candidate relative\n" +
			"to legacy (--rmse-window as-of dates), the rolling coverage of the 90% interval\n" +
			"(--coverage-window forecasts), the divergence of each walk-forward window with the 15/20/30%\n" +
			"levels and the weight reversions, the reliability diagram of P(up), and the weights\n" +
			"history; then the latest runs. A chart with no data says which command produces it.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: "report.html", Usage: "the HTML file to write (replaced atomically)"},
			symbolsFlag(&cli.StringSliceFlag{Name: "symbols", Usage: "symbols to report (default: every symbol with forecasts in the range, or validated in it)"}),
			dateFlag(&cli.StringFlag{Name: "from", Usage: "first as-of or validation date, YYYY-MM-DD", DefaultText: "the first"}),
			dateFlag(&cli.StringFlag{Name: "to", Usage: "last as-of or validation date, YYYY-MM-DD", DefaultText: "the latest"}),
			stringOneOf(&cli.StringFlag{Name: "horizon", Value: jobs.DefaultHorizon, Usage: "forecast horizon (only 1D)"}, jobs.DefaultHorizon),
			intAtLeast(&cli.IntFlag{Name: "runs", Value: report.DefaultRuns, Usage: "latest runs listed (at least 1)"}, 1),
			intAtLeast(&cli.IntFlag{Name: "rmse-window", Value: report.DefaultRMSEWindow, Usage: "as-of dates in each point of the rolling RMSE ratio (at least 2)"}, 2),
			intAtLeast(&cli.IntFlag{Name: "coverage-window", Value: report.DefaultCoverageWindow, Usage: "matured forecasts in each point of the rolling coverage (at least 2)"}, 2),
		},
		Action: func(c *cli.Context) error {
			lc := report.LoadConfig{Symbols: upper(c.StringSlice("symbols")), Horizon: c.String("horizon"), Runs: c.Int("runs")}
			for _, d := range []struct {
				flag string
				dst  *time.Time
			}{{"from", &lc.From}, {"to", &lc.To}} {
				if s := c.String(d.flag); s != "" {
					t, err := time.Parse(marketdata.DateLayout, s)
					if err != nil {
						return usageErrorf("report: --%s %q: want YYYY-MM-DD", d.flag, s)
					}
					*d.dst = t
				}
			}
			if !lc.From.IsZero() && !lc.To.IsZero() && lc.To.Before(lc.From) {
				return usageErrorf("report: --to %s is before --from %s", c.String("to"), c.String("from"))
			}
			out := c.String("out")
			if out == "" {
				return usageErrorf("report: --out: want a file name")
			}
			return withStore(c, e, true, func(s store.Store) error {
				start := time.Now()
				lc.Source = source(c, s)
				d, err := report.Load(c.Context, s, lc)
				if err != nil {
					return err
				}
				if d.Canary, err = loadCanaryView(c.Context, s, lc.Source); err != nil {
					return err
				}
				n, err := writeReport(c.Context, out, d, report.Config{RMSEWindow: c.Int("rmse-window"),
					CoverageWindow: c.Int("coverage-window")})
				if err != nil {
					return err
				}
				forecasts := 0
				for _, s := range d.Symbols {
					forecasts += len(s.Forecasts)
				}
				fmt.Fprintf(e.out, "wrote %s: %.1f kB, %d symbols, %d forecasts, %d runs, in %s\n", out, float64(n)/1000,
					len(d.Symbols), forecasts, len(d.Runs), time.Since(start).Round(time.Millisecond))
				return nil
			})
		},
	}
}

// loadCanaryView reads the canary's stage and events for the report; nil
// when no canary was started. The stage is the current stage's name, or
// "promoted" or "rolled_back" once the deployment ended; the scope is the
// symbols of src production serves the candidate for; an event's time is
// the trading day it decided.
func loadCanaryView(ctx context.Context, s store.Store, src marketdata.Source) (*report.CanaryView, error) {
	p := &canary.Policy{Store: s, Source: src}
	d, err := p.Latest(ctx)
	if errors.Is(err, canary.ErrNoCanary) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report: canary: %w", err)
	}
	evs, err := s.CanaryEvents(ctx, d.ID)
	if err != nil {
		return nil, fmt.Errorf("report: canary: %w", err)
	}
	v := &report.CanaryView{Stage: d.Stages[d.Stage].Name, StageSince: d.StageStartedOn}
	if d.Status != store.CanaryActive {
		v.Stage = string(d.Status)
		if len(evs) > 0 {
			v.StageSince = evs[len(evs)-1].AsOf
		}
	}
	syms, err := src.Symbols(ctx)
	if err != nil {
		return nil, fmt.Errorf("report: canary: list symbols: %w", err)
	}
	serving, err := p.Serving(ctx, syms)
	if err != nil {
		return nil, fmt.Errorf("report: canary: %w", err)
	}
	for _, sym := range syms {
		if serving[sym].Ensemble == forecast.Candidate.Name {
			v.Scope = append(v.Scope, sym)
		}
	}
	for _, ev := range evs {
		stage := ev.FromStage
		if ev.ToStage != ev.FromStage {
			stage = ev.FromStage + " → " + ev.ToStage
		}
		v.Events = append(v.Events, report.CanaryEvent{At: ev.AsOf, Kind: ev.Kind, Stage: stage, Reason: ev.Reason, Actor: ev.Actor})
	}
	return v, nil
}

// writeReport renders d to path through a temporary file in the same
// directory renamed over it, so that a failed write leaves any earlier
// report whole. It returns the size written.
func writeReport(ctx context.Context, path string, d report.Data, cfg report.Config) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, fmt.Errorf("report: create %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	w := bufio.NewWriter(tmp)
	err = report.Write(ctx, w, d, cfg)
	if err == nil {
		err = w.Flush()
	}
	var size int64
	if err == nil {
		var st os.FileInfo
		if st, err = tmp.Stat(); err == nil {
			size = st.Size()
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("report: write %s: %w", path, err)
	}
	return size, nil
}
