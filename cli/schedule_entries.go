package cli

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"runner/scheduler"
)

// scheduleEntry is one entry of the config file's schedule: section, e.g.
//
//	schedule:
//	  - job: forecast
//	    cron: "CRON_TZ=America/New_York 30 16 * * 1-5"
//	    mode: canary
//	  - job: validate
//	    cron: "0 18 * * 1-5"
//	    windows: 1
//
// job (a key of scheduledJobs) and cron are required; catchup is latest
// (default) or none; calendar is nyse (default: slots on days the NYSE is
// closed are recorded skipped) or none (every slot runs); name keys the
// entry's slots (default: the job; two entries of one job need names);
// every other key is a flag of the job's command, as in the command's own
// section.
type scheduleEntry struct {
	entry scheduler.Entry
	// args are the job's command path and flags, after the global flags.
	args []string
}

// scheduleKeys are the keys of an entry that are not flags of its job.
var scheduleKeys = map[string]bool{"job": true, "cron": true, "catchup": true, "calendar": true, "name": true}

// parseSchedule reads and checks every entry of the config's schedule:
// section against the commands of app: any mistake is a usage error,
// found before anything starts.
func parseSchedule(cfg configFile, commands []*cli.Command) ([]scheduleEntry, error) {
	raw, ok := cfg["schedule"]
	if !ok {
		return nil, usageErrorf("schedule: the config file has no schedule: section (see deploy/runner.example.yaml)")
	}
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, usageErrorf("schedule: the schedule: section must be a list of entries (job, cron, flags)")
	}
	var out []scheduleEntry
	names := map[string]int{}
	for i, item := range list {
		m, ok := asMap(item)
		if !ok {
			return nil, usageErrorf("schedule: entry %d: want a mapping with job and cron", i+1)
		}
		se, err := parseScheduleEntry(m, commands)
		if err != nil {
			return nil, usageErrorf("schedule: entry %d: %v", i+1, err)
		}
		if j, dup := names[se.entry.Name]; dup {
			return nil, usageErrorf("schedule: entries %d and %d are both named %q: give one a name: key", j, i+1, se.entry.Name)
		}
		names[se.entry.Name] = i + 1
		out = append(out, se)
	}
	return out, nil
}

func parseScheduleEntry(m map[string]any, commands []*cli.Command) (scheduleEntry, error) {
	str := func(k string) string {
		if v, ok := m[k]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	}
	job := str("job")
	path, ok := scheduledJobs[job]
	if !ok {
		return scheduleEntry{}, fmt.Errorf("job %q: want one of %s", job, strings.Join(sortedKeys(scheduledJobs), ", "))
	}
	if str("cron") == "" {
		return scheduleEntry{}, fmt.Errorf("%s: cron is required", job)
	}
	e, err := scheduler.NewEntry(str("name"), job, str("cron"), scheduler.Catchup(str("catchup")))
	if err != nil {
		return scheduleEntry{}, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "scheduler: "))
	}
	switch str("calendar") {
	case "", "nyse":
	case "none":
		e.EveryDay = true
	default:
		return scheduleEntry{}, fmt.Errorf("%s: calendar %q: want nyse or none", e.Name, str("calendar"))
	}
	cmd := findCommand(commands, path)
	if cmd == nil {
		return scheduleEntry{}, fmt.Errorf("job %q: no command runner %s", job, strings.Join(path, " "))
	}
	known := map[string]bool{}
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			known[n] = true
		}
	}
	args := append([]string{}, path...)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if scheduleKeys[k] {
			continue
		}
		if !known[k] {
			return scheduleEntry{}, fmt.Errorf("%s: unknown key %q: not a flag of runner %s", e.Name, k, strings.Join(path, " "))
		}
		args = append(args, "--"+k+"="+flagValue(m[k]))
	}
	// The values must parse as the flags' types.
	fs := flag.NewFlagSet("runner "+strings.Join(path, " "), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, f := range cmd.Flags {
		if err := f.Apply(fs); err != nil {
			return scheduleEntry{}, fmt.Errorf("%s: %v", e.Name, err)
		}
	}
	if err := fs.Parse(args[len(path):]); err != nil {
		return scheduleEntry{}, fmt.Errorf("%s: %v", e.Name, err)
	}
	// And lie in the flags' ranges: their Actions, which the command line
	// runs for the flags it sets, run here for the entry's.
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	// The context's command is the app itself, so that a flag's error
	// carries no command prefix: the entry's name leads it instead.
	c := cli.NewContext(&cli.App{Name: "runner"}, fs, nil)
	c.Command = &cli.Command{Name: "runner"}
	for _, f := range cmd.Flags {
		af, ok := f.(cli.ActionableFlag)
		if !ok || !slices.ContainsFunc(f.Names(), func(n string) bool { return set[n] }) {
			continue
		}
		if err := af.RunAction(c); err != nil {
			return scheduleEntry{}, fmt.Errorf("%s: %v", e.Name, err)
		}
	}
	return scheduleEntry{entry: e, args: args}, nil
}

// flagValue is the command-line form of a YAML value: a list joined with
// commas, as in a command's section.
func flagValue(v any) string {
	if l, ok := v.([]any); ok {
		parts := make([]string, len(l))
		for i, p := range l {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

// findCommand returns the command at path, or nil.
func findCommand(commands []*cli.Command, path []string) *cli.Command {
	var cmd *cli.Command
	for _, name := range path {
		cmd = nil
		for _, c := range commands {
			if c.Name == name {
				cmd = c
				break
			}
		}
		if cmd == nil {
			return nil
		}
		commands = cmd.Subcommands
	}
	return cmd
}
