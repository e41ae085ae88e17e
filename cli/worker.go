package cli

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

	"runner/jobs"
	"runner/observe"
	"runner/store"
)

// DefaultShutdownTimeout is how long a worker told to stop lets its
// running jobs finish before it cancels them.
const DefaultShutdownTimeout = 30 * time.Second

func workerCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "worker",
		Usage:     "work the backfill queue (River on PostgreSQL) until SIGTERM or SIGINT",
		UsageText: "runner --database-url postgres://... worker [--concurrency N] [--shutdown-timeout 30s] [--listen 127.0.0.1:9465]",
		Description: "Works the units that runner backfill enqueued (River jobs), --concurrency at a time, with the\n" +
			"bars of --data. Any number of workers on any machine work the same queue. On SIGTERM or SIGINT\n" +
			"the worker takes no new job and lets the running ones finish within --shutdown-timeout; past it\n" +
			"they are cancelled and go back to the queue (their units are rewritten whole by the retry). A\n" +
			"worker killed outright loses nothing: its jobs are rescued after --rescue-after and their\n" +
			"timeout, and retried elsewhere. /healthz and /metrics are served on --listen.",
		Flags: append([]cli.Flag{
			intAtLeast(&cli.IntFlag{Name: "concurrency", Value: runtime.NumCPU(), Usage: "jobs worked at once (at least 1)"}, 1),
			listenFlag(observe.DefaultWorkerListen),
			durationAtLeast(&cli.DurationFlag{Name: "shutdown-timeout", Value: DefaultShutdownTimeout,
				Usage: "after SIGTERM, time the running jobs have to finish before they are cancelled and requeued"}, 0),
		}, riverFlags()...),
		Action: func(c *cli.Context) error {
			rcfg, err := riverConfig(c, c.Int("concurrency"))
			if err != nil {
				return err
			}
			runs, err := runConfig(c)
			if err != nil {
				return err
			}
			if !isPostgres(c.String("database-url")) {
				return usageErrorf("worker: needs PostgreSQL (--database-url): the queue is River's, on PostgreSQL; on SQLite runner backfill runs its units itself")
			}
			return withStore(c, e, true, func(s store.Store) error {
				rs, ok := s.(riverStore)
				if !ok {
					return fmt.Errorf("worker: the store has no River queue")
				}
				m := observe.NewMetrics()
				var running atomic.Bool
				wait, err := startObserve(c.Context, c, e, m, s, func() error {
					if !running.Load() {
						return errors.New("worker: river client not running")
					}
					return nil
				})
				if err != nil {
					return err
				}
				defer wait()
				units := unitRunner(c, e, &observe.Store{Store: s, Metrics: m}, runs)
				units.ModelFitted = m.ModelFitted
				client, err := jobs.NewRiverClient(rs.Pool(), units, rcfg, e.log)
				if err != nil {
					return err
				}
				if err := client.Start(context.WithoutCancel(c.Context)); err != nil {
					return fmt.Errorf("worker: start river client: %w", err)
				}
				running.Store(true)
				e.log.Info().Str("component", "worker").Int("concurrency", rcfg.Concurrency).Str("queue", jobs.RiverQueue).
					Msg("worker started")
				<-c.Context.Done()
				running.Store(false)
				e.log.Info().Str("component", "worker").Dur("shutdown_timeout", c.Duration("shutdown-timeout")).Msg("worker stopping")
				stopRiver(e, client.Stop, client.StopAndCancel, c.Duration("shutdown-timeout"))
				e.log.Info().Str("component", "worker").Msg("worker stopped")
				return nil
			})
		},
	}
}
