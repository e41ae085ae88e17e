package report_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/report"
	"runner/store/storetest"
)

// BenchmarkReport builds the report of the 3 canary symbols (Load from a
// SQLite store, then Write) over a month, a quarter, half a year and a year
// of daily forecasts of both ensembles, and reports the page's size. The
// issue's bound: a year in under 2 s and 5 MB.
func BenchmarkReport(b *testing.B) {
	for _, days := range []int{21, 63, 125, 250} {
		b.Run(fmt.Sprintf("days=%d", days), func(b *testing.B) {
			ctx := context.Background()
			s := storetest.SQLite(b)
			fill(b, s, fixtureSymbols, days)
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				d, err := report.Load(ctx, s, report.LoadConfig{})
				require.NoError(b, err)
				require.NoError(b, report.Write(ctx, &buf, d, report.Config{}))
			}
			b.ReportMetric(float64(buf.Len()), "bytes/page")
		})
	}
}
