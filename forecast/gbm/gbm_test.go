package gbm

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRandomStateMatchesNumpy checks the MT19937 stream against numpy's
// legacy RandomState(seed).randint(0, 2**31-1) and .random_sample(), numbers
// from the fixture (exact: integers, and doubles built from integers).
func TestRandomStateMatchesNumpy(t *testing.T) {
	f := loadFixture(t)
	require.NotEmpty(t, f.RandomState)
	for seed, want := range f.RandomState {
		var s uint64
		for _, c := range seed {
			s = s*10 + uint64(c-'0')
		}
		rs := newRandomState(uint32(s))
		for i, w := range want.Randint {
			require.Equalf(t, w, rs.randint(randMax), "seed %s randint %d", seed, i)
		}
		rs = newRandomState(uint32(s))
		for i, w := range want.RandomSample {
			require.Equalf(t, w, rs.randomSample(), "seed %s random_sample %d", seed, i)
		}
	}
}

// TestFitMatchesScikitLearn fits every fixture case and compares with
// scikit-learn 1.2.1 GradientBoostingRegressor(criterion="squared_error"):
// the trees node by node (split feature, float64 threshold, leaf value and
// impurity all bit-identical), predictions on every row to 1e-9
// absolute (the bound; the achieved difference is logged), the
// training loss curve and the feature importances to 1e-12 relative.
func TestFitMatchesScikitLearn(t *testing.T) {
	f := loadFixture(t)
	for i := range f.Cases {
		c := &f.Cases[i]
		t.Run(c.Name, func(t *testing.T) {
			e, err := Fit(context.Background(), c.config(), c.X[:c.NTrain], c.Y[:c.NTrain])
			require.NoError(t, err)
			require.Equal(t, c.Init, e.Init, "init: mean of y")
			require.Len(t, e.Trees, len(c.Trees))
			for k, want := range c.Trees {
				got := e.Trees[k].Nodes
				require.Lenf(t, got, len(want.Feature), "tree %d node count", k)
				for j, nd := range got {
					wf := want.Feature[j]
					if wf < 0 {
						wf = Leaf
					}
					require.Equalf(t, wf, nd.Feature, "tree %d node %d feature", k, j)
					if nd.Feature != Leaf {
						require.Equalf(t, want.Threshold[j], nd.Threshold, "tree %d node %d threshold", k, j)
						require.Equalf(t, want.Left[j], nd.Left, "tree %d node %d left", k, j)
						require.Equalf(t, want.Right[j], nd.Right, "tree %d node %d right", k, j)
					}
					require.Equalf(t, want.NNodeSamples[j], nd.Samples, "tree %d node %d samples", k, j)
					// Leaf values and impurities come out bit-identical.
					require.Equalf(t, want.Value[j], nd.Value, "tree %d node %d value", k, j)
					require.Equalf(t, want.Impurity[j], nd.Impurity, "tree %d node %d impurity", k, j)
				}
			}
			var maxDiff float64
			for r, x := range c.X {
				d := math.Abs(e.Predict(x) - c.Predictions[r])
				maxDiff = math.Max(maxDiff, d)
				require.InDeltaf(t, c.Predictions[r], e.Predict(x), 1e-9, "row %d", r)
			}
			t.Logf("%s: max |prediction - scikit-learn| over %d rows = %.3g", c.Name, len(c.X), maxDiff)
			for k, w := range c.TrainScore {
				require.InEpsilonf(t, w, e.TrainLoss[k], 1e-12, "train loss %d", k)
			}
			for k, w := range c.FeatureImportances {
				require.InDeltaf(t, w, e.FeatureImportances()[k], 1e-12, "importance %d", k)
			}
		})
	}
}
