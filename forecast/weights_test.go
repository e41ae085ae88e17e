package forecast_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast"
)

// history reproduces, in Go, the arrays of the scipy check below:
// X[t,i] = 0.01 sin(0.7 t (i+1) + i), y[t] = 0.012 cos(0.9 t) + 0.3 X[t,1] + 0.5 X[t,2].
func history() forecast.History {
	var h forecast.History
	for t := range 40 {
		row := make([]float64, 4)
		for i := range row {
			row[i] = 0.01 * math.Sin(0.7*float64(t)*float64(i+1)+float64(i))
		}
		h.Pred = append(h.Pred, row)
		h.Realised = append(h.Realised, 0.012*math.Cos(0.9*float64(t))+0.3*row[1]+0.5*row[2])
	}
	return h
}

// Expected weights from scipy 1.10.1: minimize(SLSQP, ftol 1e-16) of
// sum((y - Xw)^2) + lam sum(w^2), lam = 0.01 trace(X'X)/4, over w >= 0,
// sum w = 1; SLSQP stops within about 1e-9 of the exact optimum.
func TestRidgeWeightsMatchSciPy(t *testing.T) {
	w, err := forecast.Weights(forecast.Ridge, forecast.Legacy, history())
	require.NoError(t, err)
	require.InDeltaSlice(t, []float64{0, 0.4218221859197538, 0.5269748323029608, 0.0512029817772854}, w, 1e-7)
	require.InDelta(t, 1, w[0]+w[1]+w[2]+w[3], 1e-15)
}

// Expected weights from numpy: (1/rmse_i) / sum(1/rmse) with
// rmse_i = sqrt(mean((y - X[:,i])^2)) on the same arrays.
func TestInverseRMSEWeights(t *testing.T) {
	w, err := forecast.Weights(forecast.InverseRMSE, forecast.Legacy, history())
	require.NoError(t, err)
	require.InDeltaSlice(t, []float64{0.21706750730894897, 0.26788343462355774, 0.2829288394337808, 0.23212021863371238}, w, 1e-15)
}

func TestWeightsDefaultsAndErrors(t *testing.T) {
	w, err := forecast.Weights(forecast.WeightsDefault, forecast.Legacy, forecast.History{})
	require.NoError(t, err)
	require.Equal(t, []float64{0.20, 0.35, 0.25, 0.20}, w) // DESIGN §4
	w, err = forecast.Weights(forecast.SimpleAvg, forecast.Legacy, forecast.History{})
	require.NoError(t, err)
	require.Equal(t, []float64{0.25, 0.25, 0.25, 0.25}, w)

	short := history()
	short.Pred, short.Realised = short.Pred[:5], short.Realised[:5]
	_, err = forecast.Weights(forecast.Ridge, forecast.Candidate, short)
	require.ErrorContains(t, err, "ridge weights for ensemble candidate need 20 past forecasts with every member matured; have 5")
	_, err = forecast.ParseWeightMethod("bayes")
	require.ErrorContains(t, err, `unknown weight method "bayes"`)
}

// Expected weights from scipy 1.10.1: minimize(SLSQP, ftol 1e-16) of
// sum((y - Xw)^2) over w >= 0, sum w = 1, on the arrays of history (the
// unpenalised problem of walk-forward weight calibration); SLSQP stops
// within about 1e-9 of the exact optimum.
func TestSimplexWeightsMatchSciPy(t *testing.T) {
	w, err := forecast.SimplexWeights(history())
	require.NoError(t, err)
	require.InDeltaSlice(t, []float64{0, 0.4227748589377102, 0.5288963968006597, 0.04832874426163009}, w, 1e-7)
	require.InDelta(t, 1, w[0]+w[1]+w[2]+w[3], 1e-15)
	_, err = forecast.SimplexWeights(forecast.History{})
	require.Error(t, err)
}
