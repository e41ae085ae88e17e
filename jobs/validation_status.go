package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"runner/forecast"
	"runner/store"
	"runner/walkforward"
)

// ValidationStatusRow is a symbol's and ensemble's latest validated window
// and the weights in force.
type ValidationStatusRow struct {
	Symbol   string
	Ensemble string
	// Latest is the latest ensemble_validation_metrics row; nil when the
	// symbol has none for the ensemble.
	Latest *store.ValidationMetrics
	// Level is the highest divergence level reached by Latest, or "ok".
	Level string
	// Weights is the current ensemble_weights row; nil when validation has
	// decided none (forecasts with --weights calibrated use the defaults).
	Weights *store.EnsembleWeights
}

// ValidationStatus reports, for every symbol and ensemble, the latest
// validation window (divergence and level) and the current weights.
// Symbols default to every symbol of the source.
func (j *StatusJob) ValidationStatus(ctx context.Context, cfg StatusConfig) ([]ValidationStatusRow, error) {
	cfg.Horizon = cmp.Or(cfg.Horizon, DefaultHorizon)
	symbols := cfg.Symbols
	if len(symbols) == 0 {
		var err error
		if symbols, err = j.Source.Symbols(ctx); err != nil {
			return nil, fmt.Errorf("jobs: status: list symbols: %w", err)
		}
	}
	var out []ValidationStatusRow
	for _, sym := range symbols {
		ms, err := j.Store.ValidationMetrics(ctx, sym, cfg.Horizon)
		if err != nil {
			return nil, fmt.Errorf("jobs: status: %w", err)
		}
		for _, e := range []forecast.Ensemble{forecast.Candidate, forecast.Legacy} {
			row := ValidationStatusRow{Symbol: sym, Ensemble: e.Name}
			for i := len(ms) - 1; i >= 0; i-- {
				if ms[i].ModelCount == len(e.Members) {
					row.Latest = &ms[i]
					row.Level = walkforward.LevelOf(ms[i].Divergence)
					break
				}
			}
			w, err := j.Store.CurrentWeights(ctx, sym, cfg.Horizon, e.Name, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)) // the latest row
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return nil, fmt.Errorf("jobs: status: %w", err)
			default:
				row.Weights = &w
			}
			if row.Latest != nil || row.Weights != nil {
				out = append(out, row)
			}
		}
	}
	return out, nil
}
