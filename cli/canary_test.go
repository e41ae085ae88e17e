package cli

import (
	"context"
	"math"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/marketdata"
	"runner/store"
	"runner/store/sqlite"
)

// The canary job over 60 consecutive as-of dates of AAPL (2023-10-04 ..
// 2023-12-28), with 2 training epochs to stay fast: every forecast is
// finite, the store holds exactly 60 x 2 rows, and status reports RMSE for
// both ensembles over all 60 matured forecasts.
func TestCanaryOverSixtyDates(t *testing.T) {
	bars, err := marketdata.CSVSource{Dir: prices}.Bars(context.Background(), "AAPL")
	require.NoError(t, err)
	last := marketdata.IndexOf(bars, asOfDate("2023-12-28"))
	require.Positive(t, last)
	db := "sqlite:" + filepath.Join(t.TempDir(), "runner.db")
	for i := last - 59; i <= last; i++ {
		code, out, stderr := run(t, "--database-url", db, "--data", prices, "forecast", "--mode", "canary",
			"--symbols", "AAPL", "--as-of", bars[i].Date.Format(marketdata.DateLayout), "--epochs", "2")
		require.Equal(t, ExitOK, code, "as of %s:\n%s\n%s", bars[i].Date.Format(marketdata.DateLayout), out, stderr)
	}
	s, err := sqlite.Open(context.Background(), db[len("sqlite:"):])
	require.NoError(t, err)
	defer s.Close()
	fs, err := s.Forecasts(context.Background(), store.ForecastFilter{})
	require.NoError(t, err)
	require.Len(t, fs, 120)
	perEnsemble := map[string]int{}
	for _, f := range fs {
		perEnsemble[f.Ensemble]++
		for _, v := range []float64{f.Return, f.Price, f.Volatility, f.CILower, f.CIUpper, f.PBear, f.PNeutral, f.PBull, f.Confidence} {
			require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%s %s %s", f.Symbol, f.Ensemble, f.AsOf)
		}
		require.Greater(t, f.Volatility, 0.0)
		require.NotNil(t, f.RealisedReturn, "every as-of date up to 2023-12-28 has its next bar")
		require.Len(t, f.Components, map[string]int{"candidate": 2, "legacy": 4}[f.Ensemble])
	}
	require.Equal(t, map[string]int{"candidate": 60, "legacy": 60}, perEnsemble)

	code, out, stderr := run(t, "--database-url", db, "--data", prices, "status", "--window", "60")
	require.Equal(t, ExitOK, code, stderr)
	for _, ens := range []string{"candidate", "legacy"} {
		re := regexp.MustCompile(`AAPL\s+` + ens + `\s+60\s+2023-10-04\s+2023-12-28\s+0\.0\d{4}`)
		require.Regexp(t, re, out)
	}
	require.Regexp(t, `AAPL\s+legacy\s+60\s+\S+\s+\S+\s+\S+\s+\S+\s+1\.000\s`, out, "legacy relative to itself")
}

// The same canary command twice leaves the same rows with identical numbers.
func TestCanaryIdempotentAndReproducible(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "runner.db")
	args := []string{"--database-url", "sqlite:" + db, "--data", prices, "forecast", "--mode", "canary",
		"--as-of", "2023-12-29", "--epochs", "3"}
	var runs [][]store.Forecast
	for range 2 {
		code, out, stderr := run(t, args...)
		require.Equal(t, ExitOK, code, "%s\n%s", out, stderr)
		s, err := sqlite.Open(context.Background(), db)
		require.NoError(t, err)
		fs, err := s.Forecasts(context.Background(), store.ForecastFilter{})
		require.NoError(t, err)
		s.Close()
		require.Len(t, fs, 6) // AAPL, MSFT, SPY x candidate, legacy
		for i := range fs {
			fs[i].RunID = 0 // each run has its own
		}
		runs = append(runs, fs)
	}
	for i := range runs[0] {
		a, b := runs[0][i], runs[1][i]
		b.CreatedAt, b.UpdatedAt, b.MaturedAt = a.CreatedAt, a.UpdatedAt, a.MaturedAt
		require.Equal(t, a, b, "bit-identical rows for %s %s", a.Symbol, a.Ensemble)
	}
}

func asOfDate(s string) time.Time {
	d, err := time.Parse(marketdata.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestCanaryEvaluateWithoutDeployment: with no canary started, evaluate
// (with or without --as-of, dry run or not) says there is nothing to
// evaluate and succeeds, as after a rollback, so that the scheduled
// evaluation does not fail every day before the first canary; it writes
// nothing.
func TestCanaryEvaluateWithoutDeployment(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "runner.db")
	for _, args := range [][]string{{}, {"--as-of", "2023-12-01"}, {"--dry-run"}} {
		code, out, stderr := run(t, append([]string{"--database-url", db, "--data", prices, "canary", "evaluate"}, args...)...)
		require.Equal(t, ExitOK, code, "%v: %s", args, stderr)
		require.Contains(t, out, "no canary deployment: nothing to evaluate", "%v", args)
	}
	s, err := sqlite.Open(context.Background(), db[len("sqlite:"):])
	require.NoError(t, err)
	defer s.Close()
	ms, err := s.CanaryMetrics(context.Background(), 1)
	require.NoError(t, err)
	require.Empty(t, ms)
}
