package gbm

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGroupIntrosortMatchesIntrosort checks that groupIntrosort leaves every
// group of equal values in the order the full introsort port (scikit-learn's
// splitter sort) leaves it, on seeded random inputs with many repeated
// values (exact: row orders are compared).
func TestGroupIntrosortMatchesIntrosort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 3000; trial++ {
		n := 2 + rng.IntN(300)
		levels := 1 + rng.IntN(n)
		xf := make([]float32, n)
		idx := make([]int32, n)
		for i := range xf {
			xf[i] = float32(rng.IntN(levels))
			idx[i] = int32(rng.IntN(1 << 20))
		}
		if trial%3 == 0 {
			// Partly sorted inputs, as the builder passes.
			slices.Sort(xf[:n/2])
		}
		keys := make([]uint64, n)
		for i := range keys {
			keys[i] = uint64(uint32(xf[i]))<<32 | uint64(uint32(idx[i]))
		}
		sx, si := slices.Clone(xf), slices.Clone(idx)
		introsort(sx, si)
		for lo := 0; lo < n; {
			hi := lo + 1
			for hi < n && sx[hi] == sx[lo] {
				hi++
			}
			if hi-lo >= 2 {
				got := groupIntrosort(slices.Clone(keys), make([]uint64, n), uint32(sx[lo]), nil)
				require.Equalf(t, si[lo:hi], got, "trial %d n %d value %v", trial, n, sx[lo])
			}
			lo = hi
		}
	}
}
