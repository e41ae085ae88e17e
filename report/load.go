package report

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"runner/jobs"
	"runner/marketdata"
	"runner/store"
)

// DefaultRuns is how many of the latest runs the report lists.
const DefaultRuns = 20

// LoadConfig says what Load reads.
type LoadConfig struct {
	// Symbols to report. Default: every symbol with a forecast in the
	// range, then every other symbol a run names that has a walk-forward
	// window in the range, each in order.
	Symbols []string
	// From and To bound the as-of dates of the forecasts and the
	// validation dates of the windows, inclusive (To's whole day); zero
	// leaves that side open. Default: open.
	From, To time.Time
	// Horizon of the forecasts. Default jobs.DefaultHorizon.
	Horizon string
	// Runs is how many of the latest runs to list; the latest run of each
	// other kind is listed too, so that a backfill's many forecast runs do
	// not hide the latest validation. Default DefaultRuns.
	Runs int
	// Source gives the bars of the summary's comparison with the naive
	// model (runner status's VS NAIVE). Default nil: no comparison.
	Source marketdata.Source
	// Now is the clock of Data.Generated. Default time.Now.
	Now func() time.Time
}

// Load reads from st what the report of cfg draws. The canary view is left
// nil: the caller fills it.
func Load(ctx context.Context, st store.Store, cfg LoadConfig) (Data, error) {
	cfg.Horizon = cmp.Or(cfg.Horizon, jobs.DefaultHorizon)
	cfg.Runs = cmp.Or(cfg.Runs, DefaultRuns)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if !cfg.From.IsZero() && !cfg.To.IsZero() && cfg.To.Before(cfg.From) {
		return Data{}, fmt.Errorf("report: load: to %s is before from %s", cfg.To.Format(time.DateOnly), cfg.From.Format(time.DateOnly))
	}
	d := Data{Generated: cfg.Now(), From: cfg.From, To: cfg.To, Horizon: cfg.Horizon}
	// Every symbol's forecasts at once, or those of the symbols asked for.
	filters := []store.ForecastFilter{{Horizon: cfg.Horizon, From: cfg.From, To: cfg.To}}
	if len(cfg.Symbols) > 0 {
		filters = filters[:0]
		for _, sym := range cfg.Symbols {
			filters = append(filters, store.ForecastFilter{Symbol: sym, Horizon: cfg.Horizon, From: cfg.From, To: cfg.To})
		}
	}
	bySymbol := map[string][]store.Forecast{}
	var withForecasts []string
	for _, f := range filters {
		fs, err := st.Forecasts(ctx, f)
		if err != nil {
			return d, fmt.Errorf("report: load forecasts: %w", err)
		}
		for _, f := range fs {
			if _, ok := bySymbol[f.Symbol]; !ok {
				withForecasts = append(withForecasts, f.Symbol)
			}
			bySymbol[f.Symbol] = append(bySymbol[f.Symbol], f)
		}
	}
	runs, err := st.Runs(ctx, store.RunFilter{})
	if err != nil {
		return d, fmt.Errorf("report: load runs: %w", err)
	}
	d.Runs = latestRuns(runs, cfg.Runs)

	symbols, explicit := cfg.Symbols, len(cfg.Symbols) > 0
	if !explicit {
		symbols = withForecasts
		for _, r := range runs {
			for _, s := range r.Symbols {
				if !slices.Contains(symbols, s) {
					symbols = append(symbols, s)
				}
			}
		}
	}
	summary, err := (&jobs.StatusJob{Source: cfg.Source, Store: st}).Run(ctx, jobs.StatusConfig{
		Symbols: symbols, Horizon: cfg.Horizon, Window: math.MaxInt32, From: cfg.From, To: cfg.To})
	if err != nil {
		return d, fmt.Errorf("report: load: %w", err)
	}
	for _, sym := range symbols {
		if err := ctx.Err(); err != nil {
			return d, fmt.Errorf("report: load %s: %w", sym, err)
		}
		sd := SymbolData{Symbol: sym, Forecasts: bySymbol[sym]}
		ms, err := st.ValidationMetrics(ctx, sym, cfg.Horizon)
		if err != nil {
			return d, fmt.Errorf("report: load %s validation: %w", sym, err)
		}
		for _, m := range ms {
			if inRange(m.ValidationDate, cfg.From, cfg.To) {
				sd.Validation = append(sd.Validation, m)
			}
		}
		if !explicit && len(sd.Forecasts) == 0 && len(sd.Validation) == 0 {
			continue // named by a run, nothing in range
		}
		ws, err := st.WeightsHistory(ctx, sym, cfg.Horizon, "")
		if err != nil {
			return d, fmt.Errorf("report: load %s weights: %w", sym, err)
		}
		sd.Weights = weightsInRange(ws, cfg.From, cfg.To)
		for _, r := range summary {
			if r.Symbol == sym {
				sd.Summary = append(sd.Summary, r)
			}
		}
		d.Symbols = append(d.Symbols, sd)
	}
	return d, nil
}

// latestRuns returns the first n of runs (latest first) and the first run
// of every kind not among them, in the order of runs.
func latestRuns(runs []store.Run, n int) []store.Run {
	kinds := map[string]bool{}
	var out []store.Run
	for i, r := range runs {
		if i < n || !kinds[r.Kind] {
			out = append(out, r)
		}
		kinds[r.Kind] = true
	}
	return out
}

// inRange reports whether t falls from from's day to the end of to's UTC
// day; a zero bound is open.
func inRange(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to.AddDate(0, 0, 1)))
}

// weightsInRange keeps, of weights rows by effective time, those of the
// range and, per ensemble, the last one before it (in force at from).
func weightsInRange(ws []store.EnsembleWeights, from, to time.Time) []store.EnsembleWeights {
	inForce := map[string]int{} // ensemble -> index of its last row before from
	for i, w := range ws {
		if !from.IsZero() && w.EffectiveAt.Before(from) {
			inForce[w.Ensemble] = i
		}
	}
	var out []store.EnsembleWeights
	for i, w := range ws {
		if inRange(w.EffectiveAt, from, to) || (!from.IsZero() && w.EffectiveAt.Before(from) && inForce[w.Ensemble] == i) {
			out = append(out, w)
		}
	}
	return out
}
