package scheduler_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/scheduler"
	"runner/store"
)

// TestCatchup starts a scheduler on Tuesday 2024-03-12 at 10:00 New York
// time, after Monday's 16:30 slot (20:30 UTC) was missed: with latest it
// runs once, and a restart does not run it again; with none it does not.
func TestCatchup(t *testing.T) {
	start := time.Date(2024, 3, 12, 14, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		catchup scheduler.Catchup
		want    []string
	}{
		{scheduler.CatchupLatest, []string{"forecast 2024-03-11T20:30:00Z"}},
		{scheduler.CatchupNone, nil},
	} {
		t.Run(string(tc.catchup), func(t *testing.T) {
			st := openSQLite(t, filepath.Join(t.TempDir(), "runner.db"))
			rec := &recorder{}
			for range 2 { // a restart
				clock := scheduler.NewFakeClock(start)
				s := newScheduler(t, scheduler.Config{Entries: []scheduler.Entry{entry(t, "forecast", "30 16 * * 1-5", tc.catchup)},
					Store: st, Run: rec.run, Clock: clock})
				drive(t, clock, start.Add(time.Minute), s)
			}
			require.Equal(t, tc.want, rec.ran())
		})
	}
}

// TestAbandonedSlotRunsOnce: a slot left running by a scheduler that was
// killed (its heartbeat stops) is marked abandoned and run again once,
// by the scheduler started next: at its start when the lease has passed,
// else as soon as it has.
func TestAbandonedSlotRunsOnce(t *testing.T) {
	slotAt := time.Date(2024, 3, 11, 20, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		restart time.Time // when the next scheduler starts
	}{
		{"after the lease", slotAt.Add(5 * time.Minute)},
		{"within the lease", slotAt.Add(20 * time.Second)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openSQLite(t, filepath.Join(t.TempDir(), "runner.db"))
			ctx := context.Background()
			dead := store.Slot{Job: "forecast", At: slotAt, Status: store.SlotRunning, Owner: "dead:1", ClaimedAt: slotAt}
			ok, err := st.ClaimSlot(ctx, &dead)
			require.NoError(t, err)
			require.True(t, ok)
			require.NoError(t, st.SlotHeartbeat(ctx, "forecast", slotAt, 7, slotAt.Add(10*time.Second)))

			clock := scheduler.NewFakeClock(tc.restart)
			rec := &recorder{}
			s := newScheduler(t, scheduler.Config{Entries: []scheduler.Entry{entry(t, "forecast", "30 16 * * 1-5", scheduler.CatchupLatest)},
				Store: st, Run: rec.run, Clock: clock})
			drive(t, clock, slotAt.Add(10*time.Minute), s)
			require.Equal(t, []string{"forecast 2024-03-11T20:30:00Z"}, rec.ran())
			slots, err := st.Slots(ctx, "forecast", slotAt, slotAt.Add(time.Second))
			require.NoError(t, err)
			require.Len(t, slots, 1)
			require.Equal(t, store.SlotSucceeded, slots[0].Status)
			require.Equal(t, 2, slots[0].Attempts)
			require.EqualValues(t, 1, slots[0].RunID, "the rerun's run")
		})
	}
}

// TestPanicFailsSlot: a job that panics fails its slot with the panic's
// message; the next slot runs.
func TestPanicFailsSlot(t *testing.T) {
	st := openSQLite(t, filepath.Join(t.TempDir(), "runner.db"))
	start := time.Date(2024, 3, 12, 14, 0, 30, 0, time.UTC)
	clock := scheduler.NewFakeClock(start)
	rec := &recorder{}
	rec.fn = func(ctx context.Context, r scheduler.Run) (store.SlotStatus, error) {
		if r.At.Minute() == 1 {
			panic("boom")
		}
		return store.SlotPartial, errors.New("AAPL failed")
	}
	s := newScheduler(t, scheduler.Config{Entries: []scheduler.Entry{entry(t, "forecast", "* * * * *", scheduler.CatchupNone)},
		Store: st, Run: rec.run, Clock: clock})
	drive(t, clock, start.Add(2*time.Minute), s)
	slots, err := st.Slots(context.Background(), "forecast", start, start.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, slots, 2)
	require.Equal(t, store.SlotFailed, slots[0].Status)
	require.Equal(t, "panic: boom", slots[0].Error)
	require.Equal(t, store.SlotPartial, slots[1].Status)
	require.Equal(t, "AAPL failed", slots[1].Error)
}

// TestShutdown: once told to stop, the scheduler tells the running job
// (Stopping) and waits for it; a job that does not stop is cancelled
// when the shutdown timeout has passed, and its slot recorded.
func TestShutdown(t *testing.T) {
	start := time.Date(2024, 3, 12, 14, 0, 30, 0, time.UTC)
	for _, obeys := range []bool{true, false} {
		t.Run(map[bool]string{true: "job stops", false: "job cancelled"}[obeys], func(t *testing.T) {
			st := openSQLite(t, filepath.Join(t.TempDir(), "runner.db"))
			clock := scheduler.NewFakeClock(start)
			began := make(chan struct{})
			rec := &recorder{fn: func(ctx context.Context, r scheduler.Run) (store.SlotStatus, error) {
				close(began)
				if obeys {
					<-r.Stopping
					return store.SlotPartial, errors.New("stopped after AAPL")
				}
				<-ctx.Done()
				return store.SlotFailed, ctx.Err()
			}}
			s := newScheduler(t, scheduler.Config{Entries: []scheduler.Entry{entry(t, "forecast", "* * * * *", scheduler.CatchupNone)},
				Store: st, Run: rec.run, Clock: clock, ShutdownTimeout: time.Minute})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			wctx, wcancel := context.WithTimeout(context.Background(), within)
			defer wcancel()
			for len(s.Running()) == 0 { // until 14:01, when the job starts
				require.NoError(t, clock.WaitForWaiters(wctx, 1))
				clock.AdvanceToNext()
				require.NoError(t, clock.WaitForWaiters(wctx, 1))
			}
			<-began
			cancel()
			if !obeys {
				// The shutdown waits in heartbeat steps up to its timeout:
				// move the clock while Run has not returned.
				pump, stopPump := context.WithCancel(wctx)
				defer stopPump()
				go func() {
					for clock.WaitForWaiters(pump, 1) == nil {
						clock.AdvanceToNext()
					}
				}()
			}
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-wctx.Done():
				t.Fatal("Run did not return")
			}
			slots, err := st.Slots(context.Background(), "forecast", start, start.Add(time.Hour))
			require.NoError(t, err)
			require.Len(t, slots, 1)
			if obeys {
				require.Equal(t, store.SlotPartial, slots[0].Status)
			} else {
				require.Equal(t, store.SlotFailed, slots[0].Status)
				require.Equal(t, "context canceled", slots[0].Error)
				// The clock keeps moving while the slot is recorded.
				require.False(t, slots[0].FinishedAt.Before(start.Add(30*time.Second+time.Minute)), "cancelled once the timeout passed")
			}
		})
	}
}

func TestNewEntryErrors(t *testing.T) {
	for _, tc := range []struct{ spec, catchup, want string }{
		{"61 * * * *", "", `scheduler: forecast: cron "61 * * * *": end of range (61) above maximum (59): 61`},
		{"* * * *", "", `scheduler: forecast: cron "* * * *": expected exactly 5 fields, found 4: [* * * *]`},
		{"CRON_TZ=Mars/Olympus 0 9 * * *", "", `scheduler: forecast: cron "CRON_TZ=Mars/Olympus 0 9 * * *": time zone "Mars/Olympus": unknown`},
		{"0 9 * * *", "all", `scheduler: forecast: catchup "all": want latest or none`},
	} {
		_, err := scheduler.NewEntry("", "forecast", tc.spec, scheduler.Catchup(tc.catchup))
		require.EqualError(t, err, tc.want)
	}
	e, err := scheduler.NewEntry("", "forecast", "CRON_TZ=Europe/London 0 9 * * *", "")
	require.NoError(t, err)
	require.Equal(t, "forecast", e.Name)
	require.Equal(t, scheduler.CatchupLatest, e.Catchup)
	// 09:00 London on 2024-03-12 (GMT, UTC+0); the latest at or before it is itself.
	at := time.Date(2024, 3, 12, 9, 0, 0, 0, time.UTC)
	require.Equal(t, at, e.Latest(at))
	require.Equal(t, at.AddDate(0, 0, -1), e.Latest(at.Add(-time.Second)))
	require.Equal(t, at, e.Next(at.Add(-time.Second)))
}
