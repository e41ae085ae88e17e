package forecast

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// WeightMethod chooses how an ensemble's weights are set (DESIGN §4).
type WeightMethod string

// Weight methods. Default uses the weights of the ensemble's definition;
// SimpleAvg weighs every member equally; InverseRMSE and Ridge fit weights
// on the members' past errors; Calibrated uses the weights walk-forward
// validation decided for the symbol (DESIGN §5), which the forecast job
// reads from the store: Weights does not compute them.
const (
	WeightsDefault WeightMethod = "default"
	SimpleAvg      WeightMethod = "simple_avg"
	InverseRMSE    WeightMethod = "inverse_rmse"
	Ridge          WeightMethod = "ridge"
	Calibrated     WeightMethod = "calibrated"
)

// MinWeightHistory is the fewest past forecasts, with a prediction from every
// member and a realised return, that InverseRMSE and Ridge accept.
const MinWeightHistory = 20

// RidgePenalty scales the ridge penalty: lambda = RidgePenalty * tr(X'X)/n
// for n members, so it is invariant to the scale of the returns.
const RidgePenalty = 0.01

// ParseWeightMethod validates a method name.
func ParseWeightMethod(s string) (WeightMethod, error) {
	switch m := WeightMethod(s); m {
	case WeightsDefault, SimpleAvg, InverseRMSE, Ridge, Calibrated:
		return m, nil
	}
	return "", fmt.Errorf("forecast: unknown weight method %q (want default, simple_avg, inverse_rmse, ridge or calibrated)", s)
}

// NeedsHistory reports whether the method fits weights on past forecasts.
func (m WeightMethod) NeedsHistory() bool { return m == InverseRMSE || m == Ridge }

// History is what the fitted weight methods learn from: Pred[t][i] is
// member i's forecast mean on past date t and Realised[t] the return that
// followed.
type History struct {
	Pred     [][]float64
	Realised []float64
}

// Weights returns the ensemble's member weights by method, in member order,
// non-negative and summing to 1. InverseRMSE and Ridge need at least
// MinWeightHistory rows of history.
func Weights(method WeightMethod, e Ensemble, h History) ([]float64, error) {
	n := len(e.Members)
	w := make([]float64, n)
	switch method {
	case WeightsDefault, "":
		for i, m := range e.Members {
			w[i] = m.Weight
		}
		return w, nil
	case SimpleAvg:
		for i := range w {
			w[i] = 1 / float64(n)
		}
		return w, nil
	case InverseRMSE, Ridge:
	case Calibrated:
		return nil, fmt.Errorf("forecast: calibrated weights of ensemble %s come from walk-forward validation, not from Weights", e.Name)
	default:
		return nil, fmt.Errorf("forecast: unknown weight method %q", method)
	}
	if len(h.Pred) < MinWeightHistory {
		return nil, fmt.Errorf("forecast: %s weights for ensemble %s need %d past forecasts with every member matured; have %d",
			method, e.Name, MinWeightHistory, len(h.Pred))
	}
	if len(h.Realised) != len(h.Pred) {
		panic("forecast: history length mismatch")
	}
	for t, row := range h.Pred {
		if len(row) != n {
			panic("forecast: history row length mismatch")
		}
		for _, v := range append(row[:n:n], h.Realised[t]) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("forecast: %s weights: non-finite history at row %d", method, t)
			}
		}
	}
	if method == InverseRMSE {
		return inverseRMSE(h, n)
	}
	return ridgeSimplex(h, n)
}

func inverseRMSE(h History, n int) ([]float64, error) {
	w := make([]float64, n)
	var total float64
	for i := range n {
		var sse float64
		for t, row := range h.Pred {
			e := h.Realised[t] - row[i]
			sse += e * e
		}
		rmse := math.Sqrt(sse / float64(len(h.Pred)))
		if rmse == 0 {
			return nil, fmt.Errorf("forecast: inverse_rmse weights: member %d has zero error", i)
		}
		w[i] = 1 / rmse
		total += w[i]
	}
	for i := range w {
		w[i] /= total
	}
	return w, nil
}

// ridgeSimplex minimises ||y - Xw||^2 + lambda ||w||^2 over the simplex
// (w >= 0, sum w = 1) exactly: the problem is a strictly convex quadratic,
// so its minimiser is the equality-constrained minimiser on some support;
// every support is tried (2^n - 1 of them, n <= 6) and the feasible one with
// the lowest objective wins.
func ridgeSimplex(h History, n int) ([]float64, error) {
	return simplexLeastSquares(h, n, RidgePenalty)
}

// SimplexWeights returns the weights w >= 0, sum w = 1, that minimise the
// mean squared error of the combined forecast sum_i w_i Pred[t][i] against
// Realised[t], exactly (the weight calibration of DESIGN §5). It panics on
// rows of unequal length and fails on non-finite values or on a history of
// all-zero forecasts.
func SimplexWeights(h History) ([]float64, error) {
	if len(h.Pred) == 0 {
		return nil, fmt.Errorf("forecast: simplex weights: no history")
	}
	n := len(h.Pred[0])
	if len(h.Realised) != len(h.Pred) {
		panic("forecast: history length mismatch")
	}
	for t, row := range h.Pred {
		if len(row) != n {
			panic("forecast: history row length mismatch")
		}
		for _, v := range append(row[:n:n], h.Realised[t]) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("forecast: simplex weights: non-finite history at row %d", t)
			}
		}
	}
	return simplexLeastSquares(h, n, 0)
}

// simplexLeastSquares minimises ||y - Xw||^2 + lambda ||w||^2 over the
// simplex, lambda = penalty * tr(X'X)/n.
func simplexLeastSquares(h History, n int, penalty float64) ([]float64, error) {
	if n > 6 {
		panic("forecast: simplex weights support at most 6 members")
	}
	T := len(h.Pred)
	x := mat.NewDense(T, n, nil)
	for t, row := range h.Pred {
		x.SetRow(t, row)
	}
	y := mat.NewVecDense(T, h.Realised)
	var a mat.SymDense
	a.SymOuterK(1, x.T())
	var b mat.VecDense
	b.MulVec(x.T(), y)
	var trace float64
	for i := range n {
		trace += a.At(i, i)
	}
	lambda := penalty * trace / float64(n)
	if !(trace > 0) {
		return nil, fmt.Errorf("forecast: simplex weights: every member forecast zero throughout")
	}
	for i := range n {
		a.SetSym(i, i, a.At(i, i)+lambda)
	}
	objective := func(w []float64) float64 {
		var f float64
		for i := range n {
			for j := range n {
				f += w[i] * a.At(i, j) * w[j]
			}
			f -= 2 * b.AtVec(i) * w[i]
		}
		return f
	}
	var best []float64
	bestF := math.Inf(1)
	for mask := 1; mask < 1<<n; mask++ {
		var idx []int
		for i := range n {
			if mask&(1<<i) != 0 {
				idx = append(idx, i)
			}
		}
		k := len(idx)
		// KKT system [A_S 1; 1' 0] [w; nu] = [b_S; 1].
		kkt := mat.NewDense(k+1, k+1, nil)
		rhs := mat.NewVecDense(k+1, nil)
		for r, i := range idx {
			for c, j := range idx {
				kkt.Set(r, c, a.At(i, j))
			}
			kkt.Set(r, k, 1)
			kkt.Set(k, r, 1)
			rhs.SetVec(r, b.AtVec(i))
		}
		rhs.SetVec(k, 1)
		var sol mat.VecDense
		if err := sol.SolveVec(kkt, rhs); err != nil {
			continue
		}
		w := make([]float64, n)
		feasible := true
		for r, i := range idx {
			w[i] = sol.AtVec(r)
			if w[i] < 0 {
				feasible = false
			}
		}
		if !feasible {
			continue
		}
		if f := objective(w); f < bestF {
			best, bestF = w, f
		}
	}
	if best == nil {
		return nil, fmt.Errorf("forecast: simplex weights: no feasible solution")
	}
	return best, nil
}
