package walkforward

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast/forecasttest"
	"runner/marketdata"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestConfigDefaultsAndValidate(t *testing.T) {
	c := Config{}.WithDefaults()
	require.Equal(t, Config{Train: 756, Val: 126, Test: 126, Step: 21}, c)
	require.NoError(t, c.Validate())
	for _, bad := range []Config{
		{Train: 756, Val: 19, Test: 126, Step: 21},
		{Train: 756, Val: 126, Test: 19, Step: 21},
		{Train: 756, Val: 126, Test: 126, Step: -1},
		{Train: 30, Val: 126, Test: 126, Step: 21},
	} {
		require.Error(t, bad.Validate(), "%+v", bad)
	}
}

// TestLatestWindows checks the spans of the three latest default windows of
// AAPL as of 2023-12-29 by counting bars in the CSV independently: the last
// test bar is the as-of bar, each span has its size, the spans are
// consecutive, and windows step back by 21 bars.
func TestLatestWindows(t *testing.T) {
	bars := forecasttest.AllBars(t, "AAPL")
	c := Config{}.WithDefaults()
	ws, err := c.Latest(bars, date("2023-12-29"), 3)
	require.NoError(t, err)
	require.Len(t, ws, 3)
	end := marketdata.IndexOf(bars, date("2023-12-29"))
	for i, w := range ws {
		e := end - (2-i)*21
		require.Equal(t, e, w.End)
		require.Equal(t, e-1007, w.Start)
		require.Equal(t, bars[e].Date, w.TestLast)
		require.Equal(t, bars[e-125].Date, w.TestFirst)
		require.Equal(t, bars[e-126].Date, w.ValLast)
		require.Equal(t, bars[e-251].Date, w.ValFirst)
		require.Equal(t, bars[e-252].Date, w.TrainLast)
		require.Equal(t, bars[e-1007].Date, w.TrainFirst)
		require.Equal(t, e-1007, w.ID, "ID counts bars from the first full window")
		require.Equal(t, int(math.Round(w.TestLast.Sub(w.TrainFirst).Hours()/24)), w.DataSpanDays())
	}
	require.Equal(t, date("2023-12-29"), ws[2].ValidationDate())
	// As of a Sunday: the last bar on or before it.
	sun, err := c.Latest(bars, date("2023-12-31"), 1)
	require.NoError(t, err)
	require.Equal(t, ws[2], sun[0])
}

// TestWindowIDStable: the same span of bars has the same ID whatever the
// number of windows asked, the as-of date, or the method; the symbol's
// first full window has ID 0.
func TestWindowIDStable(t *testing.T) {
	bars := forecasttest.AllBars(t, "SPY")
	c := Config{}.WithDefaults()
	three, err := c.Latest(bars, date("2023-12-29"), 3)
	require.NoError(t, err)
	ten, err := c.Latest(bars, date("2023-12-29"), 10)
	require.NoError(t, err)
	require.Equal(t, three, ten[7:])
	between, err := c.Between(bars, three[0].TestLast, date("2023-12-29"))
	require.NoError(t, err)
	require.Equal(t, three, between)
	first, err := c.Latest(bars[:c.Len()+5], bars[c.Len()-1].Date, 1)
	require.NoError(t, err)
	require.Equal(t, 0, first[0].ID)
	require.Equal(t, 0, first[0].Start)
}

// TestBetweenWindows: every window whose test span ends in 2019-2021 for
// SPY; the count is the number of bars in the range divided by the step,
// rounded up (counted from the CSV).
func TestBetweenWindows(t *testing.T) {
	bars := forecasttest.AllBars(t, "SPY")
	c := Config{}.WithDefaults()
	from, to := date("2019-01-01"), date("2021-12-31")
	ws, err := c.Between(bars, from, to)
	require.NoError(t, err)
	var inRange int
	for _, b := range bars {
		if !b.Date.Before(from) && !b.Date.After(to) {
			inRange++
		}
	}
	require.Equal(t, (inRange+20)/21, len(ws))
	require.Equal(t, date("2021-12-31"), ws[len(ws)-1].TestLast)
	for i, w := range ws {
		require.False(t, w.TestLast.Before(from) || w.TestLast.After(to))
		if i > 0 {
			require.Equal(t, 21, w.End-ws[i-1].End)
		}
	}
	_, err = c.Between(bars, to, from)
	require.ErrorContains(t, err, "before --from")
}

// TestNotEnoughHistory names the bars available and needed.
func TestNotEnoughHistory(t *testing.T) {
	bars := forecasttest.AllBars(t, "SPY")[:1100]
	c := Config{}.WithDefaults()
	_, err := c.Latest(bars, time.Time{}, 6)
	require.ErrorContains(t, err, "1100 bars available, 1113 needed for 6 windows")
	var de *marketdata.DataError
	require.ErrorAs(t, err, &de)
	require.Equal(t, "SPY", de.Symbol)
	_, err = c.Between(bars[:900], date("2000-01-01"), date("2030-01-01"))
	require.ErrorContains(t, err, "900 bars on or before 2030-01-01, 1008 needed")
}

func TestDivergenceAndLevels(t *testing.T) {
	d, err := Divergence(0.02, 0.025)
	require.NoError(t, err)
	require.InDelta(t, 0.25, d, 1e-15) // |0.02-0.025|/0.02, by hand
	d, err = Divergence(0.02, 0.015)
	require.NoError(t, err)
	require.InDelta(t, 0.25, d, 1e-15)
	for _, bad := range [][2]float64{{math.NaN(), 0.01}, {0.01, math.NaN()}, {0, 0.01}, {0.01, 0}, {math.Inf(1), 0.01}, {0.01, math.Inf(1)}, {-0.01, 0.01}} {
		_, err := Divergence(bad[0], bad[1])
		require.Error(t, err, "%v must be an error, never divergence 0", bad)
	}
	up := func(x float64) float64 { return math.Nextafter(x, 1) }
	require.Empty(t, Reached(0.15))
	require.Equal(t, "ok", LevelOf(0.15))
	require.Equal(t, "warning", LevelOf(up(0.15)))
	require.Equal(t, "warning", LevelOf(0.20))
	require.Equal(t, "overfitting", LevelOf(up(0.20)))
	require.Equal(t, "overfitting", LevelOf(0.30))
	require.Equal(t, "critical", LevelOf(up(0.30)))
	require.Len(t, Reached(0.31), 3)
}
