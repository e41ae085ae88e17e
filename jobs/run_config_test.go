package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/jobs"
	"runner/store"
)

// interrupting cancels the job's context when the job saves its forecasts
// (a SIGTERM mid-run) and records how FinishRun is called; with hang set,
// FinishRun waits for its context like a database that stopped answering.
type interrupting struct {
	store.Store
	cancel      context.CancelFunc
	hang        bool
	finishErr   error         // ctx.Err() when FinishRun was called
	finishLimit time.Duration // time to FinishRun's deadline
}

func (s *interrupting) SaveForecasts(ctx context.Context, fs []store.Forecast) error {
	s.cancel()
	return ctx.Err()
}

func (s *interrupting) FinishRun(ctx context.Context, run *store.Run) error {
	s.finishErr = ctx.Err()
	if dl, ok := ctx.Deadline(); ok {
		s.finishLimit = time.Until(dl)
	}
	if s.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	return s.Store.FinishRun(ctx, run)
}

func TestFinishRunAfterInterruption(t *testing.T) {
	for _, hang := range []bool{false, true} {
		job, s := newJob(t)
		ctx, cancel := context.WithCancel(context.Background())
		fake := &interrupting{Store: s, cancel: cancel, hang: hang}
		job.Store = fake
		job.Runs = jobs.RunConfig{FinishTimeout: 100 * time.Millisecond}
		began := time.Now()
		res, err := job.Run(ctx, jobs.ForecastConfig{Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble},
			Symbols: []string{"AAPL"}, AsOf: asOf, Workers: 1})
		require.Error(t, err)
		require.NoError(t, fake.finishErr, "FinishRun's context is not cancelled with the job's")
		require.InDelta(t, 100*time.Millisecond, fake.finishLimit, float64(50*time.Millisecond), "FinishRun has FinishTimeout")
		require.Equal(t, store.RunFailed, res.Run.Status)
		if hang {
			require.ErrorContains(t, err, "jobs: forecast: could not record the end of run 1 (failed) within 100ms")
			require.Less(t, time.Since(began), 2*time.Second)
			continue
		}
		got, err := s.Run(context.Background(), res.Run.ID)
		require.NoError(t, err)
		require.Equal(t, store.RunFailed, got.Status, "the interrupted run is recorded")
	}
}
