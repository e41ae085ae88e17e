package cli

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/marketdata"
	"runner/store"
	"runner/store/postgres"
	"runner/store/sqlite"
	"runner/store/storetest"
	"runner/walkforward"
)

// csvBars reads one symbol's bundled bars.
func csvBars(t *testing.T, sym string) []marketdata.Bar {
	t.Helper()
	bars, err := marketdata.ReadCSVFile(filepath.Join(prices, sym+".csv"), sym)
	require.NoError(t, err)
	return bars
}

// requireTime compares instants: PostgreSQL's ValidationMetrics returns
// times in time.Local, the other reads in UTC.
func requireTime(t *testing.T, want, got time.Time, msg string) {
	t.Helper()
	require.True(t, want.Equal(got), "%s: want %v, got %v", msg, want, got)
}

// barIndex is the index of the last bar on or before d.
func barIndex(bars []marketdata.Bar, d time.Time) int {
	i := len(bars) - 1
	for i >= 0 && bars[i].Date.After(d) {
		i--
	}
	return i
}

func vdate(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// designDefaults are the default weights of DESIGN §4, copied from the
// table rather than from forecast, so that a changed default is caught.
var designDefaults = map[string]map[string]float64{
	"candidate": {"arima_garch": 0.50, "lstm": 0.50},
	"legacy":    {"arima_garch": 0.20, "gb": 0.35, "lstm": 0.25, "transformer": 0.20},
}

var designMembers = map[string][]string{
	"candidate": {"arima_garch", "lstm"},
	"legacy":    {"arima_garch", "gb", "lstm", "transformer"},
}

// The acceptance run of issue 11: three symbols, the three latest windows,
// the canonical grid; two epochs keep the learned models quick (the point
// is the rows, not the fit).
var (
	acceptanceArgs    = []string{"validate", "--symbols", "AAPL,MSFT,SPY", "--windows", "3", "--epochs", "2", "--workers", "2"}
	acceptanceSymbols = []string{"AAPL", "MSFT", "SPY"}
	// The default as-of: the last date all three have (AAPL's and MSFT's
	// CSVs end there, SPY's runs to 2024-01-30).
	acceptanceAsOf = vdate("2023-12-29")
)

// tolerances of the metrics read back against numbers recomputed from the
// stored predictions.
type tolerances struct {
	rmse float64 // train/val/test RMSE and MAE
	div  float64 // divergence
	da   float64 // directional accuracy
}

var (
	// SQLite stores REAL: the RMSEs differ from those of the stored
	// mixture means only because forecast.Combine divides the weights by
	// their sum (1 up to rounding); the divergence from the stored RMSEs
	// and the directional accuracy (a count over 126) are exact.
	sqliteTol = tolerances{rmse: 1e-15, div: 0, da: 0}
	// PostgreSQL: DECIMAL(12,6) RMSEs and MAE, DECIMAL(8,6) divergence,
	// DECIMAL(5,4) directional accuracy: half a unit of the last place.
	postgresTol = tolerances{rmse: 5e-7 + 1e-15, div: 5e-7 + 1e-12, da: 5e-5 + 1e-15}
)

// written is what a run left in the store, for comparing two runs.
type written struct {
	runID   int64
	metrics []store.ValidationMetrics
	alerts  []store.DivergenceAlert
	preds   []store.ValidationPrediction
	weights []store.EnsembleWeights
}

var runLine = regexp.MustCompile(`(?m)^run (\d+): (\w+)$`)

// runAcceptance runs the acceptance command against url and returns the id
// of its run.
func runAcceptance(t *testing.T, url string) int64 {
	t.Helper()
	code, out, stderr := run(t, append([]string{"--database-url", url, "--data", prices}, acceptanceArgs...)...)
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	m := runLine.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	require.Equal(t, "succeeded", m[2])
	id, err := strconv.ParseInt(m[1], 10, 64)
	require.NoError(t, err)
	return id
}

// checkAcceptance checks every row the acceptance run wrote against the
// CSV bars and the stored predictions, and returns them.
func checkAcceptance(t *testing.T, s store.Store, runID int64, tol tolerances) written {
	t.Helper()
	ctx := context.Background()
	w := written{runID: runID}
	for _, sym := range acceptanceSymbols {
		bars := csvBars(t, sym)
		last := barIndex(bars, acceptanceAsOf)
		metrics, err := s.ValidationMetrics(ctx, sym, "1D")
		require.NoError(t, err)
		require.Len(t, metrics, 3*2, "%s: 3 windows x 2 ensembles", sym)
		alerts, err := s.DivergenceAlerts(ctx, sym, "1D")
		require.NoError(t, err)
		w.metrics, w.alerts = append(w.metrics, metrics...), append(w.alerts, alerts...)
		var wantAlerts int
		for k := range 3 {
			// Windows step back by 21 bars from the as-of; the last test bar
			// of the first full window (index 755+126+126 = 1007) has id 0.
			end := last - (2-k)*walkforward.DefaultStep
			for i, ens := range []string{"candidate", "legacy"} {
				m := metrics[2*k+i]
				name := windowName(sym, ens, end-1007)
				wantAlerts += checkWindowRow(t, s, name, bars, end, ens, m, alerts, runID, tol)
			}
		}
		require.Len(t, alerts, wantAlerts, "%s: no alert beyond the levels reached", sym)

		for _, ens := range []string{"candidate", "legacy"} {
			hist, err := s.WeightsHistory(ctx, sym, "1D", ens)
			require.NoError(t, err)
			require.Len(t, hist, 3, "%s %s: one weights row per window", sym, ens)
			for k, h := range hist {
				m := metrics[2*k+slices.Index([]string{"candidate", "legacy"}, ens)]
				require.Equal(t, m.WindowID, h.WindowID)
				requireTime(t, m.ValidationDate, h.ValidationDate, "")
				requireTime(t, m.ValidationDate, h.EffectiveAt, "in force from the window's validation date")
				require.Equal(t, runID, h.RunID)
				require.InDelta(t, m.ValRMSE, h.ValRMSE, tol.rmse)
				require.InDelta(t, m.TestRMSE, h.TestRMSE, tol.rmse)
				require.InDelta(t, m.Divergence, h.Divergence, tol.div)
				cal := hyperWeights(t, m)
				require.Equal(t, cal, h.Calibrated)
				if h.Divergence > 0.15 {
					require.Equal(t, store.WeightsReverted, h.Source, windowName(sym, ens, h.WindowID))
					require.Equal(t, designDefaults[ens], h.Weights)
				} else {
					require.Equal(t, store.WeightsCalibrated, h.Source, windowName(sym, ens, h.WindowID))
					require.Equal(t, cal, h.Weights)
				}
				if k == 0 {
					require.Nil(t, h.Previous)
				} else {
					require.Equal(t, hist[k-1].Weights, h.Previous)
				}
			}
			cur, err := s.CurrentWeights(ctx, sym, "1D", ens, acceptanceAsOf)
			require.NoError(t, err)
			require.Equal(t, hist[2], cur, "%s %s: the latest window's row is current", sym, ens)
			w.weights = append(w.weights, hist...)
		}
		preds, err := s.ValidationPredictions(ctx, store.ValidationPredictionFilter{Symbol: sym})
		require.NoError(t, err)
		// Per window 126 validation and 126 test days, for each member and
		// the ensemble: candidate 2+1, legacy 4+1 predSeries.
		require.Len(t, preds, 3*252*(3+5))
		w.preds = append(w.preds, preds...)
	}
	require.Len(t, w.metrics, 18)
	return w
}

func windowName(sym, ens string, id int) string {
	return sym + " " + ens + " window " + strconv.Itoa(id)
}

// hyperWeights returns the calibrated weights recorded in hyperparameters.
func hyperWeights(t *testing.T, m store.ValidationMetrics) map[string]float64 {
	t.Helper()
	raw, ok := m.Hyperparameters["weights"].(map[string]any)
	require.True(t, ok, "hyperparameters.weights: %v", m.Hyperparameters)
	out := map[string]float64{}
	for k, v := range raw {
		out[k] = v.(float64)
	}
	return out
}

// predSeries is one model's predictions of one span, by target date.
type predSeries []store.ValidationPrediction

func (s predSeries) mus() []float64 {
	out := make([]float64, len(s))
	for i, p := range s {
		out[i] = p.Mu
	}
	return out
}

func (s predSeries) realised() []float64 {
	out := make([]float64, len(s))
	for i, p := range s {
		out[i] = p.Realised
	}
	return out
}

// rmse, mae and the directional accuracy written out here, independently
// of walkforward's.
func refRMSE(pred, actual []float64) float64 {
	var s float64
	for i := range pred {
		d := actual[i] - pred[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(pred)))
}

func refMAE(pred, actual []float64) float64 {
	var s float64
	for i := range pred {
		s += math.Abs(actual[i] - pred[i])
	}
	return s / float64(len(pred))
}

func sameSign(a, b float64) bool {
	return (a > 0 && b > 0) || (a < 0 && b < 0) || (a == 0 && b == 0)
}

// checkWindowRow checks one metrics row (every one of its 24 columns), its
// alerts and its predictions, and returns how many alerts it should have.
func checkWindowRow(t *testing.T, s store.Store, name string, bars []marketdata.Bar, end int, ens string,
	m store.ValidationMetrics, alerts []store.DivergenceAlert, runID int64, tol tolerances) int {
	t.Helper()
	sym := bars[0].Symbol
	first := end - 1007 // first training bar
	require.NotZero(t, m.ID, name)
	require.Equal(t, sym, m.Symbol, name)
	require.Equal(t, sym, m.SymbolID, name)
	require.Equal(t, "1D", m.Horizon, name)
	requireTime(t, bars[end].Date, m.ValidationDate, name)
	require.Equal(t, end-1007, m.WindowID, name)
	require.Equal(t, len(designMembers[ens]), m.ModelCount, name)
	require.Equal(t, 0.20, m.DivergenceThreshold, name)
	for _, p := range []*int{m.NTrainSamples, m.NValSamples, m.NTestSamples, m.DataSpanDays} {
		require.NotNil(t, p, name)
	}
	// 756 training bars give 755 returns; 126 validation and 126 test days.
	require.Equal(t, []int{755, 126, 126}, []int{*m.NTrainSamples, *m.NValSamples, *m.NTestSamples}, name)
	// Calendar days from the first training bar to the last test bar, from
	// the CSV (dates are UTC midnights, so the division is exact).
	require.Equal(t, int(bars[end].Date.Sub(bars[first].Date)/(24*time.Hour)), *m.DataSpanDays, name)
	require.NotNil(t, m.TrainRMSE, name)
	require.Greater(t, *m.TrainRMSE, 0.0, name)
	require.NotNil(t, m.DirectionalAccuracy, name)
	require.NotNil(t, m.MeanAbsoluteError, name)
	require.NotNil(t, m.TrainedAt, name)
	require.False(t, m.TrainedAt.IsZero(), name)
	require.False(t, m.CreatedAt.IsZero(), name)
	require.False(t, m.UpdatedAt.IsZero(), name)
	require.NotNil(t, m.Hyperparameters, name)

	ctx := context.Background()
	preds, err := s.ValidationPredictions(ctx, store.ValidationPredictionFilter{Symbol: sym, Ensemble: ens})
	require.NoError(t, err)
	byModel := map[string]map[string]predSeries{}
	for _, p := range preds {
		if p.WindowID != m.WindowID {
			continue
		}
		if byModel[p.Model] == nil {
			byModel[p.Model] = map[string]predSeries{}
		}
		byModel[p.Model][p.Span] = append(byModel[p.Model][p.Span], p)
	}
	var predicted []string
	for model := range byModel {
		if model != store.EnsembleModel {
			predicted = append(predicted, model)
		}
	}
	slices.Sort(predicted)
	// Every member took part here (none failed, or the run would not have
	// succeeded): models_used is the members, and exactly they have
	// predictions.
	require.Equal(t, designMembers[ens], m.ModelsUsed, name)
	require.Equal(t, designMembers[ens], predicted, name)

	// The ensemble's one-step predictions: validation targets the bars
	// end-251..end-126, test end-125..end, each made from the bar before;
	// realised is ln(adj[j]/adj[j-1]) from the CSV.
	ensVal, ensTest := byModel[store.EnsembleModel][store.SpanValidation], byModel[store.EnsembleModel][store.SpanTest]
	require.Len(t, ensVal, 126, name)
	require.Len(t, ensTest, 126, name)
	for i, p := range append(append(predSeries{}, ensVal...), ensTest...) {
		j := end - 251 + i
		requireTime(t, bars[j].Date, p.TargetDate, name)
		requireTime(t, bars[j-1].Date, p.AsOf, name)
		require.Equal(t, math.Log(bars[j].AdjClose/bars[j-1].AdjClose), p.Realised, name)
	}
	valR := refRMSE(ensVal.mus(), ensVal.realised())
	testR := refRMSE(ensTest.mus(), ensTest.realised())
	require.InDelta(t, valR, m.ValRMSE, tol.rmse, name)
	require.InDelta(t, testR, m.TestRMSE, tol.rmse, name)
	require.InDelta(t, refMAE(ensTest.mus(), ensTest.realised()), *m.MeanAbsoluteError, tol.rmse, name)
	var hits int
	for _, p := range ensTest {
		if sameSign(p.Mu, p.Realised) {
			hits++
		}
	}
	require.InDelta(t, float64(hits)/126, *m.DirectionalAccuracy, tol.da, name)
	// divergence = |val - test| / val, from the stored RMSEs (exact on
	// SQLite; on PostgreSQL their rounding propagates: at most
	// tol.rmse (1 + test/val) / val more) and from the predictions.
	storedTol := 0.0
	if tol.div > 0 {
		storedTol = tol.div + tol.rmse*(1+m.TestRMSE/m.ValRMSE)/m.ValRMSE
	}
	require.InDelta(t, math.Abs(m.ValRMSE-m.TestRMSE)/m.ValRMSE, m.Divergence, storedTol, name)
	div := math.Abs(valR-testR) / valR
	require.InDelta(t, div, m.Divergence, tol.div+1e-13, name)
	require.Equal(t, m.Divergence > 0.20, m.IsOverfitting, name)

	// hyperparameters: the calibrated weights over the models used, on the
	// simplex, that mix the members' stored predictions into the
	// ensemble's; each model's chosen configuration is a point of its
	// canonical grid, with the lowest validation RMSE of its trials, and
	// that RMSE is the one of its stored validation predictions.
	h := m.Hyperparameters
	require.Equal(t, "canonical", h["grid"], name)
	require.Equal(t, 2.0, h["epochs"], name)
	require.Equal(t, 1.0, h["seed"], name)
	weights := hyperWeights(t, m)
	require.Len(t, weights, len(m.ModelsUsed), name)
	var sum float64
	for _, model := range m.ModelsUsed {
		x, ok := weights[model]
		require.True(t, ok, "%s: no weight for %s", name, model)
		require.GreaterOrEqual(t, x, 0.0, name)
		sum += x
	}
	require.InDelta(t, 1, sum, 1e-12, name)
	for _, span := range []string{store.SpanValidation, store.SpanTest} {
		for i, p := range byModel[store.EnsembleModel][span] {
			var mu float64
			for _, model := range m.ModelsUsed {
				mu += weights[model] * byModel[model][span][i].Mu
			}
			require.InDelta(t, mu, p.Mu, 1e-15, "%s %s day %d: the mixture mean", name, span, i)
		}
	}
	grid := walkforward.CanonicalGrid(forecast.Options{Seed: 1, Epochs: 2})
	models, ok := h["models"].(map[string]any)
	require.True(t, ok, name)
	require.Len(t, models, len(designMembers[ens]), name)
	for _, model := range m.ModelsUsed {
		mh := models[model].(map[string]any)
		var configs []any
		for _, c := range grid[model] {
			configs = append(configs, jsonValue(t, c.Params))
		}
		require.Contains(t, configs, mh["params"], "%s %s: a canonical configuration", name, model)
		trials := mh["trials"].([]any)
		require.Len(t, trials, len(grid[model]), "%s %s: every configuration tried", name, model)
		chosen := mh["val_rmse"].(float64)
		for _, tr := range trials {
			if v, ok := tr.(map[string]any)["val_rmse"]; ok {
				require.GreaterOrEqual(t, v.(float64), chosen, "%s %s", name, model)
			}
		}
		val := byModel[model][store.SpanValidation]
		require.Len(t, val, 126)
		require.Len(t, byModel[model][store.SpanTest], 126)
		require.Equal(t, refRMSE(val.mus(), val.realised()), chosen, "%s %s: validation RMSE of the chosen configuration", name, model)
	}

	// Alerts: exactly the levels the divergence is above.
	var want []string
	for _, l := range []struct {
		name      string
		threshold float64
	}{{"warning", 0.15}, {"overfitting", 0.20}, {"critical", 0.30}} {
		if m.Divergence > l.threshold {
			want = append(want, l.name)
		}
	}
	var got []string
	for _, a := range alerts {
		if a.WindowID != m.WindowID || a.Ensemble != ens {
			continue
		}
		got = append(got, a.Level)
		requireTime(t, m.ValidationDate, a.ValidationDate, name)
		require.Equal(t, runID, a.RunID, name)
		require.InDelta(t, m.Divergence, a.Divergence, tol.div, name)
		require.InDelta(t, m.ValRMSE, a.ValRMSE, tol.rmse, name)
		require.InDelta(t, m.TestRMSE, a.TestRMSE, tol.rmse, name)
		require.Less(t, a.Threshold, a.Divergence, name)
	}
	require.Equal(t, want, got, "%s: divergence %v", name, m.Divergence)
	return len(want)
}

// jsonValue is v as it reads back from JSON.
func jsonValue(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// requireSameRows checks that a rerun left the same rows with the same
// numbers: metrics and weights rows keep their ids, predictions are equal,
// alerts are replaced by equal ones of the new run.
func requireSameRows(t *testing.T, a, b written) {
	t.Helper()
	require.Len(t, b.metrics, len(a.metrics))
	for i := range a.metrics {
		x, y := a.metrics[i], b.metrics[i]
		require.True(t, !y.UpdatedAt.Before(x.UpdatedAt))
		x.TrainedAt, y.TrainedAt, x.UpdatedAt, y.UpdatedAt = nil, nil, time.Time{}, time.Time{}
		require.Equal(t, x, y, "metrics row %d", i)
	}
	require.Equal(t, a.preds, b.preds)
	require.Len(t, b.weights, len(a.weights))
	for i := range a.weights {
		x, y := a.weights[i], b.weights[i]
		require.Equal(t, a.runID, x.RunID)
		require.Equal(t, b.runID, y.RunID)
		x.RunID, y.RunID = 0, 0
		require.Equal(t, x, y, "weights row %d", i)
	}
	require.Len(t, b.alerts, len(a.alerts))
	for i := range a.alerts {
		x, y := a.alerts[i], b.alerts[i]
		x.ID, y.ID, x.RunID, y.RunID, x.CreatedAt, y.CreatedAt = 0, 0, 0, 0, time.Time{}, time.Time{}
		require.Equal(t, x, y, "alert %d", i)
	}
}

// TestValidateAcceptanceSQLite: `runner validate --symbols AAPL,MSFT,SPY
// --windows 3` writes 18 metrics rows, every column true, alerts exactly
// where levels are reached, a weights row per symbol, ensemble and window;
// a second run leaves the same rows with the same numbers.
func TestValidateAcceptanceSQLite(t *testing.T) {
	db := filepath.Join(t.TempDir(), "runner.db")
	url := "sqlite:" + db
	first := runAcceptance(t, url)
	s, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	a := checkAcceptance(t, s, first, sqliteTol)
	require.NoError(t, s.Close())

	second := runAcceptance(t, url)
	require.Greater(t, second, first)
	s, err = sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	defer s.Close()
	b := checkAcceptance(t, s, second, sqliteTol)
	requireSameRows(t, a, b)
	var runs int
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM forecast_runs WHERE kind = 'validate' AND status = 'succeeded'`).Scan(&runs))
	require.Equal(t, 2, runs)
}

// TestValidateAcceptancePostgres is the acceptance run against PostgreSQL,
// in its own schema; the DECIMAL columns are compared to 6 (4 for the
// directional accuracy) decimals.
func TestValidateAcceptancePostgres(t *testing.T) {
	url, schema := storetest.Schema(t)
	url += "&search_path=" + schema
	first := runAcceptance(t, url)
	s, err := postgres.Open(context.Background(), postgres.Config{URL: url})
	require.NoError(t, err)
	defer s.Close()
	a := checkAcceptance(t, s, first, postgresTol)
	second := runAcceptance(t, url)
	b := checkAcceptance(t, s, second, postgresTol)
	requireSameRows(t, a, b)
	var runs int
	require.NoError(t, s.Pool().QueryRow(context.Background(),
		`SELECT COUNT(*) FROM forecast_runs WHERE kind = 'validate' AND status = 'succeeded'`).Scan(&runs))
	require.Equal(t, 2, runs)
}

// TestValidateLeakCheckPasses: the real models of the fixed grid pass the
// leak check on one small window, and it leaves the figures as they are
// without it.
func TestValidateLeakCheckPasses(t *testing.T) {
	args := []string{"--data", prices, "validate", "--symbols", "SPY", "--as-of", "2022-06-30",
		"--train-bars", "300", "--val-bars", "60", "--test-bars", "60", "--grid", "fixed", "--epochs", "2", "--dry-run"}
	code, plain, stderr := run(t, args...)
	require.Equal(t, ExitOK, code, stderr)
	code, checked, stderr := run(t, append(args, "--leak-check")...)
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", checked, stderr)
	require.Equal(t, plain, checked)
	// The window from the CSV: the last bar on or before 2022-06-30 ends
	// the test span; 420 bars back starts the training span.
	bars := csvBars(t, "SPY")
	end := barIndex(bars, vdate("2022-06-30"))
	require.Contains(t, checked, "SPY  window "+strconv.Itoa(end-419)+"  train "+day(bars[end-419].Date)+".."+
		day(bars[end-120].Date)+"  val "+day(bars[end-119].Date)+".."+day(bars[end-60].Date)+"  test "+
		day(bars[end-59].Date)+".."+day(bars[end].Date))
}

// TestValidateUsageErrors: flags out of range are usage errors (exit 2)
// before anything runs; not enough history names the bars available and
// needed.
func TestValidateUsageErrors(t *testing.T) {
	base := []string{"--data", prices, "validate", "--symbols", "AAPL", "--dry-run"}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"val bars below 20", []string{"--val-bars", "19"}, ExitUsage, "val-bars"},
		{"test bars below 20", []string{"--test-bars", "19"}, ExitUsage, "test-bars"},
		{"from after to", []string{"--from", "2023-06-01", "--to", "2023-01-01"}, ExitUsage, "--to 2023-01-01 is before --from 2023-06-01"},
		{"to without from", []string{"--to", "2023-01-01"}, ExitUsage, "--to needs --from"},
		{"from with windows", []string{"--from", "2023-01-01", "--windows", "2"}, ExitUsage, "exclude each other"},
		// AAPL's CSV holds 2768 bars to 2023-12-29; 200 windows need
		// 1008 + 199*21 = 5187.
		{"not enough history", []string{"--windows", "200"}, ExitFailure, "2768 bars on or before 2023-12-29, 5187 needed for 200 windows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := run(t, append(slices.Clone(base), c.args...)...)
			require.Equal(t, c.code, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
			require.Contains(t, out+stderr, c.want)
		})
	}
}

// TestValidateOneBadSymbol: a symbol without a CSV fails alone; the others
// are validated and written, and the run is partial (exit 3).
func TestValidateOneBadSymbol(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(prices, "AAPL.csv"), filepath.Join(dir, "AAPL.csv"))
	copyFile(t, filepath.Join(prices, "MSFT.csv"), filepath.Join(dir, "MSFT.csv"))
	db := filepath.Join(t.TempDir(), "runner.db")
	code, out, stderr := run(t, "--database-url", "sqlite:"+db, "--data", dir, "validate", "--symbols", "AAPL,NOPE,MSFT",
		"--train-bars", "300", "--val-bars", "60", "--test-bars", "60", "--grid", "fixed", "--epochs", "2")
	require.Equal(t, ExitPartial, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, out, "NOPE  error: ")
	s, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	defer s.Close()
	for _, sym := range []string{"AAPL", "MSFT"} {
		ms, err := s.ValidationMetrics(context.Background(), sym, "1D")
		require.NoError(t, err)
		require.Len(t, ms, 2, "%s: one window, two ensembles", sym)
		// The as-of is the last date the loaded symbols share: 2023-12-29,
		// bar 2767 of both CSVs; the window of 420 bars has id 2767-419.
		requireTime(t, vdate("2023-12-29"), ms[0].ValidationDate, sym)
		require.Equal(t, 2767-419, ms[0].WindowID)
	}
	ms, err := s.ValidationMetrics(context.Background(), "NOPE", "1D")
	require.NoError(t, err)
	require.Empty(t, ms)
	var status, errs string
	require.NoError(t, s.DB().QueryRow(`SELECT status, symbol_errors FROM forecast_runs`).Scan(&status, &errs))
	require.Equal(t, "partial", status)
	require.Contains(t, errs, "NOPE")
	require.NotContains(t, errs, "AAPL")
	require.NotContains(t, errs, "MSFT")
}

// TestValidateFromTo: --from/--to validates every window whose test span
// ends in the range, stepping back 21 bars from the last bar on or before
// --to: for SPY over 2019-2021, ceil(757 bars in range / 21) = 37 windows
// (the 37th ends on 2019-01-02, 36*21 = 756 bars before 2021-12-31).
func TestValidateFromTo(t *testing.T) {
	if testing.Short() {
		t.Skip("36 windows of SPY: about 20 s on 2 cores")
	}
	bars := csvBars(t, "SPY")
	from, to := vdate("2019-01-01"), vdate("2021-12-31")
	var n int
	for _, b := range bars {
		if !b.Date.Before(from) && !b.Date.After(to) {
			n++
		}
	}
	want := (n + 20) / 21
	require.Equal(t, 757, n, "SPY bars in 2019-2021")
	require.Equal(t, 37, want)
	code, out, stderr := run(t, "--data", prices, "validate", "--symbols", "SPY", "--from", "2019-01-01", "--to", "2021-12-31",
		"--grid", "fixed", "--epochs", "2", "--dry-run")
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	heads := regexp.MustCompile(`(?m)^SPY  window (\d+) .* test (\S+)\.\.(\S+)$`).FindAllStringSubmatch(out, -1)
	require.Len(t, heads, want)
	end := barIndex(bars, to)
	for k, h := range heads {
		e := end - (want-1-k)*21
		require.Equal(t, strconv.Itoa(e-1007), h[1])
		require.Equal(t, day(bars[e].Date), h[3])
	}
	require.Equal(t, "2019-01-02", heads[0][3], "the first window ends on the first bar of 2019")
	require.Equal(t, 2*want, strings.Count(out, "\n  candidate ")+strings.Count(out, "\n  legacy "))
}
