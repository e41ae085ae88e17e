package report

import (
	"bytes"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// chart is one chart of the page: an inline SVG, or an empty state saying
// why there is nothing to draw and which command produces it.
type chart struct {
	// ID is unique on the page (symbol and kind, e.g. "AAPL-divergence").
	ID    string
	Title string
	// Caption explains what is drawn.
	Caption string
	// SVG is the chart; empty for an empty state.
	SVG template.HTML
	// Empty is the empty state's message; Command the command that fills
	// it (shown as code).
	Empty, Command string
	// Wide charts take the page's full width.
	Wide bool
}

// Chart sizes, in points (the SVG's viewBox; the page scales it to its
// column).
const (
	wideWidth   = 11 * vg.Inch
	narrowWidth = 6.5 * vg.Inch
	chartHeight = 3.4 * vg.Inch
)

// Colours of the ensembles and the levels drawn on the charts.
var (
	ensembleColor = map[string]color.Color{
		"candidate": color.RGBA{R: 31, G: 119, B: 180, A: 255},
		"legacy":    color.RGBA{R: 230, G: 110, B: 0, A: 255},
	}
	otherColor    = color.RGBA{R: 110, G: 110, B: 110, A: 255}
	realisedColor = color.RGBA{R: 20, G: 20, B: 20, A: 255}
	guideColor    = color.RGBA{R: 150, G: 150, B: 150, A: 255}
	warnColor     = color.RGBA{R: 200, G: 150, B: 0, A: 255}
	overfitColor  = color.RGBA{R: 220, G: 60, B: 40, A: 255}
	criticalColor = color.RGBA{R: 130, G: 0, B: 0, A: 255}
	modelColor    = map[string]color.Color{
		"arima_garch": color.RGBA{R: 44, G: 160, B: 44, A: 255},
		"gb":          color.RGBA{R: 140, G: 86, B: 75, A: 255},
		"lstm":        color.RGBA{R: 148, G: 103, B: 189, A: 255},
		"transformer": color.RGBA{R: 23, G: 160, B: 180, A: 255},
	}
)

// colorOf returns the colour of an ensemble or model, grey for others.
func colorOf(m map[string]color.Color, name string) color.Color {
	if c, ok := m[name]; ok {
		return c
	}
	return otherColor
}

// translucent returns c with opacity a (0..255).
func translucent(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// sans is the font of every chart text.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// figure is a plot and its legend, drawn to the plot's right so that it
// never hides data.
type figure struct {
	p      *plot.Plot
	legend plot.Legend
}

// newFigure returns a figure with the house fonts, a grid and the axes
// labelled.
func newFigure(xLabel, yLabel string) *figure {
	p := plot.New()
	for _, s := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font} {
		size := s.Size
		*s = sans
		s.Size = size
	}
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = color.Gray{Y: 225}, color.Gray{Y: 225}
	p.Add(grid)
	l := plot.NewLegend()
	l.TextStyle.Font = sans
	l.TextStyle.Font.Size = vg.Points(10)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(18)
	return &figure{p: p, legend: l}
}

// timeAxis makes x a date axis (x values are Unix seconds, see unix) with
// at most maxLabels month labels.
func (f *figure) timeAxis(maxLabels int) {
	f.p.X.Tick.Marker = dateTicks{maxLabels: maxLabels}
}

// Month labels on the date axes of wide and narrow charts.
const (
	wideLabels   = 13
	narrowLabels = 7
)

// unix is the x value of a date.
func unix(t time.Time) float64 { return float64(t.Unix()) }

// add adds plotters, and a legend entry for the first when name is set.
func (f *figure) add(name string, ps ...plot.Plotter) {
	f.p.Add(ps...)
	if name == "" {
		return
	}
	var thumbs []plot.Thumbnailer
	for _, p := range ps {
		if t, ok := p.(plot.Thumbnailer); ok {
			thumbs = append(thumbs, t)
		}
	}
	f.legend.Add(name, thumbs...)
}

// line returns a line through xys.
func line(xys plotter.XYs, c color.Color, width vg.Length, dashes ...vg.Length) *plotter.Line {
	l := &plotter.Line{XYs: xys}
	l.LineStyle = draw.LineStyle{Color: c, Width: width, Dashes: dashes}
	return l
}

// points returns a scatter of xys.
func points(xys plotter.XYs, c color.Color, shape draw.GlyphDrawer, radius vg.Length) *plotter.Scatter {
	return &plotter.Scatter{XYs: xys, GlyphStyle: draw.GlyphStyle{Color: c, Shape: shape, Radius: radius}}
}

// hline returns a horizontal line at y across [x0, x1].
func hline(y, x0, x1 float64, c color.Color, dashes ...vg.Length) *plotter.Line {
	return line(plotter.XYs{{X: x0, Y: y}, {X: x1, Y: y}}, c, vg.Points(1.2), dashes...)
}

// svg draws the figure to an SVG of the given width and returns the <svg>
// element (without the XML prolog, which HTML does not take).
func (f *figure) svg(width vg.Length) (template.HTML, error) {
	c := vgsvg.New(width, chartHeight)
	dc := draw.New(c)
	legendWidth := f.legend.Rectangle(dc).Size().X
	if legendWidth > 0 {
		legendWidth += vg.Points(12)
	}
	f.p.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	if legendWidth > 0 {
		f.legend.Draw(draw.Crop(dc, width-legendWidth+vg.Points(8), 0, 0, -vg.Points(8)))
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("report: write svg: %w", err)
	}
	b := buf.Bytes()
	if i := bytes.Index(b, []byte("<svg")); i > 0 {
		b = b[i:]
	}
	return template.HTML(b), nil
}

// span returns the least and greatest of xs, ignoring NaN; ok is false
// when there are none.
func span(xs ...float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		if !math.IsNaN(x) {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	return lo, hi, lo <= hi
}
