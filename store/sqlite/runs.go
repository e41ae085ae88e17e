package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"runner/store"
)

// StartRun inserts a running run and sets its ID.
func (s *Store) StartRun(ctx context.Context, run *store.Run) (err error) {
	ctx, end := s.bound(ctx, "start run")
	defer func() { err = end(err) }()
	syms, err := toJSON(nonNilStrings(run.Symbols))
	if err != nil {
		return fmt.Errorf("sqlite: start run: %w", err)
	}
	params, err := toJSON(nonNilMap(run.Parameters))
	if err != nil {
		return fmt.Errorf("sqlite: start run: parameters: %w", err)
	}
	if run.Status == "" {
		run.Status = store.RunRunning
	}
	var asOf any
	if !run.AsOf.IsZero() {
		asOf = run.AsOf.Format(dateLayout)
	}
	err = s.db.QueryRowContext(ctx, `INSERT INTO forecast_runs
		(kind, mode, as_of, status, symbols, parameters, code_version, host, started_at, heartbeat_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING id`,
		run.Kind, run.Mode, asOf, string(run.Status), syms, params, run.CodeVersion, run.Host, fmtTime(run.StartedAt)).Scan(&run.ID)
	if err != nil {
		return fmt.Errorf("sqlite: start run: %w", err)
	}
	return nil
}

// Heartbeat records that a running run is alive.
func (s *Store) Heartbeat(ctx context.Context, id int64, at time.Time) (err error) {
	ctx, end := s.bound(ctx, "heartbeat of run %d", id)
	defer func() { err = end(err) }()
	res, err := s.db.ExecContext(ctx, `UPDATE forecast_runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'`,
		fmtTime(at), id)
	if err != nil {
		return fmt.Errorf("sqlite: heartbeat of run %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var status string
	if err := s.db.QueryRowContext(ctx, `SELECT status FROM forecast_runs WHERE id = ?`, id).Scan(&status); err != nil {
		return notFound(err, fmt.Sprintf("heartbeat of run %d", id))
	}
	return fmt.Errorf("sqlite: heartbeat of run %d: %s: %w", id, status, store.ErrNotRunning)
}

// AbandonStaleRuns marks abandoned the running runs whose heartbeat is
// older than staleAfter.
func (s *Store) AbandonStaleRuns(ctx context.Context, now time.Time, staleAfter time.Duration) (_ []int64, err error) {
	ctx, end := s.bound(ctx, "abandon stale runs")
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `UPDATE forecast_runs SET status = 'abandoned', finished_at = ?
		WHERE status = 'running' AND heartbeat_at < ? RETURNING id`, fmtTime(now), fmtTime(now.Add(-staleAfter)))
	if err != nil {
		return nil, fmt.Errorf("sqlite: abandon stale runs: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: abandon stale runs: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: abandon stale runs: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// FinishRun records a run's outcome.
func (s *Store) FinishRun(ctx context.Context, run *store.Run) (err error) {
	ctx, end := s.bound(ctx, "finish run %d", run.ID)
	defer func() { err = end(err) }()
	errs, err := toJSON(nonNilErrors(run.SymbolErrors))
	if err != nil {
		return fmt.Errorf("sqlite: finish run %d: %w", run.ID, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE forecast_runs SET status = ?, symbol_errors = ?, finished_at = ?, duration_ms = ?
		WHERE id = ?`, string(run.Status), errs, fmtNullTime(run.FinishedAt),
		run.FinishedAt.Sub(run.StartedAt).Milliseconds(), run.ID)
	if err != nil {
		return fmt.Errorf("sqlite: finish run %d: %w", run.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: finish run %d: %w", run.ID, store.ErrNotFound)
	}
	return nil
}

// runColumns are the forecast_runs columns scanRun reads.
const runColumns = `id, kind, mode, as_of, status, symbols, symbol_errors, parameters,
	code_version, host, started_at, finished_at, heartbeat_at`

// Run returns one run.
func (s *Store) Run(ctx context.Context, id int64) (_ store.Run, err error) {
	ctx, end := s.bound(ctx, "run %d", id)
	defer func() { err = end(err) }()
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM forecast_runs WHERE id = ?`, id))
	if err != nil {
		return r, notFound(err, fmt.Sprintf("run %d", id))
	}
	return r, nil
}

// Runs returns the runs matching f, latest first.
func (s *Store) Runs(ctx context.Context, f store.RunFilter) (_ []store.Run, err error) {
	ctx, end := s.bound(ctx, "runs")
	defer func() { err = end(err) }()
	from, to := fmtNullTime(f.StartedFrom), fmtNullTime(f.StartedTo)
	limit := -1
	if f.Limit > 0 {
		limit = f.Limit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM forecast_runs
		WHERE (?1 = '' OR kind = ?1) AND (?2 IS NULL OR started_at >= ?2) AND (?3 IS NULL OR started_at <= ?3)
		ORDER BY started_at DESC, id DESC LIMIT ?4`, f.Kind, from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: runs: %w", err)
	}
	runs, err := collectRows(rows, scanRun)
	if err != nil {
		return nil, fmt.Errorf("sqlite: runs: %w", err)
	}
	return runs, nil
}

// scanRun reads the runColumns of one row.
func scanRun(row scanner) (store.Run, error) {
	var (
		r                       store.Run
		asOf, finished          sql.NullString
		status, syms, errs, prm string
		started, heartbeat      string
	)
	if err := row.Scan(&r.ID, &r.Kind, &r.Mode, &asOf, &status, &syms, &errs, &prm, &r.CodeVersion, &r.Host,
		&started, &finished, &heartbeat); err != nil {
		return r, err
	}
	r.Status = store.RunStatus(status)
	if asOf.Valid {
		r.AsOf, _ = parseDate(asOf.String)
	}
	r.StartedAt, _ = parseTime(started)
	r.HeartbeatAt, _ = parseTime(heartbeat)
	if finished.Valid {
		r.FinishedAt, _ = parseTime(finished.String)
	}
	for _, f := range []struct {
		src string
		dst any
	}{{syms, &r.Symbols}, {errs, &r.SymbolErrors}, {prm, &r.Parameters}} {
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return r, fmt.Errorf("run %d: %w", r.ID, err)
		}
	}
	return r, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func nonNilErrors(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
