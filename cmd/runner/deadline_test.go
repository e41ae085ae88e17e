package main

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"runner/store/storetest"
)

// A server that accepts the connection and never answers: runner forecast
// fails within the connect timeout and says why.
func TestForecastSilentServer(t *testing.T) {
	url := storetest.PostgresURL(t)
	proxy := storetest.NewProxy(t, url)
	proxy.Freeze()
	began := time.Now()
	p := start(t, nil, "--database-url", "postgres://runner:pw@"+proxy.Addr()+"/runner", "--db-connect-timeout", "2s",
		"--data", prices, "forecast", "--ensemble", "naive", "--symbols", "AAPL")
	code := p.wait(t, 20*time.Second)
	elapsed := time.Since(began)
	t.Logf("exit %d after %s: %s", code, elapsed, p.stderr.String())
	require.Equal(t, 1, code)
	require.Contains(t, p.stderr.String(), fmt.Sprintf("connect to postgres://runner@%s/runner: timeout after 2s", proxy.Addr()))
	require.NotContains(t, p.stderr.String(), "pw@")
	require.Less(t, elapsed, 6*time.Second)
}

// longForecast is a forecast that runs until interrupted: the LSTM of the
// candidate ensemble trains for a million epochs.
var longForecast = []string{"--data", prices, "forecast", "--ensemble", "candidate", "--symbols", "AAPL",
	"--as-of", "2023-12-29", "--epochs", "1000000", "--early-stop=false", "--workers", "1"}

// runStatuses returns the status of every run in the schema, oldest
// first; nil while the table does not exist.
func runStatuses(t *testing.T, url, schema string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, fmt.Sprintf(`SELECT status FROM %s ORDER BY id`, pgx.Identifier{schema, "forecast_runs"}.Sanitize()))
	if err != nil {
		return nil
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil
	}
	return out
}

// SIGTERM mid-run ends the process within seconds: with the database
// answering, the run is recorded failed; with the database frozen, the
// process still ends, within the finish timeout, and says the run could
// not be recorded.
func TestSIGTERMMidRun(t *testing.T) {
	for _, frozen := range []bool{false, true} {
		t.Run(map[bool]string{false: "database answering", true: "database frozen"}[frozen], func(t *testing.T) {
			url, schema := storetest.Schema(t)
			proxy := storetest.NewProxy(t, url)
			p := start(t, nil, append([]string{"--log-level", "warn", "--database-url", proxy.URL(url) + "&search_path=" + schema}, longForecast...)...)
			waitFor(t, 30*time.Second, "run recorded running", func() bool {
				st := runStatuses(t, url, schema)
				return len(st) == 1 && st[0] == "running"
			})
			if frozen {
				proxy.Freeze()
			}
			began := time.Now()
			require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
			code := p.wait(t, 30*time.Second)
			elapsed := time.Since(began)
			t.Logf("SIGTERM to exit: %s, exit code %d\nstderr:\n%s", elapsed, code, p.stderr.String())
			require.Equal(t, 1, code)
			if frozen {
				require.Contains(t, p.stderr.String(), "could not record the end of run 1 (failed) within 5s")
				require.Less(t, elapsed, 10*time.Second)
				require.Equal(t, []string{"running"}, runStatuses(t, url, schema))
			} else {
				require.Less(t, elapsed, 3*time.Second)
				require.Equal(t, []string{"failed"}, runStatuses(t, url, schema))
			}
		})
	}
}
