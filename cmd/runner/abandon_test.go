package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"runner/store/sqlite"
	"runner/store/storetest"
)

// runRow is what the test reads of a forecast_runs row.
type runRow struct {
	status    string
	started   time.Time
	heartbeat time.Time
	finished  time.Time // zero while running
}

// TestKilledRunAbandoned kills a forecast process with SIGKILL mid-run, on
// each kind of database. Its run stays running (nothing could record its
// end); a job started while it was alive, after more than the lease since
// its start, leaves it alone because its heartbeat keeps up; once its
// heartbeat is older than the lease, the next job marks it abandoned.
func TestKilledRunAbandoned(t *testing.T) {
	const lease = time.Second
	runFlags := []string{"--heartbeat-interval", "200ms", "--run-lease", lease.String(), "--log-level", "warn"}
	naive := []string{"--data", prices, "forecast", "--ensemble", "naive", "--symbols", "MSFT", "--as-of", "2023-12-29"}

	test := func(t *testing.T, url string, read func(id int64) (runRow, bool)) {
		args := append(append([]string{"--database-url", url}, runFlags...), longForecast...)
		a := start(t, nil, args...)
		var row runRow
		waitFor(t, 30*time.Second, "the run beating for longer than the lease", func() bool {
			r, ok := read(1)
			row = r
			return ok && r.status == "running" && r.heartbeat.Sub(r.started) > lease+lease/2
		})

		// A job starting now finds the live run's heartbeat recent.
		b := start(t, nil, append(append([]string{"--database-url", url}, runFlags...), naive...)...)
		require.Equal(t, 0, b.wait(t, 30*time.Second), b.stderr.String())
		row, _ = read(1)
		require.Equal(t, "running", row.status, "a live run is not abandoned")

		require.NoError(t, a.cmd.Process.Kill())
		a.wait(t, 10*time.Second)
		row, _ = read(1)
		require.Equal(t, "running", row.status, "a killed process records nothing")
		last := row.heartbeat
		waitFor(t, 10*time.Second, "the heartbeat older than the lease", func() bool { return time.Since(last) > lease+100*time.Millisecond })

		c := start(t, nil, append(append([]string{"--database-url", url}, runFlags...), naive...)...)
		began := time.Now()
		require.Equal(t, 0, c.wait(t, 30*time.Second), c.stderr.String())
		require.Contains(t, c.stderr.String(), "marked abandoned")
		row, _ = read(1)
		require.Equal(t, "abandoned", row.status)
		require.True(t, row.heartbeat.Equal(last), "the last sign of life is kept")
		require.WithinRange(t, row.finished, began.Add(-time.Second), time.Now(), "finished_at is when it was found")
		b2, _ := read(2)
		require.Equal(t, "succeeded", b2.status)
	}

	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "runner.db")
		test(t, "sqlite:"+path, func(id int64) (runRow, bool) {
			s, err := sqlite.Open(context.Background(), path)
			require.NoError(t, err)
			defer s.Close()
			var r runRow
			var started, heartbeat string
			var finished sql.NullString
			err = s.DB().QueryRow(`SELECT status, started_at, heartbeat_at, finished_at FROM forecast_runs WHERE id = ?`, id).
				Scan(&r.status, &started, &heartbeat, &finished)
			if err != nil {
				return r, false
			}
			r.started, _ = time.Parse(time.RFC3339Nano, started)
			r.heartbeat, _ = time.Parse(time.RFC3339Nano, heartbeat)
			if finished.Valid {
				r.finished, _ = time.Parse(time.RFC3339Nano, finished.String)
			}
			return r, true
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url, schema := storetest.Schema(t)
		test(t, url+"&search_path="+schema, func(id int64) (runRow, bool) {
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, url)
			require.NoError(t, err)
			defer conn.Close(ctx)
			var r runRow
			var finished *time.Time
			err = conn.QueryRow(ctx, fmt.Sprintf(`SELECT status, started_at, heartbeat_at, finished_at FROM %s WHERE id = $1`,
				pgx.Identifier{schema, "forecast_runs"}.Sanitize()), id).Scan(&r.status, &r.started, &r.heartbeat, &finished)
			if err != nil {
				return r, false
			}
			if finished != nil {
				r.finished = *finished
			}
			return r, true
		})
	})
}
