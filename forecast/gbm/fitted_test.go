package gbm

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/forecast/forecasttest"
	"runner/marketdata"
)

// predictAsOf is the last training bar of the fit-once checks: AAPL has
// 126 bars after it, to 2023-12-29.
var predictAsOf = time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC)

const laterDays = 126

// laterBars returns the n AAPL bars to predictAsOf followed by the 126
// later bars.
func laterBars(tb testing.TB, n int) []marketdata.Bar {
	all := forecasttest.AllBars(tb, "AAPL")
	end := marketdata.IndexOf(all, predictAsOf)
	return all[end-n+1 : end+laterDays+1]
}

// TestGolden: Forecast, and Fit then Predict, equal the forecasts recorded
// before the fit/predict split (testdata/forecast/golden.json), bit for bit.
func TestGolden(t *testing.T) {
	m, err := New(forecasttest.GoldenOptions)
	require.NoError(t, err)
	t.Run("Forecast", func(t *testing.T) {
		forecasttest.Golden(t, Name, func(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
			return forecast.Forecast(ctx, m, bars)
		})
	})
	t.Run("FitPredict", func(t *testing.T) {
		forecasttest.Golden(t, Name, func(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
			f, err := m.(forecast.Model).Fit(ctx, bars)
			if err != nil {
				return forecast.Distribution{}, err
			}
			return f.Predict(ctx, bars)
		})
	})
}

// TestRowMatchesDesign: the row Predict builds from the fit's tail and the
// later bars equals Design's next row over all the bars, bit for bit, for
// 0 to 126 bars after the training bars and for every prefix of the
// training bars Design takes (in-sample predictions); bars that neither
// extend the training bars nor are a prefix of them, and a prefix too short
// for a row, are errors.
func TestRowMatchesDesign(t *testing.T) {
	bars := laterBars(t, 756)
	m, err := NewConfig(Config{Trees: 5}, forecast.Options{})
	require.NoError(t, err)
	f, err := m.Train(context.Background(), bars[:756])
	require.NoError(t, err)
	for n := firstRow + 3; n <= 756+laterDays; n++ {
		_, _, want, err := Design(marketdata.LogReturns(bars[:n]))
		require.NoError(t, err)
		got, err := f.row(bars[:n])
		require.NoError(t, err)
		require.Equal(t, want, got, "%d bars, 756 training bars", n)
	}
	_, err = f.row(bars[:firstRow+2])
	require.NoError(t, err, "the first row needs 21 bars, Design one more for a training row")
	_, err = f.Predict(context.Background(), bars[:20])
	require.ErrorContains(t, err, "predict from 20 bars: need at least 21")
	_, err = f.Predict(context.Background(), bars[1:300])
	require.ErrorContains(t, err, "not a prefix of the training bars")
	_, err = f.Predict(context.Background(), bars[1:757])
	require.ErrorContains(t, err, "do not extend the training bars")
	// The in-sample predictions of the walk-forward train RMSE.
	in, err := forecast.PredictPath(context.Background(), f, bars[:755], 64)
	require.NoError(t, err)
	require.Len(t, in, 755-64)
}

// TestLookAhead: no prediction reads a bar after its own day. Six trials:
// in the seventh the first changed bar, 807, is scaled by 1.0036 only, which
// leaves its row on the same side of every split of the 200 trees, so
// the prediction after it is unchanged and LookAhead's check that the
// change is seen fails; TestRowMatchesDesign shows the row does see it.
func TestLookAhead(t *testing.T) {
	m, err := New(forecast.Options{Seed: 1})
	require.NoError(t, err)
	forecasttest.LookAhead(t, m.(forecast.Model), "AAPL", predictAsOf, 756, laterDays, 6)
}

// TestConcurrentPredict: concurrent Predict calls on one fit give the
// serial results.
func TestConcurrentPredict(t *testing.T) {
	ctx := context.Background()
	bars := laterBars(t, 756)
	m, err := NewConfig(Config{Trees: 20}, forecast.Options{Seed: 1})
	require.NoError(t, err)
	f, err := m.Fit(ctx, bars[:756])
	require.NoError(t, err)
	want, err := forecast.PredictPath(ctx, f, bars, 756)
	require.NoError(t, err)
	got := make([]forecast.Distribution, len(want))
	errs := make([]error, len(want))
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

// TestSpecAndGrid: the fit records its boosting settings; the grid is
// DESIGN §5's, canonical first, and the canonical NewConfig is New.
func TestSpecAndGrid(t *testing.T) {
	g := Grid()
	require.Equal(t, []Config{{Trees: 200, MaxDepth: 3, LearningRate: 0.05}, {Trees: 200, MaxDepth: 3, LearningRate: 0.1},
		{Trees: 200, MaxDepth: 2, LearningRate: 0.05}, {Trees: 200, MaxDepth: 2, LearningRate: 0.1}}, g)
	m, err := NewConfig(g[3], forecast.Options{Seed: 4})
	require.NoError(t, err)
	f, err := m.Fit(context.Background(), aaplWindow(t, 120))
	require.NoError(t, err)
	require.Equal(t, map[string]any{"trees": 200, "max_depth": 2, "learning_rate": 0.1, "subsample": 1.0,
		"min_samples_leaf": 1, "holdout": 0.2}, f.Spec())
	require.Equal(t, int64(4), m.cfg.Boost.Seed)
	c, err := NewConfig(g[0], forecast.Options{Seed: 1})
	require.NoError(t, err)
	n, err := New(forecast.Options{Seed: 1})
	require.NoError(t, err)
	require.Equal(t, n, c)
}

// BenchmarkModelFit is one fit of the canonical model (the full ensemble
// and, concurrently, the one before the holdout) on the last n AAPL bars
// to 2023-06-30: the cost BenchmarkPredict is compared with.
func BenchmarkModelFit(b *testing.B) {
	for _, n := range []int{252, 504, 756} {
		bars := laterBars(b, n)[:n]
		b.Run(fmt.Sprintf("bars=%d", n), func(b *testing.B) {
			m, err := New(forecast.Options{Seed: 1})
			require.NoError(b, err)
			for b.Loop() {
				if _, err := m.(forecast.Model).Fit(context.Background(), bars); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPredict is one Predict for each of the 126 days after
// 2023-06-30 from the fit of BenchmarkModelFit (done once, untimed).
// Medians of 6 runs alternating with BenchmarkModelFit on the shared
// 2-core machine (load 5-7): 0.7-0.8 ms, 1.1-2.2% of one fit.
func BenchmarkPredict(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{252, 504, 756} {
		bars := laterBars(b, n)
		b.Run(fmt.Sprintf("bars=%d", n), func(b *testing.B) {
			m, err := New(forecast.Options{Seed: 1})
			require.NoError(b, err)
			f, err := m.(forecast.Model).Fit(ctx, bars[:n])
			require.NoError(b, err)
			for b.Loop() {
				for i := 1; i <= laterDays; i++ {
					if _, err := f.Predict(ctx, bars[:n+i]); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
