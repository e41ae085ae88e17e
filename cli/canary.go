package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"runner/canary"
	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
	"runner/observe"
	"runner/store"
)

// canaryFlags are the flags of runner canary that every subcommand reads
// (from the command line before the subcommand, or the config file's
// canary: section): the stages of a new deployment and the thresholds.
func canaryFlags() []cli.Flag {
	frac := interval{lo: 0, hi: 10, loOpen: true}
	return []cli.Flag{
		stringOneOf(&cli.StringFlag{Name: "stages", Value: canary.Named,
			Usage: "stages of a new deployment: named (7.1 AAPL,MSFT,SPY; 7.2 ten more; 7.3 all) or percent (1%, 5%, 25%, 100% by symbol hash)"},
			canary.Named, canary.Percent),
		&cli.StringFlag{Name: "extra-symbol", Usage: "the tenth symbol named stage 7.2 adds to its nine (DESIGN §9)", DefaultText: "none"},
		&cli.IntSliceFlag{Name: "min-days", Usage: "minimum trading days of each stage, one per stage", DefaultText: "named 7,7,7; percent 5,5,7,7"},
		&cli.IntSliceFlag{Name: "max-days", Usage: "maximum trading days of each stage without passing (0: none), one per stage", DefaultText: "named 0,14,0; percent 0,0,0,0"},
		&cli.IntSliceFlag{Name: "min-matured", Usage: "minimum matured forecast pairs of each stage, one per stage", DefaultText: "named 15,60,60; percent 4,10,30,60"},
		floatIn(&cli.Float64Flag{Name: "rollback-divergence", Value: canary.DefaultRollbackDivergence, Usage: "roll back now when the maximum divergence is above it"}, frac),
		floatIn(&cli.Float64Flag{Name: "rollback-rmse", Value: canary.DefaultRollbackRMSE, Usage: "roll back now when the candidate's RMSE is worse than legacy's by more than this fraction"}, frac),
		floatIn(&cli.Float64Flag{Name: "fail-avg-divergence", Value: canary.DefaultFailAvgDivergence, Usage: "fail and roll back when the average divergence is above it"}, frac),
		intAtLeast(&cli.IntFlag{Name: "fail-overfit-days", Value: canary.DefaultFailOverfitDays, Usage: "fail and roll back when overfitting alerts come on more consecutive trading days than this"}, 1),
		floatIn(&cli.Float64Flag{Name: "fail-rmse", Value: canary.DefaultFailRMSE, Usage: "fail and roll back when the candidate's RMSE is worse by more than this fraction"}, frac),
		floatIn(&cli.Float64Flag{Name: "advance-avg-divergence", Value: canary.DefaultAdvanceAvgDivergence, Usage: "advancing needs the average divergence below it"}, frac),
		floatIn(&cli.Float64Flag{Name: "advance-max-divergence", Value: canary.DefaultAdvanceMaxDivergence, Usage: "advancing needs the maximum divergence below it"}, frac),
		floatIn(&cli.Float64Flag{Name: "advance-rmse", Value: canary.DefaultAdvanceRMSE, Usage: "advancing needs the candidate's RMSE within this fraction of legacy's"}, frac),
		&cli.StringFlag{Name: "actor", EnvVars: []string{"CANARY_ACTOR"}, Usage: "who acts, recorded with every event", DefaultText: "user@host"},
	}
}

func canaryCommand(e *env) *cli.Command {
	flags := append(canaryFlags(),
		&cli.BoolFlag{Name: "verify-only", Usage: "check readiness and write nothing: schema migrated, data fresh, every model fits every symbol of the stage, weights and calibrations present"},
		dateFlag(&cli.StringFlag{Name: "as-of", Usage: "--verify-only: the day the data must reach, YYYY-MM-DD", DefaultText: "the last trading day"}),
		intAtLeast(&cli.IntFlag{Name: "epochs", Usage: "--verify-only: training epochs of the learned models' fit check", DefaultText: "canonical, 30"}, 1),
		intAtLeast(&cli.IntFlag{Name: "train-bars", Value: jobs.DefaultTrainBars, Usage: "--verify-only: bars each model's fit check fits on (at least 2)"}, 2),
	)
	return &cli.Command{
		Name:  "canary",
		Usage: "roll the candidate ensemble out by stages: start, evaluate daily, advance, promote or roll back (DESIGN §9)",
		UsageText: "runner canary [--stages named|percent] [thresholds] start|status|evaluate|advance|rollback\n" +
			"runner canary --verify-only [--as-of DATE]",
		Description: "A deployment moves through stages (named 7.1, 7.2, 7.3 or percentages of the symbols).\n" +
			"runner canary evaluate, daily, measures the current stage over its symbols and trading days\n" +
			"(divergence of the latest candidate validation windows, candidate RMSE relative to legacy on\n" +
			"the same matured forecasts, forecast coverage, run errors, consecutive days with overfitting\n" +
			"alerts) and decides, in order: roll back now (max divergence > 30% or RMSE worse by > 20%),\n" +
			"fail and roll back (average divergence > 15%, overfitting alerts on > 2 consecutive days, RMSE\n" +
			"worse by > 15%, or a stage past its maximum days), advance or promote (minimum days and\n" +
			"matured forecasts, average divergence < 10%, maximum < 15%, RMSE within 5%, every symbol\n" +
			"forecast every day, no run errors), or hold. Production forecasts (runner forecast --mode\n" +
			"production) serve the candidate for the symbols of the stages passed and legacy elsewhere;\n" +
			"after a rollback legacy everywhere. Stages and thresholds come from these flags or the\n" +
			"config file's canary: section.",
		Flags: flags,
		Action: func(c *cli.Context) error {
			if !c.Bool("verify-only") {
				if c.Args().Present() {
					return usageErrorf("canary: unknown subcommand %q: want start, status, evaluate, advance or rollback", c.Args().First())
				}
				return usageErrorf("canary: give a subcommand (start, status, evaluate, advance, rollback) or --verify-only")
			}
			return canaryVerify(c, e)
		},
		Subcommands: []*cli.Command{
			canaryStartCommand(e),
			canaryStatusCommand(e),
			canaryEvaluateCommand(e),
			canaryAdvanceCommand(e),
			canaryRollbackCommand(e, "rollback"),
		},
	}
}

// policyOf builds the canary policy of the command's flags on s.
func policyOf(c *cli.Context, e *env, s store.Store) (*canary.Policy, error) {
	t := canary.Thresholds{
		RollbackDivergence: c.Float64("rollback-divergence"), RollbackRMSE: c.Float64("rollback-rmse"),
		FailAvgDivergence: c.Float64("fail-avg-divergence"), FailOverfitDays: c.Int("fail-overfit-days"),
		FailRMSE: c.Float64("fail-rmse"), AdvanceAvgDivergence: c.Float64("advance-avg-divergence"),
		AdvanceMaxDivergence: c.Float64("advance-max-divergence"), AdvanceRMSE: c.Float64("advance-rmse"),
	}
	if err := t.Validate(); err != nil {
		return nil, usageErrorf("%v", err)
	}
	p := &canary.Policy{Store: s, Source: source(c, s), Log: e.log,
		Config: canary.Config{Thresholds: t, Actor: cmp.Or(c.String("actor"), actor())}}
	return p, nil
}

// stagesOf returns the stages the flags describe; kind overrides --stages
// when not empty.
func stagesOf(c *cli.Context, kind string) ([]store.CanaryStage, error) {
	st, err := canary.Stages(canary.StagesConfig{Kind: cmp.Or(kind, c.String("stages")), ExtraSymbol: c.String("extra-symbol"),
		MinDays: c.IntSlice("min-days"), MaxDays: c.IntSlice("max-days"), MinMatured: c.IntSlice("min-matured")})
	if err != nil {
		return nil, usageErrorf("canary: %v", err)
	}
	return st, nil
}

// actor is user@host of this process.
func actor() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, _ := os.Hostname()
	return cmp.Or(name, "unknown") + "@" + cmp.Or(host, "unknown")
}

// asOfFlag parses --as-of, or returns def() when it is not given.
func asOfFlag(c *cli.Context, def func() (time.Time, error)) (time.Time, error) {
	if s := c.String("as-of"); s != "" {
		d, err := time.Parse(marketdata.DateLayout, s)
		if err != nil {
			return d, usageErrorf("--as-of %q: want YYYY-MM-DD", s)
		}
		return d, nil
	}
	return def()
}

// lastCommonDate is the last date on which every one of symbols has a bar
// in src (all of src's symbols when symbols is empty).
func lastCommonDate(ctx context.Context, src marketdata.Source, symbols []string) (time.Time, error) {
	if len(symbols) == 0 {
		var err error
		if symbols, err = src.Symbols(ctx); err != nil {
			return time.Time{}, err
		}
	}
	var out time.Time
	for _, s := range symbols {
		bars, err := src.Bars(ctx, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("as-of date: %w", err)
		}
		if last := bars[len(bars)-1].Date; out.IsZero() || last.Before(out) {
			out = last
		}
	}
	if out.IsZero() {
		return out, errors.New("as-of date: no data")
	}
	return out, nil
}

// stageAsOf is the default as-of date of an evaluation: the last date
// every symbol of the deployment's current stage has (every symbol of
// the data for a stage of all or a percentage).
func stageAsOf(ctx context.Context, p *canary.Policy) (time.Time, error) {
	d, err := p.Latest(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return lastCommonDate(ctx, p.Source, d.Stages[d.Stage].Symbols)
}

func canaryStartCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "start",
		Usage:     "start a deployment at its first stage",
		UsageText: "runner canary start [--stages named|percent] [--from DATE] [--reason TEXT] [--verify-only]",
		Flags: []cli.Flag{
			stringOneOf(&cli.StringFlag{Name: "stages", Usage: "named or percent (overrides runner canary --stages)", DefaultText: "runner canary --stages"},
				canary.Named, canary.Percent),
			dateFlag(&cli.StringFlag{Name: "from", Usage: "the first trading day the first stage counts, YYYY-MM-DD", DefaultText: "the last date of the first stage's data"}),
			&cli.StringFlag{Name: "reason", Usage: "why, recorded with the started event"},
			&cli.BoolFlag{Name: "verify-only", Usage: "check readiness of the first stage instead of starting; writes nothing"},
		},
		Action: func(c *cli.Context) error {
			kind := ""
			if c.IsSet("stages") {
				kind = c.String("stages")
			} else if len(c.Lineage()) > 1 {
				kind = c.Lineage()[1].String("stages")
			}
			stages, err := stagesOf(c, kind)
			if err != nil {
				return err
			}
			if c.Bool("verify-only") {
				return canaryVerifyStages(c, e, stages)
			}
			return withStore(c, e, true, gauged(c, e, func(s store.Store) error {
				p, err := policyOf(c, e, s)
				if err != nil {
					return err
				}
				from := time.Time{}
				if v := c.String("from"); v != "" {
					from, _ = time.Parse(marketdata.DateLayout, v)
				} else if from, err = lastCommonDate(c.Context, p.Source, stages[0].Symbols); err != nil {
					return err
				}
				res, err := p.Start(c.Context, stages, from, c.String("reason"))
				if errors.Is(err, canary.ErrStartsTooEarly) && c.IsSet("from") {
					return usageErrorf("--from %s: %v", c.String("from"), err)
				}
				if err != nil {
					return err
				}
				d := res.After
				fmt.Fprintf(e.out, "canary %d started by %s; stage %s counts from %s\n", d.ID, d.Actor, d.Stages[0].Name, day(d.StageStartedOn))
				printStages(e.out, d.Stages)
				return nil
			}))
		},
	}
}

func canaryEvaluateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "evaluate",
		Usage:     "measure the current stage and decide: roll back, advance, promote or hold",
		UsageText: "runner canary evaluate [--as-of DATE] [--dry-run]",
		Flags: []cli.Flag{
			dateFlag(&cli.StringFlag{Name: "as-of", Usage: "the day evaluated, YYYY-MM-DD (a backfill over history is evaluated day by day)", DefaultText: "the last date of the stage's data"}),
			&cli.BoolFlag{Name: "dry-run", Usage: "print the decision, write nothing"},
		},
		Action: func(c *cli.Context) error {
			run := func(s store.Store) error {
				p, err := policyOf(c, e, s)
				if err != nil {
					return err
				}
				asOf, err := asOfFlag(c, func() (time.Time, error) { return stageAsOf(c.Context, p) })
				var res canary.Result
				if err == nil {
					res, err = p.Evaluate(c.Context, asOf, c.Bool("dry-run"))
				}
				if errors.Is(err, canary.ErrNoCanary) {
					// As after a rollback: nothing to evaluate, which a
					// scheduled evaluation must not report as a failure.
					fmt.Fprintln(e.out, "no canary deployment: nothing to evaluate; production serves legacy everywhere (start one with runner canary start)")
					return nil
				}
				if err != nil {
					return err
				}
				switch {
				case res.Evaluation == nil && res.Event.ID != 0:
					fmt.Fprintf(e.out, "canary %d: %s was decided already: event %d, %s %s -> %s: %s\n", res.Before.ID, day(asOf),
						res.Event.ID, res.Event.Kind, res.Event.FromStage, res.Event.ToStage, res.Event.Reason)
					return nil
				case res.Evaluation == nil:
					fmt.Fprintf(e.out, "canary %d is %s: nothing to evaluate; production serves legacy everywhere\n", res.Before.ID, res.Before.Status)
					return nil
				}
				printEvaluation(e.out, res.Before, *res.Evaluation, res.Metrics.Criteria)
				fmt.Fprintf(e.out, "decision: %s: %s\n", res.Decision.Action, res.Decision.Reason)
				if res.Written {
					fmt.Fprintf(e.out, "recorded: metrics row %d, event %d (%s)\n", res.Metrics.ID, res.Event.ID, res.Event.Kind)
				} else {
					fmt.Fprintf(e.out, "dry run: nothing written (would record a %s event)\n", res.Event.Kind)
				}
				return nil
			}
			if c.Bool("dry-run") {
				return withReadStore(c, e, run)
			}
			return withStore(c, e, true, gauged(c, e, run))
		},
	}
}

func canaryAdvanceCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "advance",
		Usage:     "move to the next stage (promote from the last) by hand; refused when the criteria fail, unless --force",
		UsageText: "runner canary advance --reason TEXT [--force] [--as-of DATE]",
		Flags: []cli.Flag{
			stringNotEmpty(&cli.StringFlag{Name: "reason", Required: true, Usage: "why, recorded with the event"}, "a reason"),
			&cli.BoolFlag{Name: "force", Usage: "advance even when the evaluation would not (recorded as forced)"},
			dateFlag(&cli.StringFlag{Name: "as-of", Usage: "the day evaluated, YYYY-MM-DD", DefaultText: "the last date of the stage's data"}),
		},
		Action: func(c *cli.Context) error {
			return withStore(c, e, true, gauged(c, e, func(s store.Store) error {
				p, err := policyOf(c, e, s)
				if err != nil {
					return err
				}
				asOf, err := asOfFlag(c, func() (time.Time, error) { return stageAsOf(c.Context, p) })
				if err != nil {
					return err
				}
				res, err := p.Advance(c.Context, asOf, c.String("reason"), c.Bool("force"))
				if res.Evaluation != nil && res.Decision != nil {
					printEvaluation(e.out, res.Before, *res.Evaluation, res.Decision.CriteriaMaps())
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(e.out, "canary %d %s by %s: %s -> %s (event %d)\n", res.After.ID, res.Event.Kind, res.Event.Actor,
					res.Event.FromStage, res.Event.ToStage, res.Event.ID)
				return nil
			}))
		},
	}
}

// canaryRollbackCommand is runner canary rollback, and runner rollback
// (name "rollback" at the top level too).
func canaryRollbackCommand(e *env, name string) *cli.Command {
	return &cli.Command{
		Name:      name,
		Usage:     "return every symbol to legacy at once, recording who and why",
		UsageText: "runner canary rollback --reason TEXT (also: runner rollback --reason TEXT)",
		Flags: []cli.Flag{
			stringNotEmpty(&cli.StringFlag{Name: "reason", Required: true, Usage: "why, recorded with the event"}, "a reason"),
			dateFlag(&cli.StringFlag{Name: "as-of", Usage: "the day recorded with the event, YYYY-MM-DD", DefaultText: "today"}),
			&cli.StringFlag{Name: "actor", EnvVars: []string{"CANARY_ACTOR"}, Usage: "who acts, recorded with the event", DefaultText: "user@host"},
		},
		Action: func(c *cli.Context) error {
			return withStore(c, e, true, gauged(c, e, func(s store.Store) error {
				p := &canary.Policy{Store: s, Source: source(c, s), Log: e.log,
					Config: canary.Config{Actor: cmp.Or(c.String("actor"), actor())}}
				asOf, err := asOfFlag(c, func() (time.Time, error) { return time.Time{}, nil })
				if err != nil {
					return err
				}
				res, err := p.Rollback(c.Context, asOf, c.String("reason"))
				if errors.Is(err, canary.ErrNoCanary) {
					fmt.Fprintln(e.out, "no canary deployment: production serves legacy everywhere already")
					return nil
				}
				if err != nil {
					return err
				}
				if !res.Written {
					fmt.Fprintf(e.out, "canary %d was rolled back already: production serves legacy everywhere\n", res.Before.ID)
					return nil
				}
				fmt.Fprintf(e.out, "canary %d rolled back by %s (%s): was %s at stage %s; production serves legacy for every symbol (event %d)\n",
					res.After.ID, res.Event.Actor, res.Event.Reason, res.Before.Status, res.Event.FromStage, res.Event.ID)
				return nil
			}))
		},
	}
}

func canaryStatusCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "the deployment's stage, its latest evaluation criterion by criterion, and the decision history",
		UsageText: "runner canary status [--as-of DATE]",
		Description: "Without --as-of, the criteria are those of the latest evaluation recorded; with --as-of,\n" +
			"the current stage is measured as of that day now (nothing is written).",
		Flags: []cli.Flag{
			dateFlag(&cli.StringFlag{Name: "as-of", Usage: "measure the current stage as of this day instead of showing the latest evaluation, YYYY-MM-DD"}),
		},
		Action: func(c *cli.Context) error {
			return withReadStore(c, e, func(s store.Store) error {
				p, err := policyOf(c, e, s)
				if err != nil {
					return err
				}
				d, err := p.Latest(c.Context)
				if errors.Is(err, canary.ErrNoCanary) {
					fmt.Fprintln(e.out, "no canary deployment: production serves legacy everywhere; start one with runner canary start")
					return nil
				}
				if err != nil {
					return err
				}
				return printCanaryStatus(c, e, p, d, true)
			})
		},
	}
}

// printCanaryStatus prints a deployment: state, stages, the criteria of
// the latest evaluation (or of a preview with --as-of) and, with history,
// every event.
func printCanaryStatus(c *cli.Context, e *env, p *canary.Policy, d store.CanaryDeployment, history bool) error {
	ctx := c.Context
	w := e.out
	st := d.Stages[d.Stage]
	fmt.Fprintf(w, "canary %d: %s, stage %s (%d of %d) since %s; started %s by %s\n", d.ID, d.Status, st.Name, d.Stage+1,
		len(d.Stages), day(d.StageStartedOn), d.StartedAt.Format(time.RFC3339), d.Actor)
	printStages(w, d.Stages)
	ms, err := p.Store.CanaryMetrics(ctx, d.ID)
	if err != nil {
		return err
	}
	if s := c.String("as-of"); s != "" && history {
		asOf, _ := time.Parse(marketdata.DateLayout, s)
		ev, dec, err := p.Preview(ctx, d, asOf)
		if err != nil {
			return err
		}
		printEvaluation(w, d, ev, dec.CriteriaMaps())
		fmt.Fprintf(w, "would decide: %s: %s (preview, nothing written)\n", dec.Action, dec.Reason)
	} else if len(ms) == 0 {
		fmt.Fprintln(w, "not evaluated yet: runner canary evaluate")
	} else {
		m := ms[len(ms)-1]
		for _, x := range ms {
			if x.AsOf.After(m.AsOf) || (x.AsOf.Equal(m.AsOf) && x.ID > m.ID) {
				m = x
			}
		}
		fmt.Fprintf(w, "latest evaluation: as of %s, stage %s, day %d in stage, %d symbols, decision %s\n", day(m.AsOf), m.Stage,
			m.DaysInStage, len(m.Symbols), m.Decision)
		printCriteria(w, m.Criteria)
	}
	fmt.Fprintf(w, "production serves: %s\n", servingSummary(ctx, p, d))
	if !history {
		return nil
	}
	evs, err := p.Store.CanaryEvents(ctx, d.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "decision history:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT\tAS-OF\tKIND\tFROM\tTO\tACTOR\tREASON")
	for _, ev := range evs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", ev.ID, day(ev.AsOf), ev.Kind, ev.FromStage, ev.ToStage, ev.Actor, ev.Reason)
	}
	return tw.Flush()
}

// servingSummary says which symbols production serves the candidate for.
func servingSummary(ctx context.Context, p *canary.Policy, d store.CanaryDeployment) string {
	switch d.Status {
	case store.CanaryRolledBack:
		return "legacy for every symbol (rolled back)"
	case store.CanaryPromoted:
		return "candidate for every symbol (promoted)"
	}
	if d.Stage == 0 {
		return "legacy for every symbol (no stage passed yet)"
	}
	var passed []string
	for i := 0; i < d.Stage; i++ {
		s := d.Stages[i]
		if len(s.Symbols) > 0 && !s.All {
			passed = append(passed, s.Symbols...)
		} else if syms, err := p.Source.Symbols(ctx); err == nil {
			passed = append(passed, canary.Scope(s, syms)...)
		}
	}
	slices.Sort(passed)
	return fmt.Sprintf("candidate for %s (stages passed); legacy elsewhere", strings.Join(slices.Compact(passed), ","))
}

// canaryVerify is runner canary --verify-only.
func canaryVerify(c *cli.Context, e *env) error {
	stages, err := stagesOf(c, "")
	if err != nil {
		return err
	}
	return canaryVerifyStages(c, e, stages)
}

// canaryVerifyStages checks readiness, writing nothing: the store is
// opened without migrating (a missing SQLite file is not created).
func canaryVerifyStages(c *cli.Context, e *env, stages []store.CanaryStage) error {
	if url := c.String("database-url"); (url == "" && !fileExists(DefaultSQLitePath)) ||
		(strings.HasPrefix(url, "sqlite:") && !fileExists(strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//"))) {
		fmt.Fprintln(e.out, "FAIL  schema migrated: no database file (run runner migrate)")
		return errors.New("canary: not ready: 1 check failed")
	}
	return withStore(c, e, false, func(s store.Store) error {
		p, err := policyOf(c, e, s)
		if err != nil {
			return err
		}
		cfg := canary.ReadinessConfig{Stages: stages, TrainBars: c.Int("train-bars"),
			Fit: func(ctx context.Context, model string, train []marketdata.Bar) error {
				return jobs.FitCheck(ctx, model, forecast.Options{Seed: 1, Epochs: c.Int("epochs")}, train)
			}}
		if v := c.String("as-of"); v != "" {
			cfg.AsOf, _ = time.Parse(marketdata.DateLayout, v)
		}
		checks, err := p.Verify(c.Context, cfg)
		if err != nil {
			return err
		}
		failed := 0
		for _, ch := range checks {
			mark := "ok  "
			if !ch.Pass {
				mark, failed = "FAIL", failed+1
			}
			fmt.Fprintf(e.out, "%s  %s: %s\n", mark, ch.Name, ch.Detail)
		}
		if failed > 0 {
			return fmt.Errorf("canary: not ready: %d of %d checks failed", failed, len(checks))
		}
		fmt.Fprintf(e.out, "ready: %d checks passed; nothing written\n", len(checks))
		return nil
	})
}

// printStages lists stages with their scope and limits.
func printStages(w io.Writer, stages []store.CanaryStage) {
	for _, s := range stages {
		scope := strings.Join(s.Symbols, ",")
		switch {
		case s.All:
			scope = "all symbols"
		case len(s.Symbols) == 0:
			scope = fmt.Sprintf("%g%% of the symbols by hash", s.Percent)
		}
		limits := fmt.Sprintf(">= %d trading days, >= %d matured forecasts", s.MinDays, s.MinMatured)
		if s.MaxDays > 0 {
			limits += fmt.Sprintf(", at most %d days", s.MaxDays)
		}
		fmt.Fprintf(w, "  stage %s: %s (%s)\n", s.Name, scope, limits)
	}
}

// printEvaluation prints what an evaluation measured and its criteria.
func printEvaluation(w io.Writer, d store.CanaryDeployment, ev canary.Evaluation, crit []map[string]any) {
	fmt.Fprintf(w, "canary %d stage %s as of %s: day %d in stage (since %s), %d symbols: %s\n", d.ID, ev.Stage.Name, day(ev.AsOf),
		ev.Days, day(ev.StageStart), len(ev.Symbols), strings.Join(ev.Symbols, ","))
	printCriteria(w, crit)
}

// printCriteria prints criteria as stored: group, name, value, threshold,
// pass or fail.
func printCriteria(w io.Writer, crit []map[string]any) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tCRITERION\tVALUE\tTHRESHOLD\tRESULT\tDETAIL")
	for _, cr := range crit {
		v := "n/a"
		if f, ok := cr["value"].(float64); ok && !math.IsNaN(f) {
			v = fmt.Sprintf("%.4g", f)
		}
		res := "FAIL"
		if cr["pass"] == true {
			res = "pass"
		}
		if g := cr["group"]; g != canary.GroupAdvance {
			res = map[string]string{"pass": "ok", "FAIL": "TRIGGERED"}[res]
		}
		detail, _ := cr["detail"].(string)
		fmt.Fprintf(tw, "%v\t%v\t%s\t%v %.4g\t%s\t%s\n", cr["group"], cr["name"], v, cr["op"], cr["threshold"], res, detail)
	}
	tw.Flush()
}

// canarySection is the canary part of runner status: the latest
// deployment's state, the criteria of its latest evaluation and what
// production serves.
func canarySection(c *cli.Context, e *env, s store.Store) error {
	fmt.Fprintln(e.out)
	p := &canary.Policy{Store: s, Source: source(c, s), Log: e.log}
	d, err := p.Latest(c.Context)
	if errors.Is(err, canary.ErrNoCanary) {
		fmt.Fprintln(e.out, "canary: none started; production serves legacy everywhere")
		return nil
	}
	if err != nil {
		return err
	}
	return printCanaryStatus(c, e, p, d, false)
}

// gauged runs fn and then, when the command runs as a schedule slot's job,
// shows the canary's stage on the scheduler's metrics (DESIGN §10).
func gauged(c *cli.Context, e *env, fn func(store.Store) error) func(store.Store) error {
	return func(s store.Store) error {
		err := fn(s)
		if e.metrics != nil {
			showCanaryStage(c.Context, e.log, s, e.metrics)
		}
		return err
	}
}

// showCanaryStage sets the canary stage gauge from the latest deployment:
// the current stage of an active one (its number, 7.1, or its percent),
// "promoted" with the last stage's, "rolled_back" or "none" with 0. A
// store error is logged; the gauge keeps its value.
func showCanaryStage(ctx context.Context, log zerolog.Logger, s store.Store, m *observe.Metrics) {
	d, err := s.LatestCanary(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		m.SetCanaryStage(0, "none")
		return
	case err != nil:
		log.Warn().Err(err).Msg("canary stage not read for the metrics")
		return
	}
	stageValue := func(st store.CanaryStage) float64 {
		if v, err := strconv.ParseFloat(st.Name, 64); err == nil {
			return v
		}
		return st.Percent
	}
	switch d.Status {
	case store.CanaryRolledBack:
		m.SetCanaryStage(0, string(store.CanaryRolledBack))
	case store.CanaryPromoted:
		m.SetCanaryStage(stageValue(d.Stages[len(d.Stages)-1]), string(store.CanaryPromoted))
	default:
		st := d.Stages[d.Stage]
		m.SetCanaryStage(stageValue(st), st.Name)
	}
}
