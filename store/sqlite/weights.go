package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"runner/store"
)

const weightsColumns = `id, run_id, ensemble, symbol, horizon, method, source, weights, calibrated_weights,
	previous_weights, window_id, validation_date, val_rmse, test_rmse, divergence, reason, actor,
	effective_at, created_at`

// upsertWeights writes one ensemble_weights row in tx, keyed by ensemble,
// symbol, horizon and effective time. previous_weights is the weights of the
// latest earlier row, and the next later row's previous_weights becomes
// these weights. The window columns are NULL for a row without a source.
func upsertWeights(ctx context.Context, tx *sql.Tx, w store.EnsembleWeights) error {
	weights, err := toJSON(nonNilWeights(w.Weights))
	if err != nil {
		return err
	}
	var calibrated any
	if w.Calibrated != nil {
		if calibrated, err = toJSON(w.Calibrated); err != nil {
			return err
		}
	}
	var source, window, vdate, valRMSE, testRMSE, divergence any
	if w.Source != "" {
		source, window, vdate = w.Source, w.WindowID, fmtTime(w.ValidationDate)
		valRMSE, testRMSE, divergence = w.ValRMSE, w.TestRMSE, w.Divergence
	}
	effective := fmtTime(w.EffectiveAt)
	_, err = tx.ExecContext(ctx, `INSERT INTO ensemble_weights
		(ensemble, symbol, horizon, method, weights, previous_weights, divergence, reason, actor, effective_at,
		 source, calibrated_weights, window_id, validation_date, val_rmse, test_rmse, run_id)
		VALUES (?1, ?2, ?3, ?4, ?5,
			(SELECT weights FROM ensemble_weights WHERE ensemble = ?1 AND symbol = ?2 AND horizon = ?3
			 AND effective_at < ?9 ORDER BY effective_at DESC LIMIT 1),
			?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
		ON CONFLICT (ensemble, symbol, horizon, effective_at) DO UPDATE SET
			method = excluded.method, weights = excluded.weights, previous_weights = excluded.previous_weights,
			divergence = excluded.divergence, reason = excluded.reason, actor = excluded.actor,
			source = excluded.source, calibrated_weights = excluded.calibrated_weights,
			window_id = excluded.window_id, validation_date = excluded.validation_date,
			val_rmse = excluded.val_rmse, test_rmse = excluded.test_rmse, run_id = excluded.run_id`,
		w.Ensemble, w.Symbol, w.Horizon, w.Method, weights, divergence, w.Reason, w.Actor, effective,
		source, calibrated, window, vdate, valRMSE, testRMSE, nullID(w.RunID))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE ensemble_weights SET previous_weights = ?
		WHERE id = (SELECT id FROM ensemble_weights WHERE ensemble = ? AND symbol = ? AND horizon = ?
			AND effective_at > ? ORDER BY effective_at LIMIT 1)`,
		weights, w.Ensemble, w.Symbol, w.Horizon, effective)
	return err
}

// CurrentWeights returns the weights in force at the end of asOf's day.
func (s *Store) CurrentWeights(ctx context.Context, symbol, horizon, ensemble string, asOf time.Time) (_ store.EnsembleWeights, err error) {
	ctx, end := s.bound(ctx, "current weights %s %s %s %s", symbol, horizon, ensemble, asOf.Format(time.DateOnly))
	defer func() { err = end(err) }()
	row := s.db.QueryRowContext(ctx, `SELECT `+weightsColumns+` FROM ensemble_weights
		WHERE symbol = ? AND horizon = ? AND ensemble = ? AND effective_at < ?
		ORDER BY effective_at DESC LIMIT 1`, symbol, horizon, ensemble, fmtTime(nextDay(asOf)))
	w, err := scanWeights(row)
	if err != nil {
		return w, notFound(err, fmt.Sprintf("current weights %s %s %s %s", symbol, horizon, ensemble, asOf.Format(dateLayout)))
	}
	return w, nil
}

// WeightsHistory returns the weights rows of one symbol and horizon.
func (s *Store) WeightsHistory(ctx context.Context, symbol, horizon, ensemble string) (_ []store.EnsembleWeights, err error) {
	ctx, end := s.bound(ctx, "weights history %s %s", symbol, horizon)
	defer func() { err = end(err) }()
	q := `SELECT ` + weightsColumns + ` FROM ensemble_weights WHERE symbol = ? AND horizon = ?`
	args := []any{symbol, horizon}
	if ensemble != "" {
		q += ` AND ensemble = ?`
		args = append(args, ensemble)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY effective_at, ensemble`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: weights history %s %s: %w", symbol, horizon, err)
	}
	out, err := collectRows(rows, scanWeights)
	if err != nil {
		return nil, fmt.Errorf("sqlite: weights history %s %s: %w", symbol, horizon, err)
	}
	return out, nil
}

// scanWeights reads one row of weightsColumns.
func scanWeights(row scanner) (store.EnsembleWeights, error) {
	var (
		w                             store.EnsembleWeights
		run, window                   sql.NullInt64
		source, calibrated, previous  sql.NullString
		vdate                         sql.NullString
		valRMSE, testRMSE, divergence sql.NullFloat64
		weights, effective, createdAt string
	)
	err := row.Scan(&w.ID, &run, &w.Ensemble, &w.Symbol, &w.Horizon, &w.Method, &source, &weights, &calibrated,
		&previous, &window, &vdate, &valRMSE, &testRMSE, &divergence, &w.Reason, &w.Actor, &effective, &createdAt)
	if err != nil {
		return w, err
	}
	w.RunID, w.Source, w.WindowID = run.Int64, source.String, int(window.Int64)
	w.ValRMSE, w.TestRMSE, w.Divergence = valRMSE.Float64, testRMSE.Float64, divergence.Float64
	if vdate.Valid {
		w.ValidationDate, _ = parseTime(vdate.String)
	}
	w.EffectiveAt, _ = parseTime(effective)
	w.CreatedAt, _ = parseTime(createdAt)
	for _, j := range []struct {
		src sql.NullString
		dst *map[string]float64
	}{{sql.NullString{String: weights, Valid: true}, &w.Weights}, {calibrated, &w.Calibrated}, {previous, &w.Previous}} {
		if !j.src.Valid {
			continue
		}
		if err := json.Unmarshal([]byte(j.src.String), j.dst); err != nil {
			return w, fmt.Errorf("weights %d: %w", w.ID, err)
		}
	}
	return w, nil
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
