package report

import (
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"runner/forecast"
	"runner/store"
)

//go:embed page.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"day": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.UTC().Format(time.DateOnly)
	},
	"minute": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"num": func(format string, x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "–"
		}
		return fmt.Sprintf(format, x)
	},
	"pct": func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", 100*x)
	},
	"join": func(s []string) string { return strings.Join(s, ", ") },
	"duration": func(r store.Run) string {
		if r.FinishedAt.IsZero() || r.StartedAt.IsZero() {
			return "–"
		}
		return r.FinishedAt.Sub(r.StartedAt).Round(time.Second).String()
	},
	"errors": func(r store.Run) []string {
		out := make([]string, 0, len(r.SymbolErrors))
		for _, s := range slices.Sorted(maps.Keys(r.SymbolErrors)) {
			out = append(out, s+": "+r.SymbolErrors[s])
		}
		return out
	},
}).Parse(pageSource))

// page is what the template renders.
type page struct {
	Title     string
	Data      Data
	Config    Config
	Candidate string
	Symbols   []symbolPage
}

// symbolPage is one symbol's section.
type symbolPage struct {
	SymbolData
	Charts []chart
}

// Write renders d as one self-contained HTML page to w.
func Write(ctx context.Context, w io.Writer, d Data, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	p := page{Title: cfg.Title, Data: d, Config: cfg, Candidate: forecast.Candidate.Name}
	for _, s := range d.Symbols {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("report: %s: %w", s.Symbol, err)
		}
		charts, err := symbolCharts(s, d.To, cfg)
		if err != nil {
			return err
		}
		p.Symbols = append(p.Symbols, symbolPage{SymbolData: s, Charts: charts})
	}
	if err := pageTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("report: write page: %w", err)
	}
	return nil
}

// symbolCharts draws the charts of one symbol, in page order; to is the end
// of the report's range (zero when open).
func symbolCharts(s SymbolData, to time.Time, cfg Config) ([]chart, error) {
	end := to
	if n := len(s.Forecasts); n > 0 && (end.IsZero() || s.Forecasts[n-1].AsOf.After(end)) {
		end = s.Forecasts[n-1].AsOf
	}
	draws := []func() (chart, error){
		func() (chart, error) { return forecastsChart(s.Symbol, s.Forecasts) },
		func() (chart, error) { return rmseChart(s.Symbol, s.Forecasts, cfg.RMSEWindow) },
		func() (chart, error) { return coverageChart(s.Symbol, s.Forecasts, cfg.CoverageWindow) },
		func() (chart, error) { return divergenceChart(s.Symbol, s.Validation, s.Weights) },
		func() (chart, error) { return reliabilityChart(s.Symbol, s.Forecasts) },
		func() (chart, error) { return weightsChart(s.Symbol, forecast.Candidate.Name, s.Weights, end) },
		func() (chart, error) { return weightsChart(s.Symbol, forecast.Legacy.Name, s.Weights, end) },
	}
	charts := make([]chart, 0, len(draws))
	for _, draw := range draws {
		c, err := draw()
		if err != nil {
			return nil, fmt.Errorf("report: %s: chart %s: %w", s.Symbol, c.ID, err)
		}
		charts = append(charts, c)
	}
	return charts, nil
}
