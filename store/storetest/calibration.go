package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
)

// residuals are sorted standardised residuals as a conformal calibration
// keeps them, with values whose shortest decimal form is long.
var residuals = []float64{-2.1, -0.35, 0, 0.30000000000000004, 1.2345678901234567e-7, 1.875}

// sampleCalibration is a calibration of AAPL 1D's ensemble fitted on the
// samples as of from through to; the numbers are made up.
func sampleCalibration(run int64, ensemble, method, from, to string) store.Calibration {
	return store.Calibration{
		RunID: run, Symbol: "AAPL", Horizon: "1D", Ensemble: ensemble, Method: method,
		Parameters: map[string]any{
			"q_lo": -1.71, "q_hi": 1.62, "residuals": residuals, "n_bins": 15,
			"platt": map[string]any{"a": 1.1, "b": -0.02},
		},
		SampleFrom: day(from), SampleTo: day(to), NSamples: 250,
		Before: map[string]float64{"coverage": 0.83, "width": 0.031, "brier": 0.2512, "log_loss": 0.6961, "ece": 0.041},
		After:  map[string]float64{"coverage": 0.9, "width": 0.0353, "brier": 0.2493, "log_loss": 0.6925, "ece": 0.017},
	}
}

// viaJSON is v encoded as JSON and decoded again: what a store returns for
// a JSON column.
func viaJSON[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out T
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// requireCalibration compares a calibration read back with the one
// written, whose ID was set by SaveCalibration; Parameters come back as
// JSON decodes them.
func requireCalibration(t *testing.T, want, got store.Calibration) {
	t.Helper()
	require.False(t, got.CreatedAt.IsZero())
	want.Parameters, want.CreatedAt = viaJSON(t, want.Parameters), got.CreatedAt
	require.Equal(t, want, got)
}

// testCalibrationIdempotent: a calibration round-trips, its Parameters as
// JSON decodes them; rerunning the same fit updates its row, id kept.
func testCalibrationIdempotent(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := startValidateRun(t, s)
	c := sampleCalibration(run, "candidate", "conformal+platt", "2023-04-03", "2024-03-28")
	require.NoError(t, s.SaveCalibration(ctx, &c))
	require.NotZero(t, c.ID)
	got, err := s.Calibration(ctx, c.ID)
	require.NoError(t, err)
	requireCalibration(t, c, got)
	require.Equal(t, day("2024-03-28"), got.SampleTo, "sample_to round-trips as UTC midnight")

	// The []float64 comes back as []any of float64, exactly; re-decoded,
	// it is the slice written.
	require.Equal(t, []any{-2.1, -0.35, 0.0, 0.30000000000000004, 1.2345678901234567e-7, 1.875}, got.Parameters["residuals"])
	require.Equal(t, 15.0, got.Parameters["n_bins"])
	var typed struct {
		Residuals []float64 `json:"residuals"`
		Platt     struct{ A, B float64 }
	}
	require.NoError(t, json.Unmarshal(mustJSON(t, got.Parameters), &typed))
	require.Equal(t, residuals, typed.Residuals)
	require.Equal(t, 1.1, typed.Platt.A)

	// Rerun of the same fit (same key) by another run, with other figures.
	run2 := startValidateRun(t, s)
	c2 := sampleCalibration(run2, "candidate", "conformal+platt", "2023-04-04", "2024-03-28")
	c2.Parameters["q_lo"], c2.NSamples, c2.After["coverage"] = -1.69, 249, 0.905
	require.NoError(t, s.SaveCalibration(ctx, &c2))
	require.Equal(t, c.ID, c2.ID, "the same row")
	again, err := s.Calibration(ctx, c.ID)
	require.NoError(t, err)
	requireCalibration(t, c2, again)
	require.Equal(t, got.CreatedAt, again.CreatedAt, "created once")
	all, err := s.Calibrations(ctx, "AAPL", "1D", "")
	require.NoError(t, err)
	require.Len(t, all, 1)

	// Nil maps are stored as {}; no run is stored as NULL.
	bare := store.Calibration{Symbol: "AAPL", Horizon: "1D", Ensemble: "candidate", Method: "conformal",
		SampleFrom: day("2023-04-03"), SampleTo: day("2024-03-28"), NSamples: 1}
	require.NoError(t, s.SaveCalibration(ctx, &bare))
	require.NotEqual(t, c.ID, bare.ID, "another method is another row")
	got, err = s.Calibration(ctx, bare.ID)
	require.NoError(t, err)
	require.Zero(t, got.RunID)
	require.Equal(t, map[string]any{}, got.Parameters)
	require.Equal(t, map[string]float64{}, got.Before)
	require.Equal(t, map[string]float64{}, got.After)

	_, err = s.Calibration(ctx, bare.ID+1000)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// testCalibrationHistory: each fit is a row; history is by sample_to, not
// by id, of one ensemble or of all.
func testCalibrationHistory(t *testing.T, s store.Store) {
	ctx := context.Background()
	feb := sampleCalibration(0, "candidate", "conformal+platt", "2023-03-01", "2024-02-29")
	jan := sampleCalibration(0, "candidate", "conformal+platt", "2023-02-01", "2024-01-31")
	legacy := sampleCalibration(0, "legacy", "conformal+platt", "2023-03-01", "2024-02-29")
	other := sampleCalibration(0, "candidate", "conformal+platt", "2023-03-01", "2024-02-29")
	other.Horizon = "5D"
	msft := sampleCalibration(0, "candidate", "conformal+platt", "2023-03-01", "2024-02-29")
	msft.Symbol = "MSFT"
	for _, c := range []*store.Calibration{&feb, &jan, &legacy, &other, &msft} {
		require.NoError(t, s.SaveCalibration(ctx, c))
	}
	require.Less(t, feb.ID, jan.ID, "February was written first")
	ids := func(cs []store.Calibration) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	cand, err := s.Calibrations(ctx, "AAPL", "1D", "candidate")
	require.NoError(t, err)
	require.Equal(t, []int64{jan.ID, feb.ID}, ids(cand), "by sample_to")
	requireCalibration(t, jan, cand[0])
	all, err := s.Calibrations(ctx, "AAPL", "1D", "")
	require.NoError(t, err)
	require.Equal(t, []int64{jan.ID, feb.ID, legacy.ID}, ids(all), "by sample_to, then id")
	none, err := s.Calibrations(ctx, "SPY", "1D", "")
	require.NoError(t, err)
	require.Empty(t, none)
}

// testLatestCalibration: the row a forecast as of a date may apply is the
// latest fitted on samples up to that date, whatever was written later.
func testLatestCalibration(t *testing.T, s store.Store) {
	ctx := context.Background()
	jan := sampleCalibration(0, "candidate", "conformal+platt", "2023-02-01", "2024-01-31")
	febPlatt := sampleCalibration(0, "candidate", "conformal+platt", "2023-03-01", "2024-02-29")
	febIsotonic := sampleCalibration(0, "candidate", "conformal+isotonic", "2023-03-01", "2024-02-29")
	legacy := sampleCalibration(0, "legacy", "conformal+platt", "2023-03-15", "2024-03-15")
	for _, c := range []*store.Calibration{&febPlatt, &febIsotonic, &legacy, &jan} {
		require.NoError(t, s.SaveCalibration(ctx, c))
	}
	// A rerun of February's Platt fit keeps its id, so the isotonic fit,
	// written after it, still wins the tie.
	febPlatt.NSamples = 240
	require.NoError(t, s.SaveCalibration(ctx, &febPlatt))

	est := time.FixedZone("EST", -5*3600)
	for _, c := range []struct {
		name     string
		ensemble string
		asOf     time.Time
		want     *store.Calibration // nil: ErrNotFound
	}{
		{"before the first", "candidate", day("2024-01-30"), nil},
		{"on its sample_to", "candidate", day("2024-01-31"), &jan},
		{"the same instant elsewhere", "candidate", day("2024-01-31").In(est), &jan},
		{"a minute before the next", "candidate", day("2024-02-29").Add(-time.Minute), &jan},
		{"tie: the latest id", "candidate", day("2024-02-29"), &febIsotonic},
		{"later", "candidate", day("2024-06-28"), &febIsotonic},
		{"legacy before its first", "legacy", day("2024-03-14"), nil},
		{"legacy", "legacy", day("2024-03-15").Add(21 * time.Hour), &legacy},
		{"unknown ensemble", "other", day("2024-06-28"), nil},
	} {
		got, err := s.LatestCalibration(ctx, "AAPL", "1D", c.ensemble, c.asOf)
		if c.want == nil {
			require.ErrorIs(t, err, store.ErrNotFound, c.name)
			continue
		}
		require.NoError(t, err, c.name)
		requireCalibration(t, *c.want, got)
	}
	for _, k := range [][2]string{{"MSFT", "1D"}, {"AAPL", "5D"}} {
		_, err := s.LatestCalibration(ctx, k[0], k[1], "candidate", day("2024-06-28"))
		require.ErrorIs(t, err, store.ErrNotFound, "%s %s", k[0], k[1])
	}
}

// testCalibrationFailedWrite: a write the database or JSON refuses leaves
// the rows as they were, and sets no id.
func testCalibrationFailedWrite(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := startValidateRun(t, s)
	c := sampleCalibration(run, "candidate", "conformal+platt", "2023-04-03", "2024-03-28")
	require.NoError(t, s.SaveCalibration(ctx, &c))
	before, err := s.Calibrations(ctx, "AAPL", "1D", "")
	require.NoError(t, err)

	for name, mutate := range map[string]func(*store.Calibration){
		"no samples":         func(c *store.Calibration) { c.NSamples = 0 },
		"unknown run":        func(c *store.Calibration) { c.RunID = run + 1000 },
		"samples reversed":   func(c *store.Calibration) { c.SampleFrom = c.SampleTo.AddDate(0, 0, 1) },
		"no ensemble":        func(c *store.Calibration) { c.Ensemble = "" },
		"no method":          func(c *store.Calibration) { c.Method = "" },
		"NaN figure":         func(c *store.Calibration) { c.After["log_loss"] = math.NaN() },
		"infinite parameter": func(c *store.Calibration) { c.Parameters["q_hi"] = math.Inf(1) },
	} {
		for _, rerun := range []bool{true, false} {
			bad := sampleCalibration(run, "candidate", "conformal+platt", "2023-04-03", "2024-03-28")
			bad.NSamples = 120
			if !rerun {
				bad.Symbol = "MSFT"
			}
			mutate(&bad)
			err := s.SaveCalibration(ctx, &bad)
			require.Error(t, err, "%s (rerun %v)", name, rerun)
			require.False(t, errors.Is(err, store.ErrNotFound), name)
			require.Zero(t, bad.ID, "%s: no id set", name)
		}
	}
	after, err := s.Calibrations(ctx, "AAPL", "1D", "")
	require.NoError(t, err)
	require.Equal(t, before, after)
	none, err := s.Calibrations(ctx, "MSFT", "1D", "")
	require.NoError(t, err)
	require.Empty(t, none)
}

// calibrated returns f with the calibration columns of a calibrated
// forecast: the raw interval beside a wider calibrated one, P(up) raw and
// calibrated, and the calibrations row (nil: none).
func calibrated(f store.Forecast, calibrationID *int64) store.Forecast {
	f.CILowerRaw, f.CIUpperRaw = ptr(f.CILower), ptr(f.CIUpper)
	f.CILower, f.CIUpper = -0.0172, 0.0181
	f.PUp, f.PUpRaw = ptr(0.5123), ptr(0.5362)
	f.CalibrationID = calibrationID
	return f
}

// testForecastCalibrationColumns: the raw interval, P(up) and the
// calibration row round-trip, set or not; a rerun replaces them, also with
// nil; a non-finite value is refused before the database.
func testForecastCalibrationColumns(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := startValidateRun(t, s)
	c := sampleCalibration(run, "naive", "conformal+platt", "2023-01-03", "2023-12-28")
	require.NoError(t, s.SaveCalibration(ctx, &c))
	plain := sampleForecast(run)
	cal := calibrated(sampleForecast(run), &c.ID)
	cal.Symbol = "MSFT"
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{plain, cal}))
	fs, err := s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, fs, 2)
	for _, f := range fs[:1] {
		require.Nil(t, f.CILowerRaw)
		require.Nil(t, f.CIUpperRaw)
		require.Nil(t, f.PUp)
		require.Nil(t, f.PUpRaw)
		require.Nil(t, f.CalibrationID)
	}
	got := fs[1]
	require.Equal(t, "MSFT", got.Symbol)
	require.Equal(t, cal.CILowerRaw, got.CILowerRaw)
	require.Equal(t, cal.CIUpperRaw, got.CIUpperRaw)
	require.Equal(t, cal.PUp, got.PUp)
	require.Equal(t, cal.PUpRaw, got.PUpRaw)
	require.Equal(t, cal.CILower, got.CILower)
	require.Equal(t, cal.CIUpper, got.CIUpper)
	require.Equal(t, &c.ID, got.CalibrationID)

	// A rerun sets them on the plain row and clears them on the other.
	plain2, cal2 := calibrated(plain, nil), sampleForecast(run)
	plain2.PUp = ptr(0.0)
	cal2.Symbol = "MSFT"
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{plain2, cal2}))
	fs, err = s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, fs, 2)
	require.Equal(t, plain2.CILowerRaw, fs[0].CILowerRaw)
	require.Equal(t, ptr(0.0), fs[0].PUp, "zero is a value, not NULL")
	require.Nil(t, fs[1].CILowerRaw)
	require.Nil(t, fs[1].CIUpperRaw)
	require.Nil(t, fs[1].PUp)
	require.Nil(t, fs[1].PUpRaw)
	require.Nil(t, fs[1].CalibrationID)

	// calibration_id references calibrations.
	unknown := calibrated(sampleForecast(run), ptr(c.ID+1000))
	unknown.Symbol = "SPY"
	require.Error(t, s.SaveForecasts(ctx, []store.Forecast{unknown}))

	// Not finite: refused, and the valid row beside it is not written.
	for _, v := range []float64{math.NaN(), math.Inf(1)} {
		bad := calibrated(sampleForecast(run), nil)
		bad.Symbol, bad.PUpRaw = "SPY", ptr(v)
		other := sampleForecast(run)
		other.Symbol = "QQQ"
		require.ErrorContains(t, s.SaveForecasts(ctx, []store.Forecast{other, bad}), "p_up_raw is")
	}
	fs, err = s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, fs, 2)
}

// testMigrateCalibrationWithData reverts 0004 with calibrations and
// calibrated forecasts present and applies it again: the forecasts keep
// every other column (the calibrated interval in ci_lower and ci_upper
// included), the calibration columns and rows are gone, and writing works
// again.
func testMigrateCalibrationWithData(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := startValidateRun(t, s)
	c := sampleCalibration(run, "naive", "conformal+platt", "2023-01-03", "2023-12-28")
	require.NoError(t, s.SaveCalibration(ctx, &c))
	cal := calibrated(sampleForecast(run), &c.ID)
	plain := sampleForecast(run)
	plain.Symbol = "MSFT"
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{cal, plain}))
	before, err := s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, before, 2)

	for {
		v, err := s.MigrateDown(ctx)
		require.NoError(t, err)
		if v <= 4 {
			require.Equal(t, int64(4), v)
			break
		}
	}
	_, err = s.Calibrations(ctx, "AAPL", "1D", "")
	require.Error(t, err, "calibrations is gone")
	applied, err := s.MigrateUp(ctx)
	require.NoError(t, err)
	require.Contains(t, applied, int64(4))

	after, err := s.Forecasts(ctx, store.ForecastFilter{})
	require.NoError(t, err)
	want := before
	for i := range want {
		want[i].CILowerRaw, want[i].CIUpperRaw, want[i].PUp, want[i].PUpRaw, want[i].CalibrationID = nil, nil, nil, nil, nil
	}
	require.Equal(t, want, after)
	require.Equal(t, -0.0172, after[0].CILower, "the calibrated interval stays")
	none, err := s.Calibrations(ctx, "AAPL", "1D", "")
	require.NoError(t, err)
	require.Empty(t, none)

	require.NoError(t, s.SaveCalibration(ctx, &c))
	require.NoError(t, s.SaveForecasts(ctx, []store.Forecast{calibrated(sampleForecast(run), &c.ID)}))
	fs, err := s.Forecasts(ctx, store.ForecastFilter{Symbol: "AAPL"})
	require.NoError(t, err)
	require.Equal(t, &c.ID, fs[0].CalibrationID)
}
