package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"runner/store"
)

// DoneUnits returns the units whose rows exist for the configuration.
func (s *Store) DoneUnits(ctx context.Context, q store.DoneQuery) (_ []store.UnitKey, err error) {
	ctx, end := s.bound(ctx, "done units")
	defer func() { err = end(err) }()
	if len(q.Symbols) == 0 {
		return nil, nil
	}
	var query string
	args := []any{q.Horizon, q.ConfigHash}
	switch q.Kind {
	case store.BackfillForecast:
		if len(q.Ensembles) == 0 {
			return nil, nil
		}
		args = append(args, q.From.Format(dateLayout), q.To.Format(dateLayout))
		query = `SELECT symbol, as_of, 0 FROM forecasts
			WHERE horizon = ? AND config_hash = ? AND as_of >= ? AND as_of <= ?
			AND symbol IN (` + placeholders(len(q.Symbols)) + `) AND ensemble IN (` + placeholders(len(q.Ensembles)) + `)
			GROUP BY symbol, as_of HAVING COUNT(DISTINCT ensemble) >= ?
			ORDER BY symbol, as_of`
		args = appendAll(args, q.Symbols)
		args = appendAll(args, q.Ensembles)
		args = append(args, q.EnsemblesNeeded())
	case store.BackfillValidate:
		if len(q.ModelCounts) == 0 {
			return nil, nil
		}
		args = append(args, fmtTime(q.From), fmtTime(q.To.AddDate(0, 0, 1)))
		query = `SELECT symbol, validation_date, window_id FROM ensemble_validation_metrics
			WHERE horizon = ? AND json_extract(hyperparameters, '$.config_hash') = ?
			AND validation_date >= ? AND validation_date < ?
			AND symbol IN (` + placeholders(len(q.Symbols)) + `) AND model_count IN (` + placeholders(len(q.ModelCounts)) + `)
			GROUP BY symbol, validation_date, window_id HAVING COUNT(DISTINCT model_count) = ?
			ORDER BY symbol, validation_date, window_id`
		args = appendAll(args, q.Symbols)
		args = appendAll(args, q.ModelCounts)
		args = append(args, len(q.ModelCounts))
	default:
		return nil, fmt.Errorf("sqlite: done units: unknown kind %q", q.Kind)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: done units: %w", err)
	}
	out, err := collectRows(rows, func(row scanner) (store.UnitKey, error) {
		var k store.UnitKey
		var day string
		if err := row.Scan(&k.Symbol, &day, &k.WindowID); err != nil {
			return k, err
		}
		var err error
		if q.Kind == store.BackfillForecast {
			k.Day, err = parseDate(day)
		} else {
			k.Day, err = parseTime(day)
		}
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: done units: %w", err)
	}
	return out, nil
}

// StartBackfill finds or inserts a backfill and records its units.
func (s *Store) StartBackfill(ctx context.Context, b *store.Backfill, units []store.BackfillUnit) (err error) {
	ctx, end := s.bound(ctx, "start backfill")
	defer func() { err = end(err) }()
	syms, err := toJSON(nonNilStrings(b.Symbols))
	if err != nil {
		return fmt.Errorf("sqlite: start backfill: %w", err)
	}
	params, err := toJSON(nonNilMap(b.Parameters))
	if err != nil {
		return fmt.Errorf("sqlite: start backfill: parameters: %w", err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		var created, updated string
		err := tx.QueryRowContext(ctx, `INSERT INTO backfills (kind, mode, from_date, to_date, symbols, config_hash, parameters)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (kind, config_hash, from_date, to_date, symbols) DO UPDATE SET
				mode = excluded.mode, parameters = excluded.parameters,
				updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
			RETURNING id, created_at, updated_at`,
			b.Kind, b.Mode, b.From.Format(dateLayout), b.To.Format(dateLayout), syms, b.ConfigHash, params).
			Scan(&b.ID, &created, &updated)
		if err != nil {
			return err
		}
		b.CreatedAt, _ = parseTime(created)
		b.UpdatedAt, _ = parseTime(updated)
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO backfill_units (backfill_id, symbol, day, window_id, status, run_id)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (backfill_id, symbol, day, window_id) DO UPDATE SET status = excluded.status,
				updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
			WHERE backfill_units.status <> excluded.status`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, u := range units {
			if _, err := stmt.ExecContext(ctx, b.ID, u.Symbol, u.Day.Format(dateLayout), u.WindowID, string(u.Status), u.RunID); err != nil {
				return fmt.Errorf("unit %s %s: %w", u.Symbol, u.Day.Format(dateLayout), err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: start backfill: %w", err)
	}
	return nil
}

// SetUnitStatus records a unit's state.
func (s *Store) SetUnitStatus(ctx context.Context, u store.BackfillUnit) (err error) {
	ctx, end := s.bound(ctx, "unit %s %s", u.Symbol, u.Day.Format(dateLayout))
	defer func() { err = end(err) }()
	attempt := 0
	if u.Status == store.UnitRunning {
		attempt = 1
	}
	res, err := s.db.ExecContext(ctx, `UPDATE backfill_units SET status = ?, error = ?, run_id = COALESCE(?, run_id),
		attempts = attempts + ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
		WHERE backfill_id = ? AND symbol = ? AND day = ? AND window_id = ?`,
		string(u.Status), u.Error, u.RunID, attempt, u.BackfillID, u.Symbol, u.Day.Format(dateLayout), u.WindowID)
	if err != nil {
		return fmt.Errorf("sqlite: unit %s %s: %w", u.Symbol, u.Day.Format(dateLayout), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: unit %s %s of backfill %d: %w", u.Symbol, u.Day.Format(dateLayout), u.BackfillID, store.ErrNotFound)
	}
	return nil
}

// Backfills returns the latest backfills with their progress.
func (s *Store) Backfills(ctx context.Context, limit int) (_ []store.BackfillProgress, err error) {
	ctx, end := s.bound(ctx, "backfills")
	defer func() { err = end(err) }()
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.QueryContext(ctx, `SELECT b.id, b.kind, b.mode, b.from_date, b.to_date, b.symbols, b.config_hash,
			b.parameters, b.created_at, b.updated_at,
			COUNT(u.symbol), COALESCE(SUM(u.status = 'pending'), 0), COALESCE(SUM(u.status = 'running'), 0),
			COALESCE(SUM(u.status = 'done'), 0), COALESCE(SUM(u.status = 'failed'), 0), COALESCE(MAX(u.updated_at), b.updated_at)
		FROM backfills b LEFT JOIN backfill_units u ON u.backfill_id = b.id
		GROUP BY b.id ORDER BY b.updated_at DESC, b.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: backfills: %w", err)
	}
	defer rows.Close()
	var out []store.BackfillProgress
	for rows.Next() {
		var p store.BackfillProgress
		var from, to, syms, params, created, updated, last string
		if err := rows.Scan(&p.ID, &p.Kind, &p.Mode, &from, &to, &syms, &p.ConfigHash, &params, &created, &updated,
			&p.Total, &p.Pending, &p.Running, &p.Done, &p.Failed, &last); err != nil {
			return nil, fmt.Errorf("sqlite: backfills: %w", err)
		}
		p.From, _ = parseDate(from)
		p.To, _ = parseDate(to)
		p.CreatedAt, _ = parseTime(created)
		p.UpdatedAt, _ = parseTime(updated)
		p.LastUpdate, _ = parseTime(last)
		if err := json.Unmarshal([]byte(syms), &p.Symbols); err != nil {
			return nil, fmt.Errorf("sqlite: backfill %d: symbols: %w", p.ID, err)
		}
		if err := json.Unmarshal([]byte(params), &p.Parameters); err != nil {
			return nil, fmt.Errorf("sqlite: backfill %d: parameters: %w", p.ID, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// BackfillUnits returns the units of a backfill.
func (s *Store) BackfillUnits(ctx context.Context, id int64, status store.UnitStatus) (_ []store.BackfillUnit, err error) {
	ctx, end := s.bound(ctx, "units of backfill %d", id)
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `SELECT symbol, day, window_id, status, attempts, error, run_id, updated_at
		FROM backfill_units WHERE backfill_id = ? AND (? = '' OR status = ?)
		ORDER BY symbol, day, window_id`, id, string(status), string(status))
	if err != nil {
		return nil, fmt.Errorf("sqlite: units of backfill %d: %w", id, err)
	}
	out, err := collectRows(rows, func(row scanner) (store.BackfillUnit, error) {
		u := store.BackfillUnit{BackfillID: id}
		var day, st, updated string
		var runID sql.NullInt64
		err := row.Scan(&u.Symbol, &day, &u.WindowID, &st, &u.Attempts, &u.Error, &runID, &updated)
		u.Day, _ = parseDate(day)
		u.Status = store.UnitStatus(st)
		u.RunID = nullInt64(runID)
		u.UpdatedAt, _ = parseTime(updated)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: units of backfill %d: %w", id, err)
	}
	return out, nil
}

// placeholders is "?, ?, ?" for n.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func appendAll[T any](args []any, vs []T) []any {
	for _, v := range vs {
		args = append(args, v)
	}
	return args
}
