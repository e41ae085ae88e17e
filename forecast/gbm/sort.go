package gbm

import (
	"math"
	"slices"
)

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
// introsort's in-place 3-way partition it reads the elements in the order
// that partition examines them (from the front, and after each element
// greater than the pivot from the back), which copies the lesser elements
// in examination order and the greater ones in reverse, as the partition
// leaves them. buf is scratch of len(keys); keys is overwritten.
func groupIntrosort(keys, buf []uint64, v uint32, out []int32) []int32 {
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
			// behind the last.
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
		wantGreater := v > pivot
		cnt := 0
		front, back := 0, n-1
		fromBack := false
		for front <= back {
			// Branch-free: the classes are unpredictable.
			at := front
			if fromBack {
				at = back
			}
			k := src[at]
			r := uint32(k >> 32)
			gt := r > pivot
			keep := r < pivot
			if wantGreater {
				keep = gt
			}
			if fromBack {
				back--
			} else {
				front++
			}
			fromBack = gt
			dst[cnt] = k
			if keep {
				cnt++
			}
		}
		next := dst[:cnt]
		if wantGreater {
			slices.Reverse(next)
		}
		src, dst = next, src
	}
}
