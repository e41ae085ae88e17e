// Package nntest holds the checks every nn.SequenceModel passes on real
// data, shared by the LSTM and Transformer tests.
package nntest

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/forecast/forecasttest"
	"runner/forecast/nn"
	"runner/marketdata"
)

var asOf = time.Date(2023, 12, 29, 0, 0, 0, 0, time.UTC)

// PredictAsOf is the last training bar of the fit-once checks and
// benchmarks: AAPL has 126 bars after it, to 2023-12-29.
var PredictAsOf = time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC)

// LaterDays is the number of bars after PredictAsOf that are predicted.
const LaterDays = 126

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
	ctx := context.Background()
	bars := AAPL(t, 756)
	m, err := newModel(forecast.Options{Seed: 7, Epochs: 10})
	require.NoError(t, err)
	f1, err := m.(*nn.SequenceModel).Train(ctx, bars)
	require.NoError(t, err)
	f2, err := m.(*nn.SequenceModel).Train(ctx, bars)
	require.NoError(t, err)
	d, err := f1.Predict(ctx, bars)
	require.NoError(t, err)
	d2, err := f2.Predict(ctx, bars)
	require.NoError(t, err)
	require.NoError(t, d.Check())
	require.Equal(t, d, d2, "same seed must give a bit-identical forecast")
	h := f1.History
	require.Less(t, h.TrainLoss[len(h.TrainLoss)-1], h.TrainLoss[0], "training loss must fall: %v", h.TrainLoss)
	r := marketdata.LogReturns(bars)
	rv := forecast.RealisedVol(r, 20)[len(r)-1]
	require.InDelta(t, 0, d.Mu, rv, "mu within one realised vol of zero")
	require.True(t, d.Sigma > rv/4 && d.Sigma < rv*4, "sigma %v out of scale for realised vol %v", d.Sigma, rv)
	require.Equal(t, f1.Sigma, d.Sigma, "sigma is the fitted validation-residual sigma")
	t.Logf("mu %.6f sigma %.6f (realised vol %.6f), epochs %d, best %d, loss %v", d.Mu, d.Sigma, rv, h.Epochs, h.BestEpoch, h.TrainLoss)
}

// CheckTooFewBars: a window too short for one training sequence plus a
// validation tail is an error naming the model, not a forecast.
func CheckTooFewBars(t *testing.T, newModel forecast.Constructor) {
	m, err := newModel(forecast.Options{Seed: 1})
	require.NoError(t, err)
	_, err = forecast.Forecast(context.Background(), m, AAPL(t, 30))
	require.ErrorContains(t, err, m.Name()+": 30 bars")
}

// CheckGolden checks that Forecast, and Fit then Predict on the same bars,
// equal the forecasts recorded before the fit/predict split bit for bit
// (forecasttest.Golden, testdata/forecast/golden.json).
func CheckGolden(t *testing.T, name string, newModel forecast.Constructor) {
	m, err := newModel(forecasttest.GoldenOptions)
	require.NoError(t, err)
	t.Run("Forecast", func(t *testing.T) {
		forecasttest.Golden(t, name, func(ctx context.Context, b []marketdata.Bar) (forecast.Distribution, error) {
			return forecast.Forecast(ctx, m, b)
		})
	})
	t.Run("FitPredict", func(t *testing.T) {
		forecasttest.Golden(t, name, func(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
			f, err := m.(forecast.Model).Fit(ctx, bars)
			if err != nil {
				return forecast.Distribution{}, err
			}
			return f.Predict(ctx, bars)
		})
	})
}

// CheckWindow fits m on the 756 AAPL bars to PredictAsOf and checks that
// the window Predict reads from the training bars extended by 0 to 126
// later bars, computed from the fit's tail and the later bars only, and
// from prefixes of the training bars (in-sample predictions), equals the
// last Window rows of forecast.SequenceFeatures over the same bars,
// standardised with the training scaler, bit for bit. Bars that neither
// extend the training bars nor are a prefix of them, and a prefix too
// short for one window, are errors.
func CheckWindow(t *testing.T, m *nn.SequenceModel, window int) {
	ctx := context.Background()
	all := forecasttest.AllBars(t, "AAPL")
	end := marketdata.IndexOf(all, PredictAsOf)
	bars := all[end-755 : end+LaterDays+1]
	f, err := m.Train(ctx, bars[:756])
	require.NoError(t, err)
	for _, n := range []int{window + 1, window + 2, 64, 65, 400, 754, 755,
		756, 757, 758, 760, 761, 762, 775, 776, 777, 781, 816, 756 + LaterDays} {
		got, err := f.Window(bars[:n])
		require.NoError(t, err)
		rows := forecast.SequenceFeatures(bars[:n])
		nf := len(rows[0])
		want := make([]float64, 0, window*nf)
		for _, r := range rows[len(rows)-window:] {
			for j, v := range r {
				want = append(want, f.Scaler.Apply(v, j))
			}
		}
		require.Equal(t, want, got, "%d bars, %d training bars", n, 756)
	}
	_, err = f.Predict(ctx, bars[:window])
	require.ErrorContains(t, err, fmt.Sprintf("predict from %d bars: need at least %d", window, window+1))
	_, err = f.Predict(ctx, bars[1:300])
	require.ErrorContains(t, err, "not a prefix of the training bars")
	_, err = f.Predict(ctx, bars[1:757])
	require.ErrorContains(t, err, "do not extend the training bars")
	// The in-sample predictions of the walk-forward train RMSE.
	in, err := forecast.PredictPath(ctx, f, bars[:755], 64)
	require.NoError(t, err)
	require.Len(t, in, 755-64)
}

// LookAhead runs forecasttest.LookAhead on AAPL for m: fit on the 756 bars
// to PredictAsOf, predict the next 126 days, perturb later bars in trials.
func LookAhead(t *testing.T, m forecast.Model, trials int) {
	forecasttest.LookAhead(t, m, "AAPL", PredictAsOf, 756, LaterDays, trials)
}

// TrainSizes are the training lengths of the fit and predict benchmarks.
var TrainSizes = []int{252, 504, 756}

// predictBars returns the n AAPL bars to PredictAsOf followed by the
// LaterDays later bars.
func predictBars(tb testing.TB, n int) []marketdata.Bar {
	all := forecasttest.AllBars(tb, "AAPL")
	end := marketdata.IndexOf(all, PredictAsOf)
	return all[end-n+1 : end+LaterDays+1]
}

// BenchmarkFit is one fit with early stopping off and 30 epochs on the
// last n AAPL bars to PredictAsOf, n in TrainSizes: the cost that
// BenchmarkPredict is compared with.
func BenchmarkFit(b *testing.B, newModel forecast.Constructor) {
	for _, n := range TrainSizes {
		bars := predictBars(b, n)[:n]
		b.Run(fmt.Sprintf("bars=%d", n), func(b *testing.B) {
			m, err := newModel(forecast.Options{Seed: 1, Epochs: 30, NoEarlyStop: true})
			require.NoError(b, err)
			for b.Loop() {
				_, err := m.(forecast.Model).Fit(context.Background(), bars)
				require.NoError(b, err)
			}
		})
	}
}

// BenchmarkPredict is one Predict for each of the 126 days after
// PredictAsOf, from the fit of BenchmarkFit (done once, outside the timer).
// Medians of 6 runs alternating with BenchmarkFit on the shared 2-core
// machine (load 5-7): predicting the 126 days costs 0.3-1.1% of one fit
// for the LSTM and 0.7-2.9% for the Transformer (the smaller share at 756
// training bars, where the fit is longest).
func BenchmarkPredict(b *testing.B, newModel forecast.Constructor) {
	ctx := context.Background()
	for _, n := range TrainSizes {
		bars := predictBars(b, n)
		b.Run(fmt.Sprintf("bars=%d", n), func(b *testing.B) {
			m, err := newModel(forecast.Options{Seed: 1, Epochs: 30, NoEarlyStop: true})
			require.NoError(b, err)
			f, err := m.(forecast.Model).Fit(ctx, bars[:n])
			require.NoError(b, err)
			for b.Loop() {
				for i := 1; i <= LaterDays; i++ {
					if _, err := f.Predict(ctx, bars[:n+i]); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
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
				_, err := forecast.Forecast(context.Background(), m, bars)
				require.NoError(b, err)
			}
		})
	}
}

// CheckConcurrentPredict fits m on the 756 AAPL bars to PredictAsOf and
// predicts the 126 later days one after the other and then all at once
// from separate goroutines: the predictions are the same, bit for bit
// (Predict serialises its use of the network's scratch space).
func CheckConcurrentPredict(t *testing.T, m forecast.Model) {
	ctx := context.Background()
	bars := predictBars(t, 756)
	f, err := m.Fit(ctx, bars[:756])
	require.NoError(t, err)
	want := make([]forecast.Distribution, LaterDays)
	for i := range want {
		want[i], err = f.Predict(ctx, bars[:757+i])
		require.NoError(t, err)
	}
	got := make([]forecast.Distribution, LaterDays)
	errs := make([]error, LaterDays)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i], errs[i] = f.Predict(ctx, bars[:757+i]) })
	}
	wg.Wait()
	for i := range got {
		require.NoError(t, errs[i])
	}
	require.Equal(t, want, got)
}
