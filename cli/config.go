package cli

import (
	"os"
	"sort"

	"github.com/urfave/cli/v2"
	"go.yaml.in/yaml/v3"
)

// configFile is the parsed --config file: top-level keys are global flag
// names; a key naming a command holds that command's flags, e.g.
//
//	database-url: postgres://runner@db/runner
//	log-format: json
//	forecast:
//	  mode: canary
//	  symbols: [AAPL, MSFT, SPY]
//	  seed: 7
//
// Precedence: command line, then environment, then the file, then the
// flag's default.
type configFile map[string]any

func loadConfig(path string) (configFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErrorf("--config: %v", err)
	}
	var cfg configFile
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		return nil, usageErrorf("--config %s: %v", path, err)
	}
	return cfg, nil
}

// apply sets every flag of c named in section that the command line and
// environment left unset. Keys that are neither flags of c nor command
// names are errors, so a typo never goes unnoticed.
func (cfg configFile) apply(c *cli.Context, flags []cli.Flag, section map[string]any, where string, commands []*cli.Command) error {
	known, flag := map[string]bool{}, map[string]bool{}
	for _, f := range flags {
		for _, n := range f.Names() {
			known[n], flag[n] = true, true
		}
	}
	for _, cmd := range commands {
		known[cmd.Name] = true
	}
	keys := make([]string, 0, len(section))
	for k := range section {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			return usageErrorf("--config: %s: unknown key %q", where, k)
		}
		v := section[k]
		// A command's section is applied by the command (the schedule:
		// section is a list, read by runner schedule).
		if _, isSection := asMap(v); isSection || !flag[k] || c.IsSet(k) {
			continue
		}
		s := flagValue(v)
		if err := c.Set(k, s); err != nil {
			return usageErrorf("--config: %s: %s: %v", where, k, err)
		}
	}
	return nil
}

// asMap returns v as a map when it is a YAML mapping. The decoder gives
// nested mappings the type of the outer one, configFile.
func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case configFile:
		return m, true
	}
	return nil, false
}
