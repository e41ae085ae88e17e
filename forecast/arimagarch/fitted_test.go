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
	_, err = f.Predict(ctx, bars[1:700])
	require.ErrorContains(t, err, "do not start with the training bars")

	// In sample: one path from the second bar (one return) over the
	// training bars and after them, the same as Predict on every prefix.
	from := 1 + res.P
	path, err := forecast.PredictPath(ctx, f, bars, from)
	require.NoError(t, err)
	require.Len(t, path, 800-from)
	for _, i := range []int{from, 100, 500, 754, 755, 756, 799} {
		d, err := f.Predict(ctx, bars[:i+1])
		require.NoError(t, err)
		require.Equal(t, path[i-from], d, "from bar %d", i)
	}
	_, err = f.Predict(ctx, bars[:from])
	require.ErrorContains(t, err, "arimagarch: SPY: one-step forecasts from")

	m, err := NewOrder(1, 1, forecast.Options{})
	require.NoError(t, err)
	f, err = m.Fit(ctx, bars[:756])
	require.NoError(t, err)
	require.Equal(t, map[string]any{"p": 1, "q": 1, "garch": "1,1", "dist": "normal"}, f.Spec())
	require.Nil(t, f.(*Fitted).Result().Search)
	require.Len(t, Grid(), 9)
	require.Equal(t, Config{P: 2, Q: 1, GARCH: true}, Grid()[7])
}
