package cli

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"runner/marketdata"
)

// Flag rules: each sets a flag's Action, which urfave/cli runs only when the
// flag was set (on the command line, from its environment variable or from
// the --config file), after the config file is applied. A default value is
// valid by construction and never checked; a value given explicitly is, so
// "--epochs 0" is an error while leaving --epochs out means the default. A
// value outside the rule is a usage error naming the command, the flag and
// what it wants.

// flagError is the usage error of a flag value: "forecast: --train-bars 0:
// want an integer of at least 2". Strings are quoted, the environment
// variables bound to the flag named.
func flagError(c *cli.Context, name string, env []string, value any, want string) error {
	label := "--" + name
	if len(env) > 0 {
		label += " (" + strings.Join(env, ", ") + ")"
	}
	if s, ok := value.(string); ok {
		value = strconv.Quote(s)
	}
	return usageErrorf("%s%s %v: want %s", commandPrefix(c), label, value, want)
}

// commandPrefix is "fit: " or "data import: ", "" for the global flags.
func commandPrefix(c *cli.Context) string {
	lineage := c.Lineage() // c, its parent, ..., the root
	var names []string
	for i := len(lineage) - 1; i >= 0; i-- {
		if cmd := lineage[i].Command; cmd != nil && cmd.Name != c.App.Name {
			names = append(names, cmd.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return strings.Join(names, " ") + ": "
}

// intAtLeast requires an integer of at least lo.
func intAtLeast(f *cli.IntFlag, lo int) *cli.IntFlag {
	f.Action = func(c *cli.Context, v int) error {
		if v < lo {
			return flagError(c, f.Name, f.EnvVars, v, fmt.Sprintf("an integer of at least %d", lo))
		}
		return nil
	}
	return f
}

// intFromTo requires an integer in [lo, hi].
func intFromTo(f *cli.IntFlag, lo, hi int) *cli.IntFlag {
	f.Action = func(c *cli.Context, v int) error {
		if v < lo || v > hi {
			return flagError(c, f.Name, f.EnvVars, v, fmt.Sprintf("an integer from %d to %d", lo, hi))
		}
		return nil
	}
	return f
}

// int64FromTo requires an integer in [lo, hi].
func int64FromTo(f *cli.Int64Flag, lo, hi int64) *cli.Int64Flag {
	f.Action = func(c *cli.Context, v int64) error {
		if v < lo || v > hi {
			return flagError(c, f.Name, f.EnvVars, v, fmt.Sprintf("an integer from %d to %d", lo, hi))
		}
		return nil
	}
	return f
}

// intOneOf requires one of the values given.
func intOneOf(f *cli.IntFlag, allowed ...int) *cli.IntFlag {
	f.Action = func(c *cli.Context, v int) error {
		if !slices.Contains(allowed, v) {
			s := make([]string, len(allowed))
			for i, a := range allowed {
				s[i] = strconv.Itoa(a)
			}
			return flagError(c, f.Name, f.EnvVars, v, orList(s))
		}
		return nil
	}
	return f
}

// interval is a range of float64 values; an open end excludes its bound, an
// infinite end means any finite number. NaN is in no interval.
type interval struct {
	lo, hi         float64
	loOpen, hiOpen bool
}

func (iv interval) contains(v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	if v < iv.lo || (iv.loOpen && v == iv.lo) {
		return false
	}
	return v < iv.hi || (!iv.hiOpen && v == iv.hi)
}

func (iv interval) String() string {
	var parts []string
	if !math.IsInf(iv.lo, -1) {
		op := ">="
		if iv.loOpen {
			op = ">"
		}
		parts = append(parts, fmt.Sprintf("%s %g", op, iv.lo))
	}
	if !math.IsInf(iv.hi, 1) {
		op := "<="
		if iv.hiOpen {
			op = "<"
		}
		parts = append(parts, fmt.Sprintf("%s %g", op, iv.hi))
	}
	if math.IsInf(iv.lo, -1) || math.IsInf(iv.hi, 1) {
		return "a finite number " + strings.Join(parts, " and ")
	}
	return "a number " + strings.Join(parts, " and ")
}

// floatIn requires a number in iv.
func floatIn(f *cli.Float64Flag, iv interval) *cli.Float64Flag {
	f.Action = func(c *cli.Context, v float64) error {
		if !iv.contains(v) {
			return flagError(c, f.Name, f.EnvVars, v, iv.String())
		}
		return nil
	}
	return f
}

// stringOneOf requires one of the values given, exactly.
func stringOneOf(f *cli.StringFlag, allowed ...string) *cli.StringFlag {
	f.Action = func(c *cli.Context, v string) error {
		if !slices.Contains(allowed, v) {
			return flagError(c, f.Name, f.EnvVars, v, orList(allowed))
		}
		return nil
	}
	return f
}

// stringNotEmpty rejects an empty value; want says what the flag takes. The
// command checks the rest.
func stringNotEmpty(f *cli.StringFlag, want string) *cli.StringFlag {
	f.Action = func(c *cli.Context, v string) error {
		if strings.TrimSpace(v) == "" {
			return flagError(c, f.Name, f.EnvVars, v, want)
		}
		return nil
	}
	return f
}

// dateFlag requires a date, YYYY-MM-DD.
func dateFlag(f *cli.StringFlag) *cli.StringFlag {
	f.Action = func(c *cli.Context, v string) error {
		if _, err := time.Parse(marketdata.DateLayout, v); err != nil {
			return flagError(c, f.Name, f.EnvVars, v, "a date, YYYY-MM-DD")
		}
		return nil
	}
	return f
}

// pathFlag requires an existing directory (dir) or file (!dir); want says
// which.
func pathFlag(f *cli.StringFlag, dir bool, want string) *cli.StringFlag {
	f.Action = func(c *cli.Context, v string) error {
		if v == "" {
			return flagError(c, f.Name, f.EnvVars, v, want)
		}
		st, err := os.Stat(v)
		switch {
		case err != nil:
			return flagError(c, f.Name, f.EnvVars, v, want+": "+err.Error())
		case dir && !st.IsDir():
			return flagError(c, f.Name, f.EnvVars, v, want+": it is a file")
		case !dir && st.IsDir():
			return flagError(c, f.Name, f.EnvVars, v, want+": it is a directory")
		}
		return nil
	}
	return f
}

// symbolPattern is what a symbol may be made of: letters, digits and the
// punctuation of tickers such as BRK.B, BF-B, ^GSPC and EURUSD=X. No path
// separators, so a symbol is always a plain file name.
var symbolPattern = regexp.MustCompile(`^[A-Za-z0-9._^=-]+$`)

// symbolsFlag requires a non-empty comma-separated list of symbols with no
// empty element.
func symbolsFlag(f *cli.StringSliceFlag) *cli.StringSliceFlag {
	f.Action = func(c *cli.Context, v []string) error {
		ok := len(v) > 0
		for _, s := range v {
			if !symbolPattern.MatchString(s) || strings.Trim(s, ".") == "" {
				ok = false
			}
		}
		if !ok {
			return flagError(c, f.Name, f.EnvVars, strings.Join(v, ","),
				"a comma-separated list of symbols (letters, digits and . - _ ^ =)")
		}
		return nil
	}
	return f
}

// orList is "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// noArgs wraps the action of a command that takes flags only: a positional
// argument (a typo, or a flag after one, which urfave/cli leaves unparsed)
// is a usage error instead of being ignored.
func noArgs(cmd *cli.Command, path string) {
	action := cmd.Action
	cmd.Action = func(c *cli.Context) error {
		if c.Args().Present() {
			return usageErrorf("%s: unexpected argument %q: %s takes flags only", path, c.Args().First(), path)
		}
		return action(c)
	}
}

// durationAtLeast requires a duration of at least lo.
func durationAtLeast(f *cli.DurationFlag, lo time.Duration) *cli.DurationFlag {
	f.Action = func(c *cli.Context, v time.Duration) error {
		if v < lo {
			return flagError(c, f.Name, f.EnvVars, v, fmt.Sprintf("a duration of at least %s", lo))
		}
		return nil
	}
	return f
}
