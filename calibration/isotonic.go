package calibration

import (
	"cmp"
	"slices"
	"sort"
)

// isotonicResolution is numpy's finfo(float64).resolution, the gap below
// which scikit-learn's _make_unique pools two sorted x values.
const isotonicResolution = 1e-15

// fitIsotonic returns the thresholds (scikit-learn's X_thresholds_ and
// y_thresholds_) of the increasing isotonic regression of y on x with unit
// weights, bounded to [0, 1]: a port of scikit-learn 1.2's
// IsotonicRegression._build_y, _make_unique and
// _inplace_contiguous_isotonic_regression.
func fitIsotonic(x []float64, y []bool) (tx, ty []float64) {
	type point struct{ x, y float64 }
	pts := make([]point, len(x))
	for i := range x {
		pts[i].x = x[i]
		if y[i] {
			pts[i].y = 1
		}
	}
	// np.lexsort((y, X)): by x, then y.
	slices.SortStableFunc(pts, func(p, q point) int {
		return cmp.Or(cmp.Compare(p.x, q.x), cmp.Compare(p.y, q.y))
	})

	// _make_unique: pool runs of x within the resolution of the run's first.
	var ux, uy, uw []float64
	cx, cy, cw := pts[0].x, 0.0, 0.0
	for _, p := range pts {
		if p.x-cx >= isotonicResolution {
			ux, uy, uw = append(ux, cx), append(uy, cy/cw), append(uw, cw)
			cx, cy, cw = p.x, p.y, 1
		} else {
			cy += p.y
			cw++
		}
	}
	ux, uy, uw = append(ux, cx), append(uy, cy/cw), append(uw, cw)

	pav(uy, uw)
	for i := range uy { // y_min = 0, y_max = 1
		uy[i] = min(max(uy[i], 0), 1)
	}

	// Keep the ends and every point whose y differs from a neighbour's.
	for i := range ux {
		if i == 0 || i == len(ux)-1 || uy[i] != uy[i-1] || uy[i] != uy[i+1] {
			tx, ty = append(tx, ux[i]), append(ty, uy[i])
		}
	}
	return tx, ty
}

// pav is scikit-learn's _inplace_contiguous_isotonic_regression: pool
// adjacent violators in place, weights w, blocks merged on ties as well as
// decreases.
func pav(y, w []float64) {
	n := len(y)
	target := make([]int, n)
	for i := range target {
		target[i] = i
	}
	for i := 0; i < n; {
		k := target[i] + 1
		if k == n {
			break
		}
		if y[i] < y[k] {
			i = k
			continue
		}
		sumWY, sumW := w[i]*y[i], w[i]
		for {
			prev := y[k]
			sumWY += w[k] * y[k]
			sumW += w[k]
			k = target[k] + 1
			if k == n || prev < y[k] {
				y[i] = sumWY / sumW
				w[i] = sumW
				target[i] = k - 1
				target[k-1] = i
				if i > 0 {
					i = target[i-1]
				}
				break
			}
		}
	}
	for i := 0; i < n; {
		k := target[i] + 1
		for j := i + 1; j < k; j++ {
			y[j] = y[i]
		}
		i = k
	}
}

// isotonicPredict interpolates the thresholds linearly at p clipped to their
// range, as scipy's interp1d(kind="linear") inside scikit-learn's predict.
func isotonicPredict(tx, ty []float64, p float64) float64 {
	n := len(tx)
	if n == 1 {
		return ty[0]
	}
	p = min(max(p, tx[0]), tx[n-1])
	hi := sort.SearchFloat64s(tx, p) // numpy searchsorted, side left
	hi = min(max(hi, 1), n-1)
	lo := hi - 1
	slope := (ty[hi] - ty[lo]) / (tx[hi] - tx[lo])
	return slope*(p-tx[lo]) + ty[lo]
}
