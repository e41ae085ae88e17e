package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
	"runner/store/postgres"
	"runner/store/storetest"
)

// A server that accepts connections and never answers: Open fails after
// the connect timeout, naming the database.
func TestConnectTimeoutSilentServer(t *testing.T) {
	url := storetest.PostgresURL(t)
	proxy := storetest.NewProxy(t, url)
	proxy.Freeze()
	began := time.Now()
	_, err := postgres.Open(context.Background(), postgres.Config{URL: proxy.URL(url), ConnectTimeout: 300 * time.Millisecond})
	elapsed := time.Since(began)
	require.EqualError(t, err, fmt.Sprintf("postgres: connect to postgres://postgres@%s/test: timeout after 300ms", proxy.Addr()))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var te *store.TimeoutError
	require.ErrorAs(t, err, &te)
	require.GreaterOrEqual(t, elapsed, 300*time.Millisecond)
	require.Less(t, elapsed, 2*time.Second)
}

// A server that stops answering mid-run: each call fails after the
// statement timeout, and closing the store does not wait for the server.
func TestStatementTimeoutFrozenServer(t *testing.T) {
	url, schema := storetest.Schema(t)
	proxy := storetest.NewProxy(t, url)
	ctx := context.Background()
	s, err := postgres.Open(ctx, postgres.Config{URL: proxy.URL(url), Schema: schema, StatementTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	_, err = s.MigrateUp(ctx)
	require.NoError(t, err)
	run := &store.Run{Kind: "forecast", CodeVersion: "test", Host: "h", StartedAt: time.Now()}
	require.NoError(t, s.StartRun(ctx, run))

	asOf := time.Date(2024, 3, 28, 0, 0, 0, 0, time.UTC)
	proxy.Freeze()
	for name, call := range map[string]func() error{
		"postgres: finish run " + fmt.Sprint(run.ID): func() error { return s.FinishRun(ctx, run) },
		"postgres: start run":                        func() error { return s.StartRun(ctx, &store.Run{Kind: "forecast", StartedAt: time.Now()}) },
		"postgres: forecasts":                        func() error { _, err := s.Forecasts(ctx, store.ForecastFilter{}); return err },
		"postgres: take the migration lock":          func() error { _, err := s.MigrateUp(ctx); return err },
		"postgres: save calibration AAPL 1D legacy conformal+platt 2024-03-28": func() error {
			return s.SaveCalibration(ctx, &store.Calibration{Symbol: "AAPL", Horizon: "1D", Ensemble: "legacy",
				Method: "conformal+platt", SampleFrom: asOf.AddDate(-1, 0, 0), SampleTo: asOf, NSamples: 250})
		},
		"postgres: latest calibration AAPL 1D legacy 2024-03-28T00:00:00Z": func() error {
			_, err := s.LatestCalibration(ctx, "AAPL", "1D", "legacy", asOf)
			return err
		},
		"postgres: current weights AAPL 1D legacy 2024-03-28": func() error {
			_, err := s.CurrentWeights(ctx, "AAPL", "1D", "legacy", asOf)
			return err
		},
		"postgres: save validation windows": func() error {
			return s.SaveValidationWindows(ctx, []store.ValidationWindow{{Ensemble: "legacy",
				Metrics: store.ValidationMetrics{Symbol: "AAPL", Horizon: "1D", ValidationDate: asOf, WindowID: 1}}})
		},
	} {
		began := time.Now()
		err := call()
		elapsed := time.Since(began)
		require.EqualError(t, err, name+": timeout after 300ms")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Less(t, elapsed, 2*time.Second, name)
	}
	began := time.Now()
	err = s.Close()
	require.Less(t, time.Since(began), 3*time.Second, "close")
	if err != nil {
		require.ErrorContains(t, err, "postgres: close: connections still closing after 1s")
	}
}
