package canary_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/canary"
	"runner/store"
)

// The hash is FNV-1a 64 of the name mixed by MurmurHash3's fmix64, its
// top 53 bits over 2^53. Expected values from Python: h =
// 0xcbf29ce484222325; for b in name: h ^= b; h = h * 0x100000001b3 mod
// 2^64; then k ^= k >> 33; k *= 0xff51afd7ed558ccd; k ^= k >> 33;
// k *= 0xc4ceb9fe1a85ec53; k ^= k >> 33 (mod 2^64); (k >> 11) / 2**53.
func TestHashFractionStable(t *testing.T) {
	for _, c := range []struct {
		sym  string
		want float64
	}{
		{"AAPL", 0.35027939372501815},  // FNV 0x89106b8b9f086ccb, mixed 0x59abe90c82fc3687
		{"MSFT", 0.8755591525527663},   // FNV 0xe4bf0daf276efd73, mixed 0xe024a505ed779dc3
		{"SPY", 0.7577269277634106},    // FNV 0x97fc9619fa5d47fd, mixed 0xc1fa64560adae932
		{"TSLA", 0.023916992784338897}, // FNV 0x65d990faaef3190f, mixed 0x061f6c8dd3d0bcfe
	} {
		require.Equal(t, c.want, canary.HashFraction(c.sym), c.sym)
	}
}

// Over 100000 synthetic symbols each percentage stage covers close to its
// share (Python, with the hash above: 1.013%, 5.086%, 25.142%): the binomial standard deviation of a share p over n = 1e5 is
// sqrt(p(1-p)/n), at most 0.0014 (p = 0.25); the tolerance 0.005 is over
// 3.5 of them. The stages nest: a symbol in 1% is in 5% and 25%.
func TestPercentScopes(t *testing.T) {
	const n = 100000
	universe := make([]string, n)
	for i := range universe {
		universe[i] = fmt.Sprintf("S%05d", i)
	}
	stages, err := canary.Stages(canary.StagesConfig{Kind: canary.Percent})
	require.NoError(t, err)
	require.Len(t, stages, 4)
	var prev []string
	for i, st := range stages {
		scope := canary.Scope(st, universe)
		require.InDelta(t, canary.Percentages[i]/100, float64(len(scope))/n, 0.005, st.Name)
		in := map[string]bool{}
		for _, s := range scope {
			in[s] = true
		}
		for _, s := range prev {
			require.True(t, in[s], "stage %s holds %s of the stage before", st.Name, s)
		}
		prev = scope
	}
	require.Len(t, prev, n)

	// A share that covers no symbol of a small universe covers the one
	// with the lowest fraction: AAPL (0.350) of these three.
	require.Equal(t, []string{"AAPL"}, canary.Scope(stages[0], []string{"AAPL", "MSFT", "SPY"}))
}

func TestNamedStages(t *testing.T) {
	stages, err := canary.Stages(canary.StagesConfig{ExtraSymbol: "dia"})
	require.NoError(t, err)
	require.Equal(t, []string{"7.1", "7.2", "7.3"}, []string{stages[0].Name, stages[1].Name, stages[2].Name})
	require.Equal(t, []string{"AAPL", "MSFT", "SPY"}, canary.Scope(stages[0], nil))
	require.Len(t, canary.Scope(stages[1], nil), 13, "7.1's 3 and ten more")
	require.Contains(t, stages[1].Symbols, "DIA")
	require.Equal(t, store.CanaryStage{Name: "7.2", Symbols: stages[1].Symbols, MinDays: 7, MaxDays: 14, MinMatured: 60}, stages[1])
	require.Equal(t, []string{"A", "B"}, canary.Scope(stages[2], []string{"B", "A"}))

	_, err = canary.Stages(canary.StagesConfig{ExtraSymbol: "NVDA"})
	require.ErrorContains(t, err, "already in stage 7.2")
	_, err = canary.Stages(canary.StagesConfig{MinDays: []int{1, 2}})
	require.ErrorContains(t, err, "2 values for 3 stages")
	_, err = canary.Stages(canary.StagesConfig{Kind: "fast"})
	require.ErrorContains(t, err, `stages "fast"`)
	custom, err := canary.Stages(canary.StagesConfig{MinDays: []int{2, 3, 4}, MinMatured: []int{1, 2, 3}, MaxDays: []int{0, 0, 0}})
	require.NoError(t, err)
	require.Equal(t, []int{2, 3, 4}, []int{custom[0].MinDays, custom[1].MinDays, custom[2].MinDays})
}
