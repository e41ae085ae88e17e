package jobs_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
	"runner/store"
	"runner/store/postgres"
	"runner/store/storetest"
	"runner/walkforward"
)

var wfPrices = marketdata.CSVSource{Dir: "../testdata/prices"}

// wfSmall is a small window (420 bars) for the tests whose point is not the
// default spans.
var wfSmall = walkforward.Config{Train: 300, Val: 60, Test: 60, Step: 21}

func wfDate(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func wfPostgres(t *testing.T) store.Store {
	t.Helper()
	url, schema := storetest.Schema(t)
	s, err := postgres.Open(context.Background(), postgres.Config{URL: url + "&search_path=" + schema})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.MigrateUp(context.Background())
	require.NoError(t, err)
	return s
}

func wfCSV(t *testing.T, sym string) []marketdata.Bar {
	t.Helper()
	bars, err := wfPrices.Bars(context.Background(), sym)
	require.NoError(t, err)
	return bars
}

// wfIndex is the index of the last bar on or before d.
func wfIndex(bars []marketdata.Bar, d time.Time) int {
	i := len(bars) - 1
	for i >= 0 && bars[i].Date.After(d) {
		i--
	}
	return i
}

// windowFigures are the numbers of one window, for bit-for-bit comparison:
// every ensemble's figures and combined predictions, every model's trials
// and one-step predictions, and the weight decisions.
type windowFigures struct {
	Window    walkforward.Window
	Ensembles []ensembleFigures
	Models    map[string]modelFigures
	Decisions []store.EnsembleWeights
}

type ensembleFigures struct {
	ModelsUsed                                         []string
	Weights, Defaults                                  []float64
	TrainRMSE, ValRMSE, TestRMSE, TestRMSEDefault      float64
	DirectionalAccuracy, MeanAbsoluteError, Divergence float64
	Val, Test                                          []forecast.Combined
}

type modelFigures struct {
	Trials              []walkforward.Trial
	Chosen              int
	Val, Test, InSample []forecast.Distribution
	Spec                map[string]any
}

func figures(t *testing.T, res jobs.ValidateResult) []windowFigures {
	t.Helper()
	var out []windowFigures
	for _, s := range res.Symbols {
		require.NoError(t, s.Err)
		for _, w := range s.Windows {
			require.NoError(t, w.Err)
			f := windowFigures{Window: w.Window, Models: map[string]modelFigures{}, Decisions: w.Decisions}
			for _, e := range w.Result.Ensembles {
				require.NoError(t, e.Err)
				f.Ensembles = append(f.Ensembles, ensembleFigures{e.ModelsUsed, e.Weights, e.Defaults, e.TrainRMSE,
					e.ValRMSE, e.TestRMSE, e.TestRMSEDefault, e.DirectionalAccuracy, e.MeanAbsoluteError, e.Divergence,
					e.Val, e.Test})
			}
			for name, m := range w.Result.Models {
				require.NoError(t, m.Err)
				f.Models[name] = modelFigures{m.Trials, m.Chosen, m.Val, m.Test, m.InSample, m.Spec}
			}
			out = append(out, f)
		}
	}
	return out
}

// TestValidateWorkersBitIdentical: the canonical grid over two symbols and
// two windows each gives the same bits with one worker and with two
// (DESIGN §5: deterministic for a seed, whatever the number of workers).
func TestValidateWorkersBitIdentical(t *testing.T) {
	opts := forecast.Options{Seed: 1, Epochs: 2}
	clock := func() time.Time { return time.Date(2024, 1, 2, 18, 0, 0, 0, time.UTC) }
	job := &jobs.ValidateJob{Source: wfPrices, Log: zerolog.Nop(), Now: clock}
	cfg := jobs.ValidateConfig{Symbols: []string{"AAPL", "SPY"}, Ensembles: []forecast.Ensemble{forecast.Candidate, forecast.Legacy},
		Grid: walkforward.CanonicalGrid(opts), Window: wfSmall, Windows: 2, AsOf: wfDate("2023-12-29"), Model: opts, DryRun: true}
	var got [][]windowFigures
	for _, workers := range []int{1, 2} {
		cfg.Workers = workers
		res, err := job.Run(context.Background(), cfg)
		require.NoError(t, err, "workers %d", workers)
		got = append(got, figures(t, res))
	}
	require.Len(t, got[0], 4)
	// Not a comparison of empty results: the canonical grid's 9 + 4 + 4 + 4
	// trials each, and 60 test predictions.
	for _, f := range got[0] {
		require.Len(t, f.Models["arima_garch"].Trials, 9)
		require.Len(t, f.Models["lstm"].Trials, 4)
		require.Len(t, f.Models["gb"].Test, 60)
		require.Greater(t, f.Ensembles[1].TestRMSE, 0.0)
	}
	require.Equal(t, got[0], got[1], "bit-identical with 1 and 2 workers")
}

// march2020 validates SPY's windows whose test spans end from 2020-01-02 to
// 2020-04-02 (fixed grid, 2 epochs, the default spans of 756/126/126
// bars): four windows, the last testing the crash of March 2020 against a
// calm validation span (2019-04 .. 2019-10).
func march2020(t *testing.T, s store.Store) jobs.ValidateResult {
	t.Helper()
	opts := forecast.Options{Seed: 1, Epochs: 2}
	o := &overlapStore{Store: s, active: map[string]int{}}
	job := &jobs.ValidateJob{Source: wfPrices, Store: o, Log: zerolog.Nop()}
	res, err := job.Run(context.Background(), jobs.ValidateConfig{Symbols: []string{"SPY"},
		Ensembles: []forecast.Ensemble{forecast.Candidate, forecast.Legacy}, Grid: walkforward.FixedGrid(opts), GridName: "fixed",
		From: wfDate("2020-01-02"), To: wfDate("2020-04-02"), Model: opts, Workers: 2})
	require.NoError(t, err)
	require.Equal(t, 1, o.max, "one symbol's windows are written one at a time")
	return res
}

// overlapStore records the most SaveValidationWindows calls of one symbol
// in progress at once. Two would let a window's weights row miss its
// predecessor, still uncommitted in the other transaction. (Whether two
// windows finish together depends on timing: without the job's lock this
// sees an overlap in some runs only; the previous-weights chain checked
// below is the consequence on PostgreSQL.)
type overlapStore struct {
	store.Store
	mu     sync.Mutex
	active map[string]int
	max    int
}

func (o *overlapStore) SaveValidationWindows(ctx context.Context, ws []store.ValidationWindow) error {
	sym := ws[0].Metrics.Symbol
	o.mu.Lock()
	o.active[sym]++
	o.max = max(o.max, o.active[sym])
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		o.active[sym]--
		o.mu.Unlock()
	}()
	return o.Store.SaveValidationWindows(ctx, ws)
}

// recentSource serves SPY's bars up to 2020-04-02 as symbol RECENT, moved
// forward by whole weeks so that the last bar falls within the last 7 days
// (the models read no dates, only their order, so the figures are SPY's).
type recentSource struct{ last time.Time }

func newRecentSource(now time.Time) recentSource {
	spyLast := wfDate("2020-04-02")
	weeks := int(now.Sub(spyLast) / (7 * 24 * time.Hour))
	return recentSource{last: spyLast.AddDate(0, 0, 7*weeks)}
}

func (r recentSource) Bars(ctx context.Context, sym string) ([]marketdata.Bar, error) {
	if sym != "RECENT" {
		return nil, fmt.Errorf("recent: no symbol %s", sym)
	}
	bars, err := wfPrices.Bars(ctx, "SPY")
	if err != nil {
		return nil, err
	}
	bars = bars[:wfIndex(bars, wfDate("2020-04-02"))+1]
	shift := r.last.Sub(bars[len(bars)-1].Date)
	out := make([]marketdata.Bar, len(bars))
	for i, b := range bars {
		b.Symbol, b.Date = "RECENT", b.Date.Add(shift)
		out[i] = b
	}
	return out, nil
}

func (r recentSource) Symbols(context.Context) ([]string, error) { return []string{"RECENT"}, nil }

// TestValidateMarch2020SQLite and TestValidateMarch2020Postgres run
// testMarch2020 on each store; the tolerance of numbers read back from the
// metrics columns is 0 on SQLite (REAL) and half a unit of the 6th decimal
// on PostgreSQL (DECIMAL(12,6), (8,6)).
func TestValidateMarch2020SQLite(t *testing.T) {
	skipShort(t)
	testMarch2020(t, storetest.SQLite(t), 0)
}

func TestValidateMarch2020Postgres(t *testing.T) {
	skipShort(t)
	testMarch2020(t, wfPostgres(t), 5e-7+1e-15)
}

// skipShort skips a test of many real fits under -short: the race-detector
// run of `make test` uses it; the plain run covers these tests.
func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("many real model fits: skipped with -short (run without it)")
	}
}

// testMarch2020: the levels of real windows, the weight reversion they
// decide, and the views and get_ensemble_stats over the rows written.
func testMarch2020(t *testing.T, s store.Store, tol float64) {
	ctx := context.Background()
	res := march2020(t, s)
	spy := wfCSV(t, "SPY")
	metrics, err := s.ValidationMetrics(ctx, "SPY", "1D")
	require.NoError(t, err)
	require.Len(t, metrics, 8, "4 windows x 2 ensembles")
	outcomes := res.Symbols[0].Windows
	require.Len(t, outcomes, 4)

	t.Run("levels and reversion", func(t *testing.T) {
		// The windows step back 21 bars from the last bar on or before
		// 2020-04-02 while their last test bar is on or after 2020-01-02.
		end := wfIndex(spy, wfDate("2020-04-02"))
		wantDates := []string{"2020-01-02", "2020-02-03", "2020-03-04", "2020-04-02"}
		// The levels printed by `runner validate --symbols SPY --from
		// 2019-01-01 --to 2021-12-31 --grid fixed --epochs 2` (divergences
		// about 0.006/0.013, 0.195/0.197, 0.180/0.180, 1.88/1.88 for
		// candidate/legacy), pinned: a calm window accepted, two warnings
		// reverted without overfitting, the crash critical.
		wantLevels := []string{"ok", "warning", "warning", "critical"}
		for k, o := range outcomes {
			e := end - (3-k)*21
			require.Equal(t, wantDates[k], o.Window.TestLast.Format(time.DateOnly))
			require.Equal(t, spy[e].Date, o.Window.TestLast)
			require.Equal(t, e-1007, o.Window.ID)
			for i, er := range o.Result.Ensembles {
				m := metrics[2*k+i]
				require.Equal(t, o.Window.ID, m.WindowID)
				require.InDelta(t, er.Divergence, m.Divergence, tol)
				require.Equal(t, wantLevels[k], walkforward.LevelOf(er.Divergence), "window %s %s: divergence %v",
					wantDates[k], er.Ensemble.Name, er.Divergence)
				d := o.Decisions[i]
				require.Equal(t, er.Ensemble.Name, d.Ensemble)
				if er.Divergence > 0.15 {
					// Reverted to the defaults of DESIGN §4 (the table, not
					// forecast's variables).
					require.Equal(t, store.WeightsReverted, d.Source)
					want := map[string]float64{"arima_garch": 0.50, "lstm": 0.50}
					if er.Ensemble.Name == "legacy" {
						want = map[string]float64{"arima_garch": 0.20, "gb": 0.35, "lstm": 0.25, "transformer": 0.20}
					}
					require.Equal(t, want, d.Weights)
				} else {
					require.Equal(t, store.WeightsCalibrated, d.Source)
					require.Equal(t, er.WeightMap(), d.Weights, "the window's simplex weights")
				}
				require.Equal(t, er.WeightMap(), d.Calibrated)
			}
		}

		// The calm window's calibrated weights are the simplex optimum over
		// validation: no candidate weight on a 1/1000 grid of the simplex
		// mixes the members' stored validation predictions into a lower
		// RMSE.
		calm := outcomes[0].Result.Ensembles[0]
		preds, err := s.ValidationPredictions(ctx, store.ValidationPredictionFilter{Symbol: "SPY", Ensemble: "candidate",
			Span: store.SpanValidation})
		require.NoError(t, err)
		var ag, ls []store.ValidationPrediction
		for _, p := range preds {
			if p.WindowID != outcomes[0].Window.ID {
				continue
			}
			switch p.Model {
			case "arima_garch":
				ag = append(ag, p)
			case "lstm":
				ls = append(ls, p)
			}
		}
		require.Len(t, ag, 126)
		require.Len(t, ls, 126)
		valRMSE := func(w float64) float64 {
			var sse float64
			for i := range ag {
				e := ag[i].Realised - (w*ag[i].Mu + (1-w)*ls[i].Mu)
				sse += e * e
			}
			return math.Sqrt(sse / 126)
		}
		require.InDelta(t, valRMSE(calm.Weights[0]), calm.ValRMSE, 1e-15)
		for k := 0; k <= 1000; k++ {
			require.GreaterOrEqual(t, valRMSE(float64(k)/1000), calm.ValRMSE-1e-15, "w = %v", float64(k)/1000)
		}

		// The crash: the realised returns alone make the test span about
		// three times as volatile as the validation span (root mean square
		// from the CSV), which no calibration on validation can follow.
		rms := func(from, to int) float64 {
			var s float64
			for j := from; j <= to; j++ {
				r := math.Log(spy[j].AdjClose / spy[j-1].AdjClose)
				s += r * r
			}
			return math.Sqrt(s / float64(to-from+1))
		}
		crash := metrics[6]
		require.Greater(t, rms(end-125, end), 2.5*rms(end-251, end-126))
		require.Greater(t, crash.TestRMSE, 2*crash.ValRMSE)
		require.True(t, crash.IsOverfitting)
		alerts, err := s.DivergenceAlerts(ctx, "SPY", "1D")
		require.NoError(t, err)
		var levels []string
		for _, a := range alerts {
			if a.WindowID == crash.WindowID && a.Ensemble == "candidate" {
				levels = append(levels, a.Level)
				require.InDelta(t, crash.Divergence, a.Divergence, tol)
			}
		}
		require.Equal(t, []string{"warning", "overfitting", "critical"}, levels)
		// One alert per level reached in all: warning for the two warning
		// windows, three for the crash, per ensemble.
		require.Len(t, alerts, 2*(1+1+3))
		for _, m := range metrics[2:6] {
			require.False(t, m.IsOverfitting, "a warning is not overfitting")
		}

		// Each weights row's previous weights are those of the window
		// before it, the first's none.
		for _, ens := range []string{"candidate", "legacy"} {
			hist, err := s.WeightsHistory(ctx, "SPY", "1D", ens)
			require.NoError(t, err)
			require.Len(t, hist, 4)
			require.Nil(t, hist[0].Previous)
			for k := 1; k < 4; k++ {
				require.Equal(t, outcomes[k].Window.ID, hist[k].WindowID)
				require.Equal(t, hist[k-1].Weights, hist[k].Previous, "%s window %d", ens, hist[k].WindowID)
			}
		}

		// The weights in force, day by day: a window's decision from its
		// validation date until the next one's.
		for _, c := range []struct {
			asOf   string
			window int
			source string
		}{
			{"2020-01-02", outcomes[0].Window.ID, store.WeightsCalibrated},
			{"2020-01-31", outcomes[0].Window.ID, store.WeightsCalibrated},
			{"2020-02-03", outcomes[1].Window.ID, store.WeightsReverted},
			{"2020-04-01", outcomes[2].Window.ID, store.WeightsReverted},
			{"2020-06-30", outcomes[3].Window.ID, store.WeightsReverted},
		} {
			cur, err := s.CurrentWeights(ctx, "SPY", "1D", "candidate", wfDate(c.asOf))
			require.NoError(t, err)
			require.Equal(t, c.window, cur.WindowID, c.asOf)
			require.Equal(t, c.source, cur.Source, c.asOf)
		}
		_, err = s.CurrentWeights(ctx, "SPY", "1D", "candidate", wfDate("2019-12-31"))
		require.ErrorIs(t, err, store.ErrNotFound)
	})

	t.Run("views and stats", func(t *testing.T) {
		// vw_divergence_trends numbers SPY's rows by validation date: the
		// two ensembles of window k hold sequences 2k-1 (the candidate, 2
		// models) and 2k (legacy, 4), in that order (migration 0008).
		trends, err := s.DivergenceTrends(ctx, "SPY", "1D")
		require.NoError(t, err)
		require.Len(t, trends, 8)
		for i, d := range trends {
			require.Equal(t, int64(i+1), d.WindowSequence)
			k := i / 2
			require.Equal(t, outcomes[k].Window.ID, d.WindowID)
			require.True(t, outcomes[k].Window.TestLast.Equal(d.ValidationDate))
			require.Equal(t, []int{2, 4}[i%2], d.ModelCount, "sequence %d", d.WindowSequence)
			m := metrics[i]
			require.Equal(t, m.Divergence, d.Divergence)
			require.Equal(t, m.IsOverfitting, d.IsOverfitting)
		}
		require.NotEqual(t, trends[0].ModelCount, trends[1].ModelCount)

		// vw_overfitting_symbols keeps the last 7 days: the crash window's
		// overfitting rows are from 2020, so it is empty.
		over, err := s.OverfittingSymbols(ctx)
		require.NoError(t, err)
		require.Empty(t, over)

		// get_ensemble_stats (PostgreSQL) and its Go equivalent (SQLite),
		// recomputed from the rows read back: over every window, then over
		// the windows from 2020-03-04 on (days chosen so that the cut falls
		// within the day before), then over the last 7 days (none).
		now := time.Now().UTC()
		daysSince := func(d string) int { return int(math.Ceil(now.Sub(wfDate(d)).Hours() / 24)) }
		for _, c := range []struct {
			days int
			rows []store.ValidationMetrics
		}{
			{daysSince("2020-01-02"), metrics},
			{daysSince("2020-03-04"), metrics[4:]},
			{7, nil},
		} {
			st, err := s.EnsembleStats(ctx, "SPY", "1D", c.days)
			require.NoError(t, err)
			requireStats(t, c.rows, st)
		}

		// Rows validated within the last 7 days, through the job: SPY's bars
		// to 2020-04-02 dated forward by whole weeks as RECENT. Its numbers
		// are those of SPY's crash window; the view holds its two
		// overfitting rows and no SPY row.
		src := newRecentSource(now)
		job := &jobs.ValidateJob{Source: src, Store: s, Log: zerolog.Nop()}
		opts := forecast.Options{Seed: 1, Epochs: 2}
		_, err = job.Run(ctx, jobs.ValidateConfig{Symbols: []string{"RECENT"},
			Ensembles: []forecast.Ensemble{forecast.Candidate, forecast.Legacy}, Grid: walkforward.FixedGrid(opts),
			GridName: "fixed", Windows: 1, Model: opts, Workers: 2})
		require.NoError(t, err)
		recent, err := s.ValidationMetrics(ctx, "RECENT", "1D")
		require.NoError(t, err)
		require.Len(t, recent, 2)
		for i, m := range recent {
			crash := metrics[6+i]
			require.True(t, src.last.Equal(m.ValidationDate))
			require.Equal(t, crash.WindowID, m.WindowID, "the same bars, the same window id")
			require.Equal(t, crash.Divergence, m.Divergence, "dates do not enter the figures")
			require.Equal(t, crash.ValRMSE, m.ValRMSE)
			require.Equal(t, crash.TestRMSE, m.TestRMSE)
			require.True(t, m.IsOverfitting)
		}
		over, err = s.OverfittingSymbols(ctx)
		require.NoError(t, err)
		require.Len(t, over, 1)
		o := over[0]
		require.Equal(t, "RECENT", o.Symbol)
		require.Equal(t, "1D", o.Horizon)
		require.Equal(t, int64(2), o.Count)
		require.True(t, src.last.Equal(o.Latest), "latest %v, want %v", o.Latest, src.last)
		require.InDelta(t, (recent[0].Divergence+recent[1].Divergence)/2, o.AvgDivergence, 1e-12)
		require.Equal(t, math.Max(recent[0].Divergence, recent[1].Divergence), o.MaxDivergence)
		st, err := s.EnsembleStats(ctx, "RECENT", "1D", 7)
		require.NoError(t, err)
		requireStats(t, recent, st)
		trends, err = s.DivergenceTrends(ctx, "RECENT", "1D")
		require.NoError(t, err)
		require.Len(t, trends, 2)
		require.Equal(t, []int64{1, 2}, []int64{trends[0].WindowSequence, trends[1].WindowSequence}, "a sequence per symbol")
	})
}

// requireStats recomputes get_ensemble_stats from rows.
func requireStats(t *testing.T, rows []store.ValidationMetrics, st store.EnsembleStats) {
	t.Helper()
	require.Equal(t, int64(len(rows)), st.TotalValidations)
	if len(rows) == 0 {
		require.Zero(t, st.AvgDivergence)
		require.True(t, st.LatestValidation.IsZero())
		return
	}
	var over int64
	var div, val, test, da, maxDiv float64
	latest := rows[0].ValidationDate
	for _, m := range rows {
		if m.IsOverfitting {
			over++
		}
		div, val, test, da = div+m.Divergence, val+m.ValRMSE, test+m.TestRMSE, da+*m.DirectionalAccuracy
		maxDiv = math.Max(maxDiv, m.Divergence)
		if m.ValidationDate.After(latest) {
			latest = m.ValidationDate
		}
	}
	n := float64(len(rows))
	require.Equal(t, over, st.OverfittingCount)
	require.InDelta(t, div/n, st.AvgDivergence, 1e-12)
	require.Equal(t, maxDiv, st.MaxDivergence)
	require.InDelta(t, val/n, st.AvgValRMSE, 1e-12)
	require.InDelta(t, test/n, st.AvgTestRMSE, 1e-12)
	require.InDelta(t, da/n, st.AvgDirectionalAccuracy, 1e-12)
	require.True(t, latest.Equal(st.LatestValidation), "latest %v, want %v", st.LatestValidation, latest)
}

// peekAR is an AR(1) of the log returns fitted by least squares that, when
// it may, reads the bar after the last one it is given: a leak the leak
// check must find through the job.
type peekAR struct{ leak bool }

func (peekAR) Name() string { return "peek_ar" }

type peekARFit struct {
	leak     bool
	a, b, sd float64
	span     forecast.Span
}

func (m peekAR) Fit(_ context.Context, bars []marketdata.Bar) (forecast.Fitted, error) {
	r := marketdata.LogReturns(bars)
	var sx, sy, sxx, sxy float64
	n := float64(len(r) - 1)
	for i := 1; i < len(r); i++ {
		x, y := r[i-1], r[i]
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	b := (sxy - sx*sy/n) / (sxx - sx*sx/n)
	a := (sy - b*sx) / n
	var sse float64
	for i := 1; i < len(r); i++ {
		e := r[i] - a - b*r[i-1]
		sse += e * e
	}
	return &peekARFit{leak: m.leak, a: a, b: b, sd: math.Sqrt(sse / n), span: forecast.SpanOf(bars)}, nil
}

func (f *peekARFit) Predict(_ context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
	if err := f.span.Check(bars); err != nil {
		return forecast.Distribution{}, err
	}
	n := len(bars)
	last := math.Log(bars[n-1].AdjClose / bars[n-2].AdjClose)
	if f.leak && cap(bars) > n {
		next := bars[:n+1]
		last = math.Log(next[n].AdjClose / next[n-1].AdjClose)
	}
	return forecast.Normal(f.a+f.b*last, f.sd, forecast.DefaultNeutralBand), nil
}

func (f *peekARFit) Spec() map[string]any { return map[string]any{"peek": f.leak} }

// TestValidateLeakCheckFailsLeakingModel: with a model that reads the bar
// after its last one as the candidate's arima_garch (the real LSTM beside
// it), the job's leak check fails the window: nothing is written for it,
// and the run, whose only window that was, is failed and names the leak. Without --leak-check the same
// model passes unnoticed, and the honest AR(1) passes the check.
func TestValidateLeakCheckFailsLeakingModel(t *testing.T) {
	ctx := context.Background()
	opts := forecast.Options{Seed: 1, Epochs: 2}
	cfg := func(leak, check bool) jobs.ValidateConfig {
		grid := walkforward.FixedGrid(opts)
		grid["arima_garch"] = []walkforward.Candidate{{Model: "arima_garch", Params: map[string]any{"peek": leak},
			New: func() (forecast.Model, error) { return peekAR{leak: leak}, nil }}}
		return jobs.ValidateConfig{Symbols: []string{"SPY"}, Ensembles: []forecast.Ensemble{forecast.Candidate},
			Grid: grid, Window: wfSmall, AsOf: wfDate("2022-06-30"), Model: opts, LeakCheck: check, Workers: 1}
	}
	s := storetest.SQLite(t)
	job := &jobs.ValidateJob{Source: wfPrices, Store: s, Log: zerolog.Nop()}

	res, err := job.Run(ctx, cfg(true, true))
	require.ErrorContains(t, err, "leak check")
	require.NotErrorIs(t, err, jobs.ErrPartial, "its only window failed: nothing was written")
	require.Equal(t, store.RunFailed, res.Run.Status)
	w := res.Symbols[0].Windows[0]
	require.ErrorContains(t, w.Err, "leak check")
	require.ErrorContains(t, w.Err, "arima_garch")
	require.Nil(t, w.Result)
	require.Contains(t, res.Run.SymbolErrors["SPY"], "leak check")
	run, err := s.Run(ctx, res.Run.ID)
	require.NoError(t, err)
	require.Equal(t, store.RunFailed, run.Status)
	ms, err := s.ValidationMetrics(ctx, "SPY", "1D")
	require.NoError(t, err)
	require.Empty(t, ms, "a window that fails its leak check writes nothing")

	for _, c := range []struct {
		name        string
		leak, check bool
	}{{"leaking, unchecked", true, false}, {"honest, checked", false, true}} {
		res, err := job.Run(ctx, cfg(c.leak, c.check))
		require.NoError(t, err, c.name)
		require.Equal(t, store.RunSucceeded, res.Run.Status, c.name)
	}
	ms, err = s.ValidationMetrics(ctx, "SPY", "1D")
	require.NoError(t, err)
	require.Len(t, ms, 1, "the honest run rewrote the leaking one's row")
	// The window: the last bar on or before 2022-06-30 and 419 before it.
	spy := wfCSV(t, "SPY")
	end := wfIndex(spy, wfDate("2022-06-30"))
	require.Equal(t, end-419, ms[0].WindowID)
	require.Equal(t, map[string]any{"peek": false}, ms[0].Hyperparameters["models"].(map[string]any)["arima_garch"].(map[string]any)["params"])
}
