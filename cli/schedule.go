package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"runner/jobs"
	"runner/observe"
	"runner/scheduler"
	"runner/store"
)

func scheduleCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "schedule",
		Usage:     "run the jobs of the config file's schedule: section on their cron expressions until SIGTERM or SIGINT",
		UsageText: "runner --config runner.yaml schedule [--listen 127.0.0.1:9464] [--shutdown-timeout 60s]",
		Description: "Each entry of the schedule: section names a job (forecast, validate, calibrate), a cron\n" +
			"expression (robfig/cron: five fields or @daily, CRON_TZ=Zone first for another zone than\n" +
			"America/New_York), catchup: latest (default: on start, the latest slot that has not run runs\n" +
			"once) or none, and any flag of the job's command. A mistake in any entry is a usage error\n" +
			"before anything starts. Each slot runs once however many schedulers run: the one that claims\n" +
			"its schedule_slots row runs it, in-process, as the command would; on SQLite, one scheduler at\n" +
			"a time holds <database>.schedule.lock and the others wait as standbys. A slot on an NYSE\n" +
			"holiday or weekend is recorded skipped. On SIGTERM or SIGINT no new slot starts; a running\n" +
			"job finishes the symbols it has started within --shutdown-timeout, past which it is\n" +
			"cancelled; its run and slot are recorded either way. A slot left running by a killed\n" +
			"scheduler is marked abandoned once --run-lease passes without a heartbeat, and runs again\n" +
			"once if it is still its entry's latest slot. /healthz and /metrics are served on --listen.",
		Flags: []cli.Flag{
			listenFlag(observe.DefaultListen),
			durationAtLeast(&cli.DurationFlag{Name: "shutdown-timeout", Value: scheduler.DefaultShutdownTimeout,
				Usage: "after SIGTERM, time a running job has to finish its started symbols before it is cancelled"}, 0),
		},
		Action: func(c *cli.Context) error {
			entries, err := parseSchedule(e.config, c.App.Commands)
			if err != nil {
				return err
			}
			runs, err := runConfig(c)
			if err != nil {
				return err
			}
			globals := globalArgs(c)
			return withStore(c, e, true, func(s store.Store) error {
				return runSchedule(c, e, s, entries, globals, runs)
			})
		},
	}
}

// globalArgs are the global flags the scheduler was given (command line,
// environment or config file), as arguments for the jobs it runs.
func globalArgs(c *cli.Context) []string {
	var out []string
	for _, f := range globalFlags() {
		name := f.Names()[0]
		if c.IsSet(name) {
			out = append(out, "--"+name+"="+fmt.Sprint(c.Value(name)))
		}
	}
	return out
}

// runSchedule runs the scheduler on s until c's context ends. On SQLite
// it first takes the schedule lock beside the database, waiting as a
// standby while another scheduler holds it.
func runSchedule(c *cli.Context, e *env, s store.Store, entries []scheduleEntry, globals []string, runs jobs.RunConfig) error {
	ctx := c.Context
	log := e.log.With().Str("component", "schedule").Logger()
	m := observe.NewMetrics()
	host, _ := os.Hostname()
	owner := fmt.Sprintf("%s:%d", host, os.Getpid())

	sr := &slotRunner{app: newApp, err: e.err, metrics: m, args: map[string][]string{}, finishTimeout: runs.FinishTimeout}
	var ses []scheduler.Entry
	for _, se := range entries {
		m.InitRuns(se.entry.Job)
		m.InitSlots(se.entry.Name)
		ses = append(ses, se.entry)
		sr.args[se.entry.Name] = append(append([]string{"runner"}, globals...), se.args...)
	}
	sched, err := scheduler.New(scheduler.Config{Entries: ses, Store: s, Run: sr.run, Log: e.log, Owner: owner,
		HeartbeatInterval: runs.HeartbeatInterval, Lease: runs.Lease, ShutdownTimeout: c.Duration("shutdown-timeout"),
		FinishTimeout: runs.FinishTimeout, OnSlot: m.SlotFinished,
		Sweep: func(ctx context.Context, now time.Time) {
			jobs.AbandonStaleRuns(ctx, s, now.UTC(), runs, log)
		}})
	if err != nil {
		return usageErrorf("schedule: %v", err)
	}
	showCanaryStage(ctx, log, s, m)

	var mu sync.Mutex
	standby := ""
	wait, err := startObserve(ctx, c, e, m, s, func() error {
		mu.Lock()
		defer mu.Unlock()
		if standby != "" {
			return nil // a standby is healthy: it waits for the lock
		}
		return sched.Health()
	})
	if err != nil {
		return err
	}
	defer wait()

	if path, ok := sqlitePath(c.String("database-url")); ok {
		lockPath := path + ".schedule.lock"
		lock, err := scheduler.TryLockFile(lockPath, owner)
		for errors.Is(err, scheduler.ErrLocked) {
			mu.Lock()
			if standby == "" {
				log.Warn().Str("lock", lockPath).Str("holder", err.Error()).
					Msg("another scheduler holds the schedule lock of this SQLite database: waiting as a standby, taking over when it stops")
			}
			standby = err.Error()
			mu.Unlock()
			select {
			case <-ctx.Done():
				log.Info().Msg("standby scheduler stopped")
				return nil
			case <-time.After(runs.HeartbeatInterval):
			}
			lock, err = scheduler.TryLockFile(lockPath, owner)
		}
		if err != nil {
			return err
		}
		defer lock.Close()
		mu.Lock()
		if standby != "" {
			log.Info().Str("lock", lockPath).Msg("schedule lock taken: this scheduler runs the schedule now")
		}
		standby = ""
		mu.Unlock()
	}
	return sched.Run(ctx)
}

// slotRunner runs a slot's job in-process through the job's command, as
// the command line would (args are the whole command line), observing
// its runs for the slot and the metrics.
type slotRunner struct {
	app     func(e *env) *cli.App // newApp; a test adds commands
	err     io.Writer             // the jobs' logs
	metrics *observe.Metrics
	args    map[string][]string // by entry name
	// finishTimeout bounds recording the run of a job that panicked.
	// Default jobs.DefaultFinishTimeout.
	finishTimeout time.Duration
}

func (sr *slotRunner) run(ctx context.Context, r scheduler.Run) (store.SlotStatus, error) {
	var (
		mu   sync.Mutex
		open *store.Run // started, its end not recorded
	)
	e := &env{out: io.Discard, err: sr.err, log: zerolog.Nop(), metrics: sr.metrics}
	e.wrapStore = func(s store.Store) store.Store {
		return &observe.Store{Store: s, Metrics: sr.metrics,
			OnRunStarted: func(run store.Run) {
				mu.Lock()
				open = &run
				mu.Unlock()
				r.Started(run.ID)
			},
			OnRunFinished: func(store.Run) {
				mu.Lock()
				open = nil
				mu.Unlock()
			}}
	}
	// A job that panics: its run is recorded failed with the panic's
	// message, then the panic goes on to the scheduler, which fails the
	// slot.
	e.onPanic = func(s store.Store, p any) {
		mu.Lock()
		run := open
		mu.Unlock()
		if run == nil {
			return
		}
		run.Status, run.FinishedAt = store.RunFailed, time.Now().UTC()
		run.SymbolErrors = map[string]string{"panic": fmt.Sprint(p)}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cmp.Or(sr.finishTimeout, jobs.DefaultFinishTimeout))
		defer cancel()
		if err := s.FinishRun(fctx, run); err != nil {
			e.log.Error().Int64("run_id", run.ID).Err(err).Msg("the run of a job that panicked not recorded")
		}
		sr.metrics.RunFinished(*run)
	}
	ctx = jobs.WithHooks(ctx, jobs.Hooks{Stopping: r.Stopping, ModelFitted: sr.metrics.ModelFitted})
	err := runApp(ctx, sr.app(e), sr.args[r.Entry.Name])
	code := exitCode(err)
	if err != nil {
		err = errors.New(scrub(err.Error(), e.secrets))
	}
	switch code {
	case ExitOK:
		return store.SlotSucceeded, nil
	case ExitPartial:
		return store.SlotPartial, err
	default:
		return store.SlotFailed, err
	}
}
