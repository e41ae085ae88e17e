package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"runner/store"
)

// RiverQueue is the River queue backfill units go to.
const RiverQueue = "backfill"

// UnitMaxAttempts is how many times River runs a unit job before it gives
// it up (discarded); the next run of the backfill enqueues it again.
const UnitMaxAttempts = 5

// UnitArgs is the River job of one task of a backfill: one unit, or a
// symbol's units in date order when they depend on earlier ones. It is
// unique by its backfill, units and Force while queued or running, so
// enqueueing a backfill twice adds nothing.
type UnitArgs struct {
	BackfillID int64           `json:"backfill_id" river:"unique"`
	Units      []store.UnitKey `json:"units" river:"unique"`
	// Force runs the units even when their rows exist.
	Force bool `json:"force" river:"unique"`
	// Spec is the configuration the units run with.
	Spec BackfillSpec `json:"spec"`
}

// Kind is the River job kind.
func (UnitArgs) Kind() string { return "backfill_unit" }

// InsertOpts makes unit jobs unique by their arguments among the jobs not
// finalized (a completed, discarded or cancelled job does not stop a later
// backfill from enqueueing its units again), on RiverQueue.
func (UnitArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: RiverQueue, MaxAttempts: UnitMaxAttempts, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled},
	}}
}

// UnitWorker works UnitArgs jobs: it runs each unit not yet done (all of
// them with Force) through its UnitRunner, in order. A unit's rows are
// written in one transaction, so a worker killed mid-job loses nothing:
// River rescues the job once it has been running longer than the
// client's RescueStuckJobsAfter and its own timeout, and the retry skips
// the units done.
type UnitWorker struct {
	river.WorkerDefaults[UnitArgs]
	Units *UnitRunner
	// UnitTimeout is the time allowed for one unit; a job gets it times
	// its number of units. Required.
	UnitTimeout time.Duration
}

// Timeout is the job's timeout: UnitTimeout per unit. River's rescuer
// leaves a running job alone until it has run longer than this too.
func (w *UnitWorker) Timeout(job *river.Job[UnitArgs]) time.Duration {
	return w.UnitTimeout * time.Duration(max(len(job.Args.Units), 1))
}

// NextRetry retries a failed job after attempt² seconds (1 s, 4 s, 9 s,
// ...): a unit fails on data or a lost database, not on load.
func (w *UnitWorker) NextRetry(job *river.Job[UnitArgs]) time.Time {
	return time.Now().Add(time.Duration(job.Attempt*job.Attempt) * time.Second)
}

// Work runs the job's units. It returns an error, for River to retry the
// job, when a unit failed or was interrupted.
func (w *UnitWorker) Work(ctx context.Context, job *river.Job[UnitArgs]) error {
	a := job.Args
	if err := a.Spec.validate(); err != nil {
		return river.JobCancel(fmt.Errorf("backfill %d: %w", a.BackfillID, err))
	}
	var failed []string
	for _, u := range a.Units {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !a.Force {
			done, err := w.Units.isDone(ctx, a.Spec, u)
			if err != nil {
				return fmt.Errorf("backfill %d: %s: %w", a.BackfillID, unitID(u), err)
			}
			if done {
				w.Units.markDone(ctx, a.BackfillID, u)
				continue
			}
		}
		r := w.Units.RunUnit(ctx, a.Spec, a.BackfillID, u)
		if r.Interrupted {
			return r.Err
		}
		if r.Err != nil {
			failed = append(failed, r.Err.Error())
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("backfill %d: %d of %d units failed: %s", a.BackfillID, len(failed), len(a.Units),
			strings.Join(failed, "; "))
	}
	return nil
}

// markDone records a unit found done without running it.
func (r *UnitRunner) markDone(ctx context.Context, backfillID int64, u store.UnitKey) {
	if backfillID == 0 {
		return
	}
	err := r.Store.SetUnitStatus(ctx, store.BackfillUnit{BackfillID: backfillID, UnitKey: u, Status: store.UnitDone})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		r.Log.Warn().Err(err).Str("unit", unitID(u)).Msg("unit state not recorded")
	}
}
