package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"runner/store"
)

// Defaults of RunConfig.
const (
	// DefaultFinishTimeout bounds recording the end of a run.
	DefaultFinishTimeout = 5 * time.Second
)

// RunConfig sets how a job keeps its forecast_runs row.
type RunConfig struct {
	// FinishTimeout bounds recording the final status of a run. The end
	// is recorded on a context of its own, not cancelled with the job's,
	// so that an interrupted run (SIGTERM) is still recorded, and bounded,
	// so that a database that stopped answering cannot hold the process.
	// Default DefaultFinishTimeout (5s).
	FinishTimeout time.Duration
}

func (c *RunConfig) setDefaults() {
	c.FinishTimeout = cmp.Or(c.FinishTimeout, DefaultFinishTimeout)
}

func (c RunConfig) validate() error {
	if c.FinishTimeout < 0 {
		return fmt.Errorf("jobs: run finish timeout %s: must be positive", c.FinishTimeout)
	}
	return nil
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
