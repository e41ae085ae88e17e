package lstm

import (
	"context"
	"math"
	"testing"
	"time"

	"runner/forecast"
	"runner/marketdata"
)

// aaplBars returns the 756 AAPL bars up to 2023-12-29 (the canonical
// training window of DESIGN §3).
func aaplBars(tb testing.TB) []marketdata.Bar {
	tb.Helper()
	bars, err := marketdata.ReadCSVFile("../../testdata/prices/AAPL.csv", "AAPL")
	if err != nil {
		tb.Fatal(err)
	}
	asOf := time.Date(2023, 12, 29, 0, 0, 0, 0, time.UTC)
	w, err := marketdata.Window(bars, asOf, 756)
	if err != nil {
		tb.Fatal(err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	f1, err := m.(*Model).Fit(context.Background(), bars)
	if err != nil {
		t.Fatal(err)
	}
	f2, err := m.(*Model).Fit(context.Background(), bars)
	if err != nil {
		t.Fatal(err)
	}
	d := f1.Distribution
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	if d != f2.Distribution {
		t.Fatalf("same seed, different forecasts: %+v and %+v", d, f2.Distribution)
	}
	h := f1.History
	if !(h.TrainLoss[len(h.TrainLoss)-1] < h.TrainLoss[0]) {
		t.Fatalf("training loss did not fall: %v", h.TrainLoss)
	}
	r := marketdata.LogReturns(bars)
	rv := forecast.RealisedVol(r, 20)[len(r)-1]
	if d.Sigma < rv/4 || d.Sigma > rv*4 || math.Abs(d.Mu) > rv {
		t.Fatalf("forecast mu %v sigma %v out of scale for realised vol %v", d.Mu, d.Sigma, rv)
	}
	t.Logf("mu %.6f sigma %.6f (realised vol %.6f), epochs %d, best %d, loss %v", d.Mu, d.Sigma, rv, h.Epochs, h.BestEpoch, h.TrainLoss)
}

// BenchmarkTrain is one full canonical training on AAPL (756 bars, 30
// epochs, batch 32, early stopping off) as in the speed comparison of
// DESIGN §3.
func BenchmarkTrain(b *testing.B) {
	bars := aaplBars(b)
	m, err := New(forecast.Options{Seed: 1, Epochs: 30, NoEarlyStop: true})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := m.Forecast(context.Background(), bars); err != nil {
			b.Fatal(err)
		}
	}
}
