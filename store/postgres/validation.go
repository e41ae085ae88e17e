package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"runner/store"
)

// UpsertValidationMetrics writes ensemble_validation_metrics rows.
func (s *Store) UpsertValidationMetrics(ctx context.Context, ms []store.ValidationMetrics) (err error) {
	ctx, end := s.bound(ctx, "upsert validation metrics")
	defer func() { err = end(err) }()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, m := range ms {
			if err := upsertMetrics(ctx, tx, m); err != nil {
				return fmt.Errorf("%s %s window %d: %w", m.Symbol, m.Horizon, m.WindowID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: upsert validation metrics: %w", err)
	}
	return nil
}

// upsertMetrics writes one ensemble_validation_metrics row in tx.
func upsertMetrics(ctx context.Context, tx pgx.Tx, m store.ValidationMetrics) error {
	threshold := m.DivergenceThreshold
	if threshold == 0 {
		threshold = store.DefaultDivergenceThreshold
	}
	_, err := tx.Exec(ctx, `INSERT INTO ensemble_validation_metrics
		(symbol_id, symbol, horizon, validation_date, window_id, train_rmse, val_rmse, test_rmse,
		 divergence, divergence_threshold, is_overfitting, model_count, models_used, n_train_samples,
		 n_val_samples, n_test_samples, data_span_days, hyperparameters, directional_accuracy,
		 mean_absolute_error, trained_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
		ON CONFLICT (symbol, horizon, validation_date, window_id, model_count) DO UPDATE SET
			symbol_id = EXCLUDED.symbol_id, train_rmse = EXCLUDED.train_rmse, val_rmse = EXCLUDED.val_rmse,
			test_rmse = EXCLUDED.test_rmse, divergence = EXCLUDED.divergence,
			divergence_threshold = EXCLUDED.divergence_threshold, is_overfitting = EXCLUDED.is_overfitting,
			models_used = EXCLUDED.models_used, n_train_samples = EXCLUDED.n_train_samples,
			n_val_samples = EXCLUDED.n_val_samples, n_test_samples = EXCLUDED.n_test_samples,
			data_span_days = EXCLUDED.data_span_days, hyperparameters = EXCLUDED.hyperparameters,
			directional_accuracy = EXCLUDED.directional_accuracy,
			mean_absolute_error = EXCLUDED.mean_absolute_error, trained_at = EXCLUDED.trained_at,
			updated_at = NOW()`,
		m.SymbolID, m.Symbol, m.Horizon, m.ValidationDate, m.WindowID, m.TrainRMSE, m.ValRMSE,
		m.TestRMSE, m.Divergence, threshold, m.IsOverfitting, m.ModelCount, nonNilStrings(m.ModelsUsed),
		m.NTrainSamples, m.NValSamples, m.NTestSamples, m.DataSpanDays, m.Hyperparameters,
		m.DirectionalAccuracy, m.MeanAbsoluteError, m.TrainedAt)
	return err
}

// ValidationMetrics returns the rows of one symbol and horizon by date.
func (s *Store) ValidationMetrics(ctx context.Context, symbol, horizon string) (_ []store.ValidationMetrics, err error) {
	ctx, end := s.bound(ctx, "validation metrics %s %s", symbol, horizon)
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT id, symbol_id, symbol, horizon, validation_date, window_id,
		train_rmse::float8, val_rmse::float8, test_rmse::float8, divergence::float8, divergence_threshold::float8,
		is_overfitting, model_count, models_used, n_train_samples, n_val_samples, n_test_samples, data_span_days,
		hyperparameters, directional_accuracy::float8, mean_absolute_error::float8, trained_at, created_at, updated_at
		FROM ensemble_validation_metrics WHERE symbol = $1 AND horizon = $2
		ORDER BY validation_date, window_id, model_count`, symbol, horizon)
	if err != nil {
		return nil, fmt.Errorf("postgres: validation metrics %s: %w", symbol, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.ValidationMetrics, error) {
		var m store.ValidationMetrics
		err := row.Scan(&m.ID, &m.SymbolID, &m.Symbol, &m.Horizon, &m.ValidationDate, &m.WindowID, &m.TrainRMSE,
			&m.ValRMSE, &m.TestRMSE, &m.Divergence, &m.DivergenceThreshold, &m.IsOverfitting, &m.ModelCount,
			&m.ModelsUsed, &m.NTrainSamples, &m.NValSamples, &m.NTestSamples, &m.DataSpanDays,
			&m.Hyperparameters, &m.DirectionalAccuracy, &m.MeanAbsoluteError, &m.TrainedAt, &m.CreatedAt,
			&m.UpdatedAt)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: validation metrics %s: %w", symbol, err)
	}
	return out, nil
}

// EnsembleStats calls get_ensemble_stats.
func (s *Store) EnsembleStats(ctx context.Context, symbol, horizon string, days int) (_ store.EnsembleStats, err error) {
	ctx, end := s.bound(ctx, "ensemble stats %s %s", symbol, horizon)
	defer func() { err = end(err) }()
	var (
		st                                     store.EnsembleStats
		avgDiv, maxDiv, avgVal, avgTest, avgDA *float64
		latest                                 *time.Time
	)
	err = s.pool.QueryRow(ctx, `SELECT total_validations, overfitting_count, avg_divergence::float8,
		max_divergence::float8, avg_val_rmse::float8, avg_test_rmse::float8, avg_directional_accuracy::float8,
		latest_validation FROM get_ensemble_stats($1, $2, $3)`, symbol, horizon, days).
		Scan(&st.TotalValidations, &st.OverfittingCount, &avgDiv, &maxDiv, &avgVal, &avgTest, &avgDA, &latest)
	if err != nil {
		return st, translate(err, fmt.Sprintf("ensemble stats %s %s", symbol, horizon))
	}
	for _, p := range []struct {
		src *float64
		dst *float64
	}{{avgDiv, &st.AvgDivergence}, {maxDiv, &st.MaxDivergence}, {avgVal, &st.AvgValRMSE},
		{avgTest, &st.AvgTestRMSE}, {avgDA, &st.AvgDirectionalAccuracy}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	if latest != nil {
		st.LatestValidation = *latest
	}
	return st, nil
}
