package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store/storetest"
)

// listenRe finds the address the /healthz and /metrics server took in a
// process's log (console or JSON).
var listenRe = regexp.MustCompile(`serving /healthz and /metrics.*?listen[=":]+([0-9.]+:[0-9]+)`)

// observeAddr waits for p to say where it serves /healthz and /metrics.
func observeAddr(t *testing.T, p *process) string {
	t.Helper()
	var addr string
	waitFor(t, time.Minute, "serving /healthz and /metrics", func() bool {
		m := listenRe.FindStringSubmatch(p.stderr.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	})
	return addr
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestWorkerServesHealthAndMetrics: runner worker answers /healthz (200
// once its River client runs) and /metrics, where the units it works show
// (a detached naive backfill of two days: two runs, two naive fits), and
// SIGTERM stops it, exit 0.
func TestWorkerServesHealthAndMetrics(t *testing.T) {
	url, schema := storetest.Schema(t)
	db := url + "&search_path=" + schema
	p := start(t, nil, "--database-url", db, "--data", prices, "worker", "--concurrency", "1", "--listen", "127.0.0.1:0")
	addr := observeAddr(t, p)
	waitFor(t, time.Minute, "worker started", func() bool { return strings.Contains(p.stderr.String(), "worker started") })
	code, body := httpGet(t, "http://"+addr+"/healthz")
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, "ok\n", body)
	code, body = httpGet(t, "http://"+addr+"/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "go_goroutines ")

	bf := start(t, nil, "--database-url", db, "--data", prices, "backfill", "--from", "2023-12-27", "--to", "2023-12-28",
		"--symbols", "AAPL", "--ensemble", "naive", "--detach")
	require.Equal(t, 0, bf.wait(t, time.Minute), bf.stderr.String())
	waitFor(t, time.Minute, "two runs and two naive fits observed", func() bool {
		_, body := httpGet(t, "http://"+addr+"/metrics")
		return strings.Contains(body, `runner_runs_total{job="forecast",status="succeeded"} 2`) &&
			strings.Contains(body, `runner_model_fit_duration_seconds_count{model="naive"} 2`)
	})
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, p.wait(t, 30*time.Second), p.stderr.String())
}
