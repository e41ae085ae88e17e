package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"runner/store"
)

// slotColumns are the columns scanned by scanSlot, in order.
const slotColumns = `job, slot_at, status, COALESCE(run_id, 0), owner, claimed_at, heartbeat_at, finished_at, attempts, error`

// ClaimSlot inserts the slot's row, or takes over an abandoned one, in one
// statement; SQLite's single writer serialises concurrent claims.
func (s *Store) ClaimSlot(ctx context.Context, slot *store.Slot) (_ bool, err error) {
	what := fmt.Sprintf("claim slot %s %s", slot.Job, slot.At.UTC().Format(time.RFC3339))
	ctx, end := s.bound(ctx, "%s", what)
	defer func() { err = end(err) }()
	err = s.db.QueryRowContext(ctx, `INSERT INTO schedule_slots (job, slot_at, status, owner, claimed_at, heartbeat_at, error)
		VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
		ON CONFLICT (job, slot_at) DO UPDATE SET status = excluded.status, owner = excluded.owner,
			claimed_at = excluded.claimed_at, heartbeat_at = excluded.heartbeat_at, finished_at = NULL,
			run_id = NULL, error = excluded.error, attempts = schedule_slots.attempts + 1
		WHERE schedule_slots.status = 'abandoned'
		RETURNING attempts`, slot.Job, fmtTime(slot.At), string(slot.Status), slot.Owner, fmtTime(slot.ClaimedAt), slot.Error).
		Scan(&slot.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return true, nil
}

// SlotHeartbeat renews a running slot's heartbeat.
func (s *Store) SlotHeartbeat(ctx context.Context, job string, slotAt time.Time, runID int64, at time.Time) (err error) {
	what := fmt.Sprintf("heartbeat of slot %s %s", job, slotAt.UTC().Format(time.RFC3339))
	ctx, end := s.bound(ctx, "%s", what)
	defer func() { err = end(err) }()
	res, err := s.db.ExecContext(ctx, `UPDATE schedule_slots SET heartbeat_at = ?3, run_id = COALESCE(NULLIF(?4, 0), run_id)
		WHERE job = ?1 AND slot_at = ?2 AND status = 'running'`, job, fmtTime(slotAt), fmtTime(at), runID)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var status string
	if err := s.db.QueryRowContext(ctx, `SELECT status FROM schedule_slots WHERE job = ? AND slot_at = ?`,
		job, fmtTime(slotAt)).Scan(&status); err != nil {
		return notFound(err, what)
	}
	return fmt.Errorf("sqlite: %s: %s: %w", what, status, store.ErrNotRunning)
}

// FinishSlot records a slot's outcome.
func (s *Store) FinishSlot(ctx context.Context, slot store.Slot) (err error) {
	what := fmt.Sprintf("finish slot %s %s", slot.Job, slot.At.UTC().Format(time.RFC3339))
	ctx, end := s.bound(ctx, "%s", what)
	defer func() { err = end(err) }()
	res, err := s.db.ExecContext(ctx, `UPDATE schedule_slots SET status = ?3, run_id = NULLIF(?4, 0), finished_at = ?5, error = ?6
		WHERE job = ?1 AND slot_at = ?2`, slot.Job, fmtTime(slot.At), string(slot.Status), slot.RunID,
		fmtNullTime(slot.FinishedAt), slot.Error)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: %s: %w", what, store.ErrNotFound)
	}
	return nil
}

// AbandonStaleSlots marks abandoned the running slots whose heartbeat is
// older than staleAfter.
func (s *Store) AbandonStaleSlots(ctx context.Context, now time.Time, staleAfter time.Duration) (_ []store.Slot, err error) {
	ctx, end := s.bound(ctx, "abandon stale slots")
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `UPDATE schedule_slots SET status = 'abandoned', finished_at = ?1,
			error = 'abandoned: no heartbeat from ' || owner || ' since ' || heartbeat_at
		WHERE status = 'running' AND heartbeat_at < ?2 RETURNING `+slotColumns, fmtTime(now), fmtTime(now.Add(-staleAfter)))
	if err != nil {
		return nil, fmt.Errorf("sqlite: abandon stale slots: %w", err)
	}
	slots, err := collectRows(rows, scanSlot)
	if err != nil {
		return nil, fmt.Errorf("sqlite: abandon stale slots: %w", err)
	}
	store.SortSlots(slots)
	return slots, nil
}

// Slots returns the slots of a job in a time range.
func (s *Store) Slots(ctx context.Context, job string, from, to time.Time) (_ []store.Slot, err error) {
	ctx, end := s.bound(ctx, "slots of %q", job)
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `SELECT `+slotColumns+` FROM schedule_slots
		WHERE (?1 = '' OR job = ?1) AND slot_at >= ?2 AND slot_at < ?3 ORDER BY job, slot_at`, job, fmtTime(from), fmtTime(to))
	if err != nil {
		return nil, fmt.Errorf("sqlite: slots of %q: %w", job, err)
	}
	slots, err := collectRows(rows, scanSlot)
	if err != nil {
		return nil, fmt.Errorf("sqlite: slots of %q: %w", job, err)
	}
	return slots, nil
}

func scanSlot(row scanner) (store.Slot, error) {
	var (
		sl                          store.Slot
		status, at, claimed, beaten string
		finished                    sql.NullString
	)
	if err := row.Scan(&sl.Job, &at, &status, &sl.RunID, &sl.Owner, &claimed, &beaten, &finished, &sl.Attempts, &sl.Error); err != nil {
		return sl, err
	}
	sl.Status = store.SlotStatus(status)
	var err error
	for _, f := range []struct {
		s   string
		dst *time.Time
	}{{at, &sl.At}, {claimed, &sl.ClaimedAt}, {beaten, &sl.HeartbeatAt}, {finished.String, &sl.FinishedAt}} {
		if f.s == "" {
			continue
		}
		if *f.dst, err = parseTime(f.s); err != nil {
			return sl, fmt.Errorf("slot time %q: %w", f.s, err)
		}
	}
	return sl, nil
}
