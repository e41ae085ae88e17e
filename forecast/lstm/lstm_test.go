package lstm

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/marketdata"
)

// aaplBars returns the 756 AAPL bars up to 2023-12-29 (the canonical
// training window of DESIGN §3).
func aaplBars(tb testing.TB) []marketdata.Bar {
	tb.Helper()
	bars, err := marketdata.ReadCSVFile("../../testdata/prices/AAPL.csv", "AAPL")
	require.NoError(tb, err)
	asOf := time.Date(2023, 12, 29, 0, 0, 0, 0, time.UTC)
	w, err := marketdata.Window(bars, asOf, 756)
	require.NoError(tb, err)
	return w
}

// TestFitAAPL trains on AAPL to 2023-12-29 twice with the same seed: the
// forecast is finite and passes Check, the training loss falls, and the
// two forecasts are bit-identical. The scale check compares sigma with
// the 20-bar realised volatility of the same returns (forecast.RealisedVol,
// about 0.01 for AAPL in December 2023): a residual sigma within a factor
// of 4 of it.
func TestFitAAPL(t *testing.T) {
	bars := aaplBars(t)
	m, err := New(forecast.Options{Seed: 7, Epochs: 10})
	require.NoError(t, err)
	f1, err := m.(*Model).Fit(context.Background(), bars)
	require.NoError(t, err)
	f2, err := m.(*Model).Fit(context.Background(), bars)
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

// BenchmarkTrain is one full training with early stopping off and 30
// epochs, batch 32, on the last N AAPL bars to 2023-12-29; N = 756 is the
// canonical training of the speed comparison in DESIGN §3.
func BenchmarkTrain(b *testing.B) {
	all, err := marketdata.ReadCSVFile("../../testdata/prices/AAPL.csv", "AAPL")
	require.NoError(b, err)
	asOf := time.Date(2023, 12, 29, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{252, 756, 1512} {
		bars, err := marketdata.Window(all, asOf, n)
		require.NoError(b, err)
		b.Run(fmt.Sprintf("bars=%d", n), func(b *testing.B) {
			m, err := New(forecast.Options{Seed: 1, Epochs: 30, NoEarlyStop: true})
			require.NoError(b, err)
			for b.Loop() {
				_, err := m.Forecast(context.Background(), bars)
				require.NoError(b, err)
			}
		})
	}
}

// TestFitTooFewBars: a window too short for one training sequence plus a
// validation tail is an error, not a forecast.
func TestFitTooFewBars(t *testing.T) {
	bars := aaplBars(t)
	m, err := New(forecast.Options{Seed: 1})
	require.NoError(t, err)
	_, err = m.Forecast(context.Background(), bars[len(bars)-30:])
	require.ErrorContains(t, err, "lstm: 30 bars")
}
