package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
	"runner/store"
	"runner/walkforward"
)

// backfillForecastSkip are the flags of runner forecast that a backfill
// does not take: each unit's as-of date is its day, and a backfill writes.
var backfillForecastSkip = []string{"as-of", "dry-run", "json", "workers"}

func backfillCommand(e *env) *cli.Command {
	var flags []cli.Flag
	for _, f := range forecastCommand(e).Flags {
		if !slices.Contains(backfillForecastSkip, f.Names()[0]) {
			flags = append(flags, f)
		}
	}
	flags = append(flags,
		dateFlag(&cli.StringFlag{Name: "from", Usage: "first as-of day (forecast) or validation date (validate), YYYY-MM-DD (required)"}),
		dateFlag(&cli.StringFlag{Name: "to", Usage: "last as-of day or validation date, YYYY-MM-DD (required)"}),
		stringOneOf(&cli.StringFlag{Name: "kind", Value: store.BackfillForecast,
			Usage: "forecast: a unit is a symbol's as-of day; validate: a unit is a symbol's walk-forward window"},
			store.BackfillForecast, store.BackfillValidate),
		intAtLeast(&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "units run at once in this process (at least 1)"}, 1),
		&cli.BoolFlag{Name: "force", Usage: "run every unit, also those whose rows exist for the same configuration"},
		&cli.BoolFlag{Name: "detach", Usage: "PostgreSQL: enqueue the units and return; runner worker processes work them"},
		stringOneOf(&cli.StringFlag{Name: "grid", Value: "canonical", Usage: "validate: canonical (the DESIGN §5 grid) or fixed"}, "canonical", "fixed"),
		intAtLeast(&cli.IntFlag{Name: "val-bars", Value: walkforward.DefaultVal, Usage: "validate: validation span in bars (at least 20)"}, walkforward.MinSpan),
		intAtLeast(&cli.IntFlag{Name: "test-bars", Value: walkforward.DefaultTest, Usage: "validate: test span in bars (at least 20)"}, walkforward.MinSpan),
		intAtLeast(&cli.IntFlag{Name: "step", Value: walkforward.DefaultStep, Usage: "validate: step between windows in bars (at least 1)"}, 1),
		&cli.BoolFlag{Name: "leak-check", Usage: "validate: run each window's leak check"},
	)
	flags = append(flags, riverFlags()...)
	return &cli.Command{
		Name:  "backfill",
		Usage: "forecast or validate every day of a past period, resuming where a previous run stopped",
		UsageText: "runner backfill --from DATE --to DATE [--symbols A,B] [--kind forecast|validate]\n" +
			"                [--mode canary|production|shadow | --ensemble NAME] [--workers N] [--force] [--detach]\n" +
			"runner backfill status [--id N]",
		Description: "A backfill is a set of units: (symbol, as-of day) for forecasts, one per trading day (a day\n" +
			"the symbol has a bar) from --from to --to; (symbol, window) for validation, the windows whose\n" +
			"test span ends from --from to --to. Each unit runs as the daily job would have run it (runner\n" +
			"forecast --as-of DAY for one symbol; runner validate for one window) and writes its rows in one\n" +
			"transaction. A unit is done when its rows exist for the same configuration hash (the parameters\n" +
			"that change its numbers); done units are skipped unless --force, so a backfill interrupted at any\n" +
			"moment (Ctrl-C, kill -9) and started again finishes what is left. Units whose weights learn from\n" +
			"earlier forecasts (--weights inverse_rmse or ridge) run in date order per symbol.\n" +
			"On SQLite the units run on a pool of --workers. On PostgreSQL they are River jobs, unique by their\n" +
			"arguments (enqueueing twice adds nothing), worked by this process (--workers at a time) and by any\n" +
			"runner worker; with --detach this process only enqueues. A failed unit is listed at the end, the\n" +
			"exit code is 3, and the next run retries it. runner backfill status shows progress from the\n" +
			"database, from any machine.",
		Flags: flags,
		Subcommands: []*cli.Command{
			backfillStatusCommand(e),
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("backfill: unexpected argument %q: want flags, or the status subcommand", c.Args().First())
			}
			cfg, err := backfillConfig(c)
			if err != nil {
				return err
			}
			rcfg, err := riverConfig(c, c.Int("workers"))
			if err != nil {
				return err
			}
			runs, err := runConfig(c)
			if err != nil {
				return err
			}
			if c.Bool("detach") && !isPostgres(c.String("database-url")) {
				return usageErrorf("backfill: --detach needs PostgreSQL (--database-url): on SQLite the units run in this process")
			}
			return withStore(c, e, true, func(s store.Store) error {
				units := unitRunner(c, e, s, runs)
				if len(cfg.Symbols) == 0 {
					syms, err := units.Source.Symbols(c.Context)
					if err != nil {
						return fmt.Errorf("backfill: list symbols: %w", err)
					}
					cfg.Symbols = syms
				}
				if rs, ok := s.(riverStore); ok {
					return riverBackfill(c, e, rs, units, cfg, rcfg)
				}
				return poolBackfill(c, e, units, cfg)
			})
		},
	}
}

// riverFlags are the flags of a River client: runner backfill on
// PostgreSQL and runner worker.
func riverFlags() []cli.Flag {
	return []cli.Flag{
		durationAtLeast(&cli.DurationFlag{Name: "unit-timeout", Value: jobs.DefaultUnitTimeout,
			Usage: "PostgreSQL: time allowed for one unit (a job of k chained units gets k times it); past it the unit is cancelled and retried"}, time.Second),
		durationAtLeast(&cli.DurationFlag{Name: "rescue-after", Value: jobs.DefaultRescueAfter,
			Usage: "PostgreSQL: a job still running after this long and its timeout is taken for stuck (its worker died) and retried; more than --unit-timeout"}, time.Second),
		durationAtLeast(&cli.DurationFlag{Name: "poll-interval", Value: jobs.DefaultPollInterval,
			Usage: "PostgreSQL: how often an idle worker looks for jobs besides being notified, and a backfill at its jobs"}, 10*time.Millisecond),
	}
}

func riverConfig(c *cli.Context, concurrency int) (jobs.RiverConfig, error) {
	rc := jobs.RiverConfig{Concurrency: concurrency, UnitTimeout: c.Duration("unit-timeout"),
		RescueAfter: c.Duration("rescue-after"), PollInterval: c.Duration("poll-interval")}
	if rc.RescueAfter <= rc.UnitTimeout {
		return rc, usageErrorf("%s--rescue-after %s: must exceed --unit-timeout %s", commandPrefix(c), rc.RescueAfter, rc.UnitTimeout)
	}
	return rc, nil
}

// unitRunner runs units against the store s, with the data of --data.
// The units' own jobs log at warn and above: a backfill reports per unit.
func unitRunner(c *cli.Context, e *env, s store.Store, runs jobs.RunConfig) *jobs.UnitRunner {
	host, _ := os.Hostname()
	return &jobs.UnitRunner{Source: source(c, s), Store: s, Log: e.log.Level(max(e.log.GetLevel(), zerolog.WarnLevel)),
		Runs: runs, CodeVersion: codeVersion(), Host: host}
}

// backfillConfig builds the backfill from the flags: the forecast flags
// configure forecast units as runner forecast does, and validation units
// as runner validate does with the ensembles of --mode or --ensemble.
func backfillConfig(c *cli.Context) (jobs.BackfillConfig, error) {
	fc, err := forecastConfig(c)
	if err != nil {
		return jobs.BackfillConfig{}, usageErrorf("backfill: %s", strings.TrimPrefix(err.Error(), "forecast: "))
	}
	cfg := jobs.BackfillConfig{Symbols: fc.Symbols, Workers: c.Int("workers"), Force: c.Bool("force")}
	if c.String("from") == "" || c.String("to") == "" {
		return cfg, usageErrorf("backfill: --from and --to are required")
	}
	for _, d := range []struct {
		flag string
		dst  *time.Time
	}{{"from", &cfg.From}, {"to", &cfg.To}} {
		t, err := time.Parse(marketdata.DateLayout, c.String(d.flag))
		if err != nil {
			return cfg, usageErrorf("backfill: --%s %q: want YYYY-MM-DD", d.flag, c.String(d.flag))
		}
		*d.dst = t
	}
	if cfg.To.Before(cfg.From) {
		return cfg, usageErrorf("backfill: --to %s is before --from %s", c.String("to"), c.String("from"))
	}
	switch c.String("kind") {
	case store.BackfillForecast:
		fc.Symbols, fc.Workers, fc.CodeVersion, fc.Host = nil, 0, "", ""
		if fc.Mode == "production" && !c.IsSet("model-count") {
			// Each day serves what the canary state served that day.
			fc.Ensembles, fc.ServeByCanary = []forecast.Ensemble{forecast.Candidate, forecast.Legacy}, true
		}
		cfg.Spec = jobs.BackfillSpec{Kind: store.BackfillForecast, Forecast: &fc}
	case store.BackfillValidate:
		if c.IsSet("weights") || c.IsSet("weight-lookback") || c.IsSet("calibrate") {
			return cfg, usageErrorf("backfill: --weights, --weight-lookback and --calibrate are forecast settings: not with --kind validate")
		}
		cfg.Spec = jobs.BackfillSpec{Kind: store.BackfillValidate, Validate: &jobs.ValidateSpec{
			Ensembles: fc.Ensembles, Horizon: fc.Horizon, Grid: c.String("grid"),
			Window: walkforward.Config{Train: c.Int("train-bars"), Val: c.Int("val-bars"), Test: c.Int("test-bars"), Step: c.Int("step")},
			Model:  fc.Model, LeakCheck: c.Bool("leak-check")}}
	}
	return cfg, nil
}

// poolBackfill runs the backfill's units in this process.
func poolBackfill(c *cli.Context, e *env, units *jobs.UnitRunner, cfg jobs.BackfillConfig) error {
	var p *progress
	cfg.Progress = func(done, failed, total int) {
		if p == nil {
			p = newProgress(e, "backfill", total)
		}
		p.Set(done, failed)
	}
	job := &jobs.BackfillJob{Units: *units, Log: e.log}
	res, err := job.Run(c.Context, cfg)
	if res.Plan.Backfill.ID != 0 {
		printBackfill(e.out, res.Plan, res.Failed(), res.Degraded(), len(res.Results)-countInterrupted(res.Results))
	}
	if errors.Is(err, jobs.ErrUnitsFailed) {
		return partialError(err)
	}
	return err
}

func countInterrupted(rs []jobs.UnitResult) int {
	n := 0
	for _, r := range rs {
		if r.Interrupted {
			n++
		}
	}
	return n
}

// printBackfill prints a backfill's summary: its units, those already
// done, those run, and every failed and degraded unit with its error.
func printBackfill(w io.Writer, plan jobs.BackfillPlan, failed, degraded []jobs.UnitResult, ran int) {
	b := plan.Backfill
	fmt.Fprintf(w, "backfill %d: %s %s, %s to %s, %s (config %s)\n", b.ID, b.Kind, b.Mode, day(b.From), day(b.To),
		strings.Join(b.Symbols, ","), b.ConfigHash)
	fmt.Fprintf(w, "  %d units: %d already done, %d to run; %d run, %d failed, %d degraded\n", len(plan.Units),
		len(plan.Skipped), plan.Pending(), ran, len(failed), len(degraded))
	for _, sym := range sortedKeysOf(plan.SymbolErrors) {
		fmt.Fprintf(w, "  %s: no units: %v\n", sym, plan.SymbolErrors[sym])
	}
	if len(failed) > 0 {
		fmt.Fprintf(w, "failed units (the next run retries them):\n")
		for _, u := range failed {
			fmt.Fprintf(w, "  %s\n", u.Err)
		}
	}
	if len(degraded) > 0 {
		fmt.Fprintf(w, "degraded units (written without a model):\n")
		for _, u := range degraded {
			fmt.Fprintf(w, "  %s %s: %s\n", u.Symbol, day(u.Day), u.Degraded)
		}
	}
}

func sortedKeysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// riverBackfill enqueues the backfill's units as River jobs and, unless
// --detach, works the queue in this process until every job of the
// backfill is finished.
func riverBackfill(c *cli.Context, e *env, rs riverStore, units *jobs.UnitRunner, cfg jobs.BackfillConfig, rcfg jobs.RiverConfig) error {
	ctx := c.Context
	detach := c.Bool("detach")
	job := &jobs.BackfillJob{Units: *units, Log: e.log}
	plan, err := job.Plan(ctx, cfg)
	if err != nil {
		return err
	}
	if detach {
		rcfg.Concurrency = 0
	}
	client, err := jobs.NewRiverClient(rs.Pool(), units, rcfg, e.log)
	if err != nil {
		return err
	}
	enq, err := jobs.Enqueue(ctx, client, plan, cfg.Spec, cfg.Force)
	if err != nil {
		return err
	}
	e.log.Info().Int64("backfill_id", plan.Backfill.ID).Int("jobs", len(enq.JobIDs)).Int("added", enq.Added).
		Int("units", len(plan.Units)).Int("already_done", len(plan.Skipped)).Msg("backfill enqueued")
	if detach {
		b := plan.Backfill
		fmt.Fprintf(e.out, "backfill %d: %s %s, %s to %s, %s (config %s)\n", b.ID, b.Kind, b.Mode, day(b.From), day(b.To),
			strings.Join(b.Symbols, ","), b.ConfigHash)
		fmt.Fprintf(e.out, "  %d units: %d already done, %d to run in %d jobs (%d added, %d already queued)\n",
			len(plan.Units), len(plan.Skipped), plan.Pending(), len(enq.JobIDs), enq.Added, len(enq.JobIDs)-enq.Added)
		fmt.Fprintf(e.out, "  run runner worker to work them; runner backfill status --id %d shows progress\n", b.ID)
		return nil
	}
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("backfill: start river client: %w", err)
	}
	pending := map[string]bool{}
	for _, t := range plan.Tasks {
		for _, u := range t {
			pending[unitKey(u)] = true
		}
	}
	var p *progress
	var last []store.BackfillUnit
	tick := func() {
		us, err := rs.BackfillUnits(ctx, plan.Backfill.ID, "")
		if err != nil {
			return
		}
		last = us
		done, failed := 0, 0
		for _, u := range us {
			if !pending[unitKey(u.UnitKey)] {
				continue
			}
			switch u.Status {
			case store.UnitDone:
				done++
			case store.UnitFailed:
				failed++
			}
		}
		if p == nil {
			p = newProgress(e, "backfill", len(pending))
		}
		p.Set(done+failed, failed)
	}
	werr := jobs.WaitJobs(ctx, client, enq.JobIDs, rcfg.PollInterval, tick)
	stopRiver(e, client.Stop, client.StopAndCancel, c.Duration("db-finish-timeout"))
	if werr != nil {
		return fmt.Errorf("backfill %d: interrupted; its jobs stay queued for runner worker or the next run: %w", plan.Backfill.ID, werr)
	}
	tick()
	var failed []jobs.UnitResult
	ran := 0
	for _, u := range last {
		if !pending[unitKey(u.UnitKey)] {
			continue
		}
		ran++
		if u.Status != store.UnitDone {
			msg := u.Error
			if msg == "" {
				msg = fmt.Sprintf("%s %s: left %s", u.Symbol, day(u.Day), u.Status)
			}
			failed = append(failed, jobs.UnitResult{UnitKey: u.UnitKey, Err: errors.New(msg)})
		}
	}
	printBackfill(e.out, plan, failed, nil, ran)
	if len(failed) > 0 || len(plan.SymbolErrors) > 0 {
		return partialError(fmt.Errorf("backfill %d: %d of %d units failed; run it again to retry them", plan.Backfill.ID, len(failed), len(pending)))
	}
	return nil
}

func unitKey(u store.UnitKey) string {
	return fmt.Sprintf("%s/%s/%d", u.Symbol, day(u.Day), u.WindowID)
}

// stopRiver stops a River client within timeout: the jobs running finish;
// past it they are cancelled (their units pending again, the jobs
// retried).
func stopRiver(e *env, stop, stopAndCancel func(context.Context) error, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := stop(ctx); err != nil {
		e.log.Warn().Err(err).Dur("timeout", timeout).Msg("jobs still running at the shutdown timeout: cancelled, to be retried")
		cctx, ccancel := context.WithTimeout(context.Background(), timeout)
		defer ccancel()
		if err := stopAndCancel(cctx); err != nil {
			e.log.Warn().Err(err).Msg("river client not stopped cleanly")
		}
	}
}

func backfillStatusCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "the progress of the latest backfills, from the database",
		UsageText: "runner backfill status [--id N] [--limit 10]",
		Flags: []cli.Flag{
			&cli.Int64Flag{Name: "id", Usage: "one backfill: its progress per symbol and its failed units"},
			intAtLeast(&cli.IntFlag{Name: "limit", Value: 10, Usage: "latest backfills listed (at least 1)"}, 1),
		},
		Action: func(c *cli.Context) error {
			return withStore(c, e, true, func(s store.Store) error {
				bs, err := s.Backfills(c.Context, 0)
				if err != nil {
					return err
				}
				if id := c.Int64("id"); id != 0 {
					for _, b := range bs {
						if b.ID == id {
							return printBackfillStatus(c.Context, e.out, s, b)
						}
					}
					return fmt.Errorf("backfill status: no backfill %d", id)
				}
				if len(bs) == 0 {
					fmt.Fprintln(e.out, "no backfill yet")
					return nil
				}
				fmt.Fprintf(e.out, "%-4s  %-8s  %-16s  %-10s  %-10s  %-16s  %6s  %6s  %7s  %6s  %s\n", "ID", "KIND", "MODE", "FROM", "TO",
					"CONFIG", "UNITS", "DONE", "RUNNING", "FAILED", "UPDATED")
				for _, b := range bs[:min(len(bs), c.Int("limit"))] {
					fmt.Fprintf(e.out, "%-4d  %-8s  %-16s  %-10s  %-10s  %-16s  %6d  %6d  %7d  %6d  %s\n", b.ID, b.Kind, b.Mode, day(b.From),
						day(b.To), b.ConfigHash, b.Total, b.Done, b.Running, b.Failed, b.LastUpdate.UTC().Format(time.DateTime))
				}
				return nil
			})
		},
	}
}

// printBackfillStatus prints one backfill: its progress per symbol and
// its failed units with their errors.
func printBackfillStatus(ctx context.Context, w io.Writer, s store.Store, b store.BackfillProgress) error {
	us, err := s.BackfillUnits(ctx, b.ID, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "backfill %d: %s %s, %s to %s, %s (config %s)\n", b.ID, b.Kind, b.Mode, day(b.From), day(b.To),
		strings.Join(b.Symbols, ","), b.ConfigHash)
	pct := 0.0
	if b.Total > 0 {
		pct = 100 * float64(b.Done) / float64(b.Total)
	}
	fmt.Fprintf(w, "  %d units: %d done (%.1f%%), %d pending, %d running, %d failed; last change %s\n", b.Total, b.Done, pct,
		b.Pending, b.Running, b.Failed, b.LastUpdate.UTC().Format(time.DateTime+" UTC"))
	type counts struct {
		total, done, failed int
		last                time.Time
	}
	bySym := map[string]*counts{}
	var failed []store.BackfillUnit
	for _, u := range us {
		n := bySym[u.Symbol]
		if n == nil {
			n = &counts{}
			bySym[u.Symbol] = n
		}
		n.total++
		switch u.Status {
		case store.UnitDone:
			n.done++
			if u.Day.After(n.last) {
				n.last = u.Day
			}
		case store.UnitFailed:
			n.failed++
			failed = append(failed, u)
		}
	}
	for _, sym := range sortedKeysOf(bySym) {
		n := bySym[sym]
		lastDone := "-"
		if !n.last.IsZero() {
			lastDone = day(n.last)
		}
		fmt.Fprintf(w, "  %-8s %4d/%-4d done, %d failed, latest day done %s\n", sym, n.done, n.total, n.failed, lastDone)
	}
	if len(failed) > 0 {
		fmt.Fprintln(w, "failed units:")
		for _, u := range failed {
			fmt.Fprintf(w, "  %s %s (%d attempts): %s\n", u.Symbol, day(u.Day), u.Attempts, u.Error)
		}
	}
	return nil
}
