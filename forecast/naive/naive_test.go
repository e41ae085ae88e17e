package naive_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/forecast/forecasttest"
	"runner/forecast/naive"
	"runner/marketdata"
)

// Fit then Predict on the training bars equals, bit for bit, the one-call
// Forecast recorded before the fit/predict split
// (testdata/forecast/golden.json).
func TestFitThenPredictIsGolden(t *testing.T) {
	mm, err := naive.New(forecasttest.GoldenOptions)
	require.NoError(t, err)
	m := mm.(naive.Model)
	forecasttest.Golden(t, naive.Name, func(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
		f, err := m.Fit(ctx, bars)
		if err != nil {
			return forecast.Distribution{}, err
		}
		return f.Predict(ctx, bars)
	})
}

func TestNoLookAhead(t *testing.T) {
	m, err := naive.New(forecast.Options{})
	require.NoError(t, err)
	forecasttest.LookAhead(t, m.(naive.Model), "AAPL", time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC), 756, 126, 10)
}

// The drift stays that of the training bars; the volatility is the root
// mean square of the 20 returns to the as-of bar (computed here directly).
func TestPredictKeepsDriftRecomputesVol(t *testing.T) {
	ctx := context.Background()
	bars := forecasttest.Train(t, "SPY", time.Date(2023, 12, 29, 0, 0, 0, 0, time.UTC), 300)
	m, err := naive.New(forecast.Options{})
	require.NoError(t, err)
	f, err := m.(naive.Model).Fit(ctx, bars[:200])
	require.NoError(t, err)
	require.Equal(t, map[string]any{"vol_bars": 20}, f.Spec())
	r := marketdata.LogReturns(bars)
	var drift float64
	for _, x := range r[:199] {
		drift += x
	}
	drift /= 199
	d, err := f.Predict(ctx, bars[:260])
	require.NoError(t, err)
	var ss float64
	for _, x := range r[259-20 : 259] {
		ss += x * x
	}
	require.InDelta(t, drift, d.Mu, 1e-15)
	require.InEpsilon(t, ss/20, d.Sigma*d.Sigma, 1e-12)
	_, err = f.Predict(ctx, bars[1:260])
	require.ErrorContains(t, err, "do not extend the training bars")
	// In sample: a prefix of the training bars, with the training drift.
	d, err = f.Predict(ctx, bars[:150])
	require.NoError(t, err)
	require.InDelta(t, drift, d.Mu, 1e-15)
	path, err := forecast.PredictPath(ctx, f, bars[:260], 20)
	require.NoError(t, err)
	require.Len(t, path, 240)
	require.Equal(t, d, path[149-20])
	_, err = f.Predict(ctx, bars[:20])
	require.ErrorContains(t, err, "naive: SPY: predict from bar 19 of 20: need at least 20 returns")
}
