package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"runner/observe"
	"runner/store"
)

// Version is the code version recorded with every run; set at build time
// with -ldflags "-X runner/cli.Version=...".
var Version = "dev"

// env holds what a command needs from its surroundings: the output streams
// and the logger built from the global flags.
type env struct {
	out io.Writer
	err io.Writer
	log zerolog.Logger
	// config is the --config file, applied to each command's flags in the
	// command's Before; nil without one.
	config configFile
	// secrets are the database passwords in use, scrubbed from the final
	// error message in case a library quoted one.
	secrets []string
	// wrapStore, when set, wraps the store a command's job gets (runner
	// schedule observes the runs of its slots through it).
	wrapStore func(store.Store) store.Store
	// metrics are the metrics of the runner schedule running the command
	// as a slot's job, nil otherwise: a command may show figures there
	// (runner canary evaluate: metrics.SetCanaryStage).
	metrics *observe.Metrics
	// onPanic, when set, is called with the open store and the value of
	// a panic in a command's job, before the store is closed and the
	// panic goes on.
	onPanic func(s store.Store, p any)
}

// Run runs the application with args (args[0] is the program name) and
// returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{out: stdout, err: stderr, log: zerolog.Nop()}
	if err := runApp(ctx, newApp(e), args); err != nil {
		fmt.Fprintf(stderr, "runner: %s\n", scrub(err.Error(), e.secrets))
		return exitCode(err)
	}
	return ExitOK
}

// runApp runs app with args, global flags first (hoistGlobalFlags), and
// returns its error with the exit code it calls for: urfave/cli's flag
// errors are usage errors.
func runApp(ctx context.Context, app *cli.App, args []string) error {
	err := app.RunContext(ctx, hoistGlobalFlags(args, app.Flags))
	if err != nil && exitCode(err) == ExitFailure && isFlagError(err) {
		return &exitError{code: ExitUsage, err: err}
	}
	return err
}

// isFlagError recognises urfave/cli's parse errors, which it returns as plain
// errors.
func isFlagError(err error) bool {
	s := err.Error()
	for _, p := range []string{"flag provided but not defined", "invalid value", "Required flag", "flag needs an argument", "No help topic"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func newApp(e *env) *cli.App {
	app := &cli.App{
		Name:      "runner",
		Usage:     "daily stock forecasts, walk-forward validation and canary rollout",
		Version:   Version,
		Writer:    e.out,
		ErrWriter: e.err,
		Flags:     globalFlags(),
		Before: func(c *cli.Context) error {
			if path := c.String("config"); path != "" {
				cfg, err := loadConfig(path)
				if err != nil {
					return err
				}
				if err := cfg.apply(c, c.App.Flags, cfg, path, c.App.Commands); err != nil {
					return err
				}
				e.config = cfg
			}
			e.secrets = secrets(c.String("database-url"))
			l, err := newLogger(e.err, c.String("log-format"), c.String("log-level"))
			if err != nil {
				return err
			}
			e.log = l
			return nil
		},
		Commands: []*cli.Command{
			migrateCommand(e),
			dataCommand(e),
			forecastCommand(e),
			statusCommand(e),
			fitCommand(e),
			validateCommand(e),
			calibrateCommand(e),
			backfillCommand(e),
			workerCommand(e),
			reportCommand(e),
			canaryCommand(e),
			canaryRollbackCommand(e, "rollback"),
			scheduleCommand(e),
		},
		ExitErrHandler:  func(*cli.Context, error) {},
		HideHelpCommand: true,
	}
	app.OnUsageError = func(c *cli.Context, err error, isSubcommand bool) error {
		return usageErrorf("%v", err)
	}
	for _, cmd := range app.Commands {
		prepare(e, cmd, nil)
	}
	return app
}

// prepare makes usage errors exit with code 2, rejects positional arguments
// of commands that take none (no ArgsUsage) and applies the command's
// section of the --config file, recursively; path names the parents.
func prepare(e *env, cmd *cli.Command, path []string) {
	path = append(path, cmd.Name)
	cmd.OnUsageError = func(c *cli.Context, err error, isSubcommand bool) error {
		return usageErrorf("%s: %v", strings.Join(path, " "), err)
	}
	if len(cmd.Subcommands) == 0 && cmd.ArgsUsage == "" && cmd.Action != nil {
		noArgs(cmd, strings.Join(path, " "))
	}
	cmd.Before = func(c *cli.Context) error {
		if e.config == nil {
			return nil
		}
		section := map[string]any(e.config)
		for _, p := range path {
			next, ok := asMap(section[p])
			if !ok {
				return nil
			}
			section = next
		}
		return e.config.apply(c, cmd.Flags, section, strings.Join(path, "."), cmd.Subcommands)
	}
	for _, sub := range cmd.Subcommands {
		prepare(e, sub, path)
	}
}

func globalFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "database-url", EnvVars: []string{"DATABASE_URL"},
			Usage: "PostgreSQL URL (postgres://...), PostgreSQL keyword=value pairs (host=... dbname=...) or sqlite:PATH; empty means the embedded SQLite file runner.db in the working directory"},
		stringNotEmpty(&cli.StringFlag{Name: "data", Value: "testdata/prices",
			Usage: "where bars come from: a directory of SYMBOL.csv files, or \"postgres\" for the price_bars table"},
			"a directory of SYMBOL.csv files, or postgres"),
		stringNotEmpty(&cli.StringFlag{Name: "config", Usage: "YAML config file (runner.yaml); flags override it"},
			"a YAML config file"),
		&cli.StringFlag{Name: "log-format", Value: "console", Usage: "log format: console or json"},
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "log level: debug, info, warn or error"},
	}, dbFlags()...)
}
