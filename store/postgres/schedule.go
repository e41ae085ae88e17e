package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"runner/store"
)

// slotColumns are the columns scanned by scanSlot, in order.
const slotColumns = `job, slot_at, status, COALESCE(run_id, 0), owner, claimed_at, heartbeat_at, finished_at, attempts, error`

// ClaimSlot inserts the slot's row, or takes over an abandoned one, in one
// statement: of concurrent claims, the row lock lets one through and the
// others find it no longer abandoned.
func (s *Store) ClaimSlot(ctx context.Context, slot *store.Slot) (_ bool, err error) {
	ctx, end := s.bound(ctx, "claim slot %s %s", slot.Job, slot.At.UTC().Format(time.RFC3339))
	defer func() { err = end(err) }()
	err = s.pool.QueryRow(ctx, `INSERT INTO schedule_slots AS s (job, slot_at, status, owner, claimed_at, heartbeat_at, error)
		VALUES ($1, $2, $3, $4, $5, $5, $6)
		ON CONFLICT (job, slot_at) DO UPDATE SET status = EXCLUDED.status, owner = EXCLUDED.owner,
			claimed_at = EXCLUDED.claimed_at, heartbeat_at = EXCLUDED.heartbeat_at, finished_at = NULL,
			run_id = NULL, error = EXCLUDED.error, attempts = s.attempts + 1
		WHERE s.status = 'abandoned'
		RETURNING attempts`, slot.Job, slot.At, string(slot.Status), slot.Owner, slot.ClaimedAt, slot.Error).Scan(&slot.Attempts)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("postgres: claim slot %s %s: %w", slot.Job, slot.At.UTC().Format(time.RFC3339), err)
	}
	return true, nil
}

// SlotHeartbeat renews a running slot's heartbeat.
func (s *Store) SlotHeartbeat(ctx context.Context, job string, slotAt time.Time, runID int64, at time.Time) (err error) {
	what := fmt.Sprintf("heartbeat of slot %s %s", job, slotAt.UTC().Format(time.RFC3339))
	ctx, end := s.bound(ctx, "%s", what)
	defer func() { err = end(err) }()
	var status string
	err = s.pool.QueryRow(ctx, `WITH beat AS (
			UPDATE schedule_slots SET heartbeat_at = $3, run_id = COALESCE(NULLIF($4, 0), run_id)
			WHERE job = $1 AND slot_at = $2 AND status = 'running' RETURNING status)
		SELECT COALESCE((SELECT status FROM beat), status) FROM schedule_slots WHERE job = $1 AND slot_at = $2`,
		job, slotAt, at, runID).Scan(&status)
	if err != nil {
		return translate(err, what)
	}
	if status != string(store.SlotRunning) {
		return fmt.Errorf("postgres: %s: %s: %w", what, status, store.ErrNotRunning)
	}
	return nil
}

// FinishSlot records a slot's outcome.
func (s *Store) FinishSlot(ctx context.Context, slot store.Slot) (err error) {
	what := fmt.Sprintf("finish slot %s %s", slot.Job, slot.At.UTC().Format(time.RFC3339))
	ctx, end := s.bound(ctx, "%s", what)
	defer func() { err = end(err) }()
	var finished *time.Time
	if !slot.FinishedAt.IsZero() {
		finished = &slot.FinishedAt
	}
	tag, err := s.pool.Exec(ctx, `UPDATE schedule_slots SET status = $3, run_id = NULLIF($4, 0), finished_at = $5, error = $6
		WHERE job = $1 AND slot_at = $2`, slot.Job, slot.At, string(slot.Status), slot.RunID, finished, slot.Error)
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s: %w", what, store.ErrNotFound)
	}
	return nil
}

// AbandonStaleSlots marks abandoned the running slots whose heartbeat is
// older than staleAfter.
func (s *Store) AbandonStaleSlots(ctx context.Context, now time.Time, staleAfter time.Duration) (_ []store.Slot, err error) {
	ctx, end := s.bound(ctx, "abandon stale slots")
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `UPDATE schedule_slots SET status = 'abandoned', finished_at = $1,
			error = 'abandoned: no heartbeat from ' || owner || ' since ' || to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
		WHERE status = 'running' AND heartbeat_at < $2 RETURNING `+slotColumns, now, now.Add(-staleAfter))
	if err != nil {
		return nil, fmt.Errorf("postgres: abandon stale slots: %w", err)
	}
	slots, err := collectSlots(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: abandon stale slots: %w", err)
	}
	return slots, nil
}

// Slots returns the slots of a job in a time range.
func (s *Store) Slots(ctx context.Context, job string, from, to time.Time) (_ []store.Slot, err error) {
	ctx, end := s.bound(ctx, "slots of %q", job)
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT `+slotColumns+` FROM schedule_slots
		WHERE ($1 = '' OR job = $1) AND slot_at >= $2 AND slot_at < $3 ORDER BY job, slot_at`, job, from, to)
	if err != nil {
		return nil, fmt.Errorf("postgres: slots of %q: %w", job, err)
	}
	slots, err := collectSlots(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: slots of %q: %w", job, err)
	}
	return slots, nil
}

// collectSlots scans rows of slotColumns, sorted by job and time.
func collectSlots(rows pgx.Rows) ([]store.Slot, error) {
	slots, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Slot, error) {
		var (
			sl       store.Slot
			status   string
			finished *time.Time
		)
		err := row.Scan(&sl.Job, &sl.At, &status, &sl.RunID, &sl.Owner, &sl.ClaimedAt, &sl.HeartbeatAt, &finished, &sl.Attempts, &sl.Error)
		sl.Status = store.SlotStatus(status)
		if finished != nil {
			sl.FinishedAt = finished.UTC()
		}
		sl.At, sl.ClaimedAt, sl.HeartbeatAt = sl.At.UTC(), sl.ClaimedAt.UTC(), sl.HeartbeatAt.UTC()
		return sl, err
	})
	if err != nil {
		return nil, err
	}
	store.SortSlots(slots)
	return slots, nil
}
