package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"runner/store"
)

const weightsColumns = `id, run_id, ensemble, symbol, horizon, method, source, weights, calibrated_weights,
	previous_weights, window_id, validation_date, val_rmse, test_rmse, divergence, reason, actor,
	effective_at, created_at`

// upsertWeights writes one ensemble_weights row in tx, keyed by ensemble,
// symbol, horizon and effective time. previous_weights is the weights of the
// latest earlier row, and the next later row's previous_weights becomes
// these weights. The window columns are NULL for a row without a source.
// A transaction-level advisory lock on the ensemble, symbol and horizon
// serialises writers of one weight history (other processes included), so
// each sees the rows the others committed when it links previous_weights.
func upsertWeights(ctx context.Context, tx pgx.Tx, w store.EnsembleWeights) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('ensemble_weights'), hashtext($1 || '/' || $2 || '/' || $3))`,
		w.Ensemble, w.Symbol, w.Horizon); err != nil {
		return fmt.Errorf("lock the weight history: %w", err)
	}
	var calibrated any
	if w.Calibrated != nil {
		calibrated = w.Calibrated
	}
	var (
		source            *string
		window            *int
		vdate             *time.Time
		valRMSE, testRMSE *float64
		divergence        *float64
	)
	if w.Source != "" {
		source, window, vdate = &w.Source, &w.WindowID, &w.ValidationDate
		valRMSE, testRMSE, divergence = &w.ValRMSE, &w.TestRMSE, &w.Divergence
	}
	weights := nonNilWeights(w.Weights)
	_, err := tx.Exec(ctx, `INSERT INTO ensemble_weights
		(ensemble, symbol, horizon, method, weights, previous_weights, divergence, reason, actor, effective_at,
		 source, calibrated_weights, window_id, validation_date, val_rmse, test_rmse, run_id)
		VALUES ($1, $2, $3, $4, $5,
			(SELECT weights FROM ensemble_weights WHERE ensemble = $1 AND symbol = $2 AND horizon = $3
			 AND effective_at < $9 ORDER BY effective_at DESC LIMIT 1),
			$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT (ensemble, symbol, horizon, effective_at) DO UPDATE SET
			method = EXCLUDED.method, weights = EXCLUDED.weights, previous_weights = EXCLUDED.previous_weights,
			divergence = EXCLUDED.divergence, reason = EXCLUDED.reason, actor = EXCLUDED.actor,
			source = EXCLUDED.source, calibrated_weights = EXCLUDED.calibrated_weights,
			window_id = EXCLUDED.window_id, validation_date = EXCLUDED.validation_date,
			val_rmse = EXCLUDED.val_rmse, test_rmse = EXCLUDED.test_rmse, run_id = EXCLUDED.run_id`,
		w.Ensemble, w.Symbol, w.Horizon, w.Method, weights, divergence, w.Reason, w.Actor, w.EffectiveAt,
		source, calibrated, window, vdate, valRMSE, testRMSE, nullID(w.RunID))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE ensemble_weights SET previous_weights = $1
		WHERE id = (SELECT id FROM ensemble_weights WHERE ensemble = $2 AND symbol = $3 AND horizon = $4
			AND effective_at > $5 ORDER BY effective_at LIMIT 1)`,
		weights, w.Ensemble, w.Symbol, w.Horizon, w.EffectiveAt)
	return err
}

// CurrentWeights returns the weights in force at the end of asOf's day.
func (s *Store) CurrentWeights(ctx context.Context, symbol, horizon, ensemble string, asOf time.Time) (_ store.EnsembleWeights, err error) {
	ctx, end := s.bound(ctx, "current weights %s %s %s %s", symbol, horizon, ensemble, asOf.Format(time.DateOnly))
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT `+weightsColumns+` FROM ensemble_weights
		WHERE symbol = $1 AND horizon = $2 AND ensemble = $3 AND effective_at < $4
		ORDER BY effective_at DESC LIMIT 1`, symbol, horizon, ensemble, nextDay(asOf))
	what := fmt.Sprintf("current weights %s %s %s %s", symbol, horizon, ensemble, asOf.Format(time.DateOnly))
	if err != nil {
		return store.EnsembleWeights{}, translate(err, what)
	}
	w, err := pgx.CollectExactlyOneRow(rows, scanWeights)
	if err != nil {
		return w, translate(err, what)
	}
	return w, nil
}

// WeightsHistory returns the weights rows of one symbol and horizon.
func (s *Store) WeightsHistory(ctx context.Context, symbol, horizon, ensemble string) (_ []store.EnsembleWeights, err error) {
	ctx, end := s.bound(ctx, "weights history %s %s", symbol, horizon)
	defer func() { err = end(err) }()
	q := `SELECT ` + weightsColumns + ` FROM ensemble_weights WHERE symbol = $1 AND horizon = $2`
	args := []any{symbol, horizon}
	if ensemble != "" {
		q += ` AND ensemble = $3`
		args = append(args, ensemble)
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY effective_at, ensemble`, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: weights history %s %s: %w", symbol, horizon, err)
	}
	out, err := pgx.CollectRows(rows, scanWeights)
	if err != nil {
		return nil, fmt.Errorf("postgres: weights history %s %s: %w", symbol, horizon, err)
	}
	return out, nil
}

// scanWeights reads one row of weightsColumns.
func scanWeights(row pgx.CollectableRow) (store.EnsembleWeights, error) {
	var (
		w                             store.EnsembleWeights
		run                           *int64
		source                        *string
		window                        *int
		vdate                         *time.Time
		valRMSE, testRMSE, divergence *float64
	)
	err := row.Scan(&w.ID, &run, &w.Ensemble, &w.Symbol, &w.Horizon, &w.Method, &source, &w.Weights,
		&w.Calibrated, &w.Previous, &window, &vdate, &valRMSE, &testRMSE, &divergence, &w.Reason, &w.Actor,
		&w.EffectiveAt, &w.CreatedAt)
	w.RunID, w.Source, w.WindowID = deref(run), deref(source), deref(window)
	w.ValRMSE, w.TestRMSE, w.Divergence = deref(valRMSE), deref(testRMSE), deref(divergence)
	w.ValidationDate = deref(vdate).UTC()
	w.EffectiveAt, w.CreatedAt = w.EffectiveAt.UTC(), w.CreatedAt.UTC()
	return w, err
}

// nextDay is the UTC midnight that ends t's UTC day.
func nextDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

func nonNilWeights(m map[string]float64) map[string]float64 {
	if m == nil {
		return map[string]float64{}
	}
	return m
}
