package arimagarch

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Convergence of the quasi-Newton searches. Objectives are scaled per
// observation (minus the mean log-likelihood), so these are per-observation
// figures: at gradTol the log-likelihood of a few thousand observations is
// within about 1e-9 of its maximum.
const (
	gradTol = 1e-8
	// acceptTol is the largest gradient (infinity norm) accepted when the
	// line search can make no more progress before reaching gradTol: the
	// objective is then at the limit of its floating-point resolution.
	acceptTol = 1e-5
)

// errNotConverged is wrapped by the error of a search that stops short of a
// stationary point.
var errNotConverged = errors.New("optimisation did not converge")

// minimize minimises f by BFGS from x0 (Nocedal and Wright 2006, algorithm
// 6.1: inverse-Hessian update, first step scaled by y's/y'y, backtracking
// Armijo line search with safeguarded quadratic interpolation, update
// skipped when the curvature condition fails). It fails unless it reaches a
// point whose gradient infinity norm is below gradTol, or below acceptTol
// when no further decrease is representable, within maxIter iterations.
//
// gonum/optimize would be the library choice (DESIGN §3), but it does not
// build in this module: it imports golang.org/x/tools through
// gonum/stat/distmv, which go.mod does not list.
//
// On a failed line search it returns the point reached along with the error.
func minimize(ctx context.Context, f func(x []float64) float64, grad func(g, x []float64), x0 []float64, maxIter int) ([]float64, float64, error) {
	x, fx, _, err := bfgs(ctx, f, grad, x0, maxIter, true)
	return x, fx, err
}

// bfgs is minimize; when strict is false, running out of iterations is not
// an error and the point reached is returned with converged false (for
// short exploratory searches from several starting points).
func bfgs(ctx context.Context, f func(x []float64) float64, grad func(g, x []float64), x0 []float64, maxIter int, strict bool) (xOpt []float64, fOpt float64, converged bool, err error) {
	n := len(x0)
	if n == 0 {
		return nil, f(nil), true, nil
	}
	x := append([]float64(nil), x0...)
	fx := f(x)
	if math.IsNaN(fx) || math.IsInf(fx, 0) {
		return nil, 0, false, fmt.Errorf("%w: objective %v at the starting point", errNotConverged, fx)
	}
	g, gNew := make([]float64, n), make([]float64, n)
	grad(g, x)
	H := make([]float64, n*n)
	for i := 0; i < n; i++ {
		H[i*n+i] = 1
	}
	d, xNew, s, y, Hy := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	first := true
	for it := 0; it < maxIter; it++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, false, err
		}
		gn := normInf(g)
		if math.IsNaN(gn) {
			return nil, 0, false, fmt.Errorf("%w: gradient is NaN", errNotConverged)
		}
		if gn < gradTol {
			return x, fx, true, nil
		}
		// d = -H g; restart from the (scaled) identity if it is not a descent direction.
		var slope float64
		for i := 0; i < n; i++ {
			var v float64
			for j := 0; j < n; j++ {
				v -= H[i*n+j] * g[j]
			}
			d[i] = v
			slope += v * g[i]
		}
		if !(slope < 0) {
			for i := range H {
				H[i] = 0
			}
			for i := 0; i < n; i++ {
				H[i*n+i] = 1
				d[i] = -g[i]
			}
			slope = -dot(g, g)
			first = true
		}
		step := 1.0
		if first {
			// Keep the first trial step inside a unit box.
			if m := normInf(d); m > 1 {
				step = 1 / m
			}
		}
		var fNew float64
		ok := false
		for ls := 0; ls < 60; ls++ {
			for i := range x {
				xNew[i] = x[i] + step*d[i]
			}
			fNew = f(xNew)
			if fNew <= fx+1e-4*step*slope {
				ok = true
				break
			}
			// Minimiser of the quadratic through f(0), f'(0), f(step), safeguarded.
			next := 0.5 * step
			if !math.IsInf(fNew, 0) && !math.IsNaN(fNew) {
				q := -slope * step * step / (2 * (fNew - fx - slope*step))
				next = math.Max(0.1*step, math.Min(0.5*step, q))
			} else {
				next = 0.1 * step
			}
			step = next
		}
		if !ok || fNew == fx {
			if gn < acceptTol {
				return x, fx, true, nil
			}
			// The point reached is returned with the error, so that the
			// caller can tell a search stopped at a barrier.
			return x, fx, false, fmt.Errorf("%w: line search failed after %d iterations at gradient %.3g", errNotConverged, it, gn)
		}
		grad(gNew, xNew)
		var sy, yHy float64
		for i := range x {
			s[i] = xNew[i] - x[i]
			y[i] = gNew[i] - g[i]
		}
		sy = dot(s, y)
		if sy > 1e-12*math.Sqrt(dot(s, s)*dot(y, y)) {
			if first {
				// Shanno-Phua scaling of the initial inverse Hessian.
				sc := sy / dot(y, y)
				for i := range H {
					H[i] *= sc
				}
				first = false
			}
			for i := 0; i < n; i++ {
				var v float64
				for j := 0; j < n; j++ {
					v += H[i*n+j] * y[j]
				}
				Hy[i] = v
			}
			yHy = dot(y, Hy)
			c := (sy + yHy) / (sy * sy)
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					H[i*n+j] += c*s[i]*s[j] - (Hy[i]*s[j]+s[i]*Hy[j])/sy
				}
			}
		}
		copy(x, xNew)
		copy(g, gNew)
		fx = fNew
	}
	gn := normInf(g)
	switch {
	case gn < gradTol:
		return x, fx, true, nil
	case !strict:
		return x, fx, false, nil
	}
	return nil, 0, false, fmt.Errorf("%w in %d iterations: gradient %.3g", errNotConverged, maxIter, gn)
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func normInf(a []float64) float64 {
	var m float64
	for _, v := range a {
		if math.IsNaN(v) {
			return math.NaN()
		}
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// centralGrad writes to g the central-difference gradient of f at x, with a
// step of h per coordinate. x is restored.
func centralGrad(g []float64, f func([]float64) float64, x []float64, h float64) {
	for i := range x {
		xi := x[i]
		x[i] = xi + h
		fp := f(x)
		x[i] = xi - h
		fm := f(x)
		x[i] = xi
		g[i] = (fp - fm) / (2 * h)
	}
}

// forwardGrad writes to g the forward-difference gradient of f at x (one
// evaluation per coordinate; error about h |f”| + eps |f| / h).
func forwardGrad(g []float64, f func([]float64) float64, x []float64, h float64) {
	f0 := f(x)
	for i := range x {
		xi := x[i]
		x[i] = xi + h
		g[i] = (f(x) - f0) / h
		x[i] = xi
	}
}
