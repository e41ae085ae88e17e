package arimagarch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/marketdata"
)

// BenchmarkCanonical is the canonical fit of DESIGN §3 on the last n daily
// log returns of a symbol: exact-ML ARMA(p,q) for the 9 orders (p,q) in
// {0,1,2}^2, AIC choice, joint ARMA-GARCH(1,1) Gaussian, one-step forecast.
// One goroutine (Workers 1). n = 756 is the forecast job's training window.
func BenchmarkCanonical(b *testing.B) {
	for _, sym := range []string{"AAPL", "SPY"} {
		bars, err := marketdata.ReadCSVFile("../../testdata/prices/"+sym+".csv", sym)
		require.NoError(b, err)
		r := marketdata.LogReturns(bars)
		for _, n := range []int{252, 756, 1512} {
			y := r[len(r)-n:]
			b.Run(fmt.Sprintf("%s/n=%d", sym, n), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					res, err := Fit(context.Background(), y, Config{Auto: true, GARCH: true})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := res.Forecast(1); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkOrderSearch is the 9-order exact-ML search alone on 756 returns.
func BenchmarkOrderSearch(b *testing.B) {
	bars, err := marketdata.ReadCSVFile("../../testdata/prices/AAPL.csv", "AAPL")
	require.NoError(b, err)
	r := marketdata.LogReturns(bars)
	y := r[len(r)-756:]
	for i := 0; i < b.N; i++ {
		if _, err := Fit(context.Background(), y, Config{Auto: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGARCH is the joint ARMA(0,0)-GARCH(1,1) fit alone on 756
// returns.
func BenchmarkGARCH(b *testing.B) {
	bars, err := marketdata.ReadCSVFile("../../testdata/prices/AAPL.csv", "AAPL")
	require.NoError(b, err)
	r := marketdata.LogReturns(bars)
	y := r[len(r)-756:]
	for i := 0; i < b.N; i++ {
		if _, err := Fit(context.Background(), y, Config{GARCH: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// spyBars returns the last n bars of SPY to 2023-06-30 and the 125 after
// them.
func spyBars(b *testing.B, n int) []marketdata.Bar {
	bars, err := marketdata.ReadCSVFile("../../testdata/prices/SPY.csv", "SPY")
	require.NoError(b, err)
	end := marketdata.IndexOf(bars, time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC))
	return bars[end-n+1 : end+126]
}

// BenchmarkFit is the canonical model's Fit on n SPY bars to 2023-06-30
// (n-1 returns).
func BenchmarkFit(b *testing.B) {
	m, err := New(forecast.Options{})
	require.NoError(b, err)
	for _, n := range []int{252, 504, 756} {
		bars := spyBars(b, n)[:n]
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := m.(*Model).Fit(context.Background(), bars); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPredictPath126 is one PredictPath of the canonical model fitted
// once on n SPY bars to 2023-06-30: the predictions for the 126 days after
// the last training bar, each from the bars up to the day before.
func BenchmarkPredictPath126(b *testing.B) {
	m, err := New(forecast.Options{})
	require.NoError(b, err)
	for _, n := range []int{252, 504, 756} {
		bars := spyBars(b, n)
		f, err := m.(*Model).Fit(context.Background(), bars[:n])
		require.NoError(b, err)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				d, err := forecast.PredictPath(context.Background(), f, bars, n-1)
				if err != nil || len(d) != 126 {
					b.Fatal(err, len(d))
				}
			}
		})
	}
}
