package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"runner/store"
)

// predictionColumns are the columns validation predictions are copied into
// and read from, in the order of store.ValidationPrediction.
var predictionColumns = []string{"symbol", "horizon", "ensemble", "model", "window_id", "span", "as_of",
	"target_date", "mu", "sigma", "p_bearish", "p_neutral", "p_bullish", "ci_lower", "ci_upper", "realised_return"}

// SaveValidationWindows writes walk-forward windows in one transaction:
// metrics upserted, alerts and predictions replaced (predictions by COPY),
// weights upserted.
func (s *Store) SaveValidationWindows(ctx context.Context, ws []store.ValidationWindow) (err error) {
	done := make([]store.ValidationWindow, len(ws))
	for i, w := range ws {
		var err error
		if done[i], err = w.Complete(); err != nil {
			return fmt.Errorf("postgres: save validation windows: %w", err)
		}
	}
	ctx, end := s.bound(ctx, "save validation windows")
	defer func() { err = end(err) }()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, w := range done {
			if err := saveWindow(ctx, tx, w); err != nil {
				m := w.Metrics
				return fmt.Errorf("%s %s %s window %d: %w", m.Symbol, m.Horizon, w.Ensemble, m.WindowID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: save validation windows: %w", err)
	}
	return nil
}

// saveWindow writes one completed window in tx.
func saveWindow(ctx context.Context, tx pgx.Tx, w store.ValidationWindow) error {
	m := w.Metrics
	if err := upsertMetrics(ctx, tx, m); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	key := []any{m.Symbol, m.Horizon, w.Ensemble, m.WindowID}
	if _, err := tx.Exec(ctx, `DELETE FROM divergence_alerts
		WHERE symbol = $1 AND horizon = $2 AND ensemble = $3 AND window_id = $4`, key...); err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	for _, a := range w.Alerts {
		_, err := tx.Exec(ctx, `INSERT INTO divergence_alerts
			(run_id, symbol, horizon, ensemble, validation_date, window_id, level, divergence, threshold,
			 val_rmse, test_rmse)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			nullID(a.RunID), a.Symbol, a.Horizon, a.Ensemble, a.ValidationDate, a.WindowID, a.Level,
			a.Divergence, a.Threshold, a.ValRMSE, a.TestRMSE)
		if err != nil {
			return fmt.Errorf("alert %s: %w", a.Level, err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM validation_predictions
		WHERE symbol = $1 AND horizon = $2 AND ensemble = $3 AND window_id = $4`, key...); err != nil {
		return fmt.Errorf("predictions: %w", err)
	}
	if len(w.Predictions) > 0 {
		ps := w.Predictions
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"validation_predictions"}, predictionColumns,
			pgx.CopyFromSlice(len(ps), func(i int) ([]any, error) {
				p := ps[i]
				return []any{p.Symbol, p.Horizon, p.Ensemble, p.Model, p.WindowID, p.Span, p.AsOf, p.TargetDate,
					p.Mu, p.Sigma, p.PBear, p.PNeutral, p.PBull, p.CILower, p.CIUpper, p.Realised}, nil
			}))
		if err != nil {
			return fmt.Errorf("predictions: %w", err)
		}
	}
	if w.Weights != nil {
		if err := upsertWeights(ctx, tx, *w.Weights); err != nil {
			return fmt.Errorf("weights: %w", err)
		}
	}
	return nil
}

// DivergenceAlerts returns the alerts of one symbol and horizon.
func (s *Store) DivergenceAlerts(ctx context.Context, symbol, horizon string) (_ []store.DivergenceAlert, err error) {
	ctx, end := s.bound(ctx, "divergence alerts %s %s", symbol, horizon)
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT id, run_id, symbol, horizon, ensemble, validation_date, window_id,
		level, divergence::float8, threshold::float8, val_rmse::float8, test_rmse::float8, created_at
		FROM divergence_alerts WHERE symbol = $1 AND horizon = $2
		ORDER BY validation_date, ensemble,
			CASE level WHEN 'warning' THEN 1 WHEN 'overfitting' THEN 2 ELSE 3 END, window_id`, symbol, horizon)
	if err != nil {
		return nil, fmt.Errorf("postgres: divergence alerts %s %s: %w", symbol, horizon, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.DivergenceAlert, error) {
		var a store.DivergenceAlert
		var run *int64
		err := row.Scan(&a.ID, &run, &a.Symbol, &a.Horizon, &a.Ensemble, &a.ValidationDate, &a.WindowID,
			&a.Level, &a.Divergence, &a.Threshold, &a.ValRMSE, &a.TestRMSE, &a.CreatedAt)
		a.RunID = deref(run)
		a.ValidationDate, a.CreatedAt = a.ValidationDate.UTC(), a.CreatedAt.UTC()
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: divergence alerts %s %s: %w", symbol, horizon, err)
	}
	return out, nil
}

// ValidationPredictions returns the predictions matching f.
func (s *Store) ValidationPredictions(ctx context.Context, f store.ValidationPredictionFilter) (_ []store.ValidationPrediction, err error) {
	ctx, end := s.bound(ctx, "validation predictions")
	defer func() { err = end(err) }()
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	for _, c := range []struct{ col, v string }{
		{"symbol", f.Symbol}, {"horizon", f.Horizon}, {"ensemble", f.Ensemble}, {"model", f.Model}, {"span", f.Span},
	} {
		if c.v != "" {
			add(c.col+" = $%d", c.v)
		}
	}
	if !f.From.IsZero() {
		add("as_of >= $%d", f.From)
	}
	if !f.To.IsZero() {
		add("as_of <= $%d", f.To)
	}
	q := `SELECT ` + strings.Join(predictionColumns, ", ") + ` FROM validation_predictions`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY symbol, ensemble, model, as_of, span, horizon, window_id"
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: validation predictions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.ValidationPrediction, error) {
		var p store.ValidationPrediction
		err := row.Scan(&p.Symbol, &p.Horizon, &p.Ensemble, &p.Model, &p.WindowID, &p.Span, &p.AsOf, &p.TargetDate,
			&p.Mu, &p.Sigma, &p.PBear, &p.PNeutral, &p.PBull, &p.CILower, &p.CIUpper, &p.Realised)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: validation predictions: %w", err)
	}
	return out, nil
}

// OverfittingSymbols reads vw_overfitting_symbols.
func (s *Store) OverfittingSymbols(ctx context.Context) (_ []store.OverfittingSymbol, err error) {
	ctx, end := s.bound(ctx, "overfitting symbols")
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT symbol, horizon, overfitting_count, latest_overfitting,
		avg_divergence::float8, max_divergence::float8 FROM vw_overfitting_symbols ORDER BY symbol, horizon`)
	if err != nil {
		return nil, fmt.Errorf("postgres: overfitting symbols: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.OverfittingSymbol, error) {
		var o store.OverfittingSymbol
		err := row.Scan(&o.Symbol, &o.Horizon, &o.Count, &o.Latest, &o.AvgDivergence, &o.MaxDivergence)
		o.Latest = o.Latest.UTC()
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: overfitting symbols: %w", err)
	}
	return out, nil
}

// DivergenceTrends reads vw_divergence_trends for one symbol and horizon.
func (s *Store) DivergenceTrends(ctx context.Context, symbol, horizon string) (_ []store.DivergenceTrend, err error) {
	ctx, end := s.bound(ctx, "divergence trends %s %s", symbol, horizon)
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT symbol, horizon, validation_date, window_id, model_count,
		divergence::float8, is_overfitting, window_sequence FROM vw_divergence_trends
		WHERE symbol = $1 AND horizon = $2 ORDER BY window_sequence`, symbol, horizon)
	if err != nil {
		return nil, fmt.Errorf("postgres: divergence trends %s %s: %w", symbol, horizon, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.DivergenceTrend, error) {
		var d store.DivergenceTrend
		err := row.Scan(&d.Symbol, &d.Horizon, &d.ValidationDate, &d.WindowID, &d.ModelCount, &d.Divergence,
			&d.IsOverfitting, &d.WindowSequence)
		d.ValidationDate = d.ValidationDate.UTC()
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: divergence trends %s %s: %w", symbol, horizon, err)
	}
	return out, nil
}

// nullID maps the zero id to NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// deref is the value p points to, or the zero value for nil (NULL).
func deref[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}
