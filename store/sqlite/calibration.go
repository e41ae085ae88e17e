package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"runner/store"
)

const calibrationColumns = `id, run_id, symbol, horizon, ensemble, method, parameters, sample_from, sample_to,
	n_samples, before, after, created_at`

// SaveCalibration upserts one calibrations row, keyed by symbol, horizon,
// ensemble, method and sample_to, and sets c.ID.
func (s *Store) SaveCalibration(ctx context.Context, c *store.Calibration) (err error) {
	what := fmt.Sprintf("save calibration %s %s %s %s %s", c.Symbol, c.Horizon, c.Ensemble, c.Method,
		c.SampleTo.Format(dateLayout))
	var params, before, after string
	for _, j := range []struct {
		dst *string
		src any
	}{{&params, nonNilMap(c.Parameters)}, {&before, nonNilWeights(c.Before)}, {&after, nonNilWeights(c.After)}} {
		if *j.dst, err = toJSON(j.src); err != nil {
			return fmt.Errorf("sqlite: %s: %w", what, err)
		}
	}
	ctx, end := s.bound(ctx, "%s", what)
	defer func() { err = end(err) }()
	err = s.db.QueryRowContext(ctx, `INSERT INTO calibrations
		(run_id, symbol, horizon, ensemble, method, parameters, sample_from, sample_to, n_samples, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (symbol, horizon, ensemble, method, sample_to) DO UPDATE SET
			run_id = excluded.run_id, parameters = excluded.parameters, sample_from = excluded.sample_from,
			n_samples = excluded.n_samples, before = excluded.before, after = excluded.after,
			updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
		RETURNING id`,
		nullID(c.RunID), c.Symbol, c.Horizon, c.Ensemble, c.Method, params, fmtTime(c.SampleFrom),
		fmtTime(c.SampleTo), c.NSamples, before, after).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return nil
}

// LatestCalibration returns the row with the latest sample_to on or before
// asOf.
func (s *Store) LatestCalibration(ctx context.Context, symbol, horizon, ensemble string, asOf time.Time) (_ store.Calibration, err error) {
	what := fmt.Sprintf("latest calibration %s %s %s %s", symbol, horizon, ensemble, asOf.Format(time.RFC3339))
	ctx, end := s.bound(ctx, "%s", what)
	defer func() { err = end(err) }()
	row := s.db.QueryRowContext(ctx, `SELECT `+calibrationColumns+` FROM calibrations
		WHERE symbol = ? AND horizon = ? AND ensemble = ? AND sample_to <= ?
		ORDER BY sample_to DESC, id DESC LIMIT 1`, symbol, horizon, ensemble, fmtTime(asOf))
	c, err := scanCalibration(row)
	if err != nil {
		return c, notFound(err, what)
	}
	return c, nil
}

// Calibrations returns the calibrations of one symbol and horizon.
func (s *Store) Calibrations(ctx context.Context, symbol, horizon, ensemble string) (_ []store.Calibration, err error) {
	ctx, end := s.bound(ctx, "calibrations %s %s", symbol, horizon)
	defer func() { err = end(err) }()
	q := `SELECT ` + calibrationColumns + ` FROM calibrations WHERE symbol = ? AND horizon = ?`
	args := []any{symbol, horizon}
	if ensemble != "" {
		q += ` AND ensemble = ?`
		args = append(args, ensemble)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY sample_to, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: calibrations %s %s: %w", symbol, horizon, err)
	}
	out, err := collectRows(rows, scanCalibration)
	if err != nil {
		return nil, fmt.Errorf("sqlite: calibrations %s %s: %w", symbol, horizon, err)
	}
	return out, nil
}

// Calibration returns one calibration.
func (s *Store) Calibration(ctx context.Context, id int64) (_ store.Calibration, err error) {
	ctx, end := s.bound(ctx, "calibration %d", id)
	defer func() { err = end(err) }()
	row := s.db.QueryRowContext(ctx, `SELECT `+calibrationColumns+` FROM calibrations WHERE id = ?`, id)
	c, err := scanCalibration(row)
	if err != nil {
		return c, notFound(err, fmt.Sprintf("calibration %d", id))
	}
	return c, nil
}

// scanCalibration reads one row of calibrationColumns.
func scanCalibration(row scanner) (store.Calibration, error) {
	var (
		c                               store.Calibration
		run                             sql.NullInt64
		params, before, after           string
		sampleFrom, sampleTo, createdAt string
	)
	err := row.Scan(&c.ID, &run, &c.Symbol, &c.Horizon, &c.Ensemble, &c.Method, &params, &sampleFrom, &sampleTo,
		&c.NSamples, &before, &after, &createdAt)
	if err != nil {
		return c, err
	}
	c.RunID = run.Int64
	for _, t := range []struct {
		src string
		dst *time.Time
	}{{sampleFrom, &c.SampleFrom}, {sampleTo, &c.SampleTo}, {createdAt, &c.CreatedAt}} {
		if *t.dst, err = parseTime(t.src); err != nil {
			return c, fmt.Errorf("calibration %d: %w", c.ID, err)
		}
	}
	for _, j := range []struct {
		src string
		dst any
	}{{params, &c.Parameters}, {before, &c.Before}, {after, &c.After}} {
		if err := json.Unmarshal([]byte(j.src), j.dst); err != nil {
			return c, fmt.Errorf("calibration %d: %w", c.ID, err)
		}
	}
	return c, nil
}
