package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/urfave/cli/v2"

	"runner/observe"
	"runner/scheduler"
	"runner/store"
)

// TestScheduleConfigErrors: every mistake in the schedule: section is a
// usage error (exit 2) that names the entry and the mistake, found before
// anything starts: no database is opened.
func TestScheduleConfigErrors(t *testing.T) {
	for _, tc := range []struct{ section, want string }{
		{"", "schedule: the config file has no schedule: section"},
		{"schedule: {forecast: 1}\n", `--config: schedule: unknown key "forecast"`},
		{"schedule: [forecast]\n", "schedule: entry 1: want a mapping with job and cron"},
		{"schedule:\n  - job: forecast\n    cron: \"61 16 * * 1-5\"\n",
			`schedule: entry 1: forecast: cron "61 16 * * 1-5": end of range (61) above maximum (59): 61`},
		{"schedule:\n  - job: forecast\n    cron: \"30 16 * *\"\n",
			`schedule: entry 1: forecast: cron "30 16 * *": expected exactly 5 fields, found 4`},
		{"schedule:\n  - job: forecast\n    cron: \"0 9 * * *\"\n  - job: backtest\n    cron: \"0 9 * * *\"\n",
			`schedule: entry 2: job "backtest": want one of calibrate, canary evaluate, forecast, validate`},
		{"schedule:\n  - job: canary evaluate\n    cron: \"0 19 * * 1-5\"\n    dry-runn: true\n",
			`schedule: entry 1: canary evaluate: unknown key "dry-runn": not a flag of runner canary evaluate`},
		{"schedule:\n  - job: validate\n    cron: \"CRON_TZ=America/Gotham 0 18 * * 1-5\"\n",
			`schedule: entry 1: validate: cron "CRON_TZ=America/Gotham 0 18 * * 1-5": time zone "America/Gotham": unknown`},
		{"schedule:\n  - job: validate\n    cron: \"0 18 * * 1-5\"\n    windowz: 1\n",
			`schedule: entry 1: validate: unknown key "windowz": not a flag of runner validate`},
		{"schedule:\n  - job: validate\n    cron: \"0 18 * * 1-5\"\n    windows: many\n",
			`schedule: entry 1: validate: invalid value "many" for flag -windows: parse error`},
		{"schedule:\n  - job: validate\n    cron: \"0 18 * * 1-5\"\n    windows: 0\n",
			`schedule: entry 1: validate: --windows 0: want an integer of at least 1`},
		{"schedule:\n  - job: calibrate\n    cron: \"0 19 * * 5\"\n    samples: 10\n",
			`schedule: entry 1: calibrate: --samples 10: want an integer of at least 29`},
		{"schedule:\n  - job: forecast\n    cron: \"0 18 * * 1-5\"\n    catchup: all\n",
			`schedule: entry 1: forecast: catchup "all": want latest or none`},
		{"schedule:\n  - job: forecast\n    cron: \"0 18 * * 1-5\"\n    calendar: lse\n",
			`schedule: entry 1: forecast: calendar "lse": want nyse or none`},
		{"schedule:\n  - job: forecast\n", `schedule: entry 1: forecast: cron is required`},
		{"schedule:\n  - job: forecast\n    cron: \"0 9 * * *\"\n  - job: forecast\n    cron: \"0 10 * * *\"\n",
			`schedule: entries 1 and 2 are both named "forecast": give one a name: key`},
	} {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "runner.yaml")
		db := filepath.Join(dir, "runner.db")
		require.NoError(t, os.WriteFile(cfg, []byte(tc.section), 0o644))
		code, _, stderr := run(t, "--config", cfg, "--database-url", "sqlite:"+db, "schedule", "--listen", "127.0.0.1:0")
		require.Equal(t, ExitUsage, code, stderr)
		require.Contains(t, stderr, "runner: "+tc.want)
		_, err := os.Stat(db)
		require.True(t, os.IsNotExist(err), "nothing started: no database opened")
	}
}

// leafCommands returns the path of every command that runs (has an
// Action), subcommands included.
func leafCommands(cmds []*cli.Command, parent []string) [][]string {
	var out [][]string
	for _, c := range cmds {
		path := append(append([]string{}, parent...), c.Name)
		if c.Action != nil {
			out = append(out, path)
		}
		out = append(out, leafCommands(c.Subcommands, path)...)
	}
	return out
}

// TestGlobalFlagsAnywhere gives every global flag after every command
// (subcommands included) and checks that the root reads it, as it does
// before the command, with the command's own flags and arguments kept.
func TestGlobalFlagsAnywhere(t *testing.T) {
	values := map[string]string{"database-url": "sqlite:/tmp/x.db", "data": "/tmp/prices", "config": "",
		"log-format": "json", "log-level": "debug", "db-connect-timeout": "7s", "db-statement-timeout": "8s",
		"db-finish-timeout": "9s", "heartbeat-interval": "11s", "run-lease": "1m0s"}
	paths := leafCommands(newApp(&env{}).Commands, nil)
	require.GreaterOrEqual(t, len(paths), 11)
	for _, f := range globalFlags() {
		name := f.Names()[0]
		value, ok := values[name]
		require.True(t, ok, "a value for --%s in this test", name)
		if name == "config" {
			continue // read before any command: TestConfigFile; hoisted as the others
		}
		for _, path := range paths {
			for _, form := range [][]string{{"--" + name, value}, {"--" + name + "=" + value}, {"-" + name, value}} {
				e := &env{out: &strings.Builder{}, err: &strings.Builder{}}
				app := newApp(e)
				var got string
				var args cli.Args
				cmd := findCommand(app.Commands, path)
				cmd.Action = func(c *cli.Context) error {
					got = c.String(name)
					args = c.Args()
					return nil
				}
				cmd.Before, cmd.Flags = nil, nil // the command alone: no required flag
				argv := append(append(append([]string{"runner"}, path...), form...), "--", "tail")
				require.NoError(t, runApp(context.Background(), app, argv), "%v", argv)
				require.Equal(t, value, got, "%v", argv)
				require.Equal(t, []string{"tail"}, args.Slice(), "%v", argv)
			}
		}
	}
}

// TestNoCommandFlagShadowsAGlobal: no command has a flag of a global
// flag's name, which hoistGlobalFlags would take for the global one.
func TestNoCommandFlagShadowsAGlobal(t *testing.T) {
	globals := map[string]bool{}
	for _, f := range globalFlags() {
		for _, n := range f.Names() {
			globals[n] = true
		}
	}
	var walk func(cmds []*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			for _, f := range c.Flags {
				for _, n := range f.Names() {
					require.False(t, globals[n], "runner %s --%s shadows the global flag", c.Name, n)
				}
			}
			walk(c.Subcommands)
		}
	}
	walk(newApp(&env{}).Commands)
}

// TestGlobalFlagAfterCommandEndToEnd: runner forecast --database-url X
// writes to X, as runner --database-url X forecast does.
func TestGlobalFlagAfterCommandEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "after.db")
	code, out, stderr := run(t, "forecast", "--ensemble", "naive", "--database-url", "sqlite:"+db, "--symbols", "AAPL",
		"--data", prices, "--as-of", "2023-12-29")
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, out, "AAPL    2023-12-29")
	_, err := os.Stat(db)
	require.NoError(t, err)
	code, out, stderr = run(t, "migrate", "status", "--database-url", "sqlite:"+db)
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, out, "0006  schedule")
}

// TestSchedulePanicRecorded: a scheduled job that panics after starting
// its run has the run recorded failed with the panic's message and its
// slot failed; the scheduler goes on.
func TestSchedulePanicRecorded(t *testing.T) {
	db := filepath.Join(t.TempDir(), "runner.db")
	boom := func(e *env) *cli.Command {
		return &cli.Command{Name: "boom", Action: func(c *cli.Context) error {
			return withStore(c, e, true, func(s store.Store) error {
				run := store.Run{Kind: "forecast", Status: store.RunRunning, StartedAt: time.Now().UTC()}
				if err := s.StartRun(c.Context, &run); err != nil {
					return err
				}
				panic("model exploded")
			})
		}}
	}
	m := observe.NewMetrics()
	sr := &slotRunner{err: &strings.Builder{}, metrics: m,
		app: func(e *env) *cli.App {
			a := newApp(e)
			a.Commands = append(a.Commands, boom(e))
			return a
		},
		args: map[string][]string{"boom": {"runner", "--log-level", "error", "--database-url", "sqlite:" + db, "boom"}}}
	s := openSQLite(t, db)
	_, err := s.MigrateUp(context.Background())
	require.NoError(t, err)
	entry, err2 := scheduler.NewEntry("boom", "boom", "* * * * *", scheduler.CatchupLatest)
	require.NoError(t, err2)
	entry.EveryDay = true
	clock := scheduler.NewFakeClock(time.Date(2024, 3, 12, 14, 0, 30, 0, time.UTC))
	sched, err := scheduler.New(scheduler.Config{Entries: []scheduler.Entry{entry}, Store: s, Run: sr.run, Clock: clock})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sched.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	require.NoError(t, clock.WaitForWaiters(wctx, 1)) // the catchup slot of 14:00 started
	select {
	case <-sched.Idle():
	case <-wctx.Done():
		t.Fatal("the job did not end")
	}
	cancel()
	require.NoError(t, <-done)

	r, err := s.Run(context.Background(), 1)
	require.NoError(t, err)
	require.Equal(t, store.RunFailed, r.Status)
	require.Equal(t, map[string]string{"panic": "model exploded"}, r.SymbolErrors)
	slots, err := s.Slots(context.Background(), "boom", time.Time{}, time.Now())
	require.NoError(t, err)
	require.Len(t, slots, 1)
	require.Equal(t, store.SlotFailed, slots[0].Status)
	require.Equal(t, "panic: model exploded", slots[0].Error)
	require.EqualValues(t, 1, slots[0].RunID)
}

// TestExampleConfigSchedule: the shipped example config's schedule parses,
// with the production entries and their command lines.
func TestExampleConfigSchedule(t *testing.T) {
	cfg, err := loadConfig("../deploy/runner.example.yaml")
	require.NoError(t, err)
	entries, err := parseSchedule(cfg, newApp(&env{}).Commands)
	require.NoError(t, err)
	got := map[string][]string{}
	for _, se := range entries {
		got[se.entry.Name] = se.args
	}
	require.Len(t, got, 4)
	require.Equal(t, []string{"forecast", "--mode=canary"}, got["forecast"])
	require.Equal(t, []string{"validate", "--windows=1"}, got["validate"])
	require.ElementsMatch(t, []string{"calibrate", "--adaptive=true", "--gamma=0.01"}, got["calibrate"])
	require.Equal(t, []string{"canary", "evaluate"}, got["canary evaluate"])
}

// TestListenDefaults: runner schedule and runner worker listen on ports of
// their own by default, so both run on one host without --listen.
func TestListenDefaults(t *testing.T) {
	want := map[string]string{"schedule": "127.0.0.1:9464", "worker": "127.0.0.1:9465"}
	for name, addr := range want {
		cmd := findCommand(newApp(&env{}).Commands, []string{name})
		var got string
		for _, f := range cmd.Flags {
			if sf, ok := f.(*cli.StringFlag); ok && sf.Name == "listen" {
				got = sf.Value
			}
		}
		require.Equal(t, addr, got, "runner %s --listen default", name)
	}
}
