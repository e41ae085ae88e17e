package canary

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"runner/store"
)

// Stage plans (StagesConfig.Kind).
const (
	Named   = "named"
	Percent = "percent"
)

// FirstStageSymbols are the symbols of named stage 7.1.
var FirstStageSymbols = []string{"AAPL", "MSFT", "SPY"}

// SecondStageSymbols are the symbols named stage 7.2 adds to 7.1; the
// tenth is StagesConfig.ExtraSymbol.
var SecondStageSymbols = []string{"NVDA", "GOOGL", "AMZN", "TSLA", "META", "IWM", "TLT", "XLV", "QQQ"}

// Percentages are the shares of the universe of the percentage stages.
var Percentages = []float64{1, 5, 25, 100}

// Defaults of StagesConfig. The named stages need 7 trading days each (7.2
// at most 14, DESIGN §9); a stage's matured forecast pairs by its last
// minimum day are about its symbols times (days - 1), since the forecast of
// the evaluation day matures the next day: 3 x 6 = 18 for 7.1, of which 15
// are required; 12 x 6 = 72 for 7.1 and 7.2 on the bundled data, of which
// 60.
var (
	DefaultNamedMinDays    = []int{7, 7, 7}
	DefaultNamedMaxDays    = []int{0, 14, 0}
	DefaultNamedMinMatured = []int{15, 60, 60}
	// The percentage stages: 5 trading days for 1% and 5%, 7 for 25% and
	// 100%; matured pairs grow with the share.
	DefaultPercentMinDays    = []int{5, 5, 7, 7}
	DefaultPercentMaxDays    = []int{0, 0, 0, 0}
	DefaultPercentMinMatured = []int{4, 10, 30, 60}
)

// StagesConfig configures the stages of a new deployment.
type StagesConfig struct {
	// Kind is Named (7.1, 7.2, 7.3) or Percent (1%, 5%, 25%, 100%).
	// Default Named.
	Kind string
	// ExtraSymbol is the tenth symbol stage 7.2 adds (DESIGN §9: "one of
	// the config's choosing"). Default none: 7.2 adds the nine of
	// SecondStageSymbols.
	ExtraSymbol string
	// MinDays, MaxDays and MinMatured give each stage's minimum trading
	// days, maximum trading days (0: none) and minimum matured forecast
	// pairs, one per stage. Default the Default* lists of the Kind.
	MinDays, MaxDays, MinMatured []int
}

// Stages returns the stages cfg describes.
func Stages(cfg StagesConfig) ([]store.CanaryStage, error) {
	var out []store.CanaryStage
	var minDays, maxDays, minMatured []int
	switch kind := cmp.Or(cfg.Kind, Named); kind {
	case Named:
		second := slices.Concat(FirstStageSymbols, SecondStageSymbols)
		if x := strings.ToUpper(strings.TrimSpace(cfg.ExtraSymbol)); x != "" {
			if slices.Contains(second, x) {
				return nil, fmt.Errorf("canary: extra symbol %s is already in stage 7.2", x)
			}
			second = append(second, x)
		}
		out = []store.CanaryStage{
			{Name: "7.1", Symbols: slices.Clone(FirstStageSymbols)},
			{Name: "7.2", Symbols: second},
			{Name: "7.3", All: true},
		}
		minDays, maxDays, minMatured = DefaultNamedMinDays, DefaultNamedMaxDays, DefaultNamedMinMatured
	case Percent:
		for _, p := range Percentages {
			out = append(out, store.CanaryStage{Name: fmt.Sprintf("%g%%", p), Percent: p, All: p >= 100})
		}
		minDays, maxDays, minMatured = DefaultPercentMinDays, DefaultPercentMaxDays, DefaultPercentMinMatured
	default:
		return nil, fmt.Errorf("canary: stages %q: want %s or %s", cfg.Kind, Named, Percent)
	}
	for _, l := range []struct {
		name  string
		dst   *[]int
		given []int
		min   int
	}{{"min days", &minDays, cfg.MinDays, 1}, {"max days", &maxDays, cfg.MaxDays, 0}, {"min matured", &minMatured, cfg.MinMatured, 0}} {
		if len(l.given) == 0 {
			continue
		}
		if len(l.given) != len(out) {
			return nil, fmt.Errorf("canary: %s: %d values for %d stages", l.name, len(l.given), len(out))
		}
		for i, v := range l.given {
			if v < l.min {
				return nil, fmt.Errorf("canary: %s of stage %s: %d, want at least %d", l.name, out[i].Name, v, l.min)
			}
		}
		*l.dst = l.given
	}
	for i := range out {
		out[i].MinDays, out[i].MaxDays, out[i].MinMatured = minDays[i], maxDays[i], minMatured[i]
		if out[i].MaxDays > 0 && out[i].MaxDays < out[i].MinDays {
			return nil, fmt.Errorf("canary: stage %s: max days %d below min days %d", out[i].Name, out[i].MaxDays, out[i].MinDays)
		}
	}
	return out, nil
}

// Scope returns the symbols of universe a stage covers, sorted: its
// Symbols (whether or not the universe has them: a missing symbol shows as
// missing forecasts), every symbol of the universe for All, or the symbols
// whose HashFraction is below Percent/100. A percentage that covers no
// symbol of a non-empty universe covers the one with the lowest fraction,
// so every stage has a symbol to evaluate.
func Scope(st store.CanaryStage, universe []string) []string {
	var out []string
	switch {
	case st.All:
		out = slices.Clone(universe)
	case len(st.Symbols) > 0:
		out = slices.Clone(st.Symbols)
	default:
		var lowest string
		for _, s := range universe {
			f := HashFraction(s)
			if f < st.Percent/100 {
				out = append(out, s)
			}
			if lowest == "" || f < HashFraction(lowest) {
				lowest = s
			}
		}
		if len(out) == 0 && lowest != "" {
			out = []string{lowest}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// HashFraction maps a symbol to [0, 1): its 64-bit FNV-1a hash, mixed by
// MurmurHash3's 64-bit finaliser (FNV-1a alone leaves the top bits of
// short names that differ in their last characters, such as S00001 and
// S00002, far from uniform), its top 53 bits over 2^53 (exact in a
// float64). It depends on the name alone, so a symbol's percentage stage
// never changes between runs, machines or universes.
func HashFraction(symbol string) float64 {
	h := fnv.New64a()
	h.Write([]byte(symbol))
	k := h.Sum64()
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return float64(k>>11) / (1 << 53)
}
