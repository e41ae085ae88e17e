package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
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

// interruptJob cancels the running job's context from inside a model.
var interruptJob context.CancelFunc

// interrupt is a model during whose fit the job is interrupted (SIGTERM).
type interrupt struct{}

func (interrupt) Name() string { return "test_interrupt" }
func (interrupt) Forecast(ctx context.Context, _ []marketdata.Bar) (forecast.Distribution, error) {
	interruptJob()
	<-ctx.Done()
	return forecast.Distribution{}, ctx.Err()
}

func init() {
	forecast.Register("test_interrupt", func(forecast.Options) (forecast.Model, error) { return oneCall{interrupt{}}, nil })
}

// A model cut short by an interruption did not fail: the ensemble is not
// renormalised over the others, the symbol has no forecast.
func TestInterruptedModelIsNotALostModel(t *testing.T) {
	job, _ := newJob(t)
	ctx, cancel := context.WithCancel(context.Background())
	interruptJob = cancel
	pair := forecast.Ensemble{Name: "pair", Members: []forecast.Member{{Model: "naive", Weight: 0.5}, {Model: "test_interrupt", Weight: 0.5}}}
	res, err := job.Run(ctx, jobs.ForecastConfig{Ensembles: []forecast.Ensemble{pair}, Symbols: []string{"AAPL"}, AsOf: asOf, DryRun: true})
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, res.Symbols[0].Err, context.Canceled)
	require.EqualError(t, res.Symbols[0].Err, "AAPL: test_interrupt: context canceled")
	require.Empty(t, res.Symbols[0].Forecasts)
	require.Empty(t, res.Symbols[0].LostModels)
}
