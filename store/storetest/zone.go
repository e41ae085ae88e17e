package storetest

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the child's zone (westZone) on a machine without zoneinfo files

	"github.com/stretchr/testify/require"

	"runner/store"
)

// zoneEnv marks the child process of testTimesInUTC.
const zoneEnv = "RUNNER_STORETEST_ZONE_CHILD"

// westZone is ten hours west of Greenwich, with no daylight saving time.
const westZone = "Etc/GMT+10"

// testTimesInUTC: with the process's zone ten hours west of Greenwich, the
// calendar days kept as instants (validation dates, weights' effective
// times, calibration sample spans) and the run times come back in UTC, so
// a date printed from them is the day written, not the day before.
//
// The zone is the process's from its start: the test runs again in a child
// process of the same test binary with TZ set, restricted to this subtest.
// Setting time.Local in this process instead raced with the database
// drivers' goroutines that read it (pgxpool's, found by -race).
func testTimesInUTC(t *testing.T, open func(t *testing.T) store.Store) {
	if os.Getenv(zoneEnv) == "" {
		parts := strings.Split(t.Name(), "/")
		for i, p := range parts {
			parts[i] = "^" + regexp.QuoteMeta(p) + "$"
		}
		cmd := exec.Command(os.Args[0], "-test.run", strings.Join(parts, "/"), "-test.count", "1", "-test.v")
		cmd.Env = append(os.Environ(), zoneEnv+"=1", "TZ="+westZone)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Contains(t, string(out), "--- PASS: "+t.Name()+" ", "the child ran the test:\n%s", out)
		return
	}
	_, offset := time.Now().Zone()
	require.Equal(t, -10*3600, offset, "TZ=%s: the zone is ten hours west", westZone)
	s := migrated(t, open)
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
