package report_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"runner/report"
	"runner/store/storetest"
)

// screenshotDir, when set, receives a copy of the browser test's
// screenshot (go test ./report -run Chromium -args -report.screenshot-dir DIR).
var screenshotDir = flag.String("report.screenshot-dir", "", "also save the browser test's screenshot in this directory")

// chromium finds Debian's chromium (or another Chromium or Chrome build).
// Without one the test is skipped, and fails under CI=true, where .ci/run
// installs it.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found: the browser check must run in CI (.ci/run installs it with apt-get install chromium)")
	}
	t.Skip("chromium not found: install it (apt-get install chromium) to check the report in a browser")
	return ""
}

// chartBox is what the page says of one chart.
type chartBox struct {
	ID      string  `json:"id"`
	SVG     bool    `json:"svg"`
	Width   float64 `json:"width"`
	Height  float64 `json:"height"`
	Visible bool    `json:"visible"`
	Paths   int     `json:"paths"`
	Texts   int     `json:"texts"`
}

// measureCharts lists every chart figure with the box of its SVG (or of its
// empty state), whether it is visible, and what the SVG holds.
const measureCharts = `Array.from(document.querySelectorAll('figure.chart')).map(f => {
  const svg = f.querySelector('svg');
  const el = svg || f.querySelector('.empty-state');
  const r = el ? el.getBoundingClientRect() : {width: 0, height: 0};
  const cs = el ? getComputedStyle(el) : null;
  return {id: f.dataset.chart, svg: !!svg, width: r.width, height: r.height,
    visible: !!cs && cs.visibility === 'visible' && cs.display !== 'none' && cs.opacity !== '0',
    paths: svg ? svg.querySelectorAll('path').length : 0,
    texts: svg ? svg.querySelectorAll('text').length : 0};
})`

// The year's report of the 3 canary symbols in headless Chromium: it loads
// with no console error, no exception and no resource fetched, and every
// chart is drawn with a non-zero size, with axes text and paths. The full
// page screenshot is saved in the test's temporary directory.
func TestReportInChromium(t *testing.T) {
	path := chromium(t)
	ctx := context.Background()
	s := storetest.SQLite(t)
	fill(t, s, fixtureSymbols, 250)
	d, err := report.Load(ctx, s, report.LoadConfig{Now: func() time.Time { return lastAsOf.Add(48 * time.Hour) }})
	require.NoError(t, err)
	d.Canary = &report.CanaryView{Stage: "7.1", StageSince: lastAsOf.AddDate(0, 0, -10), Scope: fixtureSymbols,
		Events: []report.CanaryEvent{{At: lastAsOf.AddDate(0, 0, -10), Kind: "started", Stage: "7.1", Actor: "ops",
			Reason: "canary of AAPL, MSFT, SPY"}}}
	var page bytes.Buffer
	require.NoError(t, report.Write(ctx, &page, d, report.Config{}))
	dir := t.TempDir()
	html := filepath.Join(dir, "report.html")
	require.NoError(t, os.WriteFile(html, page.Bytes(), 0o644))

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	var mu sync.Mutex
	var problems, warnings []string
	require.NoError(t, chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				msg := fmt.Sprintf("console.%s:", ev.Type)
				for _, a := range ev.Args {
					if len(a.Value) > 0 {
						msg += " " + string(a.Value)
					} else {
						msg += " " + a.Description
					}
				}
				problems = append(problems, msg)
			} else if ev.Type == runtime.ConsoleAPICalledTypeWarning {
				warnings = append(warnings, "console.warn")
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				problems = append(problems, fmt.Sprintf("log %s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			} else if ev.Entry.Level == log.EntryLevelWarning {
				warnings = append(warnings, ev.Entry.Text)
			}
		}
	}))
	// The browser runs as long as bctx; each step is bounded.
	step, cancel := context.WithTimeout(bctx, 2*time.Minute)
	defer cancel()
	require.NoError(t, chromedp.Do(step, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate("file://"+html)))

	title, err := chromedp.Run(step, chromedp.Evaluate[string](`document.title`))
	require.NoError(t, err)
	require.Equal(t, report.DefaultTitle, title)
	fetched, err := chromedp.Run(step, chromedp.Evaluate[int](`performance.getEntriesByType('resource').length`))
	require.NoError(t, err)
	require.Zero(t, fetched, "a self-contained page fetches nothing")
	charts, err := chromedp.Run(step, chromedp.Evaluate[[]chartBox](measureCharts))
	require.NoError(t, err)
	require.Len(t, charts, 3*chartsPerSymbol)
	for _, c := range charts {
		require.True(t, c.SVG, "%s: drawn, not an empty state", c.ID)
		require.True(t, c.Visible, "%s: visible", c.ID)
		require.Greater(t, c.Width, 300.0, "%s: width", c.ID)
		require.Greater(t, c.Height, 150.0, "%s: height", c.ID)
		require.Greater(t, c.Paths, 5, "%s: lines and axes", c.ID)
		require.Greater(t, c.Texts, 5, "%s: labels and ticks", c.ID)
	}
	timeline, err := chromedp.Run(step, chromedp.Evaluate[int](`document.querySelectorAll('#canary ol.timeline li').length`))
	require.NoError(t, err)
	require.Equal(t, 1, timeline)

	png, err := chromedp.Run(step, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(png, []byte("\x89PNG")), "a PNG")
	shot := filepath.Join(dir, "report.png")
	require.NoError(t, os.WriteFile(shot, png, 0o644))
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
	if *screenshotDir != "" {
		require.NoError(t, os.WriteFile(filepath.Join(*screenshotDir, "report.png"), png, 0o644))
	}

	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, problems, "console errors and exceptions")
	if len(warnings) > 0 {
		t.Logf("console warnings: %q", warnings)
	}
}
