package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"runner/store"
)

// DoneUnits returns the units whose rows exist for the configuration.
func (s *Store) DoneUnits(ctx context.Context, q store.DoneQuery) (_ []store.UnitKey, err error) {
	ctx, end := s.bound(ctx, "done units")
	defer func() { err = end(err) }()
	if len(q.Symbols) == 0 {
		return nil, nil
	}
	var rows pgx.Rows
	switch q.Kind {
	case store.BackfillForecast:
		if len(q.Ensembles) == 0 {
			return nil, nil
		}
		rows, err = s.pool.Query(ctx, `SELECT symbol, as_of, 0 FROM forecasts
			WHERE horizon = $1 AND config_hash = $2 AND as_of BETWEEN $3 AND $4
			AND symbol = ANY($5) AND ensemble = ANY($6)
			GROUP BY symbol, as_of HAVING COUNT(DISTINCT ensemble) >= $7
			ORDER BY symbol, as_of`,
			q.Horizon, q.ConfigHash, q.From, q.To, q.Symbols, q.Ensembles, q.EnsemblesNeeded())
	case store.BackfillValidate:
		if len(q.ModelCounts) == 0 {
			return nil, nil
		}
		rows, err = s.pool.Query(ctx, `SELECT symbol, validation_date, window_id FROM ensemble_validation_metrics
			WHERE horizon = $1 AND hyperparameters->>'config_hash' = $2
			AND validation_date >= $3 AND validation_date < $4
			AND symbol = ANY($5) AND model_count = ANY($6)
			GROUP BY symbol, validation_date, window_id HAVING COUNT(DISTINCT model_count) = $7
			ORDER BY symbol, validation_date, window_id`,
			q.Horizon, q.ConfigHash, q.From, q.To.AddDate(0, 0, 1), q.Symbols, q.ModelCounts, len(q.ModelCounts))
	default:
		return nil, fmt.Errorf("postgres: done units: unknown kind %q", q.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: done units: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.UnitKey, error) {
		var k store.UnitKey
		err := r.Scan(&k.Symbol, &k.Day, &k.WindowID)
		k.Day = k.Day.UTC()
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: done units: %w", err)
	}
	return out, nil
}

// StartBackfill finds or inserts a backfill and records its units.
func (s *Store) StartBackfill(ctx context.Context, b *store.Backfill, units []store.BackfillUnit) (err error) {
	ctx, end := s.bound(ctx, "start backfill")
	defer func() { err = end(err) }()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO backfills (kind, mode, from_date, to_date, symbols, config_hash, parameters)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (kind, config_hash, from_date, to_date, symbols) DO UPDATE SET
				mode = EXCLUDED.mode, parameters = EXCLUDED.parameters, updated_at = NOW()
			RETURNING id, created_at, updated_at`,
			b.Kind, b.Mode, b.From, b.To, nonNilStrings(b.Symbols), b.ConfigHash, nonNilMap(b.Parameters)).
			Scan(&b.ID, &b.CreatedAt, &b.UpdatedAt)
		if err != nil {
			return err
		}
		batch := &pgx.Batch{}
		for _, u := range units {
			batch.Queue(`INSERT INTO backfill_units (backfill_id, symbol, day, window_id, status, run_id)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (backfill_id, symbol, day, window_id) DO UPDATE SET status = EXCLUDED.status,
					updated_at = NOW()
				WHERE backfill_units.status <> EXCLUDED.status`,
				b.ID, u.Symbol, u.Day, u.WindowID, string(u.Status), u.RunID)
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: start backfill: %w", err)
	}
	return nil
}

// SetUnitStatus records a unit's state.
func (s *Store) SetUnitStatus(ctx context.Context, u store.BackfillUnit) (err error) {
	day := u.Day.Format(time.DateOnly)
	ctx, end := s.bound(ctx, "unit %s %s", u.Symbol, day)
	defer func() { err = end(err) }()
	attempt := 0
	if u.Status == store.UnitRunning {
		attempt = 1
	}
	tag, err := s.pool.Exec(ctx, `UPDATE backfill_units SET status = $1, error = $2, run_id = COALESCE($3, run_id),
		attempts = attempts + $4, updated_at = NOW()
		WHERE backfill_id = $5 AND symbol = $6 AND day = $7 AND window_id = $8`,
		string(u.Status), u.Error, u.RunID, attempt, u.BackfillID, u.Symbol, u.Day, u.WindowID)
	if err != nil {
		return fmt.Errorf("postgres: unit %s %s: %w", u.Symbol, day, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: unit %s %s of backfill %d: %w", u.Symbol, day, u.BackfillID, store.ErrNotFound)
	}
	return nil
}

// Backfills returns the latest backfills with their progress.
func (s *Store) Backfills(ctx context.Context, limit int) (_ []store.BackfillProgress, err error) {
	ctx, end := s.bound(ctx, "backfills")
	defer func() { err = end(err) }()
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	rows, err := s.pool.Query(ctx, `SELECT b.id, b.kind, b.mode, b.from_date, b.to_date, b.symbols, b.config_hash,
			b.parameters, b.created_at, b.updated_at,
			COUNT(u.symbol), COUNT(*) FILTER (WHERE u.status = 'pending'), COUNT(*) FILTER (WHERE u.status = 'running'),
			COUNT(*) FILTER (WHERE u.status = 'done'), COUNT(*) FILTER (WHERE u.status = 'failed'),
			COALESCE(MAX(u.updated_at), b.updated_at)
		FROM backfills b LEFT JOIN backfill_units u ON u.backfill_id = b.id
		GROUP BY b.id ORDER BY b.updated_at DESC, b.id DESC LIMIT $1`, lim)
	if err != nil {
		return nil, fmt.Errorf("postgres: backfills: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.BackfillProgress, error) {
		var p store.BackfillProgress
		err := r.Scan(&p.ID, &p.Kind, &p.Mode, &p.From, &p.To, &p.Symbols, &p.ConfigHash, &p.Parameters,
			&p.CreatedAt, &p.UpdatedAt, &p.Total, &p.Pending, &p.Running, &p.Done, &p.Failed, &p.LastUpdate)
		p.From, p.To = p.From.UTC(), p.To.UTC()
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: backfills: %w", err)
	}
	return out, nil
}

// BackfillUnits returns the units of a backfill.
func (s *Store) BackfillUnits(ctx context.Context, id int64, status store.UnitStatus) (_ []store.BackfillUnit, err error) {
	ctx, end := s.bound(ctx, "units of backfill %d", id)
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT symbol, day, window_id, status, attempts, error, run_id, updated_at
		FROM backfill_units WHERE backfill_id = $1 AND ($2 = '' OR status = $2)
		ORDER BY symbol, day, window_id`, id, string(status))
	if err != nil {
		return nil, fmt.Errorf("postgres: units of backfill %d: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.BackfillUnit, error) {
		u := store.BackfillUnit{BackfillID: id}
		var st string
		err := r.Scan(&u.Symbol, &u.Day, &u.WindowID, &st, &u.Attempts, &u.Error, &u.RunID, &u.UpdatedAt)
		u.Day, u.Status = u.Day.UTC(), store.UnitStatus(st)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: units of backfill %d: %w", id, err)
	}
	return out, nil
}
