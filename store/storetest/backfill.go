package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
)

// testDoneUnits checks that a forecast unit is done when a row of every
// ensemble exists for the hash, and a validation unit when a metrics row
// of every model count holds the hash in its hyperparameters.
func testDoneUnits(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := &store.Run{Kind: "forecast", Mode: "canary", CodeVersion: "test", Host: "h", StartedAt: time.Now()}
	require.NoError(t, s.StartRun(ctx, run))
	var fs []store.Forecast
	for _, c := range []struct {
		sym, asOf, ens, hash string
	}{
		{"AAPL", "2023-12-27", "candidate", "h1"}, {"AAPL", "2023-12-27", "legacy", "h1"}, // done
		{"AAPL", "2023-12-28", "candidate", "h1"},                                         // legacy missing
		{"AAPL", "2023-12-29", "candidate", "h1"}, {"AAPL", "2023-12-29", "legacy", "h2"}, // another config
		{"MSFT", "2023-12-28", "candidate", "h1"}, {"MSFT", "2023-12-28", "legacy", "h1"}, // done
		{"SPY", "2023-12-28", "candidate", "h1"}, {"SPY", "2023-12-28", "legacy", "h1"}, // not asked
		{"MSFT", "2024-01-02", "candidate", "h1"}, {"MSFT", "2024-01-02", "legacy", "h1"}, // after To
		{"MSFT", "2023-12-26", "candidate", ""}, {"MSFT", "2023-12-26", "legacy", ""}, // no hash recorded
	} {
		f := sampleForecast(run.ID)
		f.Symbol, f.AsOf, f.Ensemble, f.ConfigHash = c.sym, day(c.asOf), c.ens, c.hash
		fs = append(fs, f)
	}
	require.NoError(t, s.SaveForecasts(ctx, fs))
	got, err := s.Forecasts(ctx, store.ForecastFilter{Symbol: "AAPL", Ensemble: "legacy"})
	require.NoError(t, err)
	require.Equal(t, []string{"h1", "h2"}, []string{got[0].ConfigHash, got[1].ConfigHash}, "the hash reads back")

	q := store.DoneQuery{Kind: store.BackfillForecast, Horizon: "1D", ConfigHash: "h1", Ensembles: []string{"candidate", "legacy"},
		Symbols: []string{"AAPL", "MSFT"}, From: day("2023-12-01"), To: day("2023-12-29")}
	done, err := s.DoneUnits(ctx, q)
	require.NoError(t, err)
	require.Equal(t, []store.UnitKey{{Symbol: "AAPL", Day: day("2023-12-27")}, {Symbol: "MSFT", Day: day("2023-12-28")}}, done)
	q.Ensembles = []string{"candidate"}
	done, err = s.DoneUnits(ctx, q)
	require.NoError(t, err)
	require.Len(t, done, 4, "one ensemble asked: AAPL 27, 28, 29 and MSFT 28")

	// Validation: both ensembles' rows of window 40 (here the candidate
	// has 4 models and legacy 2, see defaultWeights), the candidate's only
	// of window 61.
	vrun := startValidateRun(t, s)
	var ws []store.ValidationWindow
	for _, sp := range []windowSpec{
		{symbol: "AAPL", ensemble: "candidate", id: 40, date: day("2023-11-29"), divergence: 0.1, days: 2, runID: vrun},
		{symbol: "AAPL", ensemble: "legacy", id: 40, date: day("2023-11-29"), divergence: 0.1, days: 2, runID: vrun},
		{symbol: "AAPL", ensemble: "candidate", id: 61, date: day("2023-12-29"), divergence: 0.1, days: 2, runID: vrun},
	} {
		w := sp.window()
		w.Metrics.Hyperparameters = map[string]any{"config_hash": "v1"}
		ws = append(ws, w)
	}
	require.NoError(t, s.SaveValidationWindows(ctx, ws))
	done, err = s.DoneUnits(ctx, store.DoneQuery{Kind: store.BackfillValidate, Horizon: "1D", ConfigHash: "v1",
		ModelCounts: []int{2, 4}, Symbols: []string{"AAPL"}, From: day("2023-11-01"), To: day("2023-12-29")})
	require.NoError(t, err)
	require.Len(t, done, 1)
	require.Equal(t, "AAPL", done[0].Symbol)
	require.Equal(t, 40, done[0].WindowID)
	require.Equal(t, "2023-11-29", done[0].Day.UTC().Format(time.DateOnly))
	done, err = s.DoneUnits(ctx, store.DoneQuery{Kind: store.BackfillValidate, Horizon: "1D", ConfigHash: "v1",
		ModelCounts: []int{4}, Symbols: []string{"AAPL"}, From: day("2023-11-01"), To: day("2023-12-29")})
	require.NoError(t, err)
	require.Len(t, done, 2, "the last day counts, inclusive")
	done, err = s.DoneUnits(ctx, store.DoneQuery{Kind: store.BackfillValidate, Horizon: "1D", ConfigHash: "v2",
		ModelCounts: []int{4}, Symbols: []string{"AAPL"}, From: day("2023-11-01"), To: day("2023-12-29")})
	require.NoError(t, err)
	require.Empty(t, done)
}

// testBackfillUnits checks that a backfill is found again by its key, its
// units keep their attempts and errors across restarts, and progress
// counts them.
func testBackfillUnits(t *testing.T, s store.Store) {
	ctx := context.Background()
	units := func(st ...store.UnitStatus) []store.BackfillUnit {
		var out []store.BackfillUnit
		for i, d := range []string{"2023-12-27", "2023-12-28", "2023-12-29"} {
			out = append(out, store.BackfillUnit{UnitKey: store.UnitKey{Symbol: "AAPL", Day: day(d)}, Status: st[i]})
		}
		return out
	}
	b := &store.Backfill{Kind: store.BackfillForecast, Mode: "canary", From: day("2023-12-27"), To: day("2023-12-29"),
		Symbols: []string{"AAPL"}, ConfigHash: "h1", Parameters: map[string]any{"kind": "forecast"}}
	require.NoError(t, s.StartBackfill(ctx, b, units(store.UnitDone, store.UnitPending, store.UnitPending)))
	require.NotZero(t, b.ID)
	first := b.ID

	u := store.BackfillUnit{BackfillID: b.ID, UnitKey: store.UnitKey{Symbol: "AAPL", Day: day("2023-12-28")}}
	u.Status = store.UnitRunning
	require.NoError(t, s.SetUnitStatus(ctx, u))
	u.Status, u.Error = store.UnitFailed, "no bar"
	require.NoError(t, s.SetUnitStatus(ctx, u))
	runID := int64(7)
	u2 := store.BackfillUnit{BackfillID: b.ID, UnitKey: store.UnitKey{Symbol: "AAPL", Day: day("2023-12-29")}, Status: store.UnitRunning}
	require.NoError(t, s.SetUnitStatus(ctx, u2))
	u2.Status, u2.RunID = store.UnitDone, &runID
	require.NoError(t, s.SetUnitStatus(ctx, u2))
	err := s.SetUnitStatus(ctx, store.BackfillUnit{BackfillID: b.ID, UnitKey: store.UnitKey{Symbol: "MSFT", Day: day("2023-12-29")},
		Status: store.UnitDone})
	require.ErrorIs(t, err, store.ErrNotFound)

	ps, err := s.Backfills(ctx, 0)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	p := ps[0]
	require.Equal(t, []int{3, 0, 0, 2, 1}, []int{p.Total, p.Pending, p.Running, p.Done, p.Failed})
	require.Equal(t, []string{"AAPL"}, p.Symbols)
	require.Equal(t, "2023-12-27", p.From.Format(time.DateOnly))
	require.Equal(t, "forecast", p.Parameters["kind"])

	// The same backfill again: the failed unit is pending again with its
	// attempt and error kept.
	b2 := &store.Backfill{Kind: store.BackfillForecast, Mode: "canary", From: day("2023-12-27"), To: day("2023-12-29"),
		Symbols: []string{"AAPL"}, ConfigHash: "h1", Parameters: map[string]any{"kind": "forecast"}}
	require.NoError(t, s.StartBackfill(ctx, b2, units(store.UnitDone, store.UnitPending, store.UnitDone)))
	require.Equal(t, first, b2.ID, "the same kind, hash, range and symbols are the same backfill")
	us, err := s.BackfillUnits(ctx, b2.ID, "")
	require.NoError(t, err)
	require.Len(t, us, 3)
	require.Equal(t, store.UnitPending, us[1].Status)
	require.Equal(t, 1, us[1].Attempts)
	require.Equal(t, "no bar", us[1].Error)
	require.Equal(t, store.UnitDone, us[2].Status)
	require.Equal(t, &runID, us[2].RunID)
	pending, err := s.BackfillUnits(ctx, b2.ID, store.UnitPending)
	require.NoError(t, err)
	require.Len(t, pending, 1)

	// Another hash is another backfill, listed first.
	b3 := &store.Backfill{Kind: store.BackfillForecast, Mode: "canary", From: day("2023-12-27"), To: day("2023-12-29"),
		Symbols: []string{"AAPL"}, ConfigHash: "h2"}
	require.NoError(t, s.StartBackfill(ctx, b3, nil))
	require.NotEqual(t, first, b3.ID)
	ps, err = s.Backfills(ctx, 1)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	require.Equal(t, b3.ID, ps[0].ID)
	require.Zero(t, ps[0].Total)
}
