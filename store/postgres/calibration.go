package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"runner/store"
)

const calibrationColumns = `id, run_id, symbol, horizon, ensemble, method, parameters, sample_from, sample_to,
	n_samples, before, after, created_at`

// SaveCalibration upserts one calibrations row, keyed by symbol, horizon,
// ensemble, method and sample_to, and sets c.ID.
func (s *Store) SaveCalibration(ctx context.Context, c *store.Calibration) (err error) {
	what := fmt.Sprintf("save calibration %s %s %s %s %s", c.Symbol, c.Horizon, c.Ensemble, c.Method,
		c.SampleTo.Format(time.DateOnly))
	ctx, end := s.bound(ctx, "%s", what)
	defer func() { err = end(err) }()
	err = s.pool.QueryRow(ctx, `INSERT INTO calibrations
		(run_id, symbol, horizon, ensemble, method, parameters, sample_from, sample_to, n_samples, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (symbol, horizon, ensemble, method, sample_to) DO UPDATE SET
			run_id = EXCLUDED.run_id, parameters = EXCLUDED.parameters, sample_from = EXCLUDED.sample_from,
			n_samples = EXCLUDED.n_samples, before = EXCLUDED.before, after = EXCLUDED.after, updated_at = NOW()
		RETURNING id`,
		nullID(c.RunID), c.Symbol, c.Horizon, c.Ensemble, c.Method, nonNilMap(c.Parameters), c.SampleFrom,
		c.SampleTo, c.NSamples, nonNilWeights(c.Before), nonNilWeights(c.After)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	return nil
}

// LatestCalibration returns the row with the latest sample_to on or before
// asOf.
func (s *Store) LatestCalibration(ctx context.Context, symbol, horizon, ensemble string, asOf time.Time) (_ store.Calibration, err error) {
	what := fmt.Sprintf("latest calibration %s %s %s %s", symbol, horizon, ensemble, asOf.Format(time.RFC3339))
	ctx, end := s.bound(ctx, "%s", what)
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT `+calibrationColumns+` FROM calibrations
		WHERE symbol = $1 AND horizon = $2 AND ensemble = $3 AND sample_to <= $4
		ORDER BY sample_to DESC, id DESC LIMIT 1`, symbol, horizon, ensemble, asOf)
	if err != nil {
		return store.Calibration{}, translate(err, what)
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanCalibration)
	if err != nil {
		return c, translate(err, what)
	}
	return c, nil
}

// Calibrations returns the calibrations of one symbol and horizon.
func (s *Store) Calibrations(ctx context.Context, symbol, horizon, ensemble string) (_ []store.Calibration, err error) {
	ctx, end := s.bound(ctx, "calibrations %s %s", symbol, horizon)
	defer func() { err = end(err) }()
	q := `SELECT ` + calibrationColumns + ` FROM calibrations WHERE symbol = $1 AND horizon = $2`
	args := []any{symbol, horizon}
	if ensemble != "" {
		q += ` AND ensemble = $3`
		args = append(args, ensemble)
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY sample_to, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: calibrations %s %s: %w", symbol, horizon, err)
	}
	out, err := pgx.CollectRows(rows, scanCalibration)
	if err != nil {
		return nil, fmt.Errorf("postgres: calibrations %s %s: %w", symbol, horizon, err)
	}
	return out, nil
}

// Calibration returns one calibration.
func (s *Store) Calibration(ctx context.Context, id int64) (_ store.Calibration, err error) {
	ctx, end := s.bound(ctx, "calibration %d", id)
	defer func() { err = end(err) }()
	what := fmt.Sprintf("calibration %d", id)
	rows, err := s.pool.Query(ctx, `SELECT `+calibrationColumns+` FROM calibrations WHERE id = $1`, id)
	if err != nil {
		return store.Calibration{}, translate(err, what)
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanCalibration)
	if err != nil {
		return c, translate(err, what)
	}
	return c, nil
}

// scanCalibration reads one row of calibrationColumns.
func scanCalibration(row pgx.CollectableRow) (store.Calibration, error) {
	var (
		c   store.Calibration
		run *int64
	)
	err := row.Scan(&c.ID, &run, &c.Symbol, &c.Horizon, &c.Ensemble, &c.Method, &c.Parameters, &c.SampleFrom,
		&c.SampleTo, &c.NSamples, &c.Before, &c.After, &c.CreatedAt)
	c.RunID = deref(run)
	c.SampleFrom, c.SampleTo, c.CreatedAt = c.SampleFrom.UTC(), c.SampleTo.UTC(), c.CreatedAt.UTC()
	return c, err
}
