package report

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fc returns a forecast as of d with return mu and, unless realised is
// nil, its realised return.
func fc(d string, mu float64, realised *float64) store.Forecast {
	return store.Forecast{AsOf: day(d), Return: mu, RealisedReturn: realised}
}

func ptr(x float64) *float64 { return &x }

// Hand computation, window 2. Errors (realised - forecast): candidate 0.01,
// 0.02, 0.03, 0.04 as of d1..d4 (d5 not matured); legacy 0.02, 0.02, 0.04
// as of d1, d2, d4 (none as of d3). Common dates d1, d2, d4:
// at d2 sqrt((0.01²+0.02²)/(0.02²+0.02²)) = sqrt(5/8);
// at d4 sqrt((0.02²+0.04²)/(0.02²+0.04²)) = 1.
func TestRollingRMSERatio(t *testing.T) {
	cand := []store.Forecast{fc("2023-01-03", 0, ptr(0.01)), fc("2023-01-04", 0.01, ptr(0.03)),
		fc("2023-01-05", 0, ptr(0.03)), fc("2023-01-06", -0.01, ptr(0.03)), fc("2023-01-09", 0, nil)}
	leg := []store.Forecast{fc("2023-01-03", 0.01, ptr(0.03)), fc("2023-01-04", 0, ptr(0.02)),
		fc("2023-01-06", 0, ptr(0.04)), fc("2023-01-09", 0, nil)}
	got := rollingRMSERatio(cand, leg, 2)
	require.Len(t, got, 2)
	require.Equal(t, day("2023-01-04"), got[0].At)
	require.InDelta(t, 0.7905694150420949, got[0].V, 1e-12) // sqrt(5/8)
	require.Equal(t, day("2023-01-06"), got[1].At)
	require.InDelta(t, 1, got[1].V, 1e-12)
	require.Empty(t, rollingRMSERatio(cand, leg, 4), "3 common dates, fewer than the window")
}

// Hand computation, window 3. Interval as forecast [-0.01, 0.01]; raw
// [-0.005, 0.005] but for the first forecast, which recorded none (its
// interval as forecast is the raw one). Realised 0, 0.02, 0.01, 0.007,
// -0.001 (and one not matured): inside as forecast 1 0 1 1 1 (0.01 is an
// end, included), giving 2/3, 2/3, 1; raw 1 0 0 0 1, giving 1/3, 0, 1/3.
func TestRollingCoverage(t *testing.T) {
	var fs []store.Forecast
	for i, r := range []*float64{ptr(0), ptr(0.02), ptr(0.01), ptr(0.007), ptr(-0.001), nil} {
		f := fc(day("2023-01-02").AddDate(0, 0, i).Format(time.DateOnly), 0, r)
		f.CILower, f.CIUpper = -0.01, 0.01
		if i > 0 {
			f.CILowerRaw, f.CIUpperRaw = ptr(-0.005), ptr(0.005)
		}
		fs = append(fs, f)
	}
	for _, c := range []struct {
		raw  bool
		want []float64
	}{{false, []float64{2.0 / 3, 2.0 / 3, 1}}, {true, []float64{1.0 / 3, 0, 1.0 / 3}}} {
		got := rollingCoverage(fs, 3, c.raw)
		require.Len(t, got, 3)
		for i, p := range got {
			require.Equal(t, day("2023-01-04").AddDate(0, 0, i), p.At)
			require.InDelta(t, c.want[i], p.V, 1e-15, "raw %v, point %d", c.raw, i)
		}
	}
}

// A year from 2023-01-03 spans 12 months, Feb..Dec starting within it: with
// 13 labels allowed each is labelled, the first with its year; with 7 every
// second. A month spans Mondays.
func TestDateTicks(t *testing.T) {
	labels := func(dt dateTicks, from, to string) (labelled []string, all int) {
		for _, tk := range dt.Ticks(unix(day(from)), unix(day(to))) {
			if tk.Label != "" {
				labelled = append(labelled, tk.Label)
			}
			all++
		}
		return labelled, all
	}
	got, n := labels(dateTicks{maxLabels: 13}, "2023-01-03", "2023-12-29")
	require.Equal(t, []string{"Feb 2023", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}, got)
	require.Equal(t, 11, n)
	got, n = labels(dateTicks{maxLabels: 7}, "2023-01-03", "2023-12-29")
	require.Equal(t, []string{"Feb 2023", "Apr", "Jun", "Aug", "Oct", "Dec"}, got)
	require.Equal(t, 11, n)
	got, _ = labels(dateTicks{maxLabels: 7}, "2022-11-15", "2023-03-01")
	require.Equal(t, []string{"Dec 2022", "Jan 2023", "Feb", "Mar"}, got, "2023-03-01 is in the span")
	got, _ = labels(dateTicks{maxLabels: 7}, "2023-12-01", "2023-12-29")
	require.Equal(t, []string{"Dec 04", "Dec 11", "Dec 18", "Dec 25"}, got)
}
