package cli

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// day formats a date as YYYY-MM-DD.
func day(t time.Time) string { return t.Format(time.DateOnly) }

// paramString prints a configuration as sorted key=value pairs, then the
// keys of spec (what the fit chose itself, such as ARIMA-GARCH's order)
// that params does not have.
func paramString(params, spec map[string]any) string {
	var parts []string
	for _, k := range sortedKeys(params) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, params[k]))
	}
	for _, k := range sortedKeys(spec) {
		if _, dup := params[k]; !dup {
			parts = append(parts, fmt.Sprintf("%s=%v", k, spec[k]))
		}
	}
	return strings.Join(parts, " ")
}

// weightList prints weights as sorted "model weight" pairs.
func weightList(w map[string]float64) string {
	var parts []string
	for _, k := range sortedKeys(w) {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, w[k]))
	}
	return strings.Join(parts, " ")
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
