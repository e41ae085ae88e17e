package gbm

import (
	"fmt"
	"math"

	"runner/forecast"
)

// Feature layout of DESIGN §3.
const (
	// Lags is the number of lagged returns.
	Lags = 10
	// VolShort and VolLong are the realised-volatility windows.
	VolShort = 5
	VolLong  = 20
	// Features is the number of features per row.
	Features = Lags + 2
)

// FeatureNames names the columns of Design's rows.
func FeatureNames() []string {
	names := make([]string, 0, Features)
	for j := 1; j <= Lags; j++ {
		names = append(names, fmt.Sprintf("ret_lag%d", j))
	}
	return append(names, fmt.Sprintf("vol%d", VolShort), fmt.Sprintf("vol%d", VolLong))
}

// Design builds the regression problem from log returns r (oldest first).
// The row for return index t is
//
//	[r[t], r[t-1], ..., r[t-9], v5[t], v20[t]]
//
// with v_k = forecast.RealisedVol(r, k), for t from VolLong-1 (the first
// index with a full 20-bar window) to len(r)-1. Every row but the last is
// paired with its target r[t+1] in X and y; the last row, which describes the
// as-of bar, is next, the row to forecast from. Every feature at t uses
// returns up to t only.
func Design(r []float64) (X [][]float64, y []float64, next []float64, err error) {
	first := firstRow
	if len(r) < first+2 {
		return nil, nil, nil, fmt.Errorf("gbm: %d returns, need at least %d for one training row", len(r), first+2)
	}
	for i, v := range r {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, nil, fmt.Errorf("gbm: return %d is %v", i, v)
		}
	}
	v5, v20 := forecast.RealisedVol(r, VolShort), forecast.RealisedVol(r, VolLong)
	rows := make([][]float64, 0, len(r)-first)
	flat := make([]float64, (len(r)-first)*Features)
	for t := first; t < len(r); t++ {
		row := flat[:Features:Features]
		flat = flat[Features:]
		for j := 0; j < Lags; j++ {
			row[j] = r[t-j]
		}
		row[Lags], row[Lags+1] = v5[t], v20[t]
		rows = append(rows, row)
	}
	y = make([]float64, 0, len(rows)-1)
	for t := first; t < len(r)-1; t++ {
		y = append(y, r[t+1])
	}
	return rows[:len(rows)-1], y, rows[len(rows)-1], nil
}
