package report_test

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/report"
	"runner/store/storetest"
)

// chartsPerSymbol are the charts of a symbol's section: forecasts, RMSE
// ratio, coverage, divergence, reliability, and the weights of each
// ensemble.
const chartsPerSymbol = 7

var svgElement = regexp.MustCompile(`<svg\b`)

// A year of daily forecasts of the 3 canary symbols: every chart is drawn,
// the page holds nothing fetched from elsewhere, and it stays under 5 MB
// (the bound).
func TestYearReport(t *testing.T) {
	ctx := context.Background()
	s := storetest.SQLite(t)
	fx := fill(t, s, fixtureSymbols, 250)
	d, err := report.Load(ctx, s, report.LoadConfig{Now: func() time.Time { return lastAsOf.Add(48 * time.Hour) }})
	require.NoError(t, err)
	require.Len(t, d.Symbols, 3)
	require.Len(t, d.Runs, 3)
	for _, sd := range d.Symbols {
		require.Equal(t, 2*250, len(sd.Forecasts), sd.Symbol)
		require.Len(t, sd.Validation, 2*fx.windows, sd.Symbol)
		require.Len(t, sd.Weights, 2*fx.windows, sd.Symbol)
		require.Len(t, sd.Summary, 2, sd.Symbol)
		for _, r := range sd.Summary {
			require.Equal(t, 250, r.N, "%s %s: every forecast matured", sd.Symbol, r.Ensemble)
			// The calibrated interval is 1.2 times the raw: it covers at
			// least as much.
			require.GreaterOrEqual(t, r.Coverage, r.RawCoverage)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, report.Write(ctx, &buf, d, report.Config{}))
	page := buf.String()
	require.Less(t, buf.Len(), 5_000_000, "the year's page must stay under 5 MB")
	t.Logf("year report: %d bytes", buf.Len())
	require.Len(t, svgElement.FindAllStringIndex(page, -1), 3*chartsPerSymbol, "every chart drawn")
	require.NotContains(t, page, `class="chart empty`)
	require.Contains(t, page, "no canary started: run <code>runner canary start</code>")
	for _, bad := range []string{"<script", "<link", "@import", "url(", "src=", "http://", "https://"} {
		if bad == "http://" { // the SVG namespaces are names, never fetched
			page = strings.ReplaceAll(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""),
				`xmlns:xlink="http://www.w3.org/1999/xlink"`, "")
		}
		require.NotContains(t, page, bad, "a self-contained page")
	}
	require.Contains(t, page, "weights reverted")
	// Each weights chart counts its reversions: together every reverted
	// row the fixture wrote.
	reverted := 0
	for _, m := range regexp.MustCompile(`\(dashed: (\d+) reversions\)`).FindAllStringSubmatch(page, -1) {
		n, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		reverted += n
	}
	require.Positive(t, fx.reverted)
	require.Equal(t, fx.reverted, reverted)
}

// Nothing in the store: every section says what to run instead of drawing
// a blank chart.
func TestEmptyStates(t *testing.T) {
	ctx := context.Background()
	d, err := report.Load(ctx, storetest.SQLite(t), report.LoadConfig{})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, report.Write(ctx, &buf, d, report.Config{}))
	page := buf.String()
	require.NotContains(t, page, "<svg")
	for _, want := range []string{
		"no canary started: run <code>runner canary start</code>",
		"no forecasts or validation in this range: run <code>runner backfill --from DATE --to DATE</code>",
		"no runs yet",
	} {
		require.Contains(t, page, want)
	}

	// A symbol asked for with nothing stored: each chart is an empty state.
	d.Symbols = []report.SymbolData{{Symbol: "AAPL"}}
	buf.Reset()
	require.NoError(t, report.Write(ctx, &buf, d, report.Config{}))
	page = buf.String()
	require.Equal(t, chartsPerSymbol, strings.Count(page, `class="chart empty`)+strings.Count(page, `class="chart wide empty`))
	for _, want := range []string{
		"no validation yet: run <code>runner validate</code>",
		"no forecasts in this range yet: run <code>runner backfill --from DATE --to DATE</code>",
		"not enough matured forecasts of both ensembles yet (20 as-of dates needed)",
		"no weights decided yet (the defaults are in force): run <code>runner validate</code>",
	} {
		require.Contains(t, page, want)
	}
}

// The canary view, when the caller gives one, shows the stage and every
// event, oldest first.
func TestCanarySection(t *testing.T) {
	at := time.Date(2024, 1, 2, 19, 0, 0, 0, time.UTC)
	d := report.Data{Canary: &report.CanaryView{Stage: "7.2", StageSince: at.AddDate(0, 0, 7), Scope: []string{"AAPL", "MSFT"},
		Events: []report.CanaryEvent{
			{At: at, Kind: "started", Stage: "7.1", Actor: "ops", Reason: "rollout approved"},
			{At: at.AddDate(0, 0, 7), Kind: "advanced", Stage: "7.2", Actor: "schedule", Reason: "avg divergence 6% < 10%"},
		}}}
	var buf bytes.Buffer
	require.NoError(t, report.Write(context.Background(), &buf, d, report.Config{}))
	page := buf.String()
	require.Contains(t, page, `<span class="stage">7.2</span> since 2024-01-09 19:00 UTC`)
	require.Less(t, strings.Index(page, "rollout approved"), strings.Index(page, "avg divergence 6% &lt; 10%"))
	require.NotContains(t, page, "no canary started")
}

// A range selects the forecasts and windows it covers, and keeps the
// weights in force at its start.
func TestLoadRange(t *testing.T) {
	ctx := context.Background()
	s := storetest.SQLite(t)
	fill(t, s, []string{"SPY"}, 63)
	// The last 63 as-of dates up to 2023-12-28 start on 2023-09-28; the
	// windows fall every 21 bars from there: 2023-09-28, 2023-10-27,
	// 2023-11-28 (bundled SPY bars).
	from, to := time.Date(2023, 10, 2, 0, 0, 0, 0, time.UTC), time.Date(2023, 11, 30, 0, 0, 0, 0, time.UTC)
	d, err := report.Load(ctx, s, report.LoadConfig{Symbols: []string{"SPY"}, From: from, To: to})
	require.NoError(t, err)
	require.Len(t, d.Symbols, 1)
	sd := d.Symbols[0]
	// Trading days 2023-10-02 .. 2023-11-30: 22 in October, 21 in November
	// (Thanksgiving closed), per ensemble.
	require.Equal(t, 2*43, len(sd.Forecasts))
	require.Len(t, sd.Validation, 2*2, "the windows of 2023-10-27 and 2023-11-28")
	require.Len(t, sd.Weights, 2*3, "the rows of 2023-09-28 (in force on 2023-10-02), 2023-10-27 and 2023-11-28")
	require.Equal(t, 43, sd.Summary[0].N)

	_, err = report.Load(ctx, s, report.LoadConfig{From: to, To: from})
	require.ErrorContains(t, err, "report: load: to 2023-10-02 is before from 2023-11-30")
}

// At the edges of the rolling windows: 20 days give the RMSE ratio one
// point (window 20) and no coverage yet (window 60); one walk-forward window
// gives one divergence per ensemble. Nothing is drawn as NaN.
func TestShortRange(t *testing.T) {
	ctx := context.Background()
	s := storetest.SQLite(t)
	fill(t, s, []string{"SPY"}, 20)
	d, err := report.Load(ctx, s, report.LoadConfig{})
	require.NoError(t, err)
	require.Len(t, d.Symbols[0].Validation, 2, "one window (every 21 bars), both ensembles")
	var buf bytes.Buffer
	require.NoError(t, report.Write(ctx, &buf, d, report.Config{}))
	page := buf.String()
	require.Contains(t, page, `data-chart="SPY-rmse"`)
	require.Contains(t, page, "not enough matured forecasts yet (60 needed)")
	require.Equal(t, chartsPerSymbol-1, len(svgElement.FindAllStringIndex(page, -1)), "all but the coverage")
	require.NotContains(t, page, "NaN")
	require.NotContains(t, page, "Inf")
}
