package arimagarch

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
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
	// evalsPerIter caps the objective evaluations of a search at this many
	// per allowed iteration, a guard against a line search that never ends.
	evalsPerIter = 60
)

// errNotConverged is wrapped by the error of a search that stops short of a
// stationary point.
var errNotConverged = errors.New("optimisation did not converge")

// optimizer minimises one objective with gonum/optimize: optimize.Minimize
// with a quasi-Newton method (BFGS or L-BFGS, each with gonum's Bisection
// line search, which evaluates the gradient only at points that decrease
// the objective). One is made per fit and reused for every search of that
// fit, so the Problem, the Method (with its line searcher and storage) and
// the Settings are allocated once. It is not safe for concurrent use.
//
// A search converges when the gradient's infinity norm at a major
// iteration falls below gradTol (Settings.GradientThreshold), or below
// acceptTol when the line search can make no more progress
// (optimize.ErrNoProgress, optimize.ErrLinesearcherFailure). It stops
// otherwise after Settings.MajorIterations iterations or evalsPerIter times
// as many evaluations (Settings.FuncEvaluations). There is no
// function-value convergence test (Converger is optimize.NeverTerminate): a
// flat stretch of the likelihood is not an optimum. The context is checked
// after every evaluation through Problem.Status.
type optimizer struct {
	ctx      context.Context
	problem  optimize.Problem
	method   optimize.Method
	settings optimize.Settings
}

func newOptimizer(ctx context.Context, method optimize.Method, f func(x []float64) float64, grad func(g, x []float64)) *optimizer {
	o := &optimizer{ctx: ctx, method: method}
	o.problem = optimize.Problem{
		Func: f,
		Grad: grad,
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	o.settings = optimize.Settings{
		GradientThreshold: gradTol,
		Converger:         optimize.NeverTerminate{},
		Concurrent:        1,
	}
	return o
}

// setGrad replaces the gradient of the objective for later searches.
func (o *optimizer) setGrad(grad func(g, x []float64)) { o.problem.Grad = grad }

// minimize runs a search from x0 for at most maxIter iterations and fails
// unless it converges. On a failed line search it returns the point
// reached along with the error, so that the caller can tell a search
// stopped at a barrier.
func (o *optimizer) minimize(x0 []float64, maxIter int) ([]float64, float64, error) {
	x, fx, _, err := o.run(x0, maxIter, true)
	return x, fx, err
}

// explore runs a search from x0 for at most iters iterations; running out
// of iterations is not an error, and the point reached is returned with
// converged false (for short exploratory searches from several starting
// points).
func (o *optimizer) explore(x0 []float64, iters int) (x []float64, fx float64, converged bool, err error) {
	return o.run(x0, iters, false)
}

func (o *optimizer) run(x0 []float64, maxIter int, strict bool) (x []float64, fx float64, converged bool, err error) {
	if len(x0) == 0 {
		return nil, o.problem.Func(nil), true, nil
	}
	// The starting point counts as the first major iteration.
	o.settings.MajorIterations = maxIter + 1
	o.settings.FuncEvaluations = evalsPerIter * (maxIter + 1)
	res, err := optimize.Minimize(o.problem, x0, &o.settings, o.method)
	if cerr := o.ctx.Err(); cerr != nil {
		return nil, 0, false, cerr
	}
	if res == nil {
		return nil, 0, false, fmt.Errorf("%w: %v", errNotConverged, err)
	}
	var errFunc optimize.ErrFunc
	var errGrad optimize.ErrGrad
	if errors.As(err, &errFunc) || errors.As(err, &errGrad) {
		return nil, 0, false, fmt.Errorf("%w: %v", errNotConverged, err)
	}
	x, fx = res.X, res.F
	gn := math.Inf(1)
	if len(res.Gradient) == len(x) {
		gn = floats.Norm(res.Gradient, math.Inf(1))
	}
	if math.IsNaN(gn) {
		return nil, 0, false, fmt.Errorf("%w: gradient is NaN", errNotConverged)
	}
	iters := res.MajorIterations - 1
	switch {
	case err == nil && res.Status == optimize.GradientThreshold, gn < gradTol:
		return x, fx, true, nil
	case errors.Is(err, optimize.ErrNoProgress), errors.Is(err, optimize.ErrLinesearcherFailure):
		if gn < acceptTol {
			return x, fx, true, nil
		}
		return x, fx, false, fmt.Errorf("%w: line search failed after %d iterations at gradient %.3g", errNotConverged, iters, gn)
	case err == nil && !strict && (res.Status == optimize.IterationLimit || res.Status == optimize.FunctionEvaluationLimit):
		return x, fx, false, nil
	case err == nil && res.Status == optimize.IterationLimit:
		return nil, 0, false, fmt.Errorf("%w in %d iterations: gradient %.3g", errNotConverged, maxIter, gn)
	case err == nil:
		return nil, 0, false, fmt.Errorf("%w: %v after %d iterations at gradient %.3g", errNotConverged, res.Status, iters, gn)
	}
	return x, fx, false, fmt.Errorf("%w: %v after %d iterations at gradient %.3g", errNotConverged, err, iters, gn)
}
