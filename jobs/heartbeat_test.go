package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
	"runner/store"
)

// blocking is a model that waits until released, to hold a run open.
type blocking struct{ release chan struct{} }

func (blocking) Name() string { return "test_blocking" }
func (b blocking) Forecast(ctx context.Context, _ []marketdata.Bar) (forecast.Distribution, error) {
	select {
	case <-b.release:
		return forecast.Normal(0, 0.01, forecast.DefaultNeutralBand), nil
	case <-ctx.Done():
		return forecast.Distribution{}, ctx.Err()
	}
}

var release = make(chan struct{})

func init() {
	forecast.Register("test_blocking", func(forecast.Options) (forecast.Model, error) { return oneCall{blocking{release}}, nil })
}

// clock is a test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// A job that starts marks abandoned a run whose heartbeat is older than the
// lease, and leaves alone a run that is still going, however long ago it
// started, because that run's heartbeat keeps up.
func TestStaleRunsAbandonedLiveRunKept(t *testing.T) {
	ctx := context.Background()
	job, s := newJob(t)
	clk := &clock{t: time.Date(2024, 1, 2, 21, 30, 0, 0, time.UTC)}
	job.Now = clk.Now
	job.Runs = jobs.RunConfig{HeartbeatInterval: 5 * time.Millisecond, Lease: time.Minute}

	// A run whose process died: started, never beat again.
	dead := &store.Run{Kind: "forecast", Mode: "naive", CodeVersion: "test", Host: "h", StartedAt: clk.Now()}
	require.NoError(t, s.StartRun(ctx, dead))

	// A live run, held open by the blocking model.
	held := forecast.Ensemble{Name: "held", Members: []forecast.Member{{Model: "test_blocking", Weight: 1}}}
	liveDone := make(chan error, 1)
	go func() {
		_, err := job.Run(ctx, jobs.ForecastConfig{Ensembles: []forecast.Ensemble{held}, Symbols: []string{"AAPL"}, AsOf: asOf})
		liveDone <- err
	}()
	liveID := dead.ID + 1
	require.Eventually(t, func() bool { _, err := s.Run(ctx, liveID); return err == nil }, 10*time.Second, time.Millisecond)

	// Two minutes pass: the live run's heartbeat follows, the dead one's
	// does not.
	clk.Add(2 * time.Minute)
	require.Eventually(t, func() bool {
		r, err := s.Run(ctx, liveID)
		return err == nil && r.HeartbeatAt.Equal(clk.Now())
	}, 10*time.Second, time.Millisecond)

	// Another job starts.
	other, err := job.Run(ctx, jobs.ForecastConfig{Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble},
		Symbols: []string{"MSFT"}, AsOf: asOf})
	require.NoError(t, err)
	require.Equal(t, store.RunSucceeded, other.Run.Status)

	got, err := s.Run(ctx, dead.ID)
	require.NoError(t, err)
	require.Equal(t, store.RunAbandoned, got.Status)
	require.True(t, got.FinishedAt.Equal(clk.Now()), "abandoned when found: %v", got.FinishedAt)
	got, err = s.Run(ctx, liveID)
	require.NoError(t, err)
	require.Equal(t, store.RunRunning, got.Status, "a run that beats is not touched")

	close(release)
	require.NoError(t, <-liveDone)
	got, err = s.Run(ctx, liveID)
	require.NoError(t, err)
	require.Equal(t, store.RunSucceeded, got.Status)
}

func TestRunConfigLeaseAtLeastTwoHeartbeats(t *testing.T) {
	job, _ := newJob(t)
	job.Runs = jobs.RunConfig{HeartbeatInterval: time.Minute, Lease: 90 * time.Second}
	_, err := job.Run(context.Background(), jobs.ForecastConfig{Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble},
		Symbols: []string{"AAPL"}, AsOf: asOf})
	require.EqualError(t, err, "jobs: run lease 1m30s: must be at least twice the heartbeat interval 1m0s")
}
