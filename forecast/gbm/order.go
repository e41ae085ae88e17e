package gbm

import "encoding/binary"

// orderState is one order of one node's rows that scikit-learn's splitter
// can hold in its samples array: either the order the node starts with (the
// parent's partition of its own order), or the order after sorting by a
// feature. A sort fixes every row's position except among rows with exactly
// equal values, and there introsort's outcome depends on the order before the
// sort; an orderState records that outcome, so a sort of the same rows from
// the same order is worked out once per fit.
//
// The rows of a node (its rowset) are fixed by the splits on the path from
// the root, and consecutive trees often share them (always the root without
// subsampling), so the builder keeps the states of all nodes of a fit and
// the transitions between them, and simulates introsort only on a miss.
type orderState struct {
	rowset int32
	// feat is the feature last sorted by, or -1 for the node's starting order
	// (the rows in samples[start:end] when the node is built).
	feat int32
	// pos are the positions (from the node's start) of the rows with exactly
	// equal values of feat, ascending, and rows the rows at those positions in
	// scikit-learn's order; every other position holds the row of
	// sorted[feat] there. Both are in builder.ties, from ties, len nTies.
	ties, nTies int32
	// next is the offset in builder.next of the states after sorting by
	// each feature (with exact ties in the node), -1 until one is known;
	// they are -1 until known.
	next int32
}

// unknownState is the starting order state of a node whose parent's
// partition left it unknown (builder.partition); it is never looked up.
const unknownState int32 = -2

// rowset is a set of rows some node of some tree holds: the root's in-bag
// rows, or one side of a split of a rowset.
type rowset struct {
	// exact is the offset in builder.next of the states sorted by each
	// feature, for features without exact ties in the rowset; -1 until
	// needed.
	exact int32
}

// splitKey names one side of a split of a rowset (from) or of an order
// state (from), for the interning of child rowsets and starting orders.
type splitKey struct {
	from      int32
	feature   int32
	threshold float64
	left      bool
}

// newRowset returns a new rowset id.
func (b *builder) newRowset() int32 {
	b.rowsets = append(b.rowsets, rowset{exact: b.newLinks()})
	return int32(len(b.rowsets) - 1)
}

// newLinks returns the offset of a new row of unknown states in b.next.
func (b *builder) newLinks() int32 {
	off := len(b.next)
	for range b.cols {
		b.next = append(b.next, -1)
	}
	return int32(off)
}

// newState appends a state and returns its id.
func (b *builder) newState(st orderState) int32 {
	st.next = -1
	b.states = append(b.states, st)
	return int32(len(b.states) - 1)
}

// startState returns the starting order state of a node reached by the
// split k of order state k.from.
func (b *builder) startState(k splitKey, rs int32) int32 {
	if id, ok := b.startIndex[k]; ok {
		return id
	}
	id := b.newState(orderState{rowset: rs, feat: -1})
	b.startIndex[k] = id
	return id
}

// childRowset returns the rowset of side k of the split of rowset k.from.
func (b *builder) childRowset(k splitKey) int32 {
	if id, ok := b.rowsetIndex[k]; ok {
		return id
	}
	id := b.newRowset()
	b.rowsetIndex[k] = id
	return id
}

// exactState returns the state of the node's rows sorted by f, which has no
// exact ties in the node.
func (b *builder) exactState(f int) int32 {
	link := int(b.rowsets[b.rowset].exact) + f
	if id := b.next[link]; id >= 0 {
		return id
	}
	id := b.newState(orderState{rowset: b.rowset, feat: int32(f)})
	b.next[link] = id
	return id
}

// chainKnown reports whether every pending sort of the chain has a known
// outcome, so resolve needs no simulation.
func (b *builder) chainKnown() bool {
	s := b.base
	if s == unknownState {
		return false
	}
	for _, f := range b.chain {
		link := b.states[s].next
		if link < 0 {
			return false
		}
		s = b.next[int(link)+f]
		if s < 0 {
			return false
		}
	}
	return true
}

// resolve works out scikit-learn's row order after the pending chain of
// sorts, writing each sort's order among equal values into sorted[f] of the
// node, and makes the result the base state.
func (b *builder) resolve() {
	s := b.base
	if s == unknownState {
		// The node's starting order is not known: give up the tree.
		b.aborted = true
		return
	}
	for _, f := range b.chain {
		if b.states[s].next < 0 {
			b.states[s].next = b.newLinks()
		}
		link := int(b.states[s].next) + f
		nx := b.next[link]
		if nx < 0 {
			nx = b.simulate(s, f)
			b.next[link] = nx
		}
		b.apply(nx)
		s = nx
	}
	b.base = s
	b.chain = b.chain[:0]
}

// apply writes state s's order among equal values into its sorted list.
func (b *builder) apply(s int32) {
	st := &b.states[s]
	if st.feat < 0 {
		return
	}
	list := b.sorted[st.feat][b.start:b.end]
	pos := b.tiePool[st.ties : st.ties+st.nTies]
	rows := b.tiePool[st.ties+st.nTies : st.ties+2*st.nTies]
	for k, p := range pos {
		list[p] = rows[k]
	}
}

// orderOf returns the node's rows in the order of state s, which must be
// the base state or applied since the base.
func (b *builder) orderOf(s int32) []int32 {
	if f := b.states[s].feat; f >= 0 {
		return b.sorted[f][b.start:b.end]
	}
	return b.samples[b.start:b.end]
}

// simulate sorts the node's rows, in the order of state s, by feature f the
// way scikit-learn's introsort does, and returns the resulting state.
func (b *builder) simulate(s int32, f int) int32 {
	start, end := b.start, b.end
	rank := b.rank[f]
	list := b.sorted[f][start:end]
	pos := b.tiePos[:0]
	ties := b.tieRanks[:0]
	if groups := b.tieGroups[f]; groups != nil {
		// From the feature's groups of equal values: the node's rows of a
		// group are consecutive in list.
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
			at := searchValue(list, col, col[first])
			for k := at; k < at+c; k++ {
				pos = append(pos, int32(k))
			}
			ties = append(ties, rank[first])
		}
	} else {
		for k, i := range list {
			if (k > 0 && rank[i] == rank[list[k-1]]) || (k+1 < len(list) && rank[i] == rank[list[k+1]]) {
				pos = append(pos, int32(k))
				if k == 0 || rank[i] != rank[list[k-1]] {
					ties = append(ties, rank[i])
				}
			}
		}
	}
	b.tiePos, b.tieRanks = pos, ties
	idx := b.orderOf(s)
	keys := b.keys[:end-start]
	for k, i := range idx {
		keys[k] = uint64(rank[i])<<32 | uint64(uint32(i))
	}
	// The tied rows end where scikit-learn's introsort puts them; every other
	// row's position is fixed by its unique value.
	rows := b.tieRows[:0]
	if len(ties) == 1 {
		rows = groupIntrosortScratch(keys, b.keys2[:end-start], b.sortPos, ties[0], rows)
	} else {
		tiesIntrosort(keys, ties)
		for _, p := range pos {
			rows = append(rows, int32(uint32(keys[p])))
		}
	}
	b.tieRows = rows

	// Intern by (rowset, feature, order among equal values).
	key := binary.LittleEndian.AppendUint32(b.keyBuf[:0], uint32(b.rowset))
	key = binary.LittleEndian.AppendUint32(key, uint32(f))
	for _, i := range rows {
		key = binary.LittleEndian.AppendUint32(key, uint32(i))
	}
	b.keyBuf = key
	if id, ok := b.stateIndex[string(key)]; ok {
		return id
	}
	off := int32(len(b.tiePool))
	b.tiePool = append(append(b.tiePool, pos...), rows...)
	id := b.newState(orderState{rowset: b.rowset, feat: int32(f), ties: off, nTies: int32(len(pos))})
	b.stateIndex[string(key)] = id
	return id
}

// materialize resolves the node's row order and writes it into
// samples[start:end].
func (b *builder) materialize() {
	b.resolve()
	if b.aborted {
		return
	}
	if b.states[b.base].feat >= 0 {
		copy(b.samples[b.start:b.end], b.orderOf(b.base))
	}
}
