package canary_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/canary"
	"runner/marketdata"
	"runner/store"
	"runner/store/postgres"
	"runner/store/sqlite"
	"runner/store/storetest"
)

// stores runs a test on a real SQLite file and on a real PostgreSQL schema.
func stores(t *testing.T, test func(t *testing.T, s store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "runner.db"))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		_, err = s.MigrateUp(context.Background())
		require.NoError(t, err)
		test(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url, schema := storetest.Schema(t)
		s, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		_, err = s.MigrateUp(context.Background())
		require.NoError(t, err)
		test(t, s)
	})
}

// universe is a marketdata.Source that only lists symbols.
type universe []string

func (u universe) Symbols(context.Context) ([]string, error) { return u, nil }
func (u universe) Bars(_ context.Context, sym string) ([]marketdata.Bar, error) {
	return nil, fmt.Errorf("%s: %w", sym, marketdata.ErrNoData)
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// world writes real-looking rows through the store: forecast runs and
// forecasts of both ensembles, and candidate validation windows with the
// alerts their divergence reaches.
type world struct {
	t   *testing.T
	s   store.Store
	p   *canary.Policy
	now time.Time
}

func newWorld(t *testing.T, s store.Store, syms ...string) *world {
	w := &world{t: t, s: s, now: time.Date(2024, 1, 2, 19, 0, 0, 0, time.UTC)}
	w.p = &canary.Policy{Store: s, Source: universe(syms), Now: func() time.Time { return w.now },
		Config: canary.Config{Actor: "tester@host"}}
	return w
}

// The legacy forecast error of every matured forecast: its RMSE is 0.010.
const legacyErr = 0.010

// day7 are the first 7 NYSE trading days of 2024 (1 January is a holiday).
var day7 = canary.TradingDays(day("2024-01-02"), day("2024-01-10"))

// forecasts writes, for each symbol, a run and the forecasts of both
// ensembles as of d: realised return 0.001 + alternating ±error, so the
// candidate's RMSE over any set of days is candErr and legacy's legacyErr.
// runErr, when set, is recorded as the run's error for the first symbol.
func (w *world) forecasts(d time.Time, candErr float64, runErr string, syms ...string) {
	ctx := context.Background()
	run := &store.Run{Kind: "forecast", Mode: "canary", AsOf: d, Status: store.RunRunning, Symbols: syms,
		StartedAt: d.Add(20 * time.Hour)}
	require.NoError(w.t, w.s.StartRun(ctx, run))
	sign := 1.0
	if d.Day()%2 == 0 {
		sign = -1
	}
	var fs []store.Forecast
	for _, sym := range syms {
		realised := 0.001 + sign*legacyErr
		for _, e := range []struct {
			name string
			err  float64
		}{{"candidate", candErr}, {"legacy", legacyErr}} {
			r := realised
			ret := realised - sign*e.err
			fs = append(fs, store.Forecast{RunID: run.ID, Symbol: sym, Horizon: "1D", AsOf: d,
				TargetDate: marketdata.NextTradingDay(d), Ensemble: e.name, Served: e.name == "legacy", LastPrice: 100,
				Return: ret, Price: 100 * math.Exp(ret), Volatility: 0.012, PBear: 0.3, PNeutral: 0.2, PBull: 0.5,
				Label: "bullish", Confidence: 0.5, Agreement: 1, CILower: ret - 0.02, CIUpper: ret + 0.02,
				ModelsUsed: []string{"arima_garch", "lstm"}, Weights: map[string]float64{"arima_garch": 0.5, "lstm": 0.5},
				Components: []store.Component{{Model: "arima_garch", Weight: 0.5, Mu: ret, Sigma: 0.012},
					{Model: "lstm", Weight: 0.5, Mu: ret, Sigma: 0.012}},
				DataHash: "h", TrainBars: 756, Seed: 1, CodeVersion: "test", RealisedReturn: &r})
		}
	}
	require.NoError(w.t, w.s.SaveForecasts(ctx, fs))
	run.Status, run.FinishedAt = store.RunSucceeded, run.StartedAt.Add(time.Minute)
	if runErr != "" {
		run.Status, run.SymbolErrors = store.RunPartial, map[string]string{syms[0]: runErr}
	}
	require.NoError(w.t, w.s.FinishRun(ctx, run))
}

// window writes the candidate's validation window of sym ending on d with
// validation RMSE 0.010 and the given divergence, and the alerts of the
// levels it reaches (DESIGN §5: warning > 0.15, overfitting > 0.20,
// critical > 0.30).
func (w *world) window(sym string, d time.Time, divergence float64) {
	val := 0.010
	test := val * (1 + divergence)
	id := int(d.Sub(day("2020-01-01")).Hours() / 24)
	m := store.ValidationMetrics{SymbolID: sym, Symbol: sym, Horizon: "1D", ValidationDate: d, WindowID: id,
		ValRMSE: val, TestRMSE: test, Divergence: divergence, IsOverfitting: divergence > 0.20, ModelCount: 2,
		ModelsUsed: []string{"arima_garch", "lstm"}}
	vw := store.ValidationWindow{Ensemble: "candidate", Metrics: m}
	for _, l := range []struct {
		level string
		at    float64
	}{{store.LevelWarning, 0.15}, {store.LevelOverfitting, 0.20}, {store.LevelCritical, 0.30}} {
		if divergence > l.at {
			vw.Alerts = append(vw.Alerts, store.DivergenceAlert{Level: l.level, Divergence: divergence, Threshold: l.at,
				ValRMSE: val, TestRMSE: test})
		}
	}
	require.NoError(w.t, w.s.SaveValidationWindows(context.Background(), []store.ValidationWindow{vw}))
}

var stage71 = []string{"AAPL", "MSFT", "SPY"}

// startNamed starts a deployment of the default named stages counting
// from the first of day7.
func (w *world) startNamed() {
	stages, err := canary.Stages(canary.StagesConfig{})
	require.NoError(w.t, err)
	_, err = w.p.Start(context.Background(), stages, day7[0], "test")
	require.NoError(w.t, err)
}

// scenario starts a deployment of named-stage 7.1 (3 symbols, 7 days, 15
// matured pairs) then 7.3, writes 7 days of forecasts with candidate RMSE
// candErr, and gives each symbol one validation window of divergence
// divs[symbol] on the last day; then evaluates as of the seventh day.
type scenario struct {
	candErr float64
	divs    map[string]float64
	// before runs after the forecasts and windows, before the evaluation.
	before func(w *world)
}

func (sc scenario) run(t *testing.T, s store.Store) (*world, canary.Result) {
	w := newWorld(t, s, "AAPL", "MSFT", "SPY", "NVDA")
	stages, err := canary.Stages(canary.StagesConfig{})
	require.NoError(t, err)
	stages = []store.CanaryStage{stages[0], stages[2]}
	_, err = w.p.Start(context.Background(), stages, day7[0], "test")
	require.NoError(t, err)
	for _, d := range day7 {
		w.forecasts(d, sc.candErr, "", stage71...)
	}
	for _, sym := range stage71 {
		div, ok := sc.divs[sym]
		if !ok {
			div = 0.05
		}
		w.window(sym, day7[6], div)
	}
	if sc.before != nil {
		sc.before(w)
	}
	res, err := w.p.Evaluate(context.Background(), day7[6], false)
	require.NoError(t, err)
	return w, res
}

// good is a candidate 2% worse than legacy (0.0102 vs 0.010): within 5%.
const good = 0.0102

func TestDecisionsReachable(t *testing.T) {
	cases := []struct {
		name   string
		sc     scenario
		action string
		kind   string
		status store.CanaryStatus
		// reason must contain this.
		reason string
	}{
		{"advance", scenario{candErr: good}, canary.Advance, store.CanaryAdvanced, store.CanaryActive, "passed every criterion"},
		// 0.0118/0.010 - 1 = 18%: worse by more than 15%, not 20%.
		{"fail rollback on rmse", scenario{candErr: 0.0118}, canary.FailRollback, store.CanaryRolledBackEv, store.CanaryRolledBack, "rmse_change 0.18 > 0.15"},
		// 0.0125/0.010 - 1 = 25% > 20%.
		{"rollback now on rmse", scenario{candErr: 0.0125}, canary.RollbackNow, store.CanaryRolledBackEv, store.CanaryRolledBack, "rmse_change 0.25 > 0.2"},
		{"rollback now on divergence", scenario{candErr: good, divs: map[string]float64{"MSFT": 0.35}}, canary.RollbackNow,
			store.CanaryRolledBackEv, store.CanaryRolledBack, "max_divergence 0.35 > 0.3"},
		// Average (0.17+0.17+0.17)/3 = 0.17 > 0.15, maximum 0.17 < 0.30.
		{"fail rollback on average divergence", scenario{candErr: good, divs: map[string]float64{"AAPL": 0.17, "MSFT": 0.17, "SPY": 0.17}},
			canary.FailRollback, store.CanaryRolledBackEv, store.CanaryRolledBack, "avg_divergence 0.17 > 0.15"},
		// Overfitting windows (0.22) on days 5, 6 and 7 for AAPL: 3
		// consecutive days > 2. Average (0.22+0.05+0.05)/3 = 0.107.
		{"fail rollback on overfitting streak", scenario{candErr: good, divs: map[string]float64{"AAPL": 0.22},
			before: func(w *world) { w.window("AAPL", day7[4], 0.22); w.window("AAPL", day7[5], 0.22) }},
			canary.FailRollback, store.CanaryRolledBackEv, store.CanaryRolledBack, "overfit_streak_days 3 > 2"},
		// 0.011/0.010 - 1 = 10%: neither within 5% nor worse than 15%.
		{"hold on rmse", scenario{candErr: 0.011}, canary.Hold, store.CanaryHeld, store.CanaryActive, "rmse_change 0.1 > 0.05"},
		{"hold on a run error", scenario{candErr: good, before: func(w *world) {
			w.forecasts(day7[2], good, "lstm: diverged", "SPY")
		}}, canary.Hold, store.CanaryHeld, store.CanaryActive, "run_errors 1 != 0 (SPY 2024-01-04: lstm: diverged)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stores(t, func(t *testing.T, s store.Store) {
				w, res := tc.sc.run(t, s)
				require.True(t, res.Written)
				require.Equal(t, tc.action, res.Decision.Action, res.Decision.Reason)
				require.Contains(t, res.Decision.Reason, tc.reason)
				d, err := s.LatestCanary(context.Background())
				require.NoError(t, err)
				require.Equal(t, tc.status, d.Status)
				evs, err := s.CanaryEvents(context.Background(), d.ID)
				require.NoError(t, err)
				require.Len(t, evs, 2)
				require.Equal(t, tc.kind, evs[1].Kind)
				require.Equal(t, res.Decision.Reason, evs[1].Reason)
				require.Equal(t, "tester@host", evs[1].Actor)
				ms, err := s.CanaryMetrics(context.Background(), d.ID)
				require.NoError(t, err)
				require.Len(t, ms, 1)
				require.Equal(t, tc.action, ms[0].Decision)
				require.Equal(t, *evs[1].MetricsID, ms[0].ID)
				// 7 days x 3 symbols; the forecasts of the first 6 days
				// matured by day 7: 18 pairs.
				require.Equal(t, 7, ms[0].DaysInStage)
				require.Equal(t, 18, ms[0].MaturedForecasts)
				require.InDelta(t, legacyErr, *ms[0].LegacyRMSE, 1e-12)
				require.InDelta(t, tc.sc.candErr, *ms[0].CandidateRMSE, 1e-12)
				require.InDelta(t, tc.sc.candErr/legacyErr-1, *ms[0].RMSEChange, 1e-9)
				require.InDelta(t, *ms[0].RMSEChange, evs[1].Figures["rmse_change"], 1e-12)

				serving, err := w.p.Serving(context.Background(), []string{"AAPL", "NVDA"})
				require.NoError(t, err)
				want := "legacy"
				if tc.action == canary.Advance {
					want = "candidate" // 7.1 passed: AAPL is in a promoted scope
				}
				require.Equal(t, want, serving["AAPL"].Ensemble, serving["AAPL"].Reason)
				require.Equal(t, "legacy", serving["NVDA"].Ensemble, serving["NVDA"].Reason)
			})
		})
	}
}

// A symbol-day without a forecast holds the stage, with the day named.
func TestHoldOnMissingCoverage(t *testing.T) {
	stores(t, func(t *testing.T, s store.Store) {
		w := newWorld(t, s, stage71...)
		w.startNamed()
		for i, d := range day7 {
			syms := stage71
			if i == 2 {
				syms = []string{"AAPL", "SPY"} // MSFT not forecast on 2024-01-04
			}
			w.forecasts(d, good, "", syms...)
		}
		for _, sym := range stage71 {
			w.window(sym, day7[6], 0.05)
		}
		res, err := w.p.Evaluate(context.Background(), day7[6], false)
		require.NoError(t, err)
		require.Equal(t, canary.Hold, res.Decision.Action)
		require.Contains(t, res.Decision.Reason, "coverage 0.9524 != 1 (MSFT 2024-01-04)") // 20/21
		require.Equal(t, 1, res.Metrics.MissingForecasts)
		require.Equal(t, 17, res.Metrics.MaturedForecasts) // 18 - MSFT's day 3
	})
}

// Six days are one short of stage 7.1's seven; the evaluation a day later
// advances, and the next stage starts the trading day after.
func TestHoldThenAdvance(t *testing.T) {
	stores(t, func(t *testing.T, s store.Store) {
		w := newWorld(t, s, stage71...)
		w.startNamed()
		for _, d := range day7 {
			w.forecasts(d, good, "", stage71...)
		}
		for _, sym := range stage71 {
			w.window(sym, day7[5], 0.05)
		}
		res, err := w.p.Evaluate(context.Background(), day7[5], false)
		require.NoError(t, err)
		require.Equal(t, canary.Hold, res.Decision.Action)
		// 6 days; matured: days 1-5 x 3 = 15, just enough.
		require.Equal(t, "hold: days_in_stage 6 < 7", res.Decision.Reason)
		require.Equal(t, 15, res.Metrics.MaturedForecasts)

		// Evaluating day 6 again updates its metrics row and event.
		_, err = w.p.Evaluate(context.Background(), day7[5], false)
		require.NoError(t, err)

		res, err = w.p.Evaluate(context.Background(), day7[6], false)
		require.NoError(t, err)
		require.Equal(t, canary.Advance, res.Decision.Action)
		require.Equal(t, 1, res.After.Stage)
		require.Equal(t, day("2024-01-11"), res.After.StageStartedOn)
		evs, err := s.CanaryEvents(context.Background(), res.After.ID)
		require.NoError(t, err)
		require.Equal(t, []string{"started", "held", "advanced"}, kinds(evs))
		require.Equal(t, "7.2", evs[2].ToStage)

		// Day 7 again: decided already, nothing written, the event told.
		again, err := w.p.Evaluate(context.Background(), day7[6], false)
		require.NoError(t, err)
		require.False(t, again.Written)
		require.Nil(t, again.Evaluation)
		require.Equal(t, evs[2].ID, again.Event.ID)
		// Before the deployment started there is nothing decided: an error.
		_, err = w.p.Evaluate(context.Background(), day("2023-12-29"), false)
		require.ErrorContains(t, err, "before stage 7.2 started (2024-01-11)")
	})
}

// A two-stage deployment (AAPL, then all of AAPL and MSFT) advances, then
// promotes: production serves the candidate for AAPL after the first
// stage and for both after promotion; a rollback serves legacy everywhere.
// oneThenAll starts a deployment over AAPL and MSFT of a stage "one"
// (AAPL, 3 days, 2 pairs) then "all" (3 days, 4 pairs) from the first of
// day7, and writes the seven days' forecasts (candidate 2% worse than
// legacy) and a window each: AAPL's on the third day (divergence 0.05),
// MSFT's on the sixth (0.08).
func oneThenAll(t *testing.T, s store.Store) *world {
	w := newWorld(t, s, "AAPL", "MSFT")
	stages := []store.CanaryStage{
		{Name: "one", Symbols: []string{"AAPL"}, MinDays: 3, MinMatured: 2},
		{Name: "all", All: true, MinDays: 3, MinMatured: 4},
	}
	_, err := w.p.Start(context.Background(), stages, day7[0], "test")
	require.NoError(t, err)
	for _, d := range day7 {
		w.forecasts(d, good, "", "AAPL", "MSFT")
	}
	w.window("AAPL", day7[2], 0.05)
	w.window("MSFT", day7[5], 0.08)
	return w
}

func TestPromoteThenRollback(t *testing.T) {
	stores(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		w := oneThenAll(t, s)
		res, err := w.p.Evaluate(ctx, day7[2], false)
		require.NoError(t, err)
		require.Equal(t, canary.Advance, res.Decision.Action, res.Decision.Reason)
		require.Equal(t, day7[3], res.After.StageStartedOn)
		serving, err := w.p.Serving(ctx, []string{"AAPL", "MSFT"})
		require.NoError(t, err)
		require.Equal(t, "candidate", serving["AAPL"].Ensemble)
		require.Equal(t, "legacy", serving["MSFT"].Ensemble)
		require.Equal(t, "in canary 1 stage all, not promoted yet", serving["MSFT"].Reason)

		res, err = w.p.Evaluate(ctx, day7[5], false)
		require.NoError(t, err)
		require.Equal(t, canary.Promote, res.Decision.Action, res.Decision.Reason)
		require.Equal(t, store.CanaryPromoted, res.After.Status)
		// Days 4-6 x 2 symbols, matured by day 6: days 4 and 5, 4 pairs;
		// divergences 0.05 and 0.08, average 0.065.
		require.Equal(t, 4, res.Metrics.MaturedForecasts)
		require.InDelta(t, 0.065, *res.Metrics.AvgDivergence, 1e-12)
		serving, err = w.p.Serving(ctx, []string{"AAPL", "MSFT"})
		require.NoError(t, err)
		require.Equal(t, "candidate", serving["MSFT"].Ensemble)

		// After promotion evaluations monitor.
		res, err = w.p.Evaluate(ctx, day7[6], false)
		require.NoError(t, err)
		require.Equal(t, canary.Monitor, res.Decision.Action)

		w.now = w.now.Add(time.Hour)
		res, err = w.p.Rollback(ctx, day7[6], "test")
		require.NoError(t, err)
		require.True(t, res.Written)
		serving, err = w.p.Serving(ctx, []string{"AAPL", "MSFT"})
		require.NoError(t, err)
		require.Equal(t, "legacy", serving["AAPL"].Ensemble)
		require.Equal(t, "legacy", serving["MSFT"].Ensemble)
		evs, err := s.CanaryEvents(ctx, res.After.ID)
		require.NoError(t, err)
		require.Equal(t, []string{"started", "advanced", "promoted", "evaluated", "rolled_back"}, kinds(evs))
		require.Equal(t, "tester@host", evs[4].Actor)
		require.Equal(t, "test", evs[4].Reason)

		// Rolled back: evaluation decides nothing, a second rollback
		// writes nothing, advance is refused.
		res, err = w.p.Evaluate(ctx, day7[6], false)
		require.NoError(t, err)
		require.False(t, res.Written)
		res, err = w.p.Rollback(ctx, day7[6], "again")
		require.NoError(t, err)
		require.False(t, res.Written)
		_, err = w.p.Advance(ctx, day7[6], "why not", true)
		require.ErrorIs(t, err, canary.ErrNotActive)
	})
}

// Advancing by hand is refused while the criteria fail, unless forced;
// the event says it was forced and by whom.
func TestManualAdvance(t *testing.T) {
	stores(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		w, res := scenario{candErr: 0.011}.run(t, s)
		require.Equal(t, canary.Hold, res.Decision.Action)
		_, err := w.p.Advance(ctx, day7[6], "looks fine", false)
		require.ErrorIs(t, err, canary.ErrCriteriaUnmet)
		d, err := s.LatestCanary(ctx)
		require.NoError(t, err)
		require.Equal(t, 0, d.Stage, "a refused advance changes nothing")

		res, err = w.p.Advance(ctx, day7[6], "looks fine", true)
		require.NoError(t, err)
		require.Equal(t, 1, res.After.Stage)
		require.Equal(t, store.CanaryAdvanced, res.Event.Kind)
		require.Equal(t, true, res.Event.Figures["forced"])
		evs, err := s.CanaryEvents(ctx, d.ID)
		require.NoError(t, err)
		require.Equal(t, "looks fine", evs[len(evs)-1].Reason)
		require.Equal(t, true, evs[len(evs)-1].Figures["forced"])
	})
}

// A dry run decides and writes nothing.
func TestEvaluateDryRunWritesNothing(t *testing.T) {
	stores(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		w := newWorld(t, s, stage71...)
		stages, err := canary.Stages(canary.StagesConfig{})
		require.NoError(t, err)
		_, err = w.p.Start(ctx, stages, day7[0], "test")
		require.NoError(t, err)
		for _, d := range day7 {
			w.forecasts(d, good, "", stage71...)
		}
		for _, sym := range stage71 {
			w.window(sym, day7[6], 0.05)
		}
		res, err := w.p.Evaluate(ctx, day7[6], true)
		require.NoError(t, err)
		require.False(t, res.Written)
		require.Equal(t, canary.Advance, res.Decision.Action)
		d, err := s.LatestCanary(ctx)
		require.NoError(t, err)
		require.Equal(t, 0, d.Stage)
		evs, err := s.CanaryEvents(ctx, d.ID)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		ms, err := s.CanaryMetrics(ctx, d.ID)
		require.NoError(t, err)
		require.Empty(t, ms)
	})
}

func kinds(evs []store.CanaryEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}
