package naive_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/forecast/naive"
	"runner/marketdata"
)

// BenchmarkPredictPath126 is one PredictPath of the naive model fitted on
// n SPY bars to 2023-06-30: the predictions for the 126 days after.
func BenchmarkPredictPath126(b *testing.B) {
	bars, err := marketdata.ReadCSVFile("../../testdata/prices/SPY.csv", "SPY")
	require.NoError(b, err)
	end := marketdata.IndexOf(bars, time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC))
	for _, n := range []int{252, 504, 756} {
		w := bars[end-n+1 : end+126]
		f, err := naive.Model{}.Fit(context.Background(), w[:n])
		require.NoError(b, err)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := forecast.PredictPath(context.Background(), f, w, n-1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
