package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"

	"runner/store"
)

// heartbeat records, every interval until stopped, that a run is alive, so
// that other processes do not take it for dead (RunConfig.Lease). A beat
// that fails is logged and the run goes on.
type heartbeat struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startHeartbeat starts beating for run id, with times from now.
func startHeartbeat(ctx context.Context, s store.Store, id int64, interval time.Duration, now func() time.Time, log zerolog.Logger) *heartbeat {
	ctx, cancel := context.WithCancel(ctx)
	h := &heartbeat{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		reported := false
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			err := s.Heartbeat(ctx, id, now().UTC())
			switch {
			case err == nil || ctx.Err() != nil:
			case errors.Is(err, store.ErrNotRunning):
				if !reported {
					log.Error().Int64("run_id", id).Err(err).
						Msg("run marked abandoned while still running: a heartbeat came later than the lease; its end will still be recorded")
					reported = true
				}
			default:
				log.Warn().Int64("run_id", id).Err(err).Msg("heartbeat not recorded")
			}
		}
	}()
	return h
}

// stop ends the heartbeat, interrupting a beat in progress, and returns
// once no beat can follow.
func (h *heartbeat) stop() {
	h.cancel()
	<-h.done
}
