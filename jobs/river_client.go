package jobs

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
)

// Defaults of RiverConfig.
const (
	// DefaultUnitTimeout is the time allowed for one unit. River's own
	// default, one minute, is too short for a validation window with the
	// canonical grid; a forecast unit takes about a second.
	DefaultUnitTimeout = 30 * time.Minute
	// DefaultRescueAfter is how long a job may run before River's rescuer
	// takes it for stuck (its worker died) and retries it, when its own
	// timeout has passed too.
	DefaultRescueAfter = time.Hour
	// DefaultPollInterval is how often a backfill waiting for its jobs
	// looks at them, and River's fetch poll interval.
	DefaultPollInterval = time.Second
)

// RiverConfig configures the River client of a backfill or a worker.
type RiverConfig struct {
	// Concurrency is how many unit jobs the client works at once. 0 makes
	// a client that only enqueues (runner backfill --detach).
	Concurrency int
	// UnitTimeout is the time allowed for one unit (UnitWorker). It is
	// also the client's JobTimeout. Default DefaultUnitTimeout.
	UnitTimeout time.Duration
	// RescueAfter is River's RescueStuckJobsAfter: a job running for
	// longer than this and its timeout is retried (its worker was killed
	// or lost the database). Must exceed UnitTimeout. Default
	// DefaultRescueAfter.
	RescueAfter time.Duration
	// PollInterval is River's FetchPollInterval, how often an idle client
	// looks for jobs besides being notified. Default DefaultPollInterval.
	PollInterval time.Duration
}

func (c *RiverConfig) setDefaults() {
	c.UnitTimeout = cmp.Or(c.UnitTimeout, DefaultUnitTimeout)
	c.RescueAfter = cmp.Or(c.RescueAfter, DefaultRescueAfter)
	c.PollInterval = cmp.Or(c.PollInterval, DefaultPollInterval)
}

func (c RiverConfig) validate() error {
	switch {
	case c.Concurrency < 0:
		return fmt.Errorf("jobs: river: concurrency %d: must not be negative", c.Concurrency)
	case c.UnitTimeout <= 0:
		return fmt.Errorf("jobs: river: unit timeout %s: must be positive", c.UnitTimeout)
	case c.RescueAfter <= c.UnitTimeout:
		return fmt.Errorf("jobs: river: rescue after %s: must exceed the unit timeout %s", c.RescueAfter, c.UnitTimeout)
	}
	return nil
}

// NewRiverClient builds a River client on pool (whose search_path holds
// River's tables, migrated by runner migrate) that works unit jobs with
// units, cfg.Concurrency at a time; with Concurrency 0 it only enqueues.
// Start it to work the queue; stop it with Stop or StopAndCancel.
func NewRiverClient(pool *pgxpool.Pool, units *UnitRunner, cfg RiverConfig, log zerolog.Logger) (*river.Client[pgx.Tx], error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &UnitWorker{Units: units, UnitTimeout: cfg.UnitTimeout}); err != nil {
		return nil, fmt.Errorf("jobs: river: %w", err)
	}
	rc := &river.Config{
		Workers:              workers,
		JobTimeout:           cfg.UnitTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(river.FetchCooldownDefault, cfg.PollInterval),
		MaxAttempts:          UnitMaxAttempts,
		Logger:               slog.New(zerolog.NewSlogHandler(log.With().Str("component", "river").Logger().Level(max(log.GetLevel(), zerolog.WarnLevel)))),
	}
	if cfg.Concurrency > 0 {
		rc.Queues = map[string]river.QueueConfig{RiverQueue: {MaxWorkers: cfg.Concurrency}}
	}
	c, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: river: %w", err)
	}
	return c, nil
}

// Enqueued is what enqueueing a backfill's tasks did.
type Enqueued struct {
	// JobIDs are the jobs of every task: inserted, or already queued.
	JobIDs []int64
	// Added counts the jobs inserted; the others were already queued or
	// running (unique by arguments).
	Added int
}

// Enqueue inserts the plan's tasks as unit jobs, unique by arguments: a
// task already queued or running is not added again.
func Enqueue(ctx context.Context, c *river.Client[pgx.Tx], plan BackfillPlan, spec BackfillSpec, force bool) (Enqueued, error) {
	var out Enqueued
	const batch = 500
	for start := 0; start < len(plan.Tasks); start += batch {
		var params []river.InsertManyParams
		for _, t := range plan.Tasks[start:min(start+batch, len(plan.Tasks))] {
			params = append(params, river.InsertManyParams{Args: UnitArgs{BackfillID: plan.Backfill.ID, Units: t, Force: force, Spec: spec}})
		}
		res, err := c.InsertMany(ctx, params)
		if err != nil {
			return out, fmt.Errorf("jobs: backfill %d: enqueue: %w", plan.Backfill.ID, err)
		}
		for _, r := range res {
			out.JobIDs = append(out.JobIDs, r.Job.ID)
			if !r.UniqueSkippedAsDuplicate {
				out.Added++
			}
		}
	}
	return out, nil
}

// WaitJobs polls the jobs every interval until none is left to run
// (every one completed, discarded or cancelled), calling tick after each
// look; it returns ctx's error if ctx ends first. A job that River will
// still retry is not finished. A look that fails (the database restarting)
// is tried again at the next interval: the workers' jobs are retried too.
func WaitJobs(ctx context.Context, c *river.Client[pgx.Tx], ids []int64, interval time.Duration, tick func()) error {
	if len(ids) == 0 {
		return nil
	}
	t := time.NewTicker(cmp.Or(interval, DefaultPollInterval))
	defer t.Stop()
	for {
		left, err := c.JobList(ctx, river.NewJobListParams().IDs(ids...).First(1).States(rivertype.JobStateAvailable,
			rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled))
		tick()
		if err == nil && len(left.Jobs) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
