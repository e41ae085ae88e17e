package observe_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/observe"
	"runner/store"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestServer serves /healthz (200, then 503 with the reason) and
// /metrics with every runner metric observed.
func TestServer(t *testing.T) {
	m := observe.NewMetrics()
	var unhealthy atomic.Bool
	srv, err := observe.NewServer(observe.ServerConfig{Listen: "127.0.0.1:0", Metrics: m, Health: func(context.Context) error {
		if unhealthy.Load() {
			return errors.New("scheduler: database: connection refused")
		}
		return nil
	}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	base := "http://" + srv.Addr()

	code, body := get(t, base+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok\n", body)
	unhealthy.Store(true)
	code, body = get(t, base+"/healthz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, "unhealthy: scheduler: database: connection refused\n", body)

	start := time.Date(2024, 3, 11, 20, 30, 0, 0, time.UTC)
	m.RunFinished(store.Run{Kind: "forecast", Status: store.RunSucceeded, StartedAt: start, FinishedAt: start.Add(90 * time.Second)})
	m.RunFinished(store.Run{Kind: "forecast", Status: store.RunPartial, StartedAt: start, FinishedAt: start.Add(time.Second)})
	m.ModelFitted("lstm", 1500*time.Millisecond, nil)
	m.ModelFitted("gb", time.Second, errors.New("no data"))
	m.ForecastsWritten([]store.Forecast{{Ensemble: "candidate"}, {Ensemble: "legacy"}, {Ensemble: "legacy"}})
	w := func(date time.Time, div float64) store.ValidationWindow {
		return store.ValidationWindow{Ensemble: "candidate", Metrics: store.ValidationMetrics{Symbol: "AAPL", ValidationDate: date, Divergence: div}}
	}
	m.WindowsWritten([]store.ValidationWindow{w(start, 0.12), w(start.AddDate(0, 0, -1), 0.5)})
	m.SlotFinished(store.Slot{Job: "forecast", Status: store.SlotSkipped})
	m.InitRuns("validate")
	m.InitSlots("validate")
	m.SetCanaryStage(7.1, "7.1")
	m.SetCanaryStage(7.2, "7.2")

	code, body = get(t, base+"/metrics")
	require.Equal(t, http.StatusOK, code)
	for _, line := range []string{
		`runner_runs_total{job="forecast",status="succeeded"} 1`,
		`runner_runs_total{job="forecast",status="partial"} 1`,
		`runner_run_duration_seconds_count{job="forecast"} 2`,
		`runner_run_duration_seconds_sum{job="forecast"} 91`,
		`runner_last_success_timestamp_seconds{job="forecast"} 1.71018909e+09`,
		`runner_model_fit_duration_seconds_sum{model="lstm"} 1.5`,
		`runner_model_failures_total{model="gb"} 1`,
		`runner_forecasts_written_total{ensemble="legacy"} 2`,
		`runner_divergence_ratio{ensemble="candidate",symbol="AAPL"} 0.12`,
		`runner_schedule_slots_total{job="forecast",status="skipped"} 1`,
		`runner_canary_stage{stage="7.2"} 7.2`,
		`runner_runs_total{job="validate",status="failed"} 0`,
		`runner_schedule_slots_total{job="validate",status="skipped"} 0`,
		`go_goroutines `,
	} {
		require.Contains(t, body, line)
	}
	require.NotContains(t, body, `stage="7.1"`, "the previous stage's series is gone")
	cancel()
	require.NoError(t, <-done)
}
