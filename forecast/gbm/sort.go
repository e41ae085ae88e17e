package gbm

import "math"

// introsort sorts xf and idx together by xf, exactly as scikit-learn's
// splitter does (_splitter.pyx: introsort with median-of-3 pivot, 3-way
// partition, heapsort past depth 2*floor(log2 n)). It is not stable: the
// order it leaves among equal values depends on the input order, and that
// order fixes the summation order of the split search, so the tree builder
// uses it whenever a node has exactly equal values of a feature.
func introsort(xf []float32, idx []int32) {
	n := len(xf)
	if n == 0 {
		return
	}
	maxd := 2 * int(math.Log(float64(n))/math.Log(2))
	introsortRec(xf, idx, maxd)
}

func introsortRec(xf []float32, idx []int32, maxd int) {
	for len(xf) > 1 {
		if maxd <= 0 {
			heapsort(xf, idx)
			return
		}
		maxd--
		pivot := median3(xf)
		i, l, r := 0, 0, len(xf)
		for i < r {
			switch {
			case xf[i] < pivot:
				xf[i], xf[l] = xf[l], xf[i]
				idx[i], idx[l] = idx[l], idx[i]
				i++
				l++
			case xf[i] > pivot:
				r--
				xf[i], xf[r] = xf[r], xf[i]
				idx[i], idx[r] = idx[r], idx[i]
			default:
				i++
			}
		}
		introsortRec(xf[:l], idx[:l], maxd)
		xf, idx = xf[r:], idx[r:]
	}
}

func median3(xf []float32) float32 {
	n := len(xf)
	a, b, c := xf[0], xf[n/2], xf[n-1]
	if a < b {
		if b < c {
			return b
		} else if a < c {
			return c
		}
		return a
	} else if b < c {
		if a < c {
			return a
		}
		return c
	}
	return b
}

func siftDown(xf []float32, idx []int32, start, end int) {
	root := start
	for {
		child := root*2 + 1
		maxind := root
		if child < end && xf[maxind] < xf[child] {
			maxind = child
		}
		if child+1 < end && xf[maxind] < xf[child+1] {
			maxind = child + 1
		}
		if maxind == root {
			return
		}
		xf[root], xf[maxind] = xf[maxind], xf[root]
		idx[root], idx[maxind] = idx[maxind], idx[root]
		root = maxind
	}
}

func heapsort(xf []float32, idx []int32) {
	n := len(xf)
	for start := (n - 2) / 2; ; start-- {
		siftDown(xf, idx, start, n)
		if start == 0 {
			break
		}
	}
	for end := n - 1; end > 0; end-- {
		xf[0], xf[end] = xf[end], xf[0]
		idx[0], idx[end] = idx[end], idx[0]
		siftDown(xf, idx, 0, end)
	}
}

// tiesIntrosort runs introsort, as introsort above, on keys rank<<32|row
// (ranks compare as the values do), but only follows the sub-problems whose
// rank range holds one of the tied ranks ties. Introsort's sub-problems are
// independent and equal values always land in the same one, so the rows with
// tied values end in exactly the positions and order the full introsort
// gives them; the other rows are left out of order (their sorted positions
// are unique and known to the caller).
func tiesIntrosort(keys []uint64, ties []uint32) {
	n := len(keys)
	if n == 0 {
		return
	}
	maxd := 2 * int(math.Log(float64(n))/math.Log(2))
	tiesIntrosortRec(keys, ties, -1, math.MaxInt64, maxd)
}

func tiesIntrosortRec(keys []uint64, ties []uint32, lo, hi int64, maxd int) {
	for len(keys) > 1 {
		has := false
		for _, t := range ties {
			if int64(t) > lo && int64(t) < hi {
				has = true
				break
			}
		}
		if !has {
			return
		}
		if maxd <= 0 {
			heapsortKeys(keys)
			return
		}
		maxd--
		pivot := median3Keys(keys)
		i, l, r := 0, 0, len(keys)
		for i < r {
			// Branch-free form of: if less, swap with l and advance i and l;
			// if greater, swap with r-1 and retreat r; else advance i.
			k := keys[i]
			v := uint32(k >> 32)
			lt, gt := 0, 0
			if v < pivot {
				lt = 1
			}
			if v > pivot {
				gt = 1
			}
			t := i + lt*(l-i) + gt*(r-1-i)
			keys[i] = keys[t]
			keys[t] = k
			l += lt
			r -= gt
			i += 1 - gt
		}
		tiesIntrosortRec(keys[:l], ties, lo, int64(pivot), maxd)
		keys, lo = keys[r:], int64(pivot)
	}
}

func median3Keys(keys []uint64) uint32 {
	n := len(keys)
	a, b, c := uint32(keys[0]>>32), uint32(keys[n/2]>>32), uint32(keys[n-1]>>32)
	if a < b {
		if b < c {
			return b
		} else if a < c {
			return c
		}
		return a
	} else if b < c {
		if a < c {
			return a
		}
		return c
	}
	return b
}

func siftDownKeys(keys []uint64, start, end int) {
	root := start
	for {
		child := root*2 + 1
		maxind := root
		if child < end && keys[maxind]>>32 < keys[child]>>32 {
			maxind = child
		}
		if child+1 < end && keys[maxind]>>32 < keys[child+1]>>32 {
			maxind = child + 1
		}
		if maxind == root {
			return
		}
		keys[root], keys[maxind] = keys[maxind], keys[root]
		root = maxind
	}
}

func heapsortKeys(keys []uint64) {
	n := len(keys)
	for start := (n - 2) / 2; ; start-- {
		siftDownKeys(keys, start, n)
		if start == 0 {
			break
		}
	}
	for end := n - 1; end > 0; end-- {
		keys[0], keys[end] = keys[end], keys[0]
		siftDownKeys(keys, 0, end)
	}
}

// groupIntrosort returns the rows of keys (rank<<32|row, as tiesIntrosort)
// with rank v, at least two of them, in the order introsort leaves them. It
// follows only the sub-problem that holds rank v, and instead of running
// introsort's in-place 3-way partition it works out where that partition
// leaves each element of the side it follows (see partitionSide). buf is
// scratch of len(keys); keys is overwritten.
func groupIntrosort(keys, buf []uint64, v uint32, out []int32) []int32 {
	return groupIntrosortScratch(keys, buf, make([]int32, len(keys)+1), v, out)
}

// groupIntrosortScratch is groupIntrosort with scratch pos of len(keys)+1.
func groupIntrosortScratch(keys, buf []uint64, pos []int32, v uint32, out []int32) []int32 {
	maxd := 2 * int(math.Log(float64(len(keys)))/math.Log(2))
	src, dst := keys, buf
	for {
		n := len(src)
		if maxd <= 0 {
			heapsortKeys(src)
			for _, k := range src {
				if uint32(k>>32) == v {
					out = append(out, int32(uint32(k)))
				}
			}
			return out
		}
		maxd--
		pivot := median3Keys(src)
		if v == pivot {
			// The equal elements stay between the lesser and the greater
			// ones; each lesser element examined moves the first of them
			// behind the last. Elements are read in the order the
			// partition examines them: from the front, and after each
			// element greater than the pivot from the back.
			head, cnt := 0, 0
			front, back := 0, n-1
			fromBack := false
			for front <= back {
				var k uint64
				if fromBack {
					k = src[back]
					back--
				} else {
					k = src[front]
					front++
				}
				r := uint32(k >> 32)
				fromBack = r > pivot
				switch {
				case r == pivot:
					dst[cnt] = k
					cnt++
				case r < pivot && cnt > head:
					dst[cnt] = dst[head]
					head++
					cnt++
				}
			}
			for _, k := range dst[head:cnt] {
				out = append(out, int32(uint32(k)))
			}
			return out
		}
		src, dst = partitionSide(src, dst, pos, pivot, v > pivot), src
	}
}

// partitionSide returns, in dst, the elements of src less than pivot (or,
// when greater is true, greater than it) in the order introsort's 3-way
// partition leaves them. dst must be longer than the result.
//
// The partition examines src from the front; after an element greater
// than the pivot it examines the back, going on while the elements there
// are greater, and the first one that is not takes the greater element's
// turn. So the front element at k is examined in its own turn when it is not
// greater, and otherwise the j-th such one is replaced by the j-th element
// from the back that is not greater (positions in pos), unless that one has
// already been reached from the front, which ends the partition. Lesser
// elements are moved to the front in examination order. Greater ones are
// moved to the back from the end in examination order, which works out to:
// the greater element examined from the back at t ends at t-c, and the j-th
// greater element from the front where the (j-1)-th replacement was
// (position n for j = 0) less c, c = n-G+1 for G greater elements. The
// loops are branch-free: the classes are unpredictable.
func partitionSide(src, dst []uint64, pos []int32, pivot uint32, greater bool) []uint64 {
	n := len(src)
	np := 0
	for t := n - 1; t >= 0; t-- {
		pos[np] = int32(t)
		np += b2i(uint32(src[t]>>32) <= pivot)
	}
	pos[np] = -1
	j, back := 0, n-1
	if !greater {
		cnt := 0
		for k := 0; k <= back; k++ {
			gt := b2i(uint32(src[k]>>32) > pivot)
			pj := int(pos[j])
			if gt&b2i(pj <= k) != 0 {
				break
			}
			e := src[k+gt*(pj-k)]
			back += gt * (pj - 1 - back)
			j += gt
			dst[cnt] = e
			cnt += b2i(uint32(e>>32) < pivot)
		}
		return dst[:cnt]
	}
	g := n - np
	c := n - g + 1
	// Elements not kept are written to dst[g], past the result.
	k := 0
	for ; k <= back; k++ {
		e := src[k]
		gt := b2i(uint32(e>>32) > pivot)
		dst[g+gt*(back+1-c-g)] = e
		pj := int(pos[j])
		if gt&b2i(pj <= k) != 0 {
			back = k
			break
		}
		back += gt * (pj - 1 - back)
		j += gt
	}
	for t := back + 1; t < n; t++ {
		e := src[t]
		gt := b2i(uint32(e>>32) > pivot)
		dst[g+gt*(t-c-g)] = e
	}
	return dst[:g]
}

// b2i is 1 for true, 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
