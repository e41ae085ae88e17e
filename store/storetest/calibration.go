package storetest

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store"
)

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
	plain := sampleForecast(run)
	cal := calibrated(sampleForecast(run), nil)
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
