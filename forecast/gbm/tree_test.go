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

// TestScanRunsMatchCheckedScan checks that scanning the runs between the
// listed invalid positions (findInvalid) builds exactly the trees that the
// scan comparing every pair of values builds, on seeded random columns with
// near-equal values (within and just beyond FEATURE_THRESHOLD) and exact
// ties, with and without subsampling (exact: every node compared).
func TestScanRunsMatchCheckedScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 200; trial++ {
		n := 20 + rng.IntN(200)
		p := 1 + rng.IntN(5)
		cols := make([][]float32, p)
		for f := range cols {
			cols[f] = make([]float32, n)
			for i := range cols[f] {
				cols[f][i] = rng.Float32()
			}
			// A few values close to another: equal, within and beyond
			// FEATURE_THRESHOLD.
			for range rng.IntN(6) {
				i, j := rng.IntN(n), rng.IntN(n)
				d := []float32{0, 3e-8, 6e-8, 1.1e-7, 2e-7}[rng.IntN(5)]
				cols[f][i] = cols[f][j] + d
			}
		}
		y := make([]float64, n)
		for i := range y {
			y[i] = rng.NormFloat64()
		}
		var mask []bool
		if trial%2 == 1 {
			mask = make([]bool, n)
			for i := range mask {
				mask[i] = rng.IntN(4) > 0
			}
		}
		depth := 1 + rng.IntN(4)
		runs := newBuilder(cols, depth, 1+rng.IntN(2))
		checked := newBuilder(cols, depth, runs.minLeaf)
		for f := range checked.closeGroups {
			checked.closeGroups[f] = nil
		}
		for seed := uint32(1); seed <= 3; seed++ {
			want := checked.build(y, mask, seed)
			got := runs.build(y, mask, seed)
			require.Equalf(t, want.Nodes, got.Nodes, "trial %d seed %d", trial, seed)
		}
	}
}
