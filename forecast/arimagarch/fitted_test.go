package arimagarch

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/forecast/forecasttest"
	"runner/marketdata"
)

func canonical(t testing.TB) *Model {
	m, err := New(forecasttest.GoldenOptions)
	require.NoError(t, err)
	return m.(*Model)
}

// Fit then Predict on the training bars equals, bit for bit, the one-call
// Forecast recorded before the fit/predict split
// (testdata/forecast/golden.json, AAPL, MSFT and SPY as of 2023-12-29).
func TestFitThenPredictIsGolden(t *testing.T) {
	m := canonical(t)
	forecasttest.Golden(t, Name, func(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
		f, err := m.Fit(ctx, bars)
		if err != nil {
			return forecast.Distribution{}, err
		}
		return f.Predict(ctx, bars)
	})
}

// No prediction reads a bar after its own day, through Predict or
// PredictPath, and the two agree bit for bit.
func TestNoLookAhead(t *testing.T) {
	asOf := time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC)
	for _, sym := range []string{"AAPL", "SPY"} {
		t.Run(sym, func(t *testing.T) {
			forecasttest.LookAhead(t, canonical(t), sym, asOf, 756, 126, 10)
		})
	}
}

// Spec records the chosen order; Predict refuses bars that do not extend
// the training bars; NewOrder fits the order it is given.
func TestFittedSpecAndSpan(t *testing.T) {
	ctx := context.Background()
	bars := forecasttest.Train(t, "SPY", forecasttest.AsOf, 800)
	f, err := canonical(t).Fit(ctx, bars[:756])
	require.NoError(t, err)
	res := f.(*Fitted).Result()
	require.Equal(t, map[string]any{"p": res.P, "q": res.Q, "garch": "1,1", "dist": "normal"}, f.Spec())
	_, err = f.Predict(ctx, bars[1:800])
	require.ErrorContains(t, err, "do not extend the training bars")
	_, err = f.Predict(ctx, bars[:700])
	require.ErrorContains(t, err, "predict from 700 bars: the fit was on 756")
	_, err = forecast.PredictPath(ctx, f, bars, 700)
	require.ErrorContains(t, err, "arimagarch: SPY: predict from bar 700 of 800: the fit was on the first 756")

	m, err := NewOrder(1, 1, forecast.Options{})
	require.NoError(t, err)
	f, err = m.Fit(ctx, bars[:756])
	require.NoError(t, err)
	require.Equal(t, map[string]any{"p": 1, "q": 1, "garch": "1,1", "dist": "normal"}, f.Spec())
	require.Nil(t, f.(*Fitted).Result().Search)
	require.Len(t, Grid(), 9)
	require.Equal(t, Config{P: 2, Q: 1, GARCH: true}, Grid()[7])
}
