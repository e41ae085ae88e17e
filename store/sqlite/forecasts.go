package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

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
			return fmt.Errorf("sqlite: save forecasts: %w", err)
		}
	}
	ctx, end := s.bound(ctx, "save forecasts")
	defer func() { err = end(err) }()
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		for _, f := range fs {
			models, err := toJSON(nonNilStrings(f.ModelsUsed))
			if err != nil {
				return err
			}
			weights, err := toJSON(f.Weights)
			if err != nil {
				return err
			}
			comps, err := toJSON(f.Components)
			if err != nil {
				return err
			}
			var matured any
			if f.RealisedReturn != nil {
				matured = fmtTime(time.Now())
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO forecasts (`+forecastColumns+`, matured_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
					?, ?, ?, ?, ?, NULLIF(?, ''), ?)
				ON CONFLICT (symbol, horizon, as_of, ensemble) DO UPDATE SET
					run_id = excluded.run_id, target_date = excluded.target_date, served = excluded.served,
					last_price = excluded.last_price, forecast_return = excluded.forecast_return,
					forecast_price = excluded.forecast_price, forecast_volatility = excluded.forecast_volatility,
					p_bearish = excluded.p_bearish, p_neutral = excluded.p_neutral, p_bullish = excluded.p_bullish,
					label = excluded.label, confidence = excluded.confidence, agreement = excluded.agreement,
					ci_lower = excluded.ci_lower, ci_upper = excluded.ci_upper, model_count = excluded.model_count,
					models_used = excluded.models_used, weights = excluded.weights, components = excluded.components,
					data_hash = excluded.data_hash, train_bars = excluded.train_bars, seed = excluded.seed,
					code_version = excluded.code_version, weights_id = excluded.weights_id,
					ci_lower_raw = excluded.ci_lower_raw, ci_upper_raw = excluded.ci_upper_raw, p_up = excluded.p_up,
					p_up_raw = excluded.p_up_raw, calibration_id = excluded.calibration_id,
					config_hash = excluded.config_hash,
					realised_return = COALESCE(forecasts.realised_return, excluded.realised_return),
					matured_at = COALESCE(forecasts.matured_at, excluded.matured_at),
					updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
				f.RunID, f.Symbol, f.Horizon, f.AsOf.Format(dateLayout), f.TargetDate.Format(dateLayout), f.Ensemble,
				f.Served, f.LastPrice, f.Return, f.Price, f.Volatility, f.PBear, f.PNeutral, f.PBull, f.Label,
				f.Confidence, f.Agreement, f.CILower, f.CIUpper, len(f.ModelsUsed), models, weights, comps,
				f.DataHash, f.TrainBars, f.Seed, f.CodeVersion, f.RealisedReturn, f.WeightsID, f.CILowerRaw,
				f.CIUpperRaw, f.PUp, f.PUpRaw, f.CalibrationID, f.ConfigHash, matured)
			if err != nil {
				return fmt.Errorf("%s %s %s: %w", f.Symbol, f.Ensemble, f.AsOf.Format(dateLayout), err)
			}
			if f.Served {
				// One served forecast per symbol-day: the latest decision.
				_, err = tx.ExecContext(ctx, `UPDATE forecasts SET served = 0, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
					WHERE symbol = ? AND horizon = ? AND as_of = ? AND ensemble <> ? AND served`,
					f.Symbol, f.Horizon, f.AsOf.Format(dateLayout), f.Ensemble)
				if err != nil {
					return fmt.Errorf("%s %s %s: unserve the others: %w", f.Symbol, f.Ensemble, f.AsOf.Format(dateLayout), err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: save forecasts: %w", err)
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
		where = append(where, cond)
		args = append(args, v)
	}
	if f.Symbol != "" {
		add("symbol = ?", f.Symbol)
	}
	if f.Ensemble != "" {
		add("ensemble = ?", f.Ensemble)
	}
	if f.Horizon != "" {
		add("horizon = ?", f.Horizon)
	}
	if !f.From.IsZero() {
		add("as_of >= ?", f.From.Format(dateLayout))
	}
	if !f.To.IsZero() {
		add("as_of <= ?", f.To.Format(dateLayout))
	}
	if f.Matured != nil {
		where = append(where, map[bool]string{true: "realised_return IS NOT NULL", false: "realised_return IS NULL"}[*f.Matured])
	}
	q := `SELECT id, ` + forecastColumns + `, forecast_error, matured_at, created_at, updated_at FROM forecasts`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY symbol, ensemble, as_of"
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: forecasts: %w", err)
	}
	defer rows.Close()
	var out []store.Forecast
	for rows.Next() {
		var (
			r                              store.Forecast
			asOf, target, created, updated string
			models, weights, comps         string
			modelCount                     int
			realised, fcErr                sql.NullFloat64
			ciLowerRaw, ciUpperRaw         sql.NullFloat64
			pUp, pUpRaw                    sql.NullFloat64
			weightsID, calibrationID       sql.NullInt64
			matured, configHash            sql.NullString
		)
		err := rows.Scan(&r.ID, &r.RunID, &r.Symbol, &r.Horizon, &asOf, &target, &r.Ensemble, &r.Served,
			&r.LastPrice, &r.Return, &r.Price, &r.Volatility, &r.PBear, &r.PNeutral, &r.PBull, &r.Label,
			&r.Confidence, &r.Agreement, &r.CILower, &r.CIUpper, &modelCount, &models, &weights, &comps,
			&r.DataHash, &r.TrainBars, &r.Seed, &r.CodeVersion, &realised, &weightsID, &ciLowerRaw, &ciUpperRaw,
			&pUp, &pUpRaw, &calibrationID, &configHash, &fcErr, &matured, &created, &updated)
		if err != nil {
			return nil, fmt.Errorf("sqlite: forecasts: %w", err)
		}
		r.AsOf, _ = parseDate(asOf)
		r.TargetDate, _ = parseDate(target)
		r.CreatedAt, _ = parseTime(created)
		r.UpdatedAt, _ = parseTime(updated)
		r.RealisedReturn, r.ForecastError = nullFloat(realised), nullFloat(fcErr)
		r.CILowerRaw, r.CIUpperRaw = nullFloat(ciLowerRaw), nullFloat(ciUpperRaw)
		r.PUp, r.PUpRaw = nullFloat(pUp), nullFloat(pUpRaw)
		r.WeightsID, r.CalibrationID = nullInt64(weightsID), nullInt64(calibrationID)
		r.ConfigHash = configHash.String
		if matured.Valid {
			r.MaturedAt, _ = parseTime(matured.String)
		}
		for _, j := range []struct {
			src string
			dst any
		}{{models, &r.ModelsUsed}, {weights, &r.Weights}, {comps, &r.Components}} {
			if err := json.Unmarshal([]byte(j.src), j.dst); err != nil {
				return nil, fmt.Errorf("sqlite: forecast %d: %w", r.ID, err)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetRealisedReturns records realised returns on unmatured forecasts.
func (s *Store) SetRealisedReturns(ctx context.Context, rs []store.RealisedReturn) (_ int64, err error) {
	ctx, end := s.bound(ctx, "set realised returns")
	defer func() { err = end(err) }()
	var n int64
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		now := fmtTime(time.Now())
		for _, r := range rs {
			res, err := tx.ExecContext(ctx, `UPDATE forecasts SET realised_return = ?, matured_at = ?,
				updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
				WHERE symbol = ? AND horizon = ? AND as_of = ? AND realised_return IS NULL`,
				r.Return, now, r.Symbol, r.Horizon, r.AsOf.Format(dateLayout))
			if err != nil {
				return fmt.Errorf("%s %s: %w", r.Symbol, r.AsOf.Format(dateLayout), err)
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: set realised returns: %w", err)
	}
	return n, nil
}

func nullInt64(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}
