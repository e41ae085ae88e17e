package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"runner/store"
)

const forecastColumns = `run_id, symbol, horizon, as_of, target_date, ensemble, served, last_price,
	forecast_return, forecast_price, forecast_volatility, p_bearish, p_neutral, p_bullish, label,
	confidence, agreement, ci_lower, ci_upper, model_count, models_used, weights, components,
	data_hash, train_bars, seed, code_version, realised_return, weights_id, ci_lower_raw, ci_upper_raw,
	p_up, p_up_raw, calibration_id, config_hash`

// SaveForecasts upserts forecasts in one transaction.
func (s *Store) SaveForecasts(ctx context.Context, fs []store.Forecast) (err error) {
	for _, f := range fs {
		if err := f.CheckFinite(); err != nil {
			return fmt.Errorf("postgres: save forecasts: %w", err)
		}
	}
	ctx, end := s.bound(ctx, "save forecasts")
	defer func() { err = end(err) }()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, f := range fs {
			_, err := tx.Exec(ctx, `INSERT INTO forecasts (`+forecastColumns+`, matured_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
					$20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, NULLIF($35, ''),
					CASE WHEN $28::float8 IS NULL THEN NULL ELSE NOW() END)
				ON CONFLICT (symbol, horizon, as_of, ensemble) DO UPDATE SET
					run_id = EXCLUDED.run_id, target_date = EXCLUDED.target_date, served = EXCLUDED.served,
					last_price = EXCLUDED.last_price, forecast_return = EXCLUDED.forecast_return,
					forecast_price = EXCLUDED.forecast_price, forecast_volatility = EXCLUDED.forecast_volatility,
					p_bearish = EXCLUDED.p_bearish, p_neutral = EXCLUDED.p_neutral, p_bullish = EXCLUDED.p_bullish,
					label = EXCLUDED.label, confidence = EXCLUDED.confidence, agreement = EXCLUDED.agreement,
					ci_lower = EXCLUDED.ci_lower, ci_upper = EXCLUDED.ci_upper, model_count = EXCLUDED.model_count,
					models_used = EXCLUDED.models_used, weights = EXCLUDED.weights, components = EXCLUDED.components,
					data_hash = EXCLUDED.data_hash, train_bars = EXCLUDED.train_bars, seed = EXCLUDED.seed,
					code_version = EXCLUDED.code_version, weights_id = EXCLUDED.weights_id,
					ci_lower_raw = EXCLUDED.ci_lower_raw, ci_upper_raw = EXCLUDED.ci_upper_raw, p_up = EXCLUDED.p_up,
					p_up_raw = EXCLUDED.p_up_raw, calibration_id = EXCLUDED.calibration_id,
					config_hash = EXCLUDED.config_hash,
					realised_return = COALESCE(forecasts.realised_return, EXCLUDED.realised_return),
					matured_at = COALESCE(forecasts.matured_at, EXCLUDED.matured_at),
					updated_at = NOW()`,
				f.RunID, f.Symbol, f.Horizon, f.AsOf, f.TargetDate, f.Ensemble, f.Served, f.LastPrice, f.Return,
				f.Price, f.Volatility, f.PBear, f.PNeutral, f.PBull, f.Label, f.Confidence, f.Agreement,
				f.CILower, f.CIUpper, len(f.ModelsUsed), nonNilStrings(f.ModelsUsed), f.Weights, f.Components,
				f.DataHash, f.TrainBars, f.Seed, f.CodeVersion, f.RealisedReturn, f.WeightsID, f.CILowerRaw,
				f.CIUpperRaw, f.PUp, f.PUpRaw, f.CalibrationID, f.ConfigHash)
			if err != nil {
				return fmt.Errorf("%s %s %s: %w", f.Symbol, f.Ensemble, f.AsOf.Format("2006-01-02"), err)
			}
			if f.Served {
				// One served forecast per symbol-day: the latest decision.
				_, err = tx.Exec(ctx, `UPDATE forecasts SET served = FALSE, updated_at = NOW()
					WHERE symbol = $1 AND horizon = $2 AND as_of = $3 AND ensemble <> $4 AND served`,
					f.Symbol, f.Horizon, f.AsOf, f.Ensemble)
				if err != nil {
					return fmt.Errorf("%s %s %s: unserve the others: %w", f.Symbol, f.Ensemble, f.AsOf.Format("2006-01-02"), err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: save forecasts: %w", err)
	}
	return nil
}

// Forecasts returns the forecasts matching f.
func (s *Store) Forecasts(ctx context.Context, f store.ForecastFilter) (_ []store.Forecast, err error) {
	ctx, end := s.bound(ctx, "forecasts")
	defer func() { err = end(err) }()
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Symbol != "" {
		add("symbol = $%d", f.Symbol)
	}
	if f.Ensemble != "" {
		add("ensemble = $%d", f.Ensemble)
	}
	if f.Horizon != "" {
		add("horizon = $%d", f.Horizon)
	}
	if !f.From.IsZero() {
		add("as_of >= $%d", f.From)
	}
	if !f.To.IsZero() {
		add("as_of <= $%d", f.To)
	}
	if f.Matured != nil {
		where = append(where, map[bool]string{true: "realised_return IS NOT NULL", false: "realised_return IS NULL"}[*f.Matured])
	}
	q := `SELECT id, ` + forecastColumns + `, forecast_error, matured_at, created_at, updated_at FROM forecasts`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY symbol, ensemble, as_of"
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: forecasts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Forecast, error) {
		var r store.Forecast
		var modelCount int
		var matured *time.Time
		var configHash *string
		err := row.Scan(&r.ID, &r.RunID, &r.Symbol, &r.Horizon, &r.AsOf, &r.TargetDate, &r.Ensemble, &r.Served,
			&r.LastPrice, &r.Return, &r.Price, &r.Volatility, &r.PBear, &r.PNeutral, &r.PBull, &r.Label,
			&r.Confidence, &r.Agreement, &r.CILower, &r.CIUpper, &modelCount, &r.ModelsUsed, &r.Weights,
			&r.Components, &r.DataHash, &r.TrainBars, &r.Seed, &r.CodeVersion, &r.RealisedReturn, &r.WeightsID,
			&r.CILowerRaw, &r.CIUpperRaw, &r.PUp, &r.PUpRaw, &r.CalibrationID, &configHash,
			&r.ForecastError, &matured, &r.CreatedAt, &r.UpdatedAt)
		if matured != nil {
			r.MaturedAt = *matured
		}
		if configHash != nil {
			r.ConfigHash = *configHash
		}
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: forecasts: %w", err)
	}
	return out, nil
}

// SetRealisedReturns records realised returns on unmatured forecasts.
func (s *Store) SetRealisedReturns(ctx context.Context, rs []store.RealisedReturn) (_ int64, err error) {
	ctx, end := s.bound(ctx, "set realised returns")
	defer func() { err = end(err) }()
	var n int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, r := range rs {
			tag, err := tx.Exec(ctx, `UPDATE forecasts SET realised_return = $1, matured_at = NOW(), updated_at = NOW()
				WHERE symbol = $2 AND horizon = $3 AND as_of = $4 AND realised_return IS NULL`,
				r.Return, r.Symbol, r.Horizon, r.AsOf)
			if err != nil {
				return fmt.Errorf("%s %s: %w", r.Symbol, r.AsOf.Format("2006-01-02"), err)
			}
			n += tag.RowsAffected()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: set realised returns: %w", err)
	}
	return n, nil
}
