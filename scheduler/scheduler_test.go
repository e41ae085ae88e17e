package scheduler_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"runner/scheduler"
	"runner/store"
	"runner/store/postgres"
	"runner/store/sqlite"
	"runner/store/storetest"
)

// within bounds every wait of a test on the scheduler's goroutines.
const within = 30 * time.Second

func openSQLite(t *testing.T, path string) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.MigrateUp(context.Background())
	require.NoError(t, err)
	return s
}

func entry(t *testing.T, name, spec string, catchup scheduler.Catchup) scheduler.Entry {
	t.Helper()
	e, err := scheduler.NewEntry(name, name, spec, catchup)
	require.NoError(t, err)
	return e
}

// recorder is a RunFunc that records the slots it ran.
type recorder struct {
	mu   sync.Mutex
	runs []string // "job slot-time-UTC"
	fn   func(ctx context.Context, r scheduler.Run) (store.SlotStatus, error)
}

func (rec *recorder) run(ctx context.Context, r scheduler.Run) (store.SlotStatus, error) {
	rec.mu.Lock()
	rec.runs = append(rec.runs, r.Entry.Name+" "+r.At.Format(time.RFC3339))
	n := int64(len(rec.runs))
	rec.mu.Unlock()
	r.Started(n)
	if rec.fn != nil {
		return rec.fn(ctx, r)
	}
	return store.SlotSucceeded, nil
}

func (rec *recorder) ran() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.runs...)
}

// drive runs the schedulers on clock until it reaches end, moving the
// clock to the next deadline each time every scheduler waits and none
// runs a job; then stops them and waits for Run to return.
func drive(t *testing.T, clock *scheduler.FakeClock, end time.Time, ss ...*scheduler.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, len(ss))
	for _, s := range ss {
		go func() { errs <- s.Run(ctx) }()
	}
	wctx, wcancel := context.WithTimeout(context.Background(), within)
	defer wcancel()
	for {
		for _, s := range ss {
			select {
			case <-s.Idle():
			case <-wctx.Done():
				t.Fatal("a job still runs")
			}
		}
		require.NoError(t, clock.WaitForWaiters(wctx, len(ss)))
		if !clock.Now().Before(end) {
			break
		}
		clock.AdvanceToNext()
	}
	cancel()
	for range ss {
		require.NoError(t, <-errs)
	}
}

func newScheduler(t *testing.T, cfg scheduler.Config) *scheduler.Scheduler {
	t.Helper()
	cfg.Log = zerolog.New(zerolog.NewTestWriter(t))
	s, err := scheduler.New(cfg)
	require.NoError(t, err)
	return s
}

func slotTimes(t *testing.T, s store.Store, job string) map[string]store.SlotStatus {
	t.Helper()
	slots, err := s.Slots(context.Background(), job, time.Time{}, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	out := map[string]store.SlotStatus{}
	for _, sl := range slots {
		out[sl.At.Format(time.RFC3339)] = sl.Status
	}
	return out
}

// TestProductionScheduleSlots drives the production schedule (forecast
// 16:30, validate 18:00 on weekdays, calibrate 19:00 on Fridays, New
// York time) through the start of daylight saving time (2024-03-10) and
// through Good Friday (2024-03-29, NYSE closed): the slot times in UTC
// move an hour earlier with the clocks (EST is UTC-5, EDT UTC-4), and the
// Good Friday slots are recorded skipped, their jobs not run.
func TestProductionScheduleSlots(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from, to time.Time
		ran      []string
		statuses map[string]map[string]store.SlotStatus
	}{
		{
			name: "DST starts 2024-03-10",
			from: time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC),  // Friday
			to:   time.Date(2024, 3, 12, 12, 0, 0, 0, time.UTC), // Tuesday
			ran: []string{
				"forecast 2024-03-08T21:30:00Z", "validate 2024-03-08T23:00:00Z", "calibrate 2024-03-09T00:00:00Z",
				"forecast 2024-03-11T20:30:00Z", "validate 2024-03-11T22:00:00Z",
			},
			statuses: map[string]map[string]store.SlotStatus{
				"forecast":  {"2024-03-08T21:30:00Z": store.SlotSucceeded, "2024-03-11T20:30:00Z": store.SlotSucceeded},
				"validate":  {"2024-03-08T23:00:00Z": store.SlotSucceeded, "2024-03-11T22:00:00Z": store.SlotSucceeded},
				"calibrate": {"2024-03-09T00:00:00Z": store.SlotSucceeded},
			},
		},
		{
			name: "Good Friday 2024-03-29",
			from: time.Date(2024, 3, 28, 12, 0, 0, 0, time.UTC), // Thursday
			to:   time.Date(2024, 4, 2, 12, 0, 0, 0, time.UTC),  // Tuesday
			ran: []string{
				"forecast 2024-03-28T20:30:00Z", "validate 2024-03-28T22:00:00Z",
				"forecast 2024-04-01T20:30:00Z", "validate 2024-04-01T22:00:00Z",
			},
			statuses: map[string]map[string]store.SlotStatus{
				"forecast": {"2024-03-28T20:30:00Z": store.SlotSucceeded, "2024-03-29T20:30:00Z": store.SlotSkipped,
					"2024-04-01T20:30:00Z": store.SlotSucceeded},
				"validate": {"2024-03-28T22:00:00Z": store.SlotSucceeded, "2024-03-29T22:00:00Z": store.SlotSkipped,
					"2024-04-01T22:00:00Z": store.SlotSucceeded},
				"calibrate": {"2024-03-29T23:00:00Z": store.SlotSkipped},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openSQLite(t, filepath.Join(t.TempDir(), "runner.db"))
			clock := scheduler.NewFakeClock(tc.from)
			rec := &recorder{}
			s := newScheduler(t, scheduler.Config{
				Entries: []scheduler.Entry{
					entry(t, "forecast", "30 16 * * 1-5", scheduler.CatchupNone),
					entry(t, "validate", "0 18 * * 1-5", scheduler.CatchupNone),
					entry(t, "calibrate", "CRON_TZ=America/New_York 0 19 * * 5", scheduler.CatchupNone),
				},
				Store: st, Run: rec.run, Clock: clock, HeartbeatInterval: time.Hour, Lease: 3 * time.Hour,
			})
			drive(t, clock, tc.to, s)
			require.ElementsMatch(t, tc.ran, rec.ran())
			for job, want := range tc.statuses {
				require.Equal(t, want, slotTimes(t, st, job), job)
			}
		})
	}
}

// TestTwoSchedulersOneSlot runs two schedulers on one store, each with
// its own connection, every minute for ten minutes: each slot runs once.
func TestTwoSchedulersOneSlot(t *testing.T) {
	open := map[string]func(t *testing.T) (store.Store, store.Store){
		"sqlite": func(t *testing.T) (store.Store, store.Store) {
			path := filepath.Join(t.TempDir(), "runner.db")
			return openSQLite(t, path), openSQLite(t, path)
		},
		"postgres": func(t *testing.T) (store.Store, store.Store) {
			url, schema := storetest.Schema(t)
			var out [2]store.Store
			for i := range out {
				s, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema})
				require.NoError(t, err)
				t.Cleanup(func() { s.Close() })
				out[i] = s
			}
			_, err := out[0].MigrateUp(context.Background())
			require.NoError(t, err)
			return out[0], out[1]
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			a, b := open[name](t)
			start := time.Date(2024, 3, 12, 14, 0, 30, 0, time.UTC) // Tuesday 10:00:30 New York
			clock := scheduler.NewFakeClock(start)
			rec := &recorder{}
			var ss []*scheduler.Scheduler
			for i, st := range []store.Store{a, b} {
				ss = append(ss, newScheduler(t, scheduler.Config{
					Entries: []scheduler.Entry{entry(t, "forecast", "* * * * *", scheduler.CatchupLatest)},
					Store:   st, Run: rec.run, Clock: clock, Owner: []string{"a:1", "b:2"}[i],
				}))
			}
			drive(t, clock, start.Add(10*time.Minute), ss...)
			ran := rec.ran()
			require.Len(t, ran, 11, "the catchup slot of 14:00 and ten more: %v", ran)
			seen := map[string]bool{}
			for _, r := range ran {
				require.False(t, seen[r], "%s ran twice", r)
				seen[r] = true
			}
			require.True(t, seen["forecast 2024-03-12T14:00:00Z"])
			require.True(t, seen["forecast 2024-03-12T14:10:00Z"])
			statuses := slotTimes(t, a, "forecast")
			require.Len(t, statuses, 11)
			for at, st := range statuses {
				require.Equal(t, store.SlotSucceeded, st, at)
			}
		})
	}
}
