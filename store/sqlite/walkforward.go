package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"runner/store"
)

const predictionColumns = `symbol, horizon, ensemble, model, window_id, span, as_of, target_date,
	mu, sigma, p_bearish, p_neutral, p_bullish, ci_lower, ci_upper, realised_return`

// SaveValidationWindows writes walk-forward windows in one transaction:
// metrics upserted, alerts and predictions replaced, weights upserted.
func (s *Store) SaveValidationWindows(ctx context.Context, ws []store.ValidationWindow) (err error) {
	done := make([]store.ValidationWindow, len(ws))
	for i, w := range ws {
		var err error
		if done[i], err = w.Complete(); err != nil {
			return fmt.Errorf("sqlite: save validation windows: %w", err)
		}
	}
	ctx, end := s.bound(ctx, "save validation windows")
	defer func() { err = end(err) }()
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		alert, err := tx.PrepareContext(ctx, `INSERT INTO divergence_alerts
			(run_id, symbol, horizon, ensemble, validation_date, window_id, level, divergence, threshold,
			 val_rmse, test_rmse)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer alert.Close()
		pred, err := tx.PrepareContext(ctx, `INSERT INTO validation_predictions (`+predictionColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer pred.Close()
		for _, w := range done {
			if err := saveWindow(ctx, tx, alert, pred, w); err != nil {
				m := w.Metrics
				return fmt.Errorf("%s %s %s window %d: %w", m.Symbol, m.Horizon, w.Ensemble, m.WindowID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: save validation windows: %w", err)
	}
	return nil
}

// saveWindow writes one completed window in tx with the prepared alert and
// prediction inserts.
func saveWindow(ctx context.Context, tx *sql.Tx, alert, pred *sql.Stmt, w store.ValidationWindow) error {
	m := w.Metrics
	if err := upsertMetrics(ctx, tx, m); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	key := []any{m.Symbol, m.Horizon, w.Ensemble, m.WindowID}
	if _, err := tx.ExecContext(ctx, `DELETE FROM divergence_alerts
		WHERE symbol = ? AND horizon = ? AND ensemble = ? AND window_id = ?`, key...); err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	for _, a := range w.Alerts {
		_, err := alert.ExecContext(ctx, nullID(a.RunID), a.Symbol, a.Horizon, a.Ensemble, fmtTime(a.ValidationDate),
			a.WindowID, a.Level, a.Divergence, a.Threshold, a.ValRMSE, a.TestRMSE)
		if err != nil {
			return fmt.Errorf("alert %s: %w", a.Level, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM validation_predictions
		WHERE symbol = ? AND horizon = ? AND ensemble = ? AND window_id = ?`, key...); err != nil {
		return fmt.Errorf("predictions: %w", err)
	}
	for i, p := range w.Predictions {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		_, err := pred.ExecContext(ctx, p.Symbol, p.Horizon, p.Ensemble, p.Model, p.WindowID, p.Span,
			p.AsOf.Format(dateLayout), p.TargetDate.Format(dateLayout), p.Mu, p.Sigma, p.PBear, p.PNeutral,
			p.PBull, p.CILower, p.CIUpper, p.Realised)
		if err != nil {
			return fmt.Errorf("prediction %s %s %s: %w", p.Model, p.Span, p.AsOf.Format(dateLayout), err)
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
	rows, err := s.db.QueryContext(ctx, `SELECT id, run_id, symbol, horizon, ensemble, validation_date,
		window_id, level, divergence, threshold, val_rmse, test_rmse, created_at
		FROM divergence_alerts WHERE symbol = ? AND horizon = ?
		ORDER BY validation_date, ensemble,
			CASE level WHEN 'warning' THEN 1 WHEN 'overfitting' THEN 2 ELSE 3 END, window_id`, symbol, horizon)
	if err != nil {
		return nil, fmt.Errorf("sqlite: divergence alerts %s %s: %w", symbol, horizon, err)
	}
	out, err := collectRows(rows, func(row scanner) (store.DivergenceAlert, error) {
		var (
			a              store.DivergenceAlert
			run            sql.NullInt64
			vdate, created string
		)
		err := row.Scan(&a.ID, &run, &a.Symbol, &a.Horizon, &a.Ensemble, &vdate, &a.WindowID, &a.Level,
			&a.Divergence, &a.Threshold, &a.ValRMSE, &a.TestRMSE, &created)
		a.RunID = run.Int64
		a.ValidationDate, _ = parseTime(vdate)
		a.CreatedAt, _ = parseTime(created)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: divergence alerts %s %s: %w", symbol, horizon, err)
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
		where = append(where, cond)
		args = append(args, v)
	}
	for _, c := range []struct{ col, v string }{
		{"symbol", f.Symbol}, {"horizon", f.Horizon}, {"ensemble", f.Ensemble}, {"model", f.Model}, {"span", f.Span},
	} {
		if c.v != "" {
			add(c.col+" = ?", c.v)
		}
	}
	if !f.From.IsZero() {
		add("as_of >= ?", f.From.Format(dateLayout))
	}
	if !f.To.IsZero() {
		add("as_of <= ?", f.To.Format(dateLayout))
	}
	q := `SELECT ` + predictionColumns + ` FROM validation_predictions`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY symbol, ensemble, model, as_of, span, horizon, window_id"
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: validation predictions: %w", err)
	}
	out, err := collectRows(rows, func(row scanner) (store.ValidationPrediction, error) {
		var (
			p            store.ValidationPrediction
			asOf, target string
		)
		err := row.Scan(&p.Symbol, &p.Horizon, &p.Ensemble, &p.Model, &p.WindowID, &p.Span, &asOf, &target,
			&p.Mu, &p.Sigma, &p.PBear, &p.PNeutral, &p.PBull, &p.CILower, &p.CIUpper, &p.Realised)
		if err != nil {
			return p, err
		}
		if p.AsOf, err = parseDate(asOf); err != nil {
			return p, fmt.Errorf("as_of %q: %w", asOf, err)
		}
		if p.TargetDate, err = parseDate(target); err != nil {
			return p, fmt.Errorf("target_date %q: %w", target, err)
		}
		return p, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: validation predictions: %w", err)
	}
	return out, nil
}

// OverfittingSymbols reads vw_overfitting_symbols.
func (s *Store) OverfittingSymbols(ctx context.Context) (_ []store.OverfittingSymbol, err error) {
	ctx, end := s.bound(ctx, "overfitting symbols")
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `SELECT symbol, horizon, overfitting_count, latest_overfitting,
		avg_divergence, max_divergence FROM vw_overfitting_symbols ORDER BY symbol, horizon`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: overfitting symbols: %w", err)
	}
	out, err := collectRows(rows, func(row scanner) (store.OverfittingSymbol, error) {
		var (
			o      store.OverfittingSymbol
			latest string
		)
		err := row.Scan(&o.Symbol, &o.Horizon, &o.Count, &latest, &o.AvgDivergence, &o.MaxDivergence)
		o.Latest, _ = parseTime(latest)
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: overfitting symbols: %w", err)
	}
	return out, nil
}

// DivergenceTrends reads vw_divergence_trends for one symbol and horizon.
func (s *Store) DivergenceTrends(ctx context.Context, symbol, horizon string) (_ []store.DivergenceTrend, err error) {
	ctx, end := s.bound(ctx, "divergence trends %s %s", symbol, horizon)
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `SELECT symbol, horizon, validation_date, window_id, model_count,
		divergence, is_overfitting, window_sequence FROM vw_divergence_trends
		WHERE symbol = ? AND horizon = ? ORDER BY window_sequence`, symbol, horizon)
	if err != nil {
		return nil, fmt.Errorf("sqlite: divergence trends %s %s: %w", symbol, horizon, err)
	}
	out, err := collectRows(rows, func(row scanner) (store.DivergenceTrend, error) {
		var (
			d     store.DivergenceTrend
			vdate string
		)
		err := row.Scan(&d.Symbol, &d.Horizon, &vdate, &d.WindowID, &d.ModelCount, &d.Divergence,
			&d.IsOverfitting, &d.WindowSequence)
		d.ValidationDate, _ = parseTime(vdate)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: divergence trends %s %s: %w", symbol, horizon, err)
	}
	return out, nil
}

// nullID maps the zero id to NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
