package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"runner/store"
)

// UpsertValidationMetrics writes ensemble_validation_metrics rows.
func (s *Store) UpsertValidationMetrics(ctx context.Context, ms []store.ValidationMetrics) (err error) {
	ctx, end := s.bound(ctx, "upsert validation metrics")
	defer func() { err = end(err) }()
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		for _, m := range ms {
			if err := upsertMetrics(ctx, tx, m); err != nil {
				return fmt.Errorf("%s %s window %d: %w", m.Symbol, m.Horizon, m.WindowID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: upsert validation metrics: %w", err)
	}
	return nil
}

// upsertMetrics writes one ensemble_validation_metrics row in tx.
func upsertMetrics(ctx context.Context, tx *sql.Tx, m store.ValidationMetrics) error {
	models, err := toJSON(nonNilStrings(m.ModelsUsed))
	if err != nil {
		return err
	}
	var hyper any
	if m.Hyperparameters != nil {
		if hyper, err = toJSON(m.Hyperparameters); err != nil {
			return err
		}
	}
	threshold := m.DivergenceThreshold
	if threshold == 0 {
		threshold = store.DefaultDivergenceThreshold
	}
	var trained any
	if m.TrainedAt != nil {
		trained = fmtTime(*m.TrainedAt)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO ensemble_validation_metrics
		(symbol_id, symbol, horizon, validation_date, window_id, train_rmse, val_rmse, test_rmse,
		 divergence, divergence_threshold, is_overfitting, model_count, models_used, n_train_samples,
		 n_val_samples, n_test_samples, data_span_days, hyperparameters, directional_accuracy,
		 mean_absolute_error, trained_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (symbol, horizon, validation_date, window_id, model_count) DO UPDATE SET
			symbol_id = excluded.symbol_id, train_rmse = excluded.train_rmse, val_rmse = excluded.val_rmse,
			test_rmse = excluded.test_rmse, divergence = excluded.divergence,
			divergence_threshold = excluded.divergence_threshold, is_overfitting = excluded.is_overfitting,
			models_used = excluded.models_used, n_train_samples = excluded.n_train_samples,
			n_val_samples = excluded.n_val_samples, n_test_samples = excluded.n_test_samples,
			data_span_days = excluded.data_span_days, hyperparameters = excluded.hyperparameters,
			directional_accuracy = excluded.directional_accuracy,
			mean_absolute_error = excluded.mean_absolute_error, trained_at = excluded.trained_at,
			updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
		m.SymbolID, m.Symbol, m.Horizon, fmtTime(m.ValidationDate), m.WindowID, m.TrainRMSE, m.ValRMSE,
		m.TestRMSE, m.Divergence, threshold, m.IsOverfitting, m.ModelCount, models, m.NTrainSamples,
		m.NValSamples, m.NTestSamples, m.DataSpanDays, hyper, m.DirectionalAccuracy,
		m.MeanAbsoluteError, trained)
	return err
}

// ValidationMetrics returns the rows of one symbol and horizon by date.
func (s *Store) ValidationMetrics(ctx context.Context, symbol, horizon string) (_ []store.ValidationMetrics, err error) {
	ctx, end := s.bound(ctx, "validation metrics %s %s", symbol, horizon)
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `SELECT id, symbol_id, symbol, horizon, validation_date, window_id,
		train_rmse, val_rmse, test_rmse, divergence, divergence_threshold, is_overfitting, model_count,
		models_used, n_train_samples, n_val_samples, n_test_samples, data_span_days, hyperparameters,
		directional_accuracy, mean_absolute_error, trained_at, created_at, updated_at
		FROM ensemble_validation_metrics WHERE symbol = ? AND horizon = ?
		ORDER BY validation_date, window_id, model_count`, symbol, horizon)
	if err != nil {
		return nil, fmt.Errorf("sqlite: validation metrics %s: %w", symbol, err)
	}
	defer rows.Close()
	var out []store.ValidationMetrics
	for rows.Next() {
		var (
			m                          store.ValidationMetrics
			vdate, models, created, up string
			hyper, trained             sql.NullString
			trainRMSE, da, mae         sql.NullFloat64
			nTrain, nVal, nTest, span  sql.NullInt64
		)
		err := rows.Scan(&m.ID, &m.SymbolID, &m.Symbol, &m.Horizon, &vdate, &m.WindowID, &trainRMSE,
			&m.ValRMSE, &m.TestRMSE, &m.Divergence, &m.DivergenceThreshold, &m.IsOverfitting, &m.ModelCount,
			&models, &nTrain, &nVal, &nTest, &span, &hyper, &da, &mae, &trained, &created, &up)
		if err != nil {
			return nil, fmt.Errorf("sqlite: validation metrics %s: %w", symbol, err)
		}
		m.ValidationDate, _ = parseTime(vdate)
		m.CreatedAt, _ = parseTime(created)
		m.UpdatedAt, _ = parseTime(up)
		m.TrainRMSE, m.DirectionalAccuracy, m.MeanAbsoluteError = nullFloat(trainRMSE), nullFloat(da), nullFloat(mae)
		m.NTrainSamples, m.NValSamples, m.NTestSamples, m.DataSpanDays = nullInt(nTrain), nullInt(nVal), nullInt(nTest), nullInt(span)
		if trained.Valid {
			t, _ := parseTime(trained.String)
			m.TrainedAt = &t
		}
		if err := json.Unmarshal([]byte(models), &m.ModelsUsed); err != nil {
			return nil, fmt.Errorf("sqlite: validation metrics %d: models_used: %w", m.ID, err)
		}
		if hyper.Valid {
			if err := json.Unmarshal([]byte(hyper.String), &m.Hyperparameters); err != nil {
				return nil, fmt.Errorf("sqlite: validation metrics %d: hyperparameters: %w", m.ID, err)
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// EnsembleStats is the SQLite equivalent of get_ensemble_stats.
func (s *Store) EnsembleStats(ctx context.Context, symbol, horizon string, days int) (_ store.EnsembleStats, err error) {
	ctx, end := s.bound(ctx, "ensemble stats %s %s", symbol, horizon)
	defer func() { err = end(err) }()
	var (
		st                              store.EnsembleStats
		avgDiv, maxDiv, avgVal, avgTest sql.NullFloat64
		avgDA                           sql.NullFloat64
		latest                          sql.NullString
	)
	since := time.Now().UTC().AddDate(0, 0, -days)
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(is_overfitting), 0), AVG(divergence),
		MAX(divergence), AVG(val_rmse), AVG(test_rmse), AVG(directional_accuracy), MAX(validation_date)
		FROM ensemble_validation_metrics
		WHERE symbol = ? AND horizon = ? AND validation_date >= ?`, symbol, horizon, fmtTime(since)).
		Scan(&st.TotalValidations, &st.OverfittingCount, &avgDiv, &maxDiv, &avgVal, &avgTest, &avgDA, &latest)
	if err != nil {
		return st, fmt.Errorf("sqlite: ensemble stats %s %s: %w", symbol, horizon, err)
	}
	st.AvgDivergence, st.MaxDivergence = avgDiv.Float64, maxDiv.Float64
	st.AvgValRMSE, st.AvgTestRMSE, st.AvgDirectionalAccuracy = avgVal.Float64, avgTest.Float64, avgDA.Float64
	if latest.Valid {
		st.LatestValidation, _ = parseTime(latest.String)
	}
	return st, nil
}

func nullFloat(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	v := n.Float64
	return &v
}

func nullInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}
