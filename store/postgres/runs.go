package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"runner/store"
)

// StartRun inserts a running run and sets its ID.
func (s *Store) StartRun(ctx context.Context, run *store.Run) (err error) {
	ctx, end := s.bound(ctx, "start run")
	defer func() { err = end(err) }()
	if run.Status == "" {
		run.Status = store.RunRunning
	}
	var asOf *time.Time
	if !run.AsOf.IsZero() {
		asOf = &run.AsOf
	}
	err = s.pool.QueryRow(ctx, `INSERT INTO forecast_runs
		(kind, mode, as_of, status, symbols, parameters, code_version, host, started_at, heartbeat_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		run.Kind, run.Mode, asOf, string(run.Status), nonNilStrings(run.Symbols), nonNilMap(run.Parameters),
		run.CodeVersion, run.Host, run.StartedAt).Scan(&run.ID)
	if err != nil {
		return fmt.Errorf("postgres: start run: %w", err)
	}
	return nil
}

// Heartbeat records that a running run is alive.
func (s *Store) Heartbeat(ctx context.Context, id int64, at time.Time) (err error) {
	ctx, end := s.bound(ctx, "heartbeat of run %d", id)
	defer func() { err = end(err) }()
	var status string
	err = s.pool.QueryRow(ctx, `WITH beat AS (
			UPDATE forecast_runs SET heartbeat_at = $2 WHERE id = $1 AND status = 'running' RETURNING status)
		SELECT COALESCE((SELECT status FROM beat), status) FROM forecast_runs WHERE id = $1`, id, at).Scan(&status)
	if err != nil {
		return translate(err, fmt.Sprintf("heartbeat of run %d", id))
	}
	if status != string(store.RunRunning) {
		return fmt.Errorf("postgres: heartbeat of run %d: %s: %w", id, status, store.ErrNotRunning)
	}
	return nil
}

// AbandonStaleRuns marks abandoned the running runs whose heartbeat is
// older than staleAfter.
func (s *Store) AbandonStaleRuns(ctx context.Context, now time.Time, staleAfter time.Duration) (_ []int64, err error) {
	ctx, end := s.bound(ctx, "abandon stale runs")
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `UPDATE forecast_runs SET status = 'abandoned', finished_at = $1
		WHERE status = 'running' AND heartbeat_at < $2 RETURNING id`, now, now.Add(-staleAfter))
	if err != nil {
		return nil, fmt.Errorf("postgres: abandon stale runs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: abandon stale runs: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// FinishRun records a run's outcome.
func (s *Store) FinishRun(ctx context.Context, run *store.Run) (err error) {
	ctx, end := s.bound(ctx, "finish run %d", run.ID)
	defer func() { err = end(err) }()
	var finished *time.Time
	if !run.FinishedAt.IsZero() {
		finished = &run.FinishedAt
	}
	errs := run.SymbolErrors
	if errs == nil {
		errs = map[string]string{}
	}
	tag, err := s.pool.Exec(ctx, `UPDATE forecast_runs SET status = $1, symbol_errors = $2, finished_at = $3,
		duration_ms = $4 WHERE id = $5`, string(run.Status), errs, finished,
		run.FinishedAt.Sub(run.StartedAt).Milliseconds(), run.ID)
	if err != nil {
		return fmt.Errorf("postgres: finish run %d: %w", run.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: finish run %d: %w", run.ID, store.ErrNotFound)
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
	r, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM forecast_runs WHERE id = $1`, id))
	if err != nil {
		return r, translate(err, fmt.Sprintf("run %d", id))
	}
	return r, nil
}

// Runs returns the runs matching f, latest first.
func (s *Store) Runs(ctx context.Context, f store.RunFilter) (_ []store.Run, err error) {
	ctx, end := s.bound(ctx, "runs")
	defer func() { err = end(err) }()
	var from, to *time.Time
	if !f.StartedFrom.IsZero() {
		from = &f.StartedFrom
	}
	if !f.StartedTo.IsZero() {
		to = &f.StartedTo
	}
	var limit *int
	if f.Limit > 0 {
		limit = &f.Limit
	}
	rows, err := s.pool.Query(ctx, `SELECT `+runColumns+` FROM forecast_runs
		WHERE ($1 = '' OR kind = $1) AND ($2::timestamptz IS NULL OR started_at >= $2)
		AND ($3::timestamptz IS NULL OR started_at <= $3)
		ORDER BY started_at DESC, id DESC LIMIT $4`, f.Kind, from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: runs: %w", err)
	}
	runs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Run, error) { return scanRun(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: runs: %w", err)
	}
	return runs, nil
}

// scanRun reads the runColumns of one row.
func scanRun(row pgx.Row) (store.Run, error) {
	var (
		r        store.Run
		asOf     *time.Time
		finished *time.Time
		status   string
	)
	if err := row.Scan(&r.ID, &r.Kind, &r.Mode, &asOf, &status, &r.Symbols, &r.SymbolErrors, &r.Parameters,
		&r.CodeVersion, &r.Host, &r.StartedAt, &finished, &r.HeartbeatAt); err != nil {
		return r, err
	}
	r.Status = store.RunStatus(status)
	if asOf != nil {
		r.AsOf = *asOf
	}
	if finished != nil {
		r.FinishedAt = *finished
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
