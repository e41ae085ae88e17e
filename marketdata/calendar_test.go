package marketdata_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/marketdata"
)

// The bundled SPY and QQQ files follow the NYSE calendar (shared data
// README); every next bar must be NextTradingDay of the one before, except
// across the unscheduled closures listed here (NYSE's published history).
func TestNextTradingDayMatchesNYSEHistory(t *testing.T) {
	unscheduled := map[string]bool{
		"2001-09-11": true, "2001-09-12": true, "2001-09-13": true, "2001-09-14": true, // September 11
		"2004-06-11": true,                     // Reagan
		"2007-01-02": true,                     // Ford
		"2012-10-29": true, "2012-10-30": true, // Hurricane Sandy
		"2018-12-05": true, // G. H. W. Bush
	}
	for _, sym := range []string{"SPY", "QQQ", "AAPL"} {
		bars, err := marketdata.CSVSource{Dir: filepath.Join("..", "testdata", "prices")}.Bars(context.Background(), sym)
		require.NoError(t, err)
		checked := 0
		for i := 0; i+1 < len(bars); i++ {
			want := bars[i+1].Date
			got := marketdata.NextTradingDay(bars[i].Date)
			for unscheduled[got.Format(marketdata.DateLayout)] {
				got = marketdata.NextTradingDay(got)
			}
			require.Equal(t, want.Format(marketdata.DateLayout), got.Format(marketdata.DateLayout), "%s after %s", sym, bars[i].Date.Format(marketdata.DateLayout))
			checked++
		}
		require.Greater(t, checked, 2700)
	}
}

func TestNextTradingDayHolidays(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(marketdata.DateLayout, s); return v }
	for from, want := range map[string]string{
		"2023-12-29": "2024-01-02", // New Year's Day 2024 (Monday)
		"2024-03-28": "2024-04-01", // Good Friday 2024-03-29
		"2024-06-18": "2024-06-20", // Juneteenth
		"2026-07-02": "2026-07-06", // July 4 2026 is a Saturday: observed Friday 3rd
		"2021-12-30": "2021-12-31", // New Year 2022 is a Saturday: not observed on Friday
		"2026-11-25": "2026-11-27", // Thanksgiving 2026-11-26
	} {
		require.Equal(t, want, marketdata.NextTradingDay(d(from)).Format(marketdata.DateLayout), from)
	}
}
