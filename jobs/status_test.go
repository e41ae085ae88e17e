package jobs_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/jobs"
	"runner/marketdata"
)

// Twenty daily naive forecasts of SPY (as of 2023-12-01..2023-12-29), each
// matured by the next bar, summarised by the status job. Expected values
// from numpy/scipy over the same CSV rows: errors r[t+1] - mean(last 755
// returns), the interval mu +/- norm.ppf(0.95) * rms(last 20 returns).
func TestStatusOverMaturedNaiveForecasts(t *testing.T) {
	job, s := newJob(t)
	ctx := context.Background()
	bars, err := job.Source.Bars(ctx, "SPY")
	require.NoError(t, err)
	from := marketdata.IndexOf(bars, asOf.AddDate(0, 0, -28)) // 2023-12-01
	to := marketdata.IndexOf(bars, asOf)
	require.Equal(t, 19, to-from)
	for i := from; i <= to; i++ {
		_, err := job.Run(ctx, jobs.ForecastConfig{Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble},
			Symbols: []string{"SPY"}, AsOf: bars[i].Date})
		require.NoError(t, err)
	}
	rows, err := (&jobs.StatusJob{Source: job.Source, Store: s}).Run(ctx, jobs.StatusConfig{Window: 20})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	r := rows[0]
	require.Equal(t, "SPY", r.Symbol)
	require.Equal(t, "naive", r.Ensemble)
	require.Equal(t, 20, r.N)
	require.InDelta(t, 0.006134376290353363, r.RMSE, 1e-15)
	require.InDelta(t, 0.004907198786353494, r.MAE, 1e-15)
	require.InDelta(t, 0.65, r.DirectionalAccuracy, 1e-15)
	require.InDelta(t, 0.9, r.Coverage, 1e-15)
	// P(up) = Phi(mu/sigma) of each naive forecast, uncalibrated, and 13 of
	// the 20 returns up (Python's math.erf over the same rows,
	// testdata/calibration/status_naive.py): every P(up) lies in bin 7, so
	// the ECE is |mean P(up) - 0.65|; the base rate's Brier is 0.65·0.35.
	require.Zero(t, r.Calibrated)
	require.InDelta(t, 0.24287646902629492, r.Brier, 1e-12)
	require.InDelta(t, r.Brier, r.RawBrier, 1e-15, "no calibration: the raw P(up) is the forecast's")
	require.InDelta(t, 0.12458559658698717, r.ECE, 1e-12)
	require.InDelta(t, r.ECE, r.RawECE, 1e-15)
	require.InDelta(t, 0.2275, r.BaseBrier, 1e-15)
	require.InDelta(t, 1, r.RelNaive, 1e-15, "the naive ensemble is the naive model")
	require.True(t, math.IsNaN(r.RelLegacy), "no legacy forecasts to compare with")

	// From and To bound the as-of dates: the 3 forecasts as of 2023-12-05 ..
	// 2023-12-07 (bars from+2 .. from+4).
	rows, err = (&jobs.StatusJob{Store: s}).Run(ctx, jobs.StatusConfig{Window: 20,
		From: bars[from+2].Date, To: bars[from+4].Date})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, 3, rows[0].N)
	require.Equal(t, bars[from+2].Date, rows[0].From)
	require.Equal(t, bars[from+4].Date, rows[0].To)
}
