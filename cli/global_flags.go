package cli

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// hoistGlobalFlags moves the global flags given after the command
// ("runner forecast --database-url X", "runner backfill status --log-level
// debug") before it, where urfave/cli reads them, so that global flags are
// accepted anywhere (DESIGN §8). args[0] is the program name; "--" ends
// the flags and what follows it stays in place. No command has a flag of
// a global flag's name (TestNoCommandFlagShadowsAGlobal), so none is taken
// by mistake.
func hoistGlobalFlags(args []string, globals []cli.Flag) []string {
	takesValue := map[string]bool{}
	for _, f := range globals {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	// The root's own flags come first, then the command.
	i := 1
	for i < len(args) {
		name, inline, ok := flagName(args[i])
		if !ok || args[i] == "--" {
			break
		}
		i++
		if !inline && takesValue[name] {
			i++
		}
	}
	if i >= len(args) {
		return args
	}
	out := append([]string{}, args[:i]...)
	var rest []string
	for j := i; j < len(args); j++ {
		a := args[j]
		if a == "--" {
			rest = append(rest, args[j:]...)
			break
		}
		name, inline, ok := flagName(a)
		value, global := takesValue[name]
		if !ok || !global {
			rest = append(rest, a)
			continue
		}
		out = append(out, a)
		if value && !inline && j+1 < len(args) {
			out = append(out, args[j+1])
			j++
		}
	}
	return append(out, rest...)
}

// flagName returns the name of a flag argument ("--name", "-name",
// "--name=value") and whether its value is inline; ok is false for an
// argument that is not a flag.
func flagName(a string) (name string, inline, ok bool) {
	if len(a) < 2 || a[0] != '-' || a == "--" {
		return "", false, a == "--"
	}
	name = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	name, _, inline = strings.Cut(name, "=")
	return name, inline, name != ""
}
