package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// SlotStatus is the state of one schedule slot.
type SlotStatus string

// Slot states. A slot is running from its claim until its job ends; the
// job's run status then becomes the slot's (succeeded, partial, failed).
// A slot on a day the exchange is closed is skipped; one whose scheduler
// stopped renewing its heartbeat is abandoned, and may be claimed again.
const (
	SlotRunning   SlotStatus = "running"
	SlotSucceeded SlotStatus = "succeeded"
	SlotPartial   SlotStatus = "partial"
	SlotFailed    SlotStatus = "failed"
	SlotSkipped   SlotStatus = "skipped"
	SlotAbandoned SlotStatus = "abandoned"
)

// Slot is one firing time of one scheduled job: a schedule_slots row.
type Slot struct {
	Job string    // the schedule entry's job, e.g. "forecast"
	At  time.Time // the slot's time (UTC when read)
	// Status is SlotRunning or SlotSkipped when claimed.
	Status SlotStatus
	// RunID is the job's forecast_runs row, 0 while unknown or when the
	// job never started one.
	RunID int64
	// Owner names the scheduler that claimed the slot: host:pid.
	Owner       string
	ClaimedAt   time.Time
	HeartbeatAt time.Time
	// FinishedAt is zero while running; for an abandoned slot, when it
	// was found abandoned.
	FinishedAt time.Time
	// Attempts counts the claims of the slot: 1, and one more for each
	// claim of an abandoned slot.
	Attempts int
	// Error is why the slot failed, or was skipped or abandoned.
	Error string
}

// ScheduleStore keeps the slots of runner schedule (DESIGN §8): the unique
// slot row that makes each slot run once however many schedulers run.
type ScheduleStore interface {
	// ClaimSlot records slot (Job, At, Status, Owner, ClaimedAt; the
	// heartbeat is the claim time) unless a row of the same job and time
	// exists. A row marked abandoned is claimed again: it takes the new
	// status, owner and times, loses its run and error, and counts one
	// more attempt. It reports whether this call claimed the slot, and
	// sets slot.Attempts when it did. Of concurrent claims of one slot,
	// in any number of processes, exactly one succeeds.
	ClaimSlot(ctx context.Context, slot *Slot) (bool, error)
	// SlotHeartbeat records that the running slot is alive at time at,
	// with the run it started (runID, 0 while none). It returns
	// ErrNotRunning when the slot is no longer running, ErrNotFound when
	// there is no such slot.
	SlotHeartbeat(ctx context.Context, job string, slotAt time.Time, runID int64, at time.Time) error
	// FinishSlot records the final status, run and error of a slot, also
	// of a slot marked abandoned meanwhile, with slot.FinishedAt. It
	// returns ErrNotFound when there is no such slot.
	FinishSlot(ctx context.Context, slot Slot) error
	// AbandonStaleSlots marks abandoned every running slot whose heartbeat
	// is older than staleAfter at time now, with now as its finish time,
	// and returns them as they are then, by job and time.
	AbandonStaleSlots(ctx context.Context, now time.Time, staleAfter time.Duration) ([]Slot, error)
	// Slots returns the slots of one job, or of every job when job is "",
	// with times in [from, to), by job and time.
	Slots(ctx context.Context, job string, from, to time.Time) ([]Slot, error)
}

// SortSlots orders slots by job, then time.
func SortSlots(slots []Slot) {
	slices.SortFunc(slots, func(a, b Slot) int {
		return cmp.Or(strings.Compare(a.Job, b.Job), a.At.Compare(b.At))
	})
}
