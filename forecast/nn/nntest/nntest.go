// Package nntest holds the checks every nn.SequenceModel passes on real
// data, shared by the LSTM and Transformer tests.
package nntest

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/forecast/nn"
	"runner/marketdata"
)

var asOf = time.Date(2023, 12, 29, 0, 0, 0, 0, time.UTC)

// AAPL returns the last n AAPL bars up to 2023-12-29 from testdata/prices.
func AAPL(tb testing.TB, n int) []marketdata.Bar {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "prices", "AAPL.csv")
	bars, err := marketdata.ReadCSVFile(path, "AAPL")
	require.NoError(tb, err)
	w, err := marketdata.Window(bars, asOf, n)
	require.NoError(tb, err)
	return w
}

// CheckFitAAPL trains on the 756 AAPL bars to 2023-12-29 twice with the same
// seed: the forecast is finite and passes Check, the training loss falls,
// and the two forecasts are bit-identical. The scale check compares sigma
// with the 20-bar realised volatility of the same returns
// (forecast.RealisedVol, about 0.01 for AAPL in December 2023): a residual
// sigma within a factor of 4 of it, and mu within one realised vol of zero.
func CheckFitAAPL(t *testing.T, newModel forecast.Constructor) {
	bars := AAPL(t, 756)
	m, err := newModel(forecast.Options{Seed: 7, Epochs: 10})
	require.NoError(t, err)
	f1, err := m.(*nn.SequenceModel).Fit(context.Background(), bars)
	require.NoError(t, err)
	f2, err := m.(*nn.SequenceModel).Fit(context.Background(), bars)
	require.NoError(t, err)
	d := f1.Distribution
	require.NoError(t, d.Check())
	require.Equal(t, d, f2.Distribution, "same seed must give a bit-identical forecast")
	h := f1.History
	require.Less(t, h.TrainLoss[len(h.TrainLoss)-1], h.TrainLoss[0], "training loss must fall: %v", h.TrainLoss)
	r := marketdata.LogReturns(bars)
	rv := forecast.RealisedVol(r, 20)[len(r)-1]
	require.InDelta(t, 0, d.Mu, rv, "mu within one realised vol of zero")
	require.True(t, d.Sigma > rv/4 && d.Sigma < rv*4, "sigma %v out of scale for realised vol %v", d.Sigma, rv)
	t.Logf("mu %.6f sigma %.6f (realised vol %.6f), epochs %d, best %d, loss %v", d.Mu, d.Sigma, rv, h.Epochs, h.BestEpoch, h.TrainLoss)
}

// CheckTooFewBars: a window too short for one training sequence plus a
// validation tail is an error naming the model, not a forecast.
func CheckTooFewBars(t *testing.T, newModel forecast.Constructor) {
	m, err := newModel(forecast.Options{Seed: 1})
	require.NoError(t, err)
	_, err = m.Forecast(context.Background(), AAPL(t, 30))
	require.ErrorContains(t, err, m.Name()+": 30 bars")
}

// BenchmarkTrain is one full training with early stopping off and 30
// epochs, batch 32, on the last N AAPL bars to 2023-12-29; N = 756 is the
// canonical training of the speed comparison in DESIGN §3.
func BenchmarkTrain(b *testing.B, newModel forecast.Constructor) {
	for _, n := range []int{252, 756, 1512} {
		bars := AAPL(b, n)
		b.Run(fmt.Sprintf("bars=%d", n), func(b *testing.B) {
			m, err := newModel(forecast.Options{Seed: 1, Epochs: 30, NoEarlyStop: true})
			require.NoError(b, err)
			for b.Loop() {
				_, err := m.Forecast(context.Background(), bars)
				require.NoError(b, err)
			}
		})
	}
}
