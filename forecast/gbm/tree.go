package gbm

import (
	"math"
	"sort"
)

// Leaf marks a node without children in Node.Feature, Node.Left and Node.Right.
const Leaf = -1

// featureThreshold is scikit-learn's FEATURE_THRESHOLD: two float32 feature
// values closer than this are not split apart, and a feature whose range in
// a node is within it is constant there. The comparison is done in float32.
const featureThreshold float32 = 1e-7

// epsilon is scikit-learn's EPSILON, the impurity below which a node is a leaf.
const epsilon = 2.220446049250313e-16

// Node is one node of a regression tree. Nodes are numbered in the order the
// depth-first builder creates them (a node, then its left subtree, then its
// right subtree), the numbering of scikit-learn's tree_ arrays.
type Node struct {
	// Feature is the split feature, Leaf for a leaf.
	Feature int
	// Threshold: rows with float32(x[Feature]) <= Threshold go left.
	Threshold float64
	// Left and Right are child node indices, Leaf for a leaf.
	Left, Right int
	// Value is the mean residual of the node's training rows.
	Value float64
	// Impurity is the variance of the node's training residuals.
	Impurity float64
	// Samples is the number of training rows in the node.
	Samples int
}

// Tree is a fitted regression tree.
type Tree struct {
	Nodes []Node
}

// leafValue returns the value of the leaf that the float32 row x falls in.
func (t *Tree) leafValue(x []float32) float64 {
	i := 0
	for {
		n := &t.Nodes[i]
		if n.Feature == Leaf {
			return n.Value
		}
		if float64(x[n.Feature]) <= n.Threshold {
			i = n.Left
		} else {
			i = n.Right
		}
	}
}

// stackRecord is a node waiting to be built.
type stackRecord struct {
	start, end, depth, parent int
	isLeft                    bool
	impurity                  float64
	nConstant                 int
	// rowset and state: the node's rows and starting order (orderState),
	// -1 when not tracked (the node cannot split).
	rowset, state int32
}

// builder grows regression trees on a fixed float32 matrix with exact greedy
// splits, reproducing scikit-learn's DepthFirstTreeBuilder, BestSplitter and
// MSE criterion operation for operation (see doc.go).
//
// For speed it does not sort each node's rows for each feature as
// scikit-learn does: it keeps, for every feature, the node's rows in sorted
// order (sorted[f][start:end]) and splits those lists stably. Where a node has
// no two exactly equal values of a feature the sorted order is unique, so this
// is the order scikit-learn's sort produces; where it has ties the builder
// runs scikit-learn's own introsort on scikit-learn's current row order, so
// that the order of summation, and hence every rounding, is the same.
type builder struct {
	cols     [][]float32 // feature columns, n rows each
	order    [][]int32   // per feature, all rows sorted by value
	maxDepth int
	minLeaf  int
	minSplit int

	// per tree
	y          []float64 // residuals, n rows
	samples    []int32   // scikit-learn's samples array (in-bag rows)
	sorted     [][]int32 // per feature, node rows sorted, same layout as samples
	features   []int
	constFeats []int
	rnd        uint32
	wnSamples  float64
	nodes      []Node
	stack      []stackRecord

	// scratch
	xf       []float32
	tmp      []int32
	goLeft   []uint8
	rank     [][]uint32 // per feature, dense rank of each row's value
	keys     []uint64
	keys2    []uint64
	fewPos   [maxFewRows]int
	sortPos  []int32   // groupIntrosort scratch, n+1
	inv      []float64 // inv[k] = 1/k
	invRest  []float64 // invRest[p] = 1/(m-p) in the node being split, m rows
	tieRanks []uint32
	tiePos   []int32
	tieRows  []int32
	keyBuf   []byte
	inBag    []bool
	leafOf   []int32 // per in-bag row, the leaf of the last tree built
	// tieGroups[f] are the groups of rows with exactly equal values of f
	// over all rows, nil when there are too many to check per node; mark
	// holds stamp for the rows of the node being split.
	tieGroups [][][]int32
	mark      []uint32
	stamp     uint32
	// closeGroups[f] are the groups of rows whose values of f chain within
	// FEATURE_THRESHOLD over all rows (closeGroups), nil when there are too
	// many. invalid are the node's invalid split positions of the feature
	// being scanned when segs, and sep tells scanFrom that every position
	// it scans is valid.
	closeGroups [][][]int32
	invalid     []int
	segs, sep   bool

	// order states of the fit (order.go)
	states      []orderState
	next        []int32 // transitions between states, by feature
	tiePool     []int32 // orders among equal values of the states
	rowsets     []rowset
	stateIndex  map[string]int32
	startIndex  map[splitKey]int32
	rowsetIndex map[splitKey]int32
	rootRowset  int32
	rootState   int32

	// node state: the criterion of the current node
	start, end           int
	sumTotal, sqSumTotal float64
	wnNode               float64
	// rowset is the node's rowset; base is the latest order state whose
	// outcome is known (its order is in samples[start:end] for the starting
	// state, else in sorted[feat][start:end]), and chain are the features
	// sorted since, which have exact ties in the node.
	rowset int32
	base   int32
	chain  []int
	// lastPair is the position of the lone pair of equal values of the
	// chain's last feature in the node, -1 when it has more.
	lastPair int
	// lazy: nodes whose grandchildren are leaves may leave their
	// children's starting order unknown (partition); aborted: a node
	// needed such an order, and the tree is grown again without.
	lazy, aborted bool
}

func newBuilder(cols [][]float32, maxDepth, minLeaf int) *builder {
	p := len(cols)
	n := len(cols[0])
	b := &builder{cols: cols, maxDepth: maxDepth, minLeaf: minLeaf,
		minSplit: max(2, 2*minLeaf)}
	b.order = make([][]int32, p)
	b.rank = make([][]uint32, p)
	for f := range cols {
		b.order[f] = sortedOrder(cols[f])
		b.rank[f] = denseRanks(cols[f], b.order[f])
	}
	b.samples = make([]int32, 0, n)
	b.sorted = make([][]int32, p)
	for f := range b.sorted {
		b.sorted[f] = make([]int32, 0, n)
	}
	b.features = make([]int, p)
	b.constFeats = make([]int, p)
	b.xf = make([]float32, n)
	b.tmp = make([]int32, n)
	b.goLeft = make([]uint8, n)
	b.keys = make([]uint64, n)
	b.keys2 = make([]uint64, n)
	b.sortPos = make([]int32, n+1)
	b.inv = make([]float64, n+1)
	b.invRest = make([]float64, n+1)
	for k := 1; k <= n; k++ {
		b.inv[k] = 1 / float64(k)
	}
	b.inBag = make([]bool, n)
	b.leafOf = make([]int32, n)
	b.mark = make([]uint32, n)
	b.tieGroups = make([][][]int32, p)
	b.closeGroups = make([][][]int32, p)
	for f := range cols {
		b.tieGroups[f] = tieGroups(b.order[f], b.rank[f])
		b.closeGroups[f] = closeGroups(cols[f], b.order[f])
	}
	b.stateIndex = make(map[string]int32)
	b.startIndex = make(map[splitKey]int32)
	b.rowsetIndex = make(map[splitKey]int32)
	b.rootRowset = b.newRowset()
	b.rootState = b.newState(orderState{rowset: b.rootRowset, feat: -1})
	return b
}

// maxTiedRows is the most rows with exactly equal values a feature may have
// for sortFeature to find the equal values in a node from the groups.
const maxTiedRows = 16

// tieGroups returns the groups of rows with equal ranks, given the rows in
// ascending order; an empty non-nil slice when there are none, nil when
// they hold more than maxTiedRows rows.
func tieGroups(order []int32, rank []uint32) [][]int32 {
	groups := [][]int32{}
	rows := 0
	for k := 0; k < len(order); {
		e := k + 1
		for e < len(order) && rank[order[e]] == rank[order[k]] {
			e++
		}
		if e-k >= 2 {
			rows += e - k
			if rows > maxTiedRows {
				return nil
			}
			groups = append(groups, append([]int32(nil), order[k:e]...))
		}
		k = e
	}
	return groups
}

// maxCloseRows is the most rows the groups of closeGroups may hold.
const maxCloseRows = 32

// closeGroups returns the groups of rows, given in ascending order of col,
// whose consecutive values are within FEATURE_THRESHOLD (float32(x0 +
// FEATURE_THRESHOLD) >= x1, so exactly equal values too); an empty non-nil
// slice when there are none, nil when they hold more than maxCloseRows rows.
func closeGroups(col []float32, order []int32) [][]int32 {
	groups := [][]int32{}
	rows := 0
	for k := 0; k < len(order); {
		e := k + 1
		for e < len(order) && col[order[e]] <= float32(col[order[e-1]]+featureThreshold) {
			e++
		}
		if e-k >= 2 {
			rows += e - k
			if rows > maxCloseRows {
				return nil
			}
			groups = append(groups, append([]int32(nil), order[k:e]...))
		}
		k = e
	}
	return groups
}

// sortedOrder returns the rows sorted by value, ties by row.
func sortedOrder(col []float32) []int32 {
	idx := make([]int32, len(col))
	for i := range idx {
		idx[i] = int32(i)
	}
	mergeSortByValue(col, idx, make([]int32, len(idx)))
	return idx
}

// denseRanks numbers the distinct values of col from 0 in ascending order;
// equal values (including -0 and +0) share a rank, so comparing ranks is
// comparing values.
func denseRanks(col []float32, order []int32) []uint32 {
	r := make([]uint32, len(col))
	var cur uint32
	for k, i := range order {
		if k > 0 && col[i] != col[order[k-1]] {
			cur++
		}
		r[i] = cur
	}
	return r
}

// mergeSortByValue is a stable sort of idx by col[idx].
func mergeSortByValue(col []float32, idx, buf []int32) {
	n := len(idx)
	if n < 2 {
		return
	}
	if n <= 12 {
		for i := 1; i < n; i++ {
			for j := i; j > 0 && col[idx[j]] < col[idx[j-1]]; j-- {
				idx[j], idx[j-1] = idx[j-1], idx[j]
			}
		}
		return
	}
	m := n / 2
	mergeSortByValue(col, idx[:m], buf[:m])
	mergeSortByValue(col, idx[m:], buf[m:])
	copy(buf, idx)
	i, j, k := 0, m, 0
	for i < m && j < n {
		if col[buf[j]] < col[buf[i]] {
			idx[k] = buf[j]
			j++
		} else {
			idx[k] = buf[i]
			i++
		}
		k++
	}
	k += copy(idx[k:], buf[i:m])
	copy(idx[k:], buf[j:n])
}

// build grows one tree on residuals y over the rows with inBag[i] (all rows
// when mask is nil), with splitter seed seed.
func (b *builder) build(y []float64, mask []bool, seed uint32) Tree {
	b.lazy, b.aborted = true, false
	t := b.grow(y, mask, seed)
	if b.aborted {
		// A node needed a starting order left unknown: grow the tree again
		// working out every order.
		b.lazy, b.aborted = false, false
		t = b.grow(y, mask, seed)
	}
	return t
}

// grow is build, with lazy as set by build.
func (b *builder) grow(y []float64, mask []bool, seed uint32) Tree {
	n := len(y)
	b.y = y
	b.rnd = seed
	b.samples = b.samples[:0]
	for i := 0; i < n; i++ {
		in := mask == nil || mask[i]
		b.inBag[i] = in
		if in {
			b.samples = append(b.samples, int32(i))
		}
	}
	// Sum of the sample weights (ones and zeros) over all rows, as
	// scikit-learn's weighted_n_samples.
	b.wnSamples = float64(len(b.samples))
	for f := range b.sorted {
		if mask == nil {
			b.sorted[f] = append(b.sorted[f][:0], b.order[f]...)
			continue
		}
		s := b.sorted[f][:0]
		for _, i := range b.order[f] {
			if b.inBag[i] {
				s = append(s, i)
			}
		}
		b.sorted[f] = s
	}
	for f := range b.features {
		b.features[f] = f
	}
	b.nodes = make([]Node, 0, 1<<(b.maxDepth+1)-1)
	// Without subsampling every tree starts from the same rows in the same
	// order.
	rs, st := b.rootRowset, b.rootState
	if mask != nil {
		rs = b.newRowset()
		st = b.newState(orderState{rowset: rs, feat: -1})
	}
	b.stack = append(b.stack[:0], stackRecord{start: 0, end: len(b.samples), parent: -1,
		impurity: math.Inf(1), rowset: rs, state: st})
	first := true
	for len(b.stack) > 0 && !b.aborted {
		rec := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		start, end := rec.start, rec.end
		nNode := end - start
		b.nodeReset(start, end)
		b.rowset, b.base = rec.rowset, rec.state
		isLeaf := rec.depth >= b.maxDepth || nNode < b.minSplit || nNode < 2*b.minLeaf
		impurity := rec.impurity
		if first {
			impurity = b.nodeImpurity()
			first = false
		}
		isLeaf = isLeaf || impurity <= epsilon
		var sp split
		nConstant := rec.nConstant
		if !isLeaf {
			sp, nConstant = b.nodeSplit(impurity, nConstant, rec.depth)
			isLeaf = sp.pos >= end || sp.improvement+epsilon < 0
		}
		id := len(b.nodes)
		nd := Node{Feature: Leaf, Left: Leaf, Right: Leaf, Impurity: impurity, Samples: nNode,
			Value: b.sumTotal / b.wnNode}
		if !isLeaf {
			nd.Feature, nd.Threshold = sp.feature, sp.threshold
		}
		b.nodes = append(b.nodes, nd)
		if isLeaf {
			for _, i := range b.samples[start:end] {
				b.leafOf[i] = int32(id)
			}
		}
		if rec.parent >= 0 {
			if rec.isLeft {
				b.nodes[rec.parent].Left = id
			} else {
				b.nodes[rec.parent].Right = id
			}
		}
		if !isLeaf {
			b.stack = append(b.stack,
				stackRecord{start: sp.pos, end: end, depth: rec.depth + 1, parent: id,
					impurity: sp.impurityRight, nConstant: nConstant,
					rowset: sp.rowsetRight, state: sp.stateRight},
				stackRecord{start: start, end: sp.pos, depth: rec.depth + 1, parent: id, isLeft: true,
					impurity: sp.impurityLeft, nConstant: nConstant,
					rowset: sp.rowsetLeft, state: sp.stateLeft})
		}
	}
	return Tree{Nodes: b.nodes}
}

// nodeReset is Criterion.init on samples[start:end].
func (b *builder) nodeReset(start, end int) {
	b.start, b.end = start, end
	var s, sq float64
	for _, i := range b.samples[start:end] {
		yi := b.y[i]
		s += yi
		sq += float64(yi * yi)
	}
	b.sumTotal, b.sqSumTotal = s, sq
	b.wnNode = float64(end - start)
	b.chain = b.chain[:0]
}

// nodeImpurity is MSE.node_impurity.
func (b *builder) nodeImpurity() float64 {
	m := b.sumTotal / b.wnNode
	return b.sqSumTotal/b.wnNode - float64(m*m)
}

type split struct {
	feature                     int
	pos                         int
	threshold                   float64
	improvement                 float64
	impurityLeft, impurityRight float64
	// the children's rowsets and starting order states, -1 when the
	// children cannot split
	rowsetLeft, rowsetRight int32
	stateLeft, stateRight   int32
}

// nodeSplit is BestSplitter.node_split with max_features = all features.
func (b *builder) nodeSplit(impurity float64, nKnownConstants, depth int) (split, int) {
	start, end := b.start, b.end
	m := end - start
	nFeatures := len(b.cols)
	best := split{pos: end, improvement: math.Inf(-1),
		impurityLeft: math.Inf(1), impurityRight: math.Inf(1)}
	bestProxy := math.Inf(-1)
	features := b.features
	fi := nFeatures
	nVisited, nFound, nDrawn := 0, 0, 0
	nTotal := nKnownConstants
	xf := b.xf[:m]
	for p := range m + 1 {
		b.invRest[p] = b.inv[m-p]
	}
	b.stamp++
	for _, i := range b.samples[start:end] {
		b.mark[i] = b.stamp
	}
	for fi > nTotal && (nVisited < nFeatures || nVisited <= nFound+nDrawn) {
		nVisited++
		fj := randInt(nDrawn, fi-nFound, &b.rnd)
		if fj < nKnownConstants {
			features[nDrawn], features[fj] = features[fj], features[nDrawn]
			nDrawn++
			continue
		}
		fj += nFound
		f := features[fj]
		idx, exact, pair, filled := b.sortFeature(f, xf)
		if col := b.cols[f]; col[idx[m-1]] <= float32(col[idx[0]]+featureThreshold) {
			features[fj], features[nTotal] = features[nTotal], features[fj]
			nFound++
			nTotal++
			continue
		}
		fi--
		features[fi], features[fj] = features[fj], features[fi]
		b.segs = b.findInvalid(f, idx)
		switch {
		case exact:
			b.scan(f, idx, &best, &bestProxy)
		case b.chainKnown():
			// scikit-learn's order among equal values is known: put it in
			// idx.
			b.resolve()
			b.scan(f, idx, &best, &bestProxy)
		case pair >= 0:
			if saved, savedProxy := best, bestProxy; !b.scanPair(f, idx, pair, &best, &bestProxy) {
				// The outcome depends on the order of the pair: work out
				// scikit-learn's.
				best, bestProxy = saved, savedProxy
				b.resolve()
				b.scan(f, idx, &best, &bestProxy)
			}
		default:
			if !filled {
				col := b.cols[f]
				for k, i := range idx {
					xf[k] = col[i]
				}
			}
			if saved, savedProxy := best, bestProxy; !b.scanTied(f, xf, idx, &best, &bestProxy) {
				// The sums depend on the order of equal values: work out
				// scikit-learn's.
				best, bestProxy = saved, savedProxy
				b.resolve()
				b.scan(f, idx, &best, &bestProxy)
			}
		}
	}
	if best.pos < end {
		b.partition(&best, impurity, depth+1 < b.maxDepth, b.lazy && depth+2 == b.maxDepth)
	}
	copy(features[:nKnownConstants], b.constFeats[:nKnownConstants])
	copy(b.constFeats[nKnownConstants:nKnownConstants+nFound], features[nKnownConstants:nKnownConstants+nFound])
	return best, nTotal
}

// sortFeature returns the node's rows in ascending order of feature f,
// sorted[f][start:end]. When the node has no two exactly equal values of f
// the order is unique, so it is the order scikit-learn's sort leaves in
// samples[start:end], and exact is true. Otherwise the order among equal
// values is arbitrary until resolve writes scikit-learn's into it, and the
// feature joins the chain of sorts whose exact outcome (which depends on the
// order before the sort) is worked out only when needed. A sort of all-equal
// values leaves the order as it is.
//
// pair is the position of the first of two rows with exactly equal values
// when that is the only such pair in the node, else -1. Equal values are
// found from the feature's groups of equal values over all rows (marked
// rows), or, for a feature with many, by comparing neighbours in xf, which
// then holds the node's values (filled is true).
func (b *builder) sortFeature(f int, xf []float32) (idx []int32, exact bool, pair int, filled bool) {
	col := b.cols[f]
	s := b.sorted[f][b.start:b.end]
	m := len(s)
	dups, last := 0, 0
	if groups := b.tieGroups[f]; groups != nil {
		var v float32
		for _, g := range groups {
			c := 0
			for _, i := range g {
				if b.mark[i] == b.stamp {
					c++
				}
			}
			if c >= 2 {
				dups += c - 1
				v = col[g[0]]
			}
		}
		if dups == 1 {
			last = 1 + sort.Search(m, func(k int) bool { return col[s[k]] >= v })
		}
	} else {
		filled = true
		xf[0] = col[s[0]]
		for k := 1; k < m; k++ {
			xf[k] = col[s[k]]
			if xf[k] == xf[k-1] {
				dups++
				last = k
			}
		}
	}
	if dups == 0 {
		b.base = b.exactState(f)
		b.chain = b.chain[:0]
		return s, true, -1, filled
	}
	pair = -1
	if dups == 1 {
		pair = last - 1
	}
	if col[s[0]] != col[s[m-1]] {
		b.chain = append(b.chain, f)
		b.lastPair = pair
	}
	return s, false, pair, filled
}

// scanTied is scan for a feature with exactly equal values in the node,
// over rows idx in an arbitrary order among equal values. Wherever the
// running sum passes a pair of equal values it checks that both orders of
// the pair give the same bits; if they do everywhere, the search is exactly
// the one over scikit-learn's order and scanTied returns true. Otherwise (or
// for a run of three or more equal values) it stops and returns false,
// leaving best in an undefined state.
func (b *builder) scanTied(f int, xf []float32, idx []int32, best *split, bestProxy *float64) bool {
	m := len(xf)
	y := b.y
	sumTotal, wn := b.sumTotal, b.wnNode
	pos := 0
	sumLeft := 0.0
	for p := 0; p < m; {
		for p+1 < m && xf[p+1] <= float32(xf[p]+featureThreshold) {
			p++
		}
		p++
		if p >= m {
			break
		}
		if p < b.minLeaf || m-p < b.minLeaf {
			continue
		}
		// A run of equal values never straddles pos or p: no split falls
		// inside one.
		if p-pos <= m-p {
			s := sumLeft
			for k := pos; k < p; k++ {
				if k+1 < p && xf[k+1] == xf[k] {
					if k+2 < p && xf[k+2] == xf[k] {
						return false
					}
					a, c := y[idx[k]], y[idx[k+1]]
					if (s+a)+c != (s+c)+a {
						return false
					}
					s = (s + a) + c
					k++
					continue
				}
				s += y[idx[k]]
			}
			sumLeft = s
		} else {
			s := sumTotal
			for k := m - 1; k >= p; k-- {
				if k-1 >= p && xf[k-1] == xf[k] {
					if k-2 >= p && xf[k-2] == xf[k] {
						return false
					}
					a, c := y[idx[k]], y[idx[k-1]]
					if (s-a)-c != (s-c)-a {
						return false
					}
					s = (s - a) - c
					k--
					continue
				}
				s -= y[idx[k]]
			}
			sumLeft = s
		}
		pos = p
		sumRight := sumTotal - sumLeft
		wl := float64(p)
		proxy := float64(sumLeft*sumLeft)/wl + float64(sumRight*sumRight)/(wn-wl)
		if proxy > *bestProxy {
			*bestProxy = proxy
			thr := float64(xf[p-1])/2.0 + float64(xf[p])/2.0
			if thr == float64(xf[p]) || math.IsInf(thr, 0) {
				thr = float64(xf[p-1])
			}
			best.feature, best.pos, best.threshold = f, b.start+p, thr
		}
	}
	return true
}

// scan evaluates every split position of one feature (rows idx, in
// ascending order of f) with the MSE proxy, updating the running sums exactly as
// RegressionCriterion.update does.
func (b *builder) scan(f int, idx []int32, best *split, bestProxy *float64) {
	b.scanRange(f, idx, 1, len(idx), 0, 0, -1, best, bestProxy)
}

// searchValue returns the first position of list, in ascending order of
// col, whose value is not less than v.
func searchValue(list []int32, col []float32, v float32) int {
	lo, hi := 0, len(list)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if col[list[mid]] < v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// findInvalid lists in b.invalid, ascending, the split positions of f in
// the node (rows idx in ascending order of f) that are not valid: where
// the value is within FEATURE_THRESHOLD of the one before (exactly equal
// included). It finds them from the feature's groups of close values over
// all rows: two rows whose values are consecutive in the node and that
// close are in one group (every pair of consecutive values between them is
// as close), and a group's rows in the node are consecutive there. It
// returns false, and lists nothing, when the feature has too many such
// values.
func (b *builder) findInvalid(f int, idx []int32) bool {
	b.invalid = b.invalid[:0]
	groups := b.closeGroups[f]
	if groups == nil {
		return false
	}
	col := b.cols[f]
	for _, g := range groups {
		c := 0
		var first int32
		for _, i := range g {
			if b.mark[i] == b.stamp {
				if c == 0 {
					first = i
				}
				c++
			}
		}
		if c < 2 {
			continue
		}
		lo := searchValue(idx, col, col[first])
		for p := lo + 1; p < lo+c; p++ {
			if col[idx[p]] <= float32(col[idx[p-1]]+featureThreshold) {
				b.invalid = append(b.invalid, p)
			}
		}
	}
	return true
}

// scanRange is scanFrom over positions [from, to) (same arguments and
// results). When the node's invalid positions of the feature are listed
// (b.segs) it scans the runs of valid positions between them without
// comparing values.
func (b *builder) scanRange(f int, idx []int32, from, to int, s float64, pos, guard int,
	best *split, bestProxy *float64) (float64, int, bool) {
	if !b.segs {
		b.sep = false
		return b.scanFrom(f, idx, from, to, s, pos, guard, best, bestProxy)
	}
	b.sep = true
	ok := true
	for _, p := range b.invalid {
		if p < from {
			continue
		}
		if p >= to {
			break
		}
		if s, pos, ok = b.scanFrom(f, idx, from, p, s, pos, guard, best, bestProxy); !ok {
			return s, pos, false
		}
		s += b.y[idx[p-1]]
		from = p + 1
	}
	return b.scanFrom(f, idx, from, to, s, pos, guard, best, bestProxy)
}

// scanFrom evaluates the split positions p in [from, to) of one feature
// (sorted values xf, rows idx), where s is the running sum of y over
// idx[:from-1] and pos the position of the last criterion update, and
// returns them updated. Positions are valid where xf[p] is more than
// FEATURE_THRESHOLD above xf[p-1]; scikit-learn's update adds the rows from
// the last position forward, or subtracts them from the node's sum back from
// the end when that is shorter, and the running sum here is the forward sum
// of every row so far until a backward update replaces it. ok is false, and
// the search abandoned, when a backward update at p <= guard is needed.
func (b *builder) scanFrom(f int, idx []int32, from, to int, s float64, pos, guard int,
	best *split, bestProxy *float64) (sum float64, last int, ok bool) {
	m := len(idx)
	if from >= to {
		return s, pos, true
	}
	y := b.y
	col := b.cols[f]
	sumTotal, wn := b.sumTotal, b.wnNode
	inv := b.inv[:m+1]
	bp := *bestProxy
	bound := bp - 1e-12*math.Abs(bp)
	// Positions below minLeaf or above m-minLeaf only add to the sum.
	lo, hi := max(from, b.minLeaf), min(to, m-b.minLeaf+1)
	for p := from; p < min(lo, to); p++ {
		s += y[idx[p-1]]
	}
	if lo < hi {
		// The row at p-1 is carried from the previous position; positions
		// are p = lo+k.
		i0 := idx[lo-1]
		rows := idx[lo:hi]
		invL := inv[lo:hi]
		invL = invL[:len(rows)]
		invR := b.invRest[lo:hi]
		invR = invR[:len(rows)]
		mk := m - lo
		posK := pos - lo
		if b.sep {
			// Every position is valid, so no values to compare, and only
			// the first can need a backward update.
			s += y[i0]
			if lo-pos > m-lo {
				if lo <= guard {
					return s, pos, false
				}
				s = b.backwardSum(idx, lo)
			}
			// At k, s is the sum at position lo+k. The cheap bound first,
			// as below.
			n := len(rows)
			for k := 0; ; k++ {
				sr := sumTotal - s
				sl2, sr2 := float64(s*s), float64(sr*sr)
				if !(float64(sl2*invL[k])+float64(sr2*invR[k]) < bound) {
					p := lo + k
					wl := float64(p)
					proxy := sl2/wl + sr2/(wn-wl)
					if proxy > bp {
						bp = proxy
						bound = bp - 1e-12*math.Abs(bp)
						best.feature, best.pos, best.threshold = f, b.start+p, threshold(col[idx[p-1]], col[idx[p]])
					}
				}
				if k+1 >= n {
					break
				}
				s += y[rows[k]]
			}
			for p := max(hi, from); p < to; p++ {
				s += y[idx[p-1]]
			}
			*bestProxy = bp
			return s, hi - 1, true
		}
		x0, y0 := col[i0], y[i0]
		for k, i1 := range rows {
			x1 := col[i1]
			s += y0
			y0 = y[i1]
			xp := x0
			x0 = x1
			if x1 <= float32(xp+featureThreshold) {
				continue
			}
			// criterion.update(p)
			if k-posK > mk-k {
				p := lo + k
				if p <= guard {
					return s, pos, false
				}
				s = b.backwardSum(idx, p)
			}
			posK = k
			sr := sumTotal - s
			// A cheap bound first: with reciprocals the proxy is within a few
			// ulps of scikit-learn's, so only candidates that come within 1e-12
			// of the best are evaluated exactly (and compared exactly).
			sl2, sr2 := float64(s*s), float64(sr*sr)
			if float64(sl2*invL[k])+float64(sr2*invR[k]) < bound {
				continue
			}
			p := lo + k
			wl := float64(p)
			proxy := sl2/wl + sr2/(wn-wl)
			if proxy > bp {
				bp = proxy
				bound = bp - 1e-12*math.Abs(bp)
				best.feature, best.pos, best.threshold = f, b.start+p, threshold(xp, x1)
			}
		}
		pos = lo + posK
	}
	for p := max(hi, from); p < to; p++ {
		s += y[idx[p-1]]
	}
	*bestProxy = bp
	return s, pos, true
}

// threshold is the split threshold between consecutive values x0 < x1:
// their midpoint in float64, or x0 when that rounds up to x1.
func threshold(x0, x1 float32) float64 {
	thr := float64(x0)/2.0 + float64(x1)/2.0
	if thr == float64(x1) || math.IsInf(thr, 0) {
		thr = float64(x0)
	}
	return thr
}

// backwardSum is criterion.update(p) backward: the node's sum less the rows
// of idx from p on, subtracted from the end.
func (b *builder) backwardSum(idx []int32, p int) float64 {
	s := b.sumTotal
	for k := len(idx) - 1; k >= p; k-- {
		s -= b.y[idx[k]]
	}
	return s
}

// scanPair is scan for a feature with exactly one pair of equal values in
// the node, at positions q and q+1 of idx, in either order. The two orders
// share the search up to the pair; past it, if adding the pair in the two
// orders rounds differently, the search runs for both and scanPair checks
// that they end with the same best split. It returns true when best is
// scikit-learn's whichever order its sort left; otherwise false, leaving
// best in an undefined state.
func (b *builder) scanPair(f int, idx []int32, q int, best *split, bestProxy *float64) bool {
	m := len(idx)
	s, pos, ok := b.scanRange(f, idx, 1, q+1, 0, 0, q+1, best, bestProxy)
	if !ok {
		return false
	}
	ya, yc := b.y[idx[q]], b.y[idx[q+1]]
	sa, sc := s+ya, s+yc
	if sa+yc == sc+ya {
		_, _, ok = b.scanRange(f, idx, q+2, m, sa, pos, -1, best, bestProxy)
		return ok
	}
	bestC, proxyC := *best, *bestProxy
	b.scanRange(f, idx, q+2, m, sa, pos, -1, best, bestProxy)
	idx[q], idx[q+1] = idx[q+1], idx[q]
	b.scanRange(f, idx, q+2, m, sc, pos, -1, &bestC, &proxyC)
	idx[q], idx[q+1] = idx[q+1], idx[q]
	return bestC == *best && proxyC == *bestProxy
}

// partition reorders samples[start:end] into the rows going left then right
// (scikit-learn's in-place swap loop, which fixes the children's row order),
// splits every feature's sorted list the same way, and computes the
// children's impurities and the improvement.
//
// When the children are leaves, or (lazyKids) their children are, and the
// sums the leaves depend on do not depend on the order of the last sort's
// lone pair (leavesIgnorePair), the order is not worked out; children that
// split then start from an unknown order (unknownState).
func (b *builder) partition(best *split, impurity float64, keepLists, lazyKids bool) {
	start, end := b.start, b.end
	s := b.samples
	lazy := false
	if (!keepLists || lazyKids) && b.leavesIgnorePair(best) {
		lazy = keepLists
	} else {
		b.materialize()
		partitionRows(s[start:end], b.cols[best.feature], best.threshold)
	}
	best.rowsetLeft, best.rowsetRight, best.stateLeft, best.stateRight = -1, -1, -1, -1
	if keepLists {
		goLeft := b.goLeft
		for k := start; k < best.pos; k++ {
			goLeft[s[k]] = 1
		}
		for k := best.pos; k < end; k++ {
			goLeft[s[k]] = 0
		}
		tmp := b.tmp
		nl, nr := best.pos-start, end-best.pos
		switch {
		case nl <= maxFewRows:
			for f := range b.sorted {
				splitFew(b.sorted[f][start:end], b.cols[f], s[start:best.pos], true, b.fewPos[:nl])
			}
		case nr <= maxFewRows:
			for f := range b.sorted {
				splitFew(b.sorted[f][start:end], b.cols[f], s[best.pos:end], false, b.fewPos[:nr])
			}
		default:
			for f := range b.sorted {
				splitList(b.sorted[f][start:end], tmp, goLeft, nl, nr)
			}
		}
		kl := splitKey{from: b.rowset, feature: int32(best.feature), threshold: best.threshold, left: true}
		kr := kl
		kr.left = false
		best.rowsetLeft, best.rowsetRight = b.childRowset(kl), b.childRowset(kr)
		kl.from, kr.from = b.base, b.base
		if lazy {
			best.stateLeft, best.stateRight = unknownState, unknownState
		} else {
			best.stateLeft, best.stateRight = b.startState(kl, best.rowsetLeft), b.startState(kr, best.rowsetRight)
		}
	}

	// criterion.reset(); criterion.update(best.pos); children_impurity
	y := b.y
	sumLeft := 0.0
	if best.pos-start <= end-best.pos {
		for k := start; k < best.pos; k++ {
			sumLeft += y[s[k]]
		}
	} else {
		sumLeft = b.sumTotal
		for k := end - 1; k >= best.pos; k-- {
			sumLeft -= y[s[k]]
		}
	}
	sumRight := b.sumTotal - sumLeft
	wl := float64(best.pos - start)
	wr := b.wnNode - wl
	sqLeft := 0.0
	for k := start; k < best.pos; k++ {
		yi := y[s[k]]
		sqLeft += float64(yi * yi)
	}
	sqRight := b.sqSumTotal - sqLeft
	ml, mr := sumLeft/wl, sumRight/wr
	best.impurityLeft = sqLeft/wl - float64(ml*ml)
	best.impurityRight = sqRight/wr - float64(mr*mr)
	best.improvement = (b.wnNode / b.wnSamples) *
		(impurity - float64(wr/b.wnNode*best.impurityRight) - float64(wl/b.wnNode*best.impurityLeft))
}

// partitionRows is scikit-learn's in-place swap loop: rows with
// float32(col) <= thr first.
func partitionRows(s []int32, col []float32, thr float64) {
	p, pend := 0, len(s)
	for p < pend {
		if float64(col[s[p]]) <= thr {
			p++
		} else {
			pend--
			s[p], s[pend] = s[pend], s[p]
		}
	}
}

// leafSums are the sums over a node's partitioned rows that its children,
// when they are leaves, depend on: the partition's sum of the left rows (by
// the same update as partition) and of their squares, and each child's
// Criterion.init sums.
type leafSums struct {
	update, sqLeft, left, right, sqRight float64
}

// leafSumsOf returns the leafSums of the node's rows s partitioned at pos.
func (b *builder) leafSumsOf(s []int32, pos int) leafSums {
	y := b.y
	var r leafSums
	for _, i := range s[:pos] {
		yi := y[i]
		r.left += yi
		r.sqLeft += float64(yi * yi)
	}
	for _, i := range s[pos:] {
		yi := y[i]
		r.right += yi
		r.sqRight += float64(yi * yi)
	}
	r.update = r.left
	if pos > len(s)-pos {
		r.update = b.sumTotal
		for k := len(s) - 1; k >= pos; k-- {
			r.update -= y[s[k]]
		}
	}
	return r
}

// leavesIgnorePair handles the partition of a node whose children are
// leaves when scikit-learn's order before it (the last sort's) is not known
// but differs from sorted[f][start:end] at most by the order of one pair of
// equal values: it partitions both orders, and when every sum the leaves
// depend on agrees it leaves the first in samples[start:end] and returns
// true, sparing the simulation of the chain of sorts. Otherwise it returns
// false and the caller works out the order.
func (b *builder) leavesIgnorePair(best *split) bool {
	if len(b.chain) == 0 || b.lastPair < 0 || b.chainKnown() {
		return false
	}
	start, end := b.start, b.end
	pos := best.pos - start
	list := b.sorted[b.chain[len(b.chain)-1]][start:end]
	col := b.cols[best.feature]
	s := b.samples[start:end]
	copy(s, list)
	partitionRows(s, col, best.threshold)
	t := b.tmp[:end-start]
	copy(t, list)
	q := b.lastPair
	t[q], t[q+1] = t[q+1], t[q]
	partitionRows(t, col, best.threshold)
	return b.leafSumsOf(s, pos) == b.leafSumsOf(t, pos)
}

// splitList splits list stably into the nl rows with goLeft set, then the nr
// others; tmp is scratch of at least len(list).
func splitList(list, tmp []int32, goLeft []uint8, nl, nr int) {
	m := len(list)
	switch {
	case 8*nl <= m:
		// Few go left: branches are predictable, and most rows are
		// written once.
		l, r := 0, 0
		for _, i := range list {
			if goLeft[i] != 0 {
				tmp[l] = i
				l++
			} else {
				list[r] = i
				r++
			}
		}
		copy(list[l:], list[:r])
		copy(list, tmp[:l])
	case 8*nr <= m:
		l, r := 0, 0
		for _, i := range list {
			if goLeft[i] != 0 {
				list[l] = i
				l++
			} else {
				tmp[r] = i
				r++
			}
		}
		copy(list[l:], tmp[:r])
	default:
		l, r := 0, 0
		for _, i := range list {
			// Branch-free: the side is unpredictable.
			g := int(goLeft[i])
			list[l] = i
			tmp[r] = i
			l += g
			r += 1 - g
		}
		copy(list[l:], tmp[:r])
	}
}

// maxFewRows is the most rows on the small side of a split for splitFew.
const maxFewRows = 8

// splitFew is splitList for a split with few rows on one side: rows, all in
// list, go first (left) or last, in list order, the others keep their
// order. It finds the rows in list by binary search on col, list being in
// ascending order of col, and moves the others in blocks. pos is scratch of
// len(rows).
func splitFew(list []int32, col []float32, rows []int32, left bool, pos []int) {
	m := len(list)
	for j, r := range rows {
		lo := searchValue(list, col, col[r])
		for list[lo] != r {
			lo++
		}
		// Insertion into ascending order.
		k := j
		for k > 0 && pos[k-1] > lo {
			pos[k] = pos[k-1]
			k--
		}
		pos[k] = lo
	}
	k := len(pos)
	if left {
		// The others before pos[j] move right by k-j, the rightmost
		// first; then the rows take the front.
		var rs [maxFewRows]int32
		for j, p := range pos {
			rs[j] = list[p]
		}
		for j := k - 1; j >= 0; j-- {
			from := 0
			if j > 0 {
				from = pos[j-1] + 1
			}
			copy(list[from+k-j:pos[j]+k-j], list[from:pos[j]])
		}
		copy(list, rs[:k])
		return
	}
	// The others after pos[j] move left by j+1, the leftmost first; then
	// the rows take the end.
	var rs [maxFewRows]int32
	for j, p := range pos {
		rs[j] = list[p]
	}
	for j := 0; j < k; j++ {
		to := m
		if j+1 < k {
			to = pos[j+1]
		}
		copy(list[pos[j]+1-(j+1):to-(j+1)], list[pos[j]+1:to])
	}
	copy(list[m-k:], rs[:k])
}
