package report_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/marketdata"
	"runner/store"
)

// prices are the bundled real daily bars.
const prices = "../testdata/prices"

// lastAsOf is the last as-of date of the fixture: its next bar, 2023-12-29,
// is the last of the bundled data.
var lastAsOf = time.Date(2023, 12, 28, 0, 0, 0, 0, time.UTC)

// fixtureSymbols are the canary's symbols.
var fixtureSymbols = []string{"AAPL", "MSFT", "SPY"}

// fixture is what fill wrote.
type fixture struct {
	store    store.Store
	from, to time.Time // as-of dates of the forecasts
	windows  int       // walk-forward windows per symbol
	reverted int       // weights rows that reverted, over every symbol and ensemble
}

// fill writes through the store, for each of the symbols, what daily runs
// over the last days as-of dates up to lastAsOf write: both ensembles'
// forecasts matured by the real next bar (the forecast a 20-bar mean and
// volatility of the real returns, legacy's a little wider; calibrated
// intervals 1.2 times the raw and P(up) shrunk toward 1/2 by a calibration
// row), one walk-forward window per 21 bars with its weight decision (the
// divergence cycling through 5%..40%, so some revert), and a succeeded,
// a partial and a failed run.
func fill(tb testing.TB, s store.Store, symbols []string, days int) fixture {
	tb.Helper()
	ctx := context.Background()
	fx := fixture{store: s}
	run := store.Run{Kind: "forecast", Mode: "canary", AsOf: lastAsOf, Status: store.RunRunning, Symbols: symbols,
		StartedAt: lastAsOf.Add(21 * time.Hour)}
	require.NoError(tb, s.StartRun(ctx, &run))
	for _, sym := range symbols {
		bars, err := marketdata.CSVSource{Dir: prices}.Bars(ctx, sym)
		require.NoError(tb, err)
		last := marketdata.IndexOf(bars, lastAsOf)
		require.GreaterOrEqual(tb, last-days+1, 21, "%s: bars before the first as-of date", sym)
		first := last - days + 1
		fx.from, fx.to = bars[first].Date, bars[last].Date
		cal := map[string]int64{}
		for _, e := range []forecast.Ensemble{forecast.Candidate, forecast.Legacy} {
			c := store.Calibration{RunID: run.ID, Symbol: sym, Horizon: "1D", Ensemble: e.Name, Method: "conformal+platt",
				Parameters: map[string]any{"q_lo": -1.97, "q_hi": 1.97}, SampleFrom: bars[first-250].Date,
				SampleTo: bars[first].Date, NSamples: 250}
			require.NoError(tb, s.SaveCalibration(ctx, &c))
			cal[e.Name] = c.ID
		}
		var fs []store.Forecast
		var rs []store.RealisedReturn
		for i := first; i <= last; i++ {
			ret := func(k int) float64 { return math.Log(bars[k].AdjClose / bars[k-1].AdjClose) }
			var sum, sq float64
			for k := i - 19; k <= i; k++ {
				sum += ret(k)
			}
			mean := sum / 20
			for k := i - 19; k <= i; k++ {
				sq += (ret(k) - mean) * (ret(k) - mean)
			}
			vol := math.Sqrt(sq / 19)
			for j, e := range []forecast.Ensemble{forecast.Candidate, forecast.Legacy} {
				mu, sigma := mean*(0.5+0.2*float64(j)), vol*(1+0.1*float64(j))
				d := forecast.Normal(mu, sigma, forecast.DefaultNeutralBand)
				pUpRaw := 1 - (d.PBear + d.PNeutral/2)
				pUp := 0.5 + 0.6*(pUpRaw-0.5)
				lo, hi := mu-1.645*sigma, mu+1.645*sigma
				id := cal[e.Name]
				fs = append(fs, store.Forecast{RunID: run.ID, Symbol: sym, Horizon: "1D", AsOf: bars[i].Date,
					TargetDate: bars[i+1].Date, Ensemble: e.Name, Served: j == 1, LastPrice: bars[i].AdjClose, Return: mu,
					Price: bars[i].AdjClose * math.Exp(mu), Volatility: sigma, PBear: d.PBear, PNeutral: d.PNeutral,
					PBull: d.PBull, Label: string(d.Label()), Confidence: d.Confidence(), Agreement: 1,
					CILower: mu - 1.2*1.645*sigma, CIUpper: mu + 1.2*1.645*sigma, CILowerRaw: &lo, CIUpperRaw: &hi,
					PUp: &pUp, PUpRaw: &pUpRaw, CalibrationID: &id, ModelsUsed: e.Models(), Weights: e.DefaultWeights(),
					DataHash: fmt.Sprintf("%s-%d", sym, i), TrainBars: 756, Seed: 1, CodeVersion: "test"})
			}
			rs = append(rs, store.RealisedReturn{Symbol: sym, Horizon: "1D", AsOf: bars[i].Date, Return: ret(i + 1)})
		}
		require.NoError(tb, s.SaveForecasts(ctx, fs))
		_, err = s.SetRealisedReturns(ctx, rs)
		require.NoError(tb, err)

		var ws []store.ValidationWindow
		fx.windows = 0
		for i, w := first, 0; i <= last; i, w = i+21, w+1 {
			fx.windows++
			for j, e := range []forecast.Ensemble{forecast.Candidate, forecast.Legacy} {
				div := 0.05 + 0.35*math.Abs(math.Sin(float64(3*w+j)))
				val := 0.012 + 0.001*float64(j)
				m := store.ValidationMetrics{Symbol: sym, SymbolID: sym, Horizon: "1D", ValidationDate: bars[i].Date,
					WindowID: 100 + w, ValRMSE: val, TestRMSE: val * (1 + div), Divergence: div, ModelCount: len(e.Members),
					ModelsUsed: e.Models(), IsOverfitting: div > 0.20}
				weights, source := map[string]float64{}, store.WeightsCalibrated
				for k, mem := range e.Members {
					weights[mem.Model] = mem.Weight + 0.1*float64(k%2*2-1)*float64(w%3)/2
				}
				calibrated := weights
				if div > 0.15 {
					weights, source = e.DefaultWeights(), store.WeightsReverted
					fx.reverted++
				}
				ws = append(ws, store.ValidationWindow{Ensemble: e.Name, Metrics: m, Weights: &store.EnsembleWeights{
					RunID: run.ID, Method: source, Source: source, Weights: weights, Calibrated: calibrated,
					ValRMSE: m.ValRMSE, TestRMSE: m.TestRMSE, Divergence: div, EffectiveAt: bars[i].Date.Add(18 * time.Hour)}})
			}
		}
		require.NoError(tb, s.SaveValidationWindows(ctx, ws))
	}
	run.Status, run.FinishedAt = store.RunSucceeded, run.StartedAt.Add(3*time.Minute)
	require.NoError(tb, s.FinishRun(ctx, &run))
	for i, st := range []store.RunStatus{store.RunPartial, store.RunFailed} {
		r := store.Run{Kind: "validate", Mode: "candidate,legacy", AsOf: lastAsOf, Status: store.RunRunning, Symbols: symbols,
			StartedAt: run.StartedAt.Add(time.Duration(i+1) * time.Hour)}
		require.NoError(tb, s.StartRun(ctx, &r))
		r.Status, r.FinishedAt = st, r.StartedAt.Add(90*time.Second)
		r.SymbolErrors = map[string]string{symbols[0]: "lstm: did not converge"}
		require.NoError(tb, s.FinishRun(ctx, &r))
	}
	return fx
}
