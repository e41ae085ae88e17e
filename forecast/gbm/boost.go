package gbm

import (
	"cmp"
	"context"
	"fmt"
	"math"
)

// Canonical settings of DESIGN §3.
const (
	DefaultTrees          = 200
	DefaultMaxDepth       = 3
	DefaultLearningRate   = 0.05
	DefaultMinSamplesLeaf = 1
	DefaultSubsample      = 1.0
)

// Config are the boosting settings. Zero values take the defaults.
type Config struct {
	// Trees is the number of boosting stages. Default DefaultTrees (200).
	Trees int
	// MaxDepth is the maximum depth of each tree. Default DefaultMaxDepth (3).
	MaxDepth int
	// LearningRate is the shrinkage of each tree. Default DefaultLearningRate (0.05).
	LearningRate float64
	// MinSamplesLeaf is the minimum number of training rows in a leaf.
	// Default DefaultMinSamplesLeaf (1).
	MinSamplesLeaf int
	// Subsample is the fraction of rows drawn (without replacement) for each
	// tree; 1 uses every row. Default DefaultSubsample (1).
	Subsample float64
	// Seed seeds the generator (numpy's RandomState(Seed)) that draws the row
	// subsamples and each tree's feature visiting order; it must lie in
	// [0, 2^32-1]. Default 0.
	Seed int64
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	c.Trees = cmp.Or(c.Trees, DefaultTrees)
	c.MaxDepth = cmp.Or(c.MaxDepth, DefaultMaxDepth)
	c.LearningRate = cmp.Or(c.LearningRate, DefaultLearningRate)
	c.MinSamplesLeaf = cmp.Or(c.MinSamplesLeaf, DefaultMinSamplesLeaf)
	c.Subsample = cmp.Or(c.Subsample, DefaultSubsample)
	return c
}

// Validate reports a setting out of range.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Trees < 1:
		return fmt.Errorf("gbm: %d trees: need at least 1", c.Trees)
	case c.MaxDepth < 1:
		return fmt.Errorf("gbm: max depth %d: need at least 1", c.MaxDepth)
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return fmt.Errorf("gbm: learning rate %v: need a positive finite number", c.LearningRate)
	case c.MinSamplesLeaf < 1:
		return fmt.Errorf("gbm: min samples per leaf %d: need at least 1", c.MinSamplesLeaf)
	case !(c.Subsample > 0 && c.Subsample <= 1):
		return fmt.Errorf("gbm: subsample %v: need 0 < subsample <= 1", c.Subsample)
	case c.Seed < 0 || c.Seed > math.MaxUint32:
		return fmt.Errorf("gbm: seed %d: need 0 <= seed <= %d", c.Seed, uint32(math.MaxUint32))
	}
	return nil
}

// Ensemble is a fitted gradient-boosted regression model:
// prediction = Init + LearningRate * sum of the trees' leaf values.
type Ensemble struct {
	// Init is the initial prediction, the mean of the training targets.
	Init float64
	// LearningRate is the shrinkage applied to every tree.
	LearningRate float64
	// Trees are the fitted trees, in boosting order.
	Trees []Tree
	// TrainLoss[i] is the mean squared error on the training rows (the
	// in-bag rows when subsampling) after tree i, scikit-learn's train_score_.
	TrainLoss []float64
	// Features is the number of features.
	Features int
}

// Fit boosts regression trees with squared error on rows X (all of the same
// length, finite) and targets y. It is deterministic for a given Config and
// reproduces scikit-learn's GradientBoostingRegressor(criterion=
// "squared_error", random_state=Seed) with the same settings (doc.go).
func Fit(ctx context.Context, cfg Config, X [][]float64, y []float64) (*Ensemble, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	n := len(X)
	if n != len(y) {
		return nil, fmt.Errorf("gbm: fit: %d rows but %d targets", n, len(y))
	}
	if n < 2 {
		return nil, fmt.Errorf("gbm: fit: %d rows, need at least 2", n)
	}
	p := len(X[0])
	if p == 0 {
		return nil, fmt.Errorf("gbm: fit: rows have no features")
	}
	cols := make([][]float32, p)
	for f := range cols {
		cols[f] = make([]float32, n)
	}
	for i, row := range X {
		if len(row) != p {
			return nil, fmt.Errorf("gbm: fit: row %d has %d features, row 0 has %d", i, len(row), p)
		}
		for f, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("gbm: fit: row %d feature %d is %v", i, f, v)
			}
			// scikit-learn fits on a float32 copy of X.
			cols[f][i] = float32(v)
		}
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("gbm: fit: target %d is %v", i, v)
		}
	}

	e := &Ensemble{Init: pairwiseSum(y) / float64(n), LearningRate: cfg.LearningRate,
		Trees: make([]Tree, 0, cfg.Trees), TrainLoss: make([]float64, 0, cfg.Trees), Features: p}
	if math.IsInf(e.Init, 0) {
		return nil, fmt.Errorf("gbm: fit: mean target overflows")
	}
	raw := make([]float64, n)
	for i := range raw {
		raw[i] = e.Init
	}
	resid := make([]float64, n)
	sq := make([]float64, n)
	rs := newRandomState(uint32(cfg.Seed))
	b := newBuilder(cols, cfg.MaxDepth, cfg.MinSamplesLeaf)
	var mask []bool
	nInBag := n
	if cfg.Subsample < 1 {
		mask = make([]bool, n)
		nInBag = max(1, int(cfg.Subsample*float64(n)))
	}
	row := make([]float32, p)
	for t := 0; t < cfg.Trees; t++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("gbm: fit: tree %d: %w", t, err)
		}
		if mask != nil {
			randomSampleMask(mask, nInBag, rs)
		}
		for i := range resid {
			resid[i] = y[i] - raw[i]
		}
		seed := rs.randint(randMax)
		tree := b.build(resid, mask, seed)
		for i := range raw {
			var v float64
			if mask == nil || mask[i] {
				// The builder's partition compares as prediction does.
				v = tree.Nodes[b.leafOf[i]].Value
			} else {
				for f := range row {
					row[f] = cols[f][i]
				}
				v = tree.leafValue(row)
			}
			raw[i] += float64(cfg.LearningRate * v)
		}
		e.Trees = append(e.Trees, tree)

		// train_score_: (1 / sum(w)) * sum(w * (y - raw)^2) over the in-bag rows.
		sq = sq[:0]
		for i := range raw {
			if mask == nil || mask[i] {
				d := y[i] - raw[i]
				sq = append(sq, float64(d*d))
			}
		}
		loss := 1 / float64(len(sq)) * pairwiseSum(sq)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return nil, fmt.Errorf("gbm: fit: tree %d: training loss is %v", t, loss)
		}
		e.TrainLoss = append(e.TrainLoss, loss)
	}
	return e, nil
}

// randomSampleMask is scikit-learn's _random_sample_mask: nInBag of len(mask)
// rows drawn without replacement by selection sampling on random_sample.
func randomSampleMask(mask []bool, nInBag int, rs *randomState) {
	n := len(mask)
	u := make([]float64, n)
	for i := range u {
		u[i] = rs.randomSample()
	}
	bagged := 0
	for i := range mask {
		mask[i] = u[i]*float64(n-i) < float64(nInBag-bagged)
		if mask[i] {
			bagged++
		}
	}
}

// Predict returns the prediction for row x. Like scikit-learn it compares
// the float32 rounding of x with the float64 thresholds. It panics when x
// has the wrong length, a caller mistake.
func (e *Ensemble) Predict(x []float64) float64 {
	if len(x) != e.Features {
		panic(fmt.Sprintf("gbm: row of %d features, model has %d", len(x), e.Features))
	}
	row := make([]float32, len(x))
	for f, v := range x {
		row[f] = float32(v)
	}
	out := e.Init
	for i := range e.Trees {
		out += float64(e.LearningRate * e.Trees[i].leafValue(row))
	}
	return out
}

// FeatureImportances returns the mean decrease in impurity per feature,
// normalised to sum to one, as scikit-learn's feature_importances_: each
// tree's impurity decreases weighted by node size, divided by the root size,
// averaged over the trees that split at least once. All zeros when no tree
// splits.
func (e *Ensemble) FeatureImportances() []float64 {
	avg := make([]float64, e.Features)
	per := make([]float64, e.Features)
	relevant := 0
	for _, t := range e.Trees {
		if len(t.Nodes) <= 1 {
			continue
		}
		relevant++
		clear(per)
		for _, nd := range t.Nodes {
			if nd.Feature == Leaf {
				continue
			}
			l, r := t.Nodes[nd.Left], t.Nodes[nd.Right]
			per[nd.Feature] += float64(nd.Samples)*nd.Impurity - float64(l.Samples)*l.Impurity - float64(r.Samples)*r.Impurity
		}
		root := float64(t.Nodes[0].Samples)
		for f := range per {
			avg[f] += per[f] / root
		}
	}
	if relevant == 0 {
		return avg
	}
	var total float64
	for f := range avg {
		avg[f] /= float64(relevant)
		total += avg[f]
	}
	if total > 0 {
		for f := range avg {
			avg[f] /= total
		}
	}
	return avg
}

// pairwiseSum adds x the way numpy's add.reduce does for a contiguous float64
// array (blocks of 128 summed with eight accumulators, halves recursively),
// so that means and losses round as numpy's do.
func pairwiseSum(x []float64) float64 {
	n := len(x)
	switch {
	case n < 8:
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s
	case n <= 128:
		var r [8]float64
		copy(r[:], x[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += x[i+j]
			}
		}
		s := (r[0] + r[1]) + (r[2] + r[3]) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += x[i]
		}
		return s
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwiseSum(x[:n2]) + pairwiseSum(x[n2:])
	}
}
