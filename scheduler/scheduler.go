package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"runner/marketdata"
	"runner/store"
)

// Defaults of Config.
const (
	DefaultHeartbeatInterval = 10 * time.Second
	DefaultLease             = 60 * time.Second
	DefaultShutdownTimeout   = 60 * time.Second
	DefaultFinishTimeout     = 5 * time.Second
)

// Run is one slot handed to a RunFunc.
type Run struct {
	Entry Entry
	// At is the slot's time, UTC.
	At time.Time
	// Attempt is 1, or more when the slot was abandoned and claimed again.
	Attempt int
	// Stopping is closed when the scheduler is told to stop: the job
	// finishes the subject at hand and starts no other. Its context is
	// cancelled only when Config.ShutdownTimeout has passed since.
	Stopping <-chan struct{}
	// Started is called with the ID of the job's run (forecast_runs) once
	// it has one; the slot's heartbeat records it.
	Started func(runID int64)
}

// RunFunc runs the job of one slot and returns the slot's final status
// (succeeded, partial or failed) with the error that made it partial or
// failed.
type RunFunc func(ctx context.Context, r Run) (store.SlotStatus, error)

// Config configures a Scheduler.
type Config struct {
	// Entries are the schedule. Required; names unique.
	Entries []Entry
	// Store keeps the slots. Required.
	Store store.ScheduleStore
	// Run runs a slot's job. Required.
	Run RunFunc
	// Clock is the time. Default SystemClock.
	Clock Clock
	// Log receives the scheduler's events.
	Log zerolog.Logger
	// Owner names this scheduler in the slots it claims. Default host:pid.
	Owner string
	// HeartbeatInterval is how often running slots' heartbeats are renewed
	// and stale slots looked for. Default DefaultHeartbeatInterval (10s).
	HeartbeatInterval time.Duration
	// Lease is how long after its last heartbeat a running slot counts as
	// alive; older, it is marked abandoned. Default DefaultLease (60s).
	Lease time.Duration
	// ShutdownTimeout is how long, once Run's context ends, running jobs
	// have to finish before their context is cancelled. Default
	// DefaultShutdownTimeout (60s).
	ShutdownTimeout time.Duration
	// FinishTimeout bounds recording a slot's end. Default
	// DefaultFinishTimeout (5s).
	FinishTimeout time.Duration
	// TradingDay says whether the exchange is open on a day (midnight
	// UTC); a slot on another day is skipped. Default
	// marketdata.IsTradingDay (NYSE).
	TradingDay func(day time.Time) bool
	// Sweep, when set, is called on start and with every heartbeat, after
	// stale slots are abandoned: runner schedule marks stale runs
	// abandoned there.
	Sweep func(ctx context.Context, now time.Time)
	// OnSlot, when set, is called with every slot this scheduler finished
	// or skipped (for metrics).
	OnSlot func(store.Slot)
}

func (c *Config) setDefaults() {
	c.Clock = cmp.Or[Clock](c.Clock, SystemClock{})
	if c.Owner == "" {
		host, _ := os.Hostname()
		c.Owner = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	c.HeartbeatInterval = cmp.Or(c.HeartbeatInterval, DefaultHeartbeatInterval)
	c.Lease = cmp.Or(c.Lease, DefaultLease)
	c.ShutdownTimeout = cmp.Or(c.ShutdownTimeout, DefaultShutdownTimeout)
	c.FinishTimeout = cmp.Or(c.FinishTimeout, DefaultFinishTimeout)
	if c.TradingDay == nil {
		c.TradingDay = marketdata.IsTradingDay
	}
}

func (c *Config) validate() error {
	switch {
	case len(c.Entries) == 0:
		return errors.New("scheduler: no entry")
	case c.Store == nil:
		return errors.New("scheduler: no store")
	case c.Run == nil:
		return errors.New("scheduler: no run function")
	case c.Lease < 2*c.HeartbeatInterval:
		return fmt.Errorf("scheduler: lease %s: must be at least twice the heartbeat interval %s", c.Lease, c.HeartbeatInterval)
	}
	seen := map[string]bool{}
	for _, e := range c.Entries {
		if e.schedule == nil {
			return fmt.Errorf("scheduler: entry %q not made by NewEntry", e.Name)
		}
		if seen[e.Name] {
			return fmt.Errorf("scheduler: two entries named %q: give one a name", e.Name)
		}
		seen[e.Name] = true
	}
	return nil
}

// Scheduler runs the slots of its entries. Create it with New, run it with
// Run; Health may be called from any goroutine.
type Scheduler struct {
	cfg Config
	log zerolog.Logger

	mu       sync.Mutex
	running  map[string]*runningSlot // by entry name
	loopAt   time.Time               // when the loop last woke
	stopped  bool                    // Run returned
	storeErr error                   // the last store call's failure, nil after a success
	idle     chan struct{}           // closed while no job runs
}

// runningSlot is a slot whose job this scheduler is running.
type runningSlot struct {
	slot      store.Slot
	runID     int64
	finishing bool // the job returned: no more heartbeats
}

// New checks cfg and returns a scheduler.
func New(cfg Config) (*Scheduler, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	idle := make(chan struct{})
	close(idle)
	return &Scheduler{cfg: cfg, log: cfg.Log.With().Str("component", "scheduler").Logger(),
		running: map[string]*runningSlot{}, idle: idle}, nil
}

// Idle returns a channel that is closed while no job of this scheduler
// runs.
func (s *Scheduler) Idle() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idle
}

// Running returns the slots whose jobs this scheduler is running.
func (s *Scheduler) Running() []store.Slot {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]store.Slot, 0, len(s.running))
	for _, r := range s.running {
		sl := r.slot
		sl.RunID = r.runID
		out = append(out, sl)
	}
	store.SortSlots(out)
	return out
}

// Health returns nil while the loop runs and the store answers, else the
// reason it is unhealthy.
func (s *Scheduler) Health() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.loopAt.IsZero():
		return errors.New("scheduler: not started")
	case s.stopped:
		return errors.New("scheduler: stopped")
	case s.storeErr != nil:
		return fmt.Errorf("scheduler: database: %w", s.storeErr)
	}
	if late := s.cfg.Clock.Now().Sub(s.loopAt); late > 3*s.cfg.HeartbeatInterval {
		return fmt.Errorf("scheduler: loop stalled: last woke %s ago", late.Round(time.Second))
	}
	return nil
}

// stored records the outcome of a store call for Health.
func (s *Scheduler) stored(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.storeErr = err
}

// Run runs the schedule until ctx ends, then lets running jobs finish
// within ShutdownTimeout (cancelling them past it) and returns once every
// slot it ran is recorded.
func (s *Scheduler) Run(ctx context.Context) error {
	cfg := s.cfg
	jobCtx, hardStop := context.WithCancel(context.WithoutCancel(ctx))
	defer hardStop()
	var jobs sync.WaitGroup
	now := cfg.Clock.Now()
	s.woke(now)
	defer func() {
		s.mu.Lock()
		s.stopped = true
		s.mu.Unlock()
	}()

	next := make([]time.Time, len(cfg.Entries))
	s.sweep(ctx, jobCtx, &jobs, now, false)
	for i, e := range cfg.Entries {
		if e.Catchup == CatchupLatest {
			if at := e.Latest(now); !at.IsZero() {
				s.fire(ctx, jobCtx, &jobs, e, at, now, "catchup")
			}
		}
		next[i] = e.Next(now)
	}
	names := make([]string, len(cfg.Entries))
	for i, e := range cfg.Entries {
		names[i] = fmt.Sprintf("%s (%s) next %s", e.Name, e.Spec, next[i].Format(time.RFC3339))
	}
	s.log.Info().Str("owner", cfg.Owner).Strs("entries", names).Msg("scheduler started")

	lastBeat := now
	for ctx.Err() == nil {
		wake := lastBeat.Add(cfg.HeartbeatInterval)
		for _, n := range next {
			if !n.IsZero() && n.Before(wake) {
				wake = n
			}
		}
		select {
		case <-ctx.Done():
			continue
		case <-cfg.Clock.After(wake.Sub(now)):
		}
		now = cfg.Clock.Now()
		s.woke(now)
		if !now.Before(lastBeat.Add(cfg.HeartbeatInterval)) {
			s.beat(ctx, now)
			s.sweep(ctx, jobCtx, &jobs, now, true)
			lastBeat = now
		}
		for i, e := range cfg.Entries {
			if next[i].IsZero() || now.Before(next[i]) {
				continue
			}
			at := next[i]
			for n := e.Next(at); !n.IsZero() && !n.After(now); n = e.Next(n) {
				at = n // slots missed while the loop was late: the latest runs
			}
			s.fire(ctx, jobCtx, &jobs, e, at, now, "due")
			next[i] = e.Next(now)
		}
	}
	return s.shutdown(jobCtx, hardStop, &jobs)
}

// shutdown waits for the running jobs: ShutdownTimeout, then their
// context is cancelled and they record their runs. Heartbeats go on
// meanwhile, so that no other scheduler takes the slots for dead.
func (s *Scheduler) shutdown(ctx context.Context, hardStop context.CancelFunc, jobs *sync.WaitGroup) error {
	cfg := s.cfg
	done := make(chan struct{})
	go func() { jobs.Wait(); close(done) }()
	s.mu.Lock()
	n := len(s.running)
	s.mu.Unlock()
	if n > 0 {
		s.log.Info().Int("running", n).Dur("shutdown_timeout", cfg.ShutdownTimeout).
			Msg("scheduler stopping: no new slot; running jobs finish their current subject")
	}
	deadline := cfg.Clock.Now().Add(cfg.ShutdownTimeout)
	for {
		now := cfg.Clock.Now()
		wait := min(deadline.Sub(now), cfg.HeartbeatInterval)
		if wait <= 0 {
			break
		}
		select {
		case <-done:
			s.log.Info().Msg("scheduler stopped")
			return nil
		case <-cfg.Clock.After(wait):
			s.beat(ctx, cfg.Clock.Now())
		}
	}
	s.log.Warn().Dur("shutdown_timeout", cfg.ShutdownTimeout).Msg("running jobs cancelled: shutdown timeout passed")
	hardStop()
	<-done
	s.log.Info().Msg("scheduler stopped")
	return nil
}

func (s *Scheduler) woke(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loopAt = now
}

// beat renews the heartbeat of every running slot.
func (s *Scheduler) beat(ctx context.Context, now time.Time) {
	s.mu.Lock()
	beats := make([]runningSlot, 0, len(s.running))
	for _, r := range s.running {
		if !r.finishing {
			beats = append(beats, *r)
		}
	}
	s.mu.Unlock()
	for _, r := range beats {
		err := s.cfg.Store.SlotHeartbeat(ctx, r.slot.Job, r.slot.At, r.runID, now)
		switch {
		case err == nil:
			s.stored(nil)
		case errors.Is(err, store.ErrNotRunning):
			s.log.Error().Str("job", r.slot.Job).Time("slot", r.slot.At).Err(err).
				Msg("slot marked abandoned while still running: a heartbeat came later than the lease; its end will still be recorded")
		case ctx.Err() == nil:
			s.stored(err)
			s.log.Warn().Str("job", r.slot.Job).Time("slot", r.slot.At).Err(err).Msg("slot heartbeat not recorded")
		}
	}
}

// sweep marks abandoned the slots whose scheduler stopped beating and
// claims again, once, those still the latest slot of an entry with
// CatchupLatest; then calls Config.Sweep.
func (s *Scheduler) sweep(ctx, jobCtx context.Context, jobs *sync.WaitGroup, now time.Time, rerun bool) {
	gone, err := s.cfg.Store.AbandonStaleSlots(ctx, now, s.cfg.Lease)
	if err != nil {
		if ctx.Err() == nil {
			s.stored(err)
			s.log.Warn().Err(err).Msg("could not mark stale slots abandoned")
		}
	} else {
		s.stored(nil)
	}
	for _, sl := range gone {
		s.log.Warn().Str("job", sl.Job).Time("slot", sl.At).Int64("run_id", sl.RunID).Str("error", sl.Error).
			Msg("slot left running by a scheduler that stopped beating marked abandoned")
		for _, e := range s.cfg.Entries {
			// On start the catchup claims it; later, the latest slot runs again.
			if rerun && e.Name == sl.Job && e.Catchup == CatchupLatest && e.Latest(now).Equal(sl.At) {
				s.fire(ctx, jobCtx, jobs, e, sl.At, now, "abandoned")
			}
		}
	}
	if s.cfg.Sweep != nil {
		s.cfg.Sweep(ctx, now)
	}
}

// fire claims the slot of e at time at and, when this scheduler gets it,
// records it skipped (the exchange is closed, or the entry's previous
// slot still runs here) or starts its job.
func (s *Scheduler) fire(ctx, jobCtx context.Context, jobs *sync.WaitGroup, e Entry, at, now time.Time, why string) {
	log := s.log.With().Str("job", e.Name).Time("slot", at).Str("why", why).Logger()
	slot := store.Slot{Job: e.Name, At: at.UTC(), Status: store.SlotRunning, Owner: s.cfg.Owner, ClaimedAt: now.UTC()}
	s.mu.Lock()
	prev, busy := s.running[e.Name]
	s.mu.Unlock()
	switch day := e.Day(at); {
	case !e.EveryDay && !s.cfg.TradingDay(day):
		slot.Status, slot.Error = store.SlotSkipped, fmt.Sprintf("%s is not a trading day", day.Format(marketdata.DateLayout))
	case busy:
		slot.Status, slot.Error = store.SlotSkipped, fmt.Sprintf("the slot of %s still runs", prev.slot.At.Format(time.RFC3339))
	}
	ok, err := s.cfg.Store.ClaimSlot(ctx, &slot)
	if err != nil {
		if ctx.Err() == nil {
			s.stored(err)
			log.Error().Err(err).Msg("slot not claimed: the store failed")
		}
		return
	}
	s.stored(nil)
	if !ok {
		log.Info().Msg("slot already run or running (claimed by another scheduler or an earlier start)")
		return
	}
	if slot.Status == store.SlotSkipped {
		slot.FinishedAt = now.UTC()
		s.finish(ctx, slot)
		log.Info().Str("reason", slot.Error).Msg("slot skipped")
		return
	}
	r := &runningSlot{slot: slot}
	s.mu.Lock()
	if len(s.running) == 0 {
		s.idle = make(chan struct{})
	}
	s.running[e.Name] = r
	s.mu.Unlock()
	log.Info().Int("attempt", slot.Attempts).Msg("slot claimed: job starting")
	jobs.Add(1)
	go func() {
		defer jobs.Done()
		started := func(id int64) {
			s.mu.Lock()
			defer s.mu.Unlock()
			r.runID = id
		}
		status, err := s.call(jobCtx, Run{Entry: e, At: slot.At, Attempt: slot.Attempts, Stopping: ctx.Done(), Started: started})
		s.mu.Lock()
		slot.RunID, r.finishing = r.runID, true
		s.mu.Unlock()
		slot.Status, slot.FinishedAt = status, s.cfg.Clock.Now().UTC()
		if err != nil {
			slot.Error = err.Error()
		}
		s.finish(jobCtx, slot)
		s.mu.Lock()
		delete(s.running, e.Name)
		if len(s.running) == 0 {
			close(s.idle)
		}
		s.mu.Unlock()
		ev := log.Info()
		if status != store.SlotSucceeded {
			ev = log.Warn().Err(err)
		}
		ev.Str("status", string(status)).Int64("run_id", slot.RunID).Msg("slot finished")
	}()
}

// call runs the job, turning a panic into a failed slot with the panic's
// message.
func (s *Scheduler) call(ctx context.Context, r Run) (status store.SlotStatus, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error().Str("job", r.Entry.Name).Time("slot", r.At).Str("stack", string(debug.Stack())).
				Msgf("job panicked: %v", p)
			status, err = store.SlotFailed, fmt.Errorf("panic: %v", p)
		}
	}()
	status, err = s.cfg.Run(ctx, r)
	switch status {
	case store.SlotSucceeded, store.SlotPartial, store.SlotFailed:
	default:
		err = cmp.Or(err, fmt.Errorf("job returned slot status %q", status))
		status = store.SlotFailed
	}
	return status, err
}

// finish records a slot's end within FinishTimeout, whatever the state of
// ctx, and reports it to OnSlot.
func (s *Scheduler) finish(ctx context.Context, slot store.Slot) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.FinishTimeout)
	defer cancel()
	if err := s.cfg.Store.FinishSlot(fctx, slot); err != nil {
		s.stored(err)
		s.log.Error().Str("job", slot.Job).Time("slot", slot.At).Str("status", string(slot.Status)).Err(err).
			Msg("slot end not recorded: the slot shows running until a scheduler marks it abandoned")
	}
	if s.cfg.OnSlot != nil {
		s.cfg.OnSlot(slot)
	}
}
