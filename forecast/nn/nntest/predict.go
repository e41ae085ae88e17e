package nntest

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast/forecasttest"
	"runner/forecast/nn"
	"runner/marketdata"
)

// PredictParity is testdata/nn/predict_parity.json, written by
// testdata/nn/gen_predict.py with PyTorch 1.13 in float64: the feature rows
// of the 756 AAPL bars to PredictAsOf and the 126 later bars from the row
// of the first window on, the training scaler of those bars, and for each
// model and configuration its weights and its predictions for the windows
// of day 0 (the last training window) to day 126 standardised with that
// scaler.
type PredictParity struct {
	TrainBars    int    `json:"train_bars"`
	FirstDate    string `json:"first_date"`
	AsOf         string `json:"as_of"`
	LastDate     string `json:"last_date"`
	Window       int
	TrainWindows int `json:"train_windows"`
	ValWindows   int `json:"val_windows"`
	Mean, Std    []float64
	FirstRow     int `json:"first_row"`
	Rows         [][]float64
	Models       []PredictCase
}

// PredictCase is one model configuration of PredictParity.
type PredictCase struct {
	Model  string
	Config struct {
		Hidden int
		DModel int `json:"d_model"`
		Heads  int
		FF     int
	}
	Params []struct {
		Name  string
		Shape []int
		Value []float64
	}
	// Z are the predictions in standardised units, Mu in return units.
	Z, Mu []float64
}

// LoadPredictParity reads testdata/nn/predict_parity.json.
func LoadPredictParity(t *testing.T) PredictParity {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "nn", "predict_parity.json"))
	require.NoError(t, err)
	var f PredictParity
	require.NoError(t, json.Unmarshal(b, &f))
	return f
}

// CheckPredictParity fits m (a model of c's configuration; the training is
// irrelevant, one epoch will do) on the training bars of f, checks that
// its scaler is the fixture's bit for bit, replaces its weights by c's and
// predicts day 0 to day 126 from the training bars extended by that many
// later bars: every window equals the fixture's rows standardised with the
// fixture's scaler bit for bit, and the forecasts, in standardised and in
// return units, match PyTorch to 1e-12 absolute. It returns the largest
// differences.
func CheckPredictParity(t *testing.T, m *nn.SequenceModel, f PredictParity, c PredictCase) (maxZ, maxMu float64) {
	const tol = 1e-12
	ctx := context.Background()
	all := forecasttest.AllBars(t, "AAPL")
	end := marketdata.IndexOf(all, PredictAsOf)
	bars := all[end-f.TrainBars+1 : end+LaterDays+1]
	require.Equal(t, f.FirstDate, bars[0].Date.Format(marketdata.DateLayout))
	require.Equal(t, f.AsOf, bars[f.TrainBars-1].Date.Format(marketdata.DateLayout))
	require.Equal(t, f.LastDate, bars[len(bars)-1].Date.Format(marketdata.DateLayout))

	fit, err := m.Train(ctx, bars[:f.TrainBars])
	require.NoError(t, err)
	require.Equal(t, f.TrainWindows, fit.TrainWindows)
	require.Equal(t, f.ValWindows, fit.ValWindows)
	require.Equal(t, f.Mean, fit.Scaler.Mean, "scaler means")
	require.Equal(t, f.Std, fit.Scaler.Std, "scaler standard deviations")
	ps := fit.Net.Params()
	require.Len(t, c.Params, len(ps))
	for i, p := range ps {
		require.Equal(t, c.Params[i].Name, p.Name)
		require.Equal(t, c.Params[i].Shape, p.Shape)
		copy(p.W, c.Params[i].Value)
	}
	require.Len(t, c.Mu, LaterDays+1)
	nf := len(f.Mean)
	for i := range c.Mu {
		n := f.TrainBars + i
		x, err := fit.Window(bars[:n])
		require.NoError(t, err)
		want := make([]float64, 0, f.Window*nf)
		last := n - 1 - f.FirstRow // rows of n bars end before row n-1
		for _, r := range f.Rows[last-f.Window : last] {
			for j, v := range r {
				want = append(want, (v-f.Mean[j])/f.Std[j])
			}
		}
		require.Equal(t, want, x, "window of day %d", i)
		var z [1]float64
		fit.Net.Predict(z[:], x, 1)
		d, err := fit.Predict(ctx, bars[:n])
		require.NoError(t, err)
		maxZ = math.Max(maxZ, math.Abs(z[0]-c.Z[i]))
		maxMu = math.Max(maxMu, math.Abs(d.Mu-c.Mu[i]))
		require.InDelta(t, c.Z[i], z[0], tol, "day %d: standardised forecast vs PyTorch", i)
		require.InDelta(t, c.Mu[i], d.Mu, tol, "day %d: forecast vs PyTorch", i)
	}
	return maxZ, maxMu
}
