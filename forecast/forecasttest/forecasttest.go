// Package forecasttest holds the checks every forecast.Model passes on the
// bundled real data: Forecast equals Fit then Predict bit for bit against
// the outputs recorded before the fit/predict split, and no prediction reads
// a bar after its own day.
package forecasttest

import (
	"context"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/marketdata"
)

// AsOf is the as-of date of the golden forecasts: the last common date of
// the bundled canary symbols.
var AsOf = time.Date(2023, 12, 29, 0, 0, 0, 0, time.UTC)

// Symbols are the canary symbols the golden forecasts cover.
var Symbols = []string{"AAPL", "MSFT", "SPY"}

// TrainBars is the canonical training window.
const TrainBars = 756

// GoldenOptions are the options the golden forecasts were made with: the
// forecast job's default seed, canonical epochs and early stopping.
var GoldenOptions = forecast.Options{Seed: 1}

var update = flag.Bool("update-golden", false, "rewrite testdata/forecast/golden.json from the models' Forecast")

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// AllBars returns every bundled bar of symbol, from testdata/prices.
func AllBars(tb testing.TB, symbol string) []marketdata.Bar {
	tb.Helper()
	bars, err := marketdata.ReadCSVFile(filepath.Join(root(), "testdata", "prices", symbol+".csv"), symbol)
	require.NoError(tb, err)
	return bars
}

// Train returns the n bars of symbol ending at asOf.
func Train(tb testing.TB, symbol string, asOf time.Time, n int) []marketdata.Bar {
	tb.Helper()
	w, err := marketdata.Window(AllBars(tb, symbol), asOf, n)
	require.NoError(tb, err)
	return w
}

// goldenPath holds {model: {symbol: Distribution}}. JSON numbers written by
// encoding/json round-trip float64 exactly.
func goldenPath() string { return filepath.Join(root(), "testdata", "forecast", "golden.json") }

func readGolden(tb testing.TB) map[string]map[string]forecast.Distribution {
	tb.Helper()
	g := map[string]map[string]forecast.Distribution{}
	b, err := os.ReadFile(goldenPath())
	if os.IsNotExist(err) {
		return g
	}
	require.NoError(tb, err)
	require.NoError(tb, json.Unmarshal(b, &g))
	return g
}

// Golden checks that forecast(symbol's 756 bars to AsOf) equals, bit for
// bit, the distribution recorded in testdata/forecast/golden.json for model
// name on each canary symbol. The recorded values are the outputs of the
// models' one-call Forecast before the fit/predict split (commit 21f6984);
// with -update-golden the test records instead of checking.
func Golden(t *testing.T, name string, fc func(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error)) {
	g := readGolden(t)
	got := map[string]forecast.Distribution{}
	for _, sym := range Symbols {
		d, err := fc(context.Background(), Train(t, sym, AsOf, TrainBars))
		require.NoError(t, err, "%s %s", name, sym)
		got[sym] = d
	}
	if *update {
		g[name] = got
		b, err := json.MarshalIndent(g, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(goldenPath()), 0o755))
		require.NoError(t, os.WriteFile(goldenPath(), append(b, '\n'), 0o644))
		return
	}
	want, ok := g[name]
	require.True(t, ok, "no golden forecasts for %s: run with -update-golden on the pre-split code", name)
	for _, sym := range Symbols {
		require.Equal(t, want[sym], got[sym], "%s %s: must equal the recorded forecast bit for bit", name, sym)
	}
}

// LookAhead fits m on the train bars of symbol ending at asOf, then predicts
// each of the next days days, one step at a time, both by Predict on
// bars[:i+1] and by forecast.PredictPath. For trials seeded cut points k it
// perturbs every bar from k on (adjusted close, close and volume scaled by
// random factors, fixed seed) and checks that every prediction made from the
// bars before k is bit-identical, through both routes, and that in some
// trial the prediction made from bar k changes. The perturbed bars
// stay inside the slice's capacity, so an implementation that reads past
// len(bars) is caught too.
func LookAhead(t *testing.T, m forecast.Model, symbol string, asOf time.Time, train, days, trials int) {
	ctx := context.Background()
	all := AllBars(t, symbol)
	end := marketdata.IndexOf(all, asOf)
	require.GreaterOrEqual(t, end, train-1, "%s: %d bars to %s", symbol, end+1, asOf.Format(time.DateOnly))
	require.Less(t, end+days, len(all), "%s: %d bars after %s, need %d", symbol, len(all)-end-1, asOf.Format(time.DateOnly), days)
	bars := append([]marketdata.Bar(nil), all[end-train+1:end+days+1]...)
	fitted, err := m.Fit(ctx, bars[:train])
	require.NoError(t, err)
	base, err := forecast.PredictPath(ctx, fitted, bars, train-1)
	require.NoError(t, err)
	require.Len(t, base, days+1)
	for i, d := range base {
		one, err := fitted.Predict(ctx, bars[:train+i])
		require.NoError(t, err)
		require.Equal(t, d, one, "day %d: PredictPath and Predict differ", i)
		require.NoError(t, d.Check())
	}
	rng := rand.New(rand.NewPCG(uint64(len(symbol)), 12345))
	seen := 0
	for trial := 0; trial < trials; trial++ {
		k := train + rng.IntN(days) // first perturbed bar
		changed := append([]marketdata.Bar(nil), bars...)
		for j := k; j < len(changed); j++ {
			f := 1 + 0.05*rng.NormFloat64()
			if f < 0.5 {
				f = 0.5
			}
			changed[j].AdjClose *= f
			changed[j].Close *= f
			changed[j].Volume *= 1 + rng.Float64()
		}
		path, err := forecast.PredictPath(ctx, fitted, changed, train-1)
		require.NoError(t, err)
		for i := 0; train+i <= k-1; i++ {
			require.Equal(t, base[i], path[i], "trial %d: bars from %d perturbed changed the path prediction from %d bars", trial, k, train+i)
			one, err := fitted.Predict(ctx, changed[:train+i])
			require.NoError(t, err)
			require.Equal(t, base[i], one, "trial %d: bars from %d perturbed changed Predict from %d bars", trial, k, train+i)
		}
		if base[k-train+1] != path[k-train+1] {
			seen++
		}
	}
	// The check must be able to fail: a perturbed bar changes the prediction
	// made from it in some trial (not in every one: a tree model's row can
	// stay on the same side of every split).
	require.Positive(t, seen, "no perturbation changed the prediction made after it in %d trials", trials)
}
