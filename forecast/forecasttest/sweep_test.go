package forecasttest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/forecast/arimagarch"
	"runner/forecast/forecasttest"
	"runner/forecast/gbm"
	"runner/forecast/lstm"
	"runner/forecast/naive"
	"runner/forecast/transformer"
	"runner/marketdata"
)

// sweepEvery is the step in bars between the swept as-of days.
const sweepEvery = 20

// sweepModel is a model of the sweep, fitted at every stride-th swept day.
type sweepModel struct {
	m      forecast.Model
	stride int
}

// sweepModels are the models of the sweep: ARIMA-GARCH (canonical, its
// order search being what the sweep is for), naive, and gradient boosting
// with 20 trees at every swept day; the networks, one epoch, at every 5th
// swept day (every 100th bar), which keeps the test near a minute: one
// epoch reaches every code path of their fit and predict.
func sweepModels(t *testing.T) []sweepModel {
	opts := forecast.Options{Seed: 1, Epochs: 1}
	var ms []sweepModel
	for _, f := range []struct {
		new    func() (forecast.Model, error)
		stride int
	}{
		{func() (forecast.Model, error) { return arimagarch.New(opts) }, 1},
		{func() (forecast.Model, error) { return naive.New(opts) }, 1},
		{func() (forecast.Model, error) { return gbm.NewConfig(gbm.Config{Trees: 20}, opts) }, 1},
		{func() (forecast.Model, error) { return lstm.New(opts) }, 5},
		{func() (forecast.Model, error) { return transformer.New(opts) }, 5},
	} {
		m, err := f.new()
		require.NoError(t, err)
		ms = append(ms, sweepModel{m, f.stride})
	}
	return ms
}

// TestSweepBundledData fits every model on every bundled symbol at every
// 20th as-of day from the first with 756 bars of history, and predicts from
// each fit the 19 days up to the next swept day: every fit and prediction
// must succeed and pass Check (finite, sigma > 0, probabilities summing to
// one). 2,024 symbol-days over the 12 symbols (the networks at 410 of
// them); about 60 s on 2 idle cores, most of it ARIMA-GARCH's order search
// (about 25 ms a fit).
func TestSweepBundledData(t *testing.T) {
	if testing.Short() {
		t.Skip("sweep: skipped with -short")
	}
	entries, err := os.ReadDir(filepath.Join("..", "..", "testdata", "prices"))
	require.NoError(t, err)
	var days atomic.Int64
	start := time.Now()
	t.Cleanup(func() { t.Logf("%d symbol-days in %v", days.Load(), time.Since(start)) })
	for _, e := range entries {
		sym := strings.TrimSuffix(e.Name(), ".csv")
		t.Run(sym, func(t *testing.T) {
			t.Parallel()
			bars := forecasttest.AllBars(t, sym)
			for k, sm := range sweepModels(t) {
				m, name := sm.m, sm.m.Name()
				for end := forecasttest.TrainBars - 1; end < len(bars); end += sm.stride * sweepEvery {
					train := bars[end-forecasttest.TrainBars+1 : end+1]
					f, err := m.Fit(context.Background(), train)
					require.NoError(t, err, "%s %s as of %s", name, sym, day(bars[end]))
					last := min(end+sweepEvery, len(bars)) - 1
					ds, err := forecast.PredictPath(context.Background(), f, bars[end-forecasttest.TrainBars+1:last+1], forecasttest.TrainBars-1)
					require.NoError(t, err, "%s %s predict from %s", name, sym, day(bars[end]))
					for i, d := range ds {
						require.NoError(t, d.Check(), "%s %s predict from %s", name, sym, day(bars[end+i]))
					}
					if k == 0 {
						days.Add(1)
					}
				}
			}
		})
	}
}

func day(b marketdata.Bar) string { return b.Date.Format(time.DateOnly) }
