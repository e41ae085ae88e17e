package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
	"runner/store/postgres"
	"runner/store/sqlite"
	"runner/store/storetest"
)

// scheduleConfig writes a config whose schedule runs one forecast entry,
// "daily", on a slot that stays the latest during the test (New Year,
// every day of the calendar), with the forecast flags given.
func scheduleConfig(t *testing.T, dir, name string, flags ...string) string {
	t.Helper()
	abs, err := filepath.Abs(prices)
	require.NoError(t, err)
	cfg := "data: " + abs + "\nlog-level: info\nschedule:\n  - name: daily\n    job: forecast\n" +
		"    cron: \"0 0 1 1 *\"\n    calendar: none\n"
	for i := 0; i+1 < len(flags); i += 2 {
		cfg += fmt.Sprintf("    %s: %q\n", flags[i], flags[i+1])
	}
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o644))
	return path
}

// TestScheduleKilledMidRun kills a scheduler with SIGKILL while its slot's
// forecast runs (an LSTM of a million epochs), then starts another: the
// old run is marked abandoned, the slot is marked abandoned once the
// lease passes and runs again, once (attempt 2, a quick naive forecast
// this time); SIGTERM then stops the scheduler, exit code 0. On SQLite
// and on PostgreSQL.
func TestScheduleKilledMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("real processes")
	}
	stores := map[string]func(t *testing.T) (url string, open func() store.Store){
		"sqlite": func(t *testing.T) (string, func() store.Store) {
			db := filepath.Join(t.TempDir(), "runner.db")
			return "sqlite:" + db, func() store.Store {
				s, err := sqlite.Open(context.Background(), db)
				require.NoError(t, err)
				return s
			}
		},
		"postgres": func(t *testing.T) (string, func() store.Store) {
			url, schema := storetest.Schema(t)
			return url + "&search_path=" + schema, func() store.Store {
				s, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema})
				require.NoError(t, err)
				return s
			}
		},
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			url, open := stores[kind](t)
			dir := t.TempDir()
			long := scheduleConfig(t, dir, "long.yaml", "ensemble", "candidate", "symbols", "AAPL", "as-of", "2023-12-29",
				"epochs", "1000000", "early-stop", "false", "workers", "1")
			quick := scheduleConfig(t, dir, "quick.yaml", "ensemble", "naive", "symbols", "AAPL", "as-of", "2023-12-29")
			global := []string{"--database-url", url, "--run-lease", "3s", "--heartbeat-interval", "1s"}
			sched := func(cfg string) *process {
				return start(t, nil, append(append([]string{"--config", cfg}, global...), "schedule", "--listen", "127.0.0.1:0")...)
			}
			s := open()
			defer s.Close()
			ctx := context.Background()
			slots := func() []store.Slot {
				sl, err := s.Slots(ctx, "daily", time.Time{}, time.Now().Add(time.Hour))
				if err != nil {
					return nil // not migrated yet
				}
				return sl
			}
			runStatus := func(id int64) store.RunStatus {
				r, err := s.Run(ctx, id)
				if err != nil {
					return ""
				}
				return r.Status
			}

			first := sched(long)
			waitFor(t, time.Minute, "the slot's run running", func() bool {
				sl := slots()
				return len(sl) == 1 && sl[0].RunID == 1 && runStatus(1) == store.RunRunning
			})
			require.NoError(t, first.cmd.Process.Kill())
			<-first.done

			second := sched(quick)
			waitFor(t, time.Minute, "the slot run again", func() bool {
				sl := slots()
				return len(sl) == 1 && sl[0].Status == store.SlotSucceeded
			})
			require.NoError(t, second.cmd.Process.Signal(syscall.SIGTERM))
			code := second.wait(t, 30*time.Second)
			require.Equal(t, 0, code, second.stderr.String())
			t.Logf("second scheduler's log:\n%s", second.stderr.String())

			sl := slots()
			require.Len(t, sl, 1)
			require.Equal(t, 2, sl[0].Attempts, "claimed twice: by the killed scheduler, then once again")
			require.EqualValues(t, 2, sl[0].RunID)
			require.Equal(t, store.RunAbandoned, runStatus(1), "the killed scheduler's run")
			require.Equal(t, store.RunSucceeded, runStatus(2), "the slot's second run")
			require.Empty(t, runStatus(3), "no third run")
			require.True(t, strings.Contains(second.stderr.String(), "marked abandoned"), "the abandonment is logged")
		})
	}
}

// TestScheduleSIGTERMFinishesSymbol sends SIGTERM while the slot's
// forecast fits its first of three symbols (one at a time): the symbol is
// finished and written, the other two are not started, the run and the
// slot are recorded partial, and the scheduler exits 0.
func TestScheduleSIGTERMFinishesSymbol(t *testing.T) {
	if testing.Short() {
		t.Skip("real processes")
	}
	db := filepath.Join(t.TempDir(), "runner.db")
	cfg := scheduleConfig(t, t.TempDir(), "runner.yaml", "ensemble", "candidate", "symbols", "AAPL,MSFT,SPY",
		"as-of", "2023-12-29", "epochs", "400", "early-stop", "false", "workers", "1")
	p := start(t, nil, "--config", cfg, "--database-url", "sqlite:"+db, "schedule", "--listen", "127.0.0.1:0",
		"--shutdown-timeout", "2m")
	s, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	waitFor(t, time.Minute, "the slot's run running", func() bool {
		r, err := s.Run(ctx, 1)
		return err == nil && r.Status == store.RunRunning
	})
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	code := p.wait(t, 2*time.Minute)
	require.Equal(t, 0, code, p.stderr.String())

	r, err := s.Run(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, store.RunPartial, r.Status)
	require.NotContains(t, r.SymbolErrors, "AAPL", "the symbol started is finished")
	require.Contains(t, r.SymbolErrors["MSFT"], "not started: the job was asked to stop")
	require.Contains(t, r.SymbolErrors["SPY"], "not started: the job was asked to stop")
	fs, err := s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, fs, 1)
	require.Equal(t, "AAPL", fs[0].Symbol)
	slots, err := s.Slots(ctx, "daily", time.Time{}, time.Now())
	require.NoError(t, err)
	require.Len(t, slots, 1)
	require.Equal(t, store.SlotPartial, slots[0].Status)
	require.EqualValues(t, 1, slots[0].RunID)
}

// TestScheduleSQLiteStandby starts two schedulers on one SQLite file: the
// second says that the first (host:pid) holds the schedule lock and waits
// as a standby; when the first stops, the second takes over. The slot ran
// once.
func TestScheduleSQLiteStandby(t *testing.T) {
	if testing.Short() {
		t.Skip("real processes")
	}
	db := filepath.Join(t.TempDir(), "runner.db")
	cfg := scheduleConfig(t, t.TempDir(), "runner.yaml", "ensemble", "naive", "symbols", "AAPL", "as-of", "2023-12-29")
	args := []string{"--config", cfg, "--database-url", "sqlite:" + db, "--heartbeat-interval", "200ms", "--run-lease", "2s",
		"schedule", "--listen", "127.0.0.1:0"}
	first := start(t, nil, args...)
	waitFor(t, time.Minute, "the first scheduler's catchup slot done", func() bool {
		return strings.Contains(first.stderr.String(), "slot finished")
	})
	addr := observeAddr(t, first)
	code, body := httpGet(t, "http://"+addr+"/healthz")
	require.Equal(t, 200, code, body)
	_, body = httpGet(t, "http://"+addr+"/metrics")
	for _, line := range []string{`runner_schedule_slots_total{job="daily",status="succeeded"} 1`,
		`runner_schedule_slots_total{job="daily",status="failed"} 0`, `runner_runs_total{job="forecast",status="succeeded"} 1`,
		`runner_forecasts_written_total{ensemble="naive"} 1`, `runner_model_fit_duration_seconds_count{model="naive"} 1`} {
		require.Contains(t, body, line)
	}
	second := start(t, nil, args...)
	waitFor(t, time.Minute, "the second scheduler waiting", func() bool {
		return strings.Contains(second.stderr.String(), "waiting as a standby")
	})
	code, body = httpGet(t, "http://"+observeAddr(t, second)+"/healthz")
	require.Equal(t, 200, code, "a standby is healthy: %s", body)
	require.Contains(t, second.stderr.String(), fmt.Sprintf("held by another process (%s:%d)", hostname(t), first.cmd.Process.Pid))
	require.NoError(t, first.cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, first.wait(t, 30*time.Second), first.stderr.String())
	waitFor(t, time.Minute, "the second scheduler taking over", func() bool {
		return strings.Contains(second.stderr.String(), "scheduler started")
	})
	require.NoError(t, second.cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, second.wait(t, 30*time.Second), second.stderr.String())
	require.Contains(t, second.stderr.String(), "schedule lock taken")

	s, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	defer s.Close()
	slots, err := s.Slots(context.Background(), "daily", time.Time{}, time.Now())
	require.NoError(t, err)
	require.Len(t, slots, 1)
	require.Equal(t, 1, slots[0].Attempts)
}

func hostname(t *testing.T) string {
	h, err := os.Hostname()
	require.NoError(t, err)
	return h
}
