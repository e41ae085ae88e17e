package gbm

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSplitFewMatchesSplitList checks that splitFew splits a sorted list
// exactly as splitList does (the same rows in the same order), on seeded
// random columns with repeated values and random rows on the small side,
// either side.
func TestSplitFewMatchesSplitList(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 2000; trial++ {
		n := 2 + rng.IntN(200)
		levels := 1 + rng.IntN(n)
		col := make([]float32, n)
		for i := range col {
			col[i] = float32(rng.IntN(levels))
		}
		list := sortedOrder(col)
		// Shuffle the order among equal values, as the builder may hold it.
		for lo := 0; lo < n; {
			hi := lo + 1
			for hi < n && col[list[hi]] == col[list[lo]] {
				hi++
			}
			rng.Shuffle(hi-lo, func(a, b int) { list[lo+a], list[lo+b] = list[lo+b], list[lo+a] })
			lo = hi
		}
		k := 1 + rng.IntN(min(maxFewRows, n-1))
		rows := make([]int32, 0, k)
		goLeft := make([]uint8, n)
		left := rng.IntN(2) == 0
		for _, i := range rng.Perm(n)[:k] {
			rows = append(rows, int32(i))
		}
		for i := range goLeft {
			if slices.Contains(rows, int32(i)) == left {
				goLeft[i] = 1
			}
		}
		nl := k
		if !left {
			nl = n - k
		}
		want := slices.Clone(list)
		splitList(want, make([]int32, n), goLeft, nl, n-nl)
		got := slices.Clone(list)
		splitFew(got, col, rows, left, make([]int, k))
		require.Equalf(t, want, got, "trial %d n %d k %d left %v", trial, n, k, left)
	}
}
