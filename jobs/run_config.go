package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"runner/store"
)

// Defaults of RunConfig.
const (
	// DefaultHeartbeatInterval is how often a running job says it is alive.
	DefaultHeartbeatInterval = 10 * time.Second
	// DefaultLease is how long a run counts as alive after its last
	// heartbeat.
	DefaultLease = 60 * time.Second
	// DefaultFinishTimeout bounds recording the end of a run.
	DefaultFinishTimeout = 5 * time.Second
)

// RunConfig sets how a job keeps its forecast_runs row: the heartbeat
// that shows it alive, the lease after which a silent run is taken for
// dead, and the time allowed to record its end.
type RunConfig struct {
	// HeartbeatInterval is how often a running job records that it is
	// alive (forecast_runs.heartbeat_at). Default DefaultHeartbeatInterval
	// (10s).
	HeartbeatInterval time.Duration
	// Lease is how long after its last heartbeat a run still counts as
	// alive. A job starting marks abandoned every run left running with
	// an older heartbeat: its process was killed or lost the database.
	// At least twice HeartbeatInterval; allow for clock differences
	// between hosts. Default DefaultLease (60s).
	Lease time.Duration
	// FinishTimeout bounds recording the final status of a run. The end
	// is recorded on a context of its own, not cancelled with the job's,
	// so that an interrupted run (SIGTERM) is still recorded, and bounded,
	// so that a database that stopped answering cannot hold the process.
	// Default DefaultFinishTimeout (5s).
	FinishTimeout time.Duration
}

func (c *RunConfig) setDefaults() {
	c.HeartbeatInterval = cmp.Or(c.HeartbeatInterval, DefaultHeartbeatInterval)
	c.Lease = cmp.Or(c.Lease, DefaultLease)
	c.FinishTimeout = cmp.Or(c.FinishTimeout, DefaultFinishTimeout)
}

func (c RunConfig) validate() error {
	if c.HeartbeatInterval < 0 || c.Lease < 0 || c.FinishTimeout < 0 {
		return fmt.Errorf("jobs: run heartbeat %s, lease %s, finish timeout %s: must be positive", c.HeartbeatInterval, c.Lease, c.FinishTimeout)
	}
	if c.Lease < 2*c.HeartbeatInterval {
		return fmt.Errorf("jobs: run lease %s: must be at least twice the heartbeat interval %s", c.Lease, c.HeartbeatInterval)
	}
	return nil
}

// AbandonStaleRuns marks abandoned the runs whose process died (no
// heartbeat within cfg.Lease at time now), and logs them. A failure is
// logged, not returned: it leaves those runs as they were and does not
// stop the job. Jobs call it when they start, runner schedule with every
// heartbeat.
func AbandonStaleRuns(ctx context.Context, s store.Store, now time.Time, cfg RunConfig, log zerolog.Logger) {
	ids, err := s.AbandonStaleRuns(ctx, now, cfg.Lease)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		log.Warn().Err(err).Msg("could not mark stale runs abandoned")
		return
	}
	if len(ids) > 0 {
		log.Warn().Ints64("run_ids", ids).Str("lease", cfg.Lease.String()).
			Msg("runs left running with no heartbeat within the lease marked abandoned")
	}
}

// finishRun records the end of run within cfg.FinishTimeout, whatever the
// state of ctx. Its error says that the run could not be recorded and
// what that leaves in the store.
func finishRun(ctx context.Context, s store.Store, run *store.Run, cfg RunConfig) error {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.FinishTimeout)
	defer cancel()
	err := s.FinishRun(fctx, run)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("could not record the end of run %d (%s) within %s; the store shows it running until a later run marks it abandoned: %w",
			run.ID, run.Status, cfg.FinishTimeout, err)
	default:
		return fmt.Errorf("could not record the end of run %d (%s): %w", run.ID, run.Status, err)
	}
}
