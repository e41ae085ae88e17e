package walkforward

import (
	"fmt"
	"math"
)

// Divergence thresholds of DESIGN §5; a level is reached when the
// divergence is strictly above its threshold.
const (
	WarningThreshold     = 0.15
	OverfittingThreshold = 0.20
	CriticalThreshold    = 0.30
	// ReversionThreshold is the divergence above which the ensemble's
	// weights revert to their defaults.
	ReversionThreshold = 0.15
)

// Level is a divergence level with its threshold.
type Level struct {
	Name      string
	Threshold float64
}

// Levels are the divergence levels, lowest first.
var Levels = []Level{
	{"warning", WarningThreshold},
	{"overfitting", OverfittingThreshold},
	{"critical", CriticalThreshold},
}

// Divergence returns |val - test| / val. A non-finite or non-positive RMSE
// is an error, never a divergence of 0.
func Divergence(valRMSE, testRMSE float64) (float64, error) {
	if !(valRMSE > 0) || math.IsInf(valRMSE, 0) {
		return 0, fmt.Errorf("validation RMSE %v is not a positive finite number", valRMSE)
	}
	if !(testRMSE > 0) || math.IsInf(testRMSE, 0) {
		return 0, fmt.Errorf("test RMSE %v is not a positive finite number", testRMSE)
	}
	return math.Abs(valRMSE-testRMSE) / valRMSE, nil
}

// Reached returns the levels whose threshold d is strictly above, lowest first.
func Reached(d float64) []Level {
	var out []Level
	for _, l := range Levels {
		if d > l.Threshold {
			out = append(out, l)
		}
	}
	return out
}

// LevelOf returns the name of the highest level reached, or "ok".
func LevelOf(d float64) string {
	r := Reached(d)
	if len(r) == 0 {
		return "ok"
	}
	return r[len(r)-1].Name
}

// rmse is the root mean squared difference of pred and actual.
func rmse(pred, actual []float64) float64 {
	if len(pred) == 0 {
		return math.NaN()
	}
	var s float64
	for i, p := range pred {
		d := actual[i] - p
		s += d * d
	}
	return math.Sqrt(s / float64(len(pred)))
}

// mae is the mean absolute difference of pred and actual.
func mae(pred, actual []float64) float64 {
	var s float64
	for i, p := range pred {
		s += math.Abs(actual[i] - p)
	}
	return s / float64(len(pred))
}

// directionalAccuracy is the share of days whose predicted and realised
// returns have the same sign (a zero matching only a zero).
func directionalAccuracy(pred, actual []float64) float64 {
	var hit int
	for i, p := range pred {
		if sign(p) == sign(actual[i]) {
			hit++
		}
	}
	return float64(hit) / float64(len(pred))
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// combine returns sum_i w[i] * cols[i][t] for every t.
func combine(cols [][]float64, w []float64) []float64 {
	out := make([]float64, len(cols[0]))
	for t := range out {
		var s float64
		for i, c := range cols {
			s += w[i] * c[t]
		}
		out[t] = s
	}
	return out
}
