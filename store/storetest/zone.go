package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
)

// testTimesInUTC: with the process's zone ten hours west of Greenwich, the
// calendar days kept as instants (validation dates, weights' effective
// times, calibration sample spans) and the run times come back in UTC, so
// a date printed from them is the day written, not the day before.
func testTimesInUTC(t *testing.T, s store.Store) {
	local := time.Local
	time.Local = time.FixedZone("UTC-10", -10*3600)
	t.Cleanup(func() { time.Local = local })
	ctx := context.Background()

	run := startValidateRun(t, s)
	w := windowSpec{symbol: "AAPL", ensemble: "legacy", id: 7, date: day("2023-07-31"), divergence: 0.05, days: 1, runID: run}
	require.NoError(t, s.SaveValidationWindows(ctx, []store.ValidationWindow{w.window()}))
	c := sampleCalibration(run, "candidate", "conformal+platt", "2022-08-01", "2023-07-31")
	require.NoError(t, s.SaveCalibration(ctx, &c))

	inUTC := func(what string, got time.Time, want string) {
		t.Helper()
		require.Equal(t, time.UTC, got.Location(), "%s: %v", what, got)
		require.Equal(t, want, got.Format(time.DateOnly), what)
	}
	ms, err := s.ValidationMetrics(ctx, "AAPL", "1D")
	require.NoError(t, err)
	require.Len(t, ms, 1)
	inUTC("validation date", ms[0].ValidationDate, "2023-07-31")
	ws, err := s.WeightsHistory(ctx, "AAPL", "1D", "legacy")
	require.NoError(t, err)
	require.Len(t, ws, 1)
	inUTC("weights effective", ws[0].EffectiveAt, "2023-07-31")
	got, err := s.LatestCalibration(ctx, "AAPL", "1D", "candidate", day("2023-08-01"))
	require.NoError(t, err)
	inUTC("calibration samples from", got.SampleFrom, "2022-08-01")
	inUTC("calibration samples to", got.SampleTo, "2023-07-31")
	r, err := s.Run(ctx, run)
	require.NoError(t, err)
	require.Equal(t, time.UTC, r.StartedAt.Location(), "run start %v", r.StartedAt)
}
