package marketdata_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/marketdata"
)

func TestReadCSVBadInput(t *testing.T) {
	for _, tc := range []struct {
		file string
		line int    // expected line in the error; 0 when the error names a date or no line
		date string // expected date in the error, when any
		msg  string
	}{
		{"unparsable.csv", 3, "", `unparsable Close "1O.5"`},
		{"missing_close.csv", 1, "", "header has no Close column"},
		{"empty.csv", 0, "", "empty file"},
		{"duplicate_date.csv", 4, "2023-12-27", "duplicate date 2023-12-27"},
		{"unsorted.csv", 4, "2023-12-27", "dates not sorted: 2023-12-27 after 2023-12-28"},
		{"zero_price.csv", 3, "2023-12-27", "close price 0 is not a positive finite number"},
		{"negative_price.csv", 3, "2023-12-27", "adjusted close price -10.5 is not a positive finite number"},
		{"nan_price.csv", 3, "2023-12-27", "close price NaN is not a positive finite number"},
		{"gap.csv", 4, "2023-12-15", "gap of 11 calendar days after 2023-12-04"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("..", "testdata", "bad", tc.file)
			_, err := marketdata.ReadCSVFile(path, "BAD")
			require.Error(t, err)
			var de *marketdata.DataError
			require.True(t, errors.As(err, &de), "%T", err)
			require.Equal(t, "BAD", de.Symbol)
			require.Equal(t, path, de.File)
			require.Equal(t, tc.line, de.Line)
			if tc.date != "" {
				require.Equal(t, tc.date, de.Date.Format(marketdata.DateLayout))
			}
			require.Contains(t, err.Error(), tc.msg)
			require.Contains(t, err.Error(), path)
			if tc.line > 0 {
				require.Contains(t, err.Error(), "line ")
			}
		})
	}
}

func TestWindowTooFewBars(t *testing.T) {
	bars, err := marketdata.ReadCSVFile(filepath.Join("..", "testdata", "bad", "short.csv"), "SHORT")
	require.NoError(t, err)
	_, err = marketdata.Window(bars, time.Time{}, 756)
	var de *marketdata.DataError
	require.ErrorAs(t, err, &de)
	require.Equal(t, "SHORT", de.Symbol)
	require.Contains(t, err.Error(), "3 bars on or before as-of date, need 756")
}

// The bundled files use both header layouts; both load, and where there is no
// Adj Close the Close is the modelled series.
func TestCSVSourceBothLayouts(t *testing.T) {
	src := marketdata.CSVSource{Dir: filepath.Join("..", "testdata", "prices")}
	ctx := context.Background()
	syms, err := src.Symbols(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"AAPL", "AMZN", "GOOGL", "IWM", "META", "MSFT", "NVDA", "QQQ", "SPY", "TLT", "TSLA", "XLV"}, syms)
	for _, sym := range syms {
		bars, err := src.Bars(ctx, sym)
		require.NoError(t, err, sym)
		require.Greater(t, len(bars), 2000, sym)
		for _, b := range bars {
			require.Greater(t, b.AdjClose, 0.0)
		}
	}
	aapl, err := src.Bars(ctx, "AAPL")
	require.NoError(t, err)
	require.Len(t, aapl, 2768) // testdata/README.md: 2768 rows, 2013-01-02..2023-12-29
	require.Equal(t, aapl[0].Close, aapl[0].AdjClose)

	spy, err := src.Bars(ctx, "SPY")
	require.NoError(t, err)
	// First row of SPY.csv: 2000-01-03,148.25,148.25,143.88,145.44,93.88,8164300.
	require.Equal(t, marketdata.Bar{Symbol: "SPY", Date: time.Date(2000, 1, 3, 0, 0, 0, 0, time.UTC),
		Open: 148.25, High: 148.25, Low: 143.88, Close: 145.44, AdjClose: 93.88, Volume: 8164300}, spy[0])

	// SPY's largest daily move, +13.6% (log) on 2008-10-13 (shared data README).
	i := marketdata.IndexOf(spy, time.Date(2008, 10, 13, 0, 0, 0, 0, time.UTC))
	require.Positive(t, i)
	r := math.Log(spy[i].AdjClose / spy[i-1].AdjClose)
	require.InDelta(t, 0.136, r, 0.001)

	_, err = src.Bars(ctx, "NOPE")
	require.ErrorIs(t, err, marketdata.ErrNoData)
}

func TestLogReturns(t *testing.T) {
	bars, err := marketdata.ReadCSV(strings.NewReader("Date,Open,High,Low,Close,Volume\n"+
		"2024-01-02,1,1,1,100,5\n2024-01-03,1,1,1,110,5\n2024-01-04,1,1,1,99,5\n"), "X", "x.csv")
	require.NoError(t, err)
	r := marketdata.LogReturns(bars)
	// ln(110/100) and ln(99/110), by hand.
	require.InDeltaSlice(t, []float64{0.09531017980432493, -0.10536051565782628}, r, 1e-15)
}

// A malformed CSV record (here a bare quote inside a date, the issue 9
// repro) is a *DataError naming the file and the line, never a panic.
func TestReadCSVQuoteError(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		line       int
		msg        string
	}{
		{"repro", "Date,Close\n2023-12-2\"9,1\n", 0, ""},
		{"bare quote", "Date,Open,High,Low,Close,Adj Close,Volume\n2023-12-26,1,1,1,10,10,100\n2023-12-2\"7,1,1,1,10,10,100\n", 3,
			`column 10: bare " in non-quoted-field`},
		{"unterminated quote", "Date,Open,High,Low,Close,Adj Close,Volume\n2023-12-26,1,1,1,10,10,100\n\"2023-12-27,1,1,1,10,10,100\n2023-12-28,1,1,1,10,10,100\n", 3,
			`extraneous or missing " in quoted-field`},
		{"quote in header", "Date,Open,High,Low,\"Close,Adj Close,Volume\n2023-12-26,1,1,1,10,10,100\n", 1,
			`extraneous or missing " in quoted-field`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var bars []marketdata.Bar
			var err error
			require.NotPanics(t, func() { bars, err = marketdata.ReadCSV(strings.NewReader(tc.data), "BAD", "BAD.csv") })
			require.Nil(t, bars)
			var de *marketdata.DataError
			require.ErrorAs(t, err, &de)
			require.Equal(t, "BAD", de.Symbol)
			require.Equal(t, "BAD.csv", de.File)
			require.Positive(t, de.Line, err.Error())
			if tc.line > 0 {
				require.Equal(t, tc.line, de.Line, err.Error())
				require.Contains(t, err.Error(), tc.msg)
			}
		})
	}
}

// The header must hold exactly the columns of one of the two layouts of
// DESIGN §2, in any order and letter case; every other header is an error on
// line 1 that names the offending column, and a row whose field count differs
// from the header's is an error on its line.
func TestReadCSVHeader(t *testing.T) {
	const allowed = "allowed: Date, Open, High, Low, Close, Adj Close, Volume"
	row := "2023-12-26,1,1,1,10,100\n2023-12-27,1,1,1,10.5,100\n"
	for _, tc := range []struct {
		name, data string
		line       int      // 0: no error
		msgs       []string // expected in the error
	}{
		{"yahoo", "Date,Open,High,Low,Close,Adj Close,Volume\n2023-12-26,1,1,1,10,9,100\n", 0, nil},
		{"no adj close", "Date,Open,High,Low,Close,Volume\n" + row, 0, nil},
		{"any order, case and spaces", "\ufeffclose, DATE ,open,high,low,adj_close,volume\n10,2023-12-26,1,1,1,9,100\n", 0, nil},
		{"misspelt volume", "Date,Open,High,Low,Close,Volumne\n" + row, 1,
			[]string{`unknown column "Volumne" (column 6)`, allowed}},
		{"empty column name", "Date,Open,High,Low,Close,Volume,\n" + row, 1, []string{`unknown column "" (column 7)`}},
		{"no volume", "Date,Open,High,Low,Close\n2023-12-26,1,1,1,10\n", 1,
			[]string{"header has no Volume column", "want Date,Open,High,Low,Close[,Adj Close],Volume"}},
		{"date and close only", "Date,Close\n2023-12-26,10\n", 1, []string{"header has no Open, High, Low, Volume column"}},
		{"duplicate close", "Date,Open,High,Low,Close,Close,Volume\n2023-12-26,1,1,1,10,11,100\n", 1,
			[]string{"header names Close twice (columns 5 and 6)"}},
		{"duplicate adj close spellings", "Date,Open,High,Low,Close,Adj Close,adj_close,Volume\n2023-12-26,1,1,1,10,9,9,100\n", 1,
			[]string{`header names Adj Close twice (columns 6 and 7: "Adj Close" and "adj_close")`}},
		{"extra field", "Date,Open,High,Low,Close,Volume\n2023-12-26,1,1,1,10,100\n2023-12-27,1,1,1,10.5,100,7\n", 3,
			[]string{"row has 7 fields, the header has 6"}},
		{"missing field", "Date,Open,High,Low,Close,Volume\n2023-12-26,1,1,1,10\n", 2,
			[]string{"row has 5 fields, the header has 6"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bars, err := marketdata.ReadCSV(strings.NewReader(tc.data), "X", "x.csv")
			if tc.line == 0 {
				require.NoError(t, err)
				require.NotEmpty(t, bars)
				require.Equal(t, 10.0, bars[0].Close)
				require.Equal(t, 100.0, bars[0].Volume)
				return
			}
			var de *marketdata.DataError
			require.ErrorAs(t, err, &de)
			require.Equal(t, "x.csv", de.File)
			require.Equal(t, tc.line, de.Line, err.Error())
			for _, m := range tc.msgs {
				require.Contains(t, err.Error(), m)
			}
		})
	}
}

// File names are case-insensitive: aapl.csv holds AAPL. Two files of one
// symbol (aapl.csv and AAPL.csv) are an error for that symbol that names
// both, never a silent choice.
func TestCSVSourceFileNameCase(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join("..", "testdata", "bad", "short.csv"))
	require.NoError(t, err)
	for _, name := range []string{"aapl.csv", "Msft.CSV", "spy.csv", "SPY.csv"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), good, 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "dir.csv"), 0o755))
	src := marketdata.CSVSource{Dir: dir}
	ctx := context.Background()
	syms, err := src.Symbols(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"AAPL", "MSFT", "SPY"}, syms)

	for _, sym := range []string{"AAPL", "aapl", "MSFT"} {
		bars, err := src.Bars(ctx, sym)
		require.NoError(t, err, sym)
		require.Len(t, bars, 3) // short.csv has 3 bars
		require.Equal(t, strings.ToUpper(sym), bars[0].Symbol)
	}

	_, err = src.Bars(ctx, "SPY")
	var de *marketdata.DataError
	require.ErrorAs(t, err, &de)
	require.Equal(t, "SPY", de.Symbol)
	require.Contains(t, err.Error(), filepath.Join(dir, "SPY.csv"))
	require.Contains(t, err.Error(), filepath.Join(dir, "spy.csv"))
	require.Contains(t, err.Error(), "2 files for one symbol")

	_, err = src.Bars(ctx, "DIR")
	require.ErrorIs(t, err, marketdata.ErrNoData)
}
