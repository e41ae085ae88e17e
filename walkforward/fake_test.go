package walkforward

import (
	"context"
	"fmt"
	"math"

	"runner/forecast"
	"runner/marketdata"
)

// arModel is a small honest model for the engine's tests: an AR(1) of the
// log returns with a shrinkage factor (its grid parameter), fitted by least
// squares, with the residual standard deviation as sigma.
type arModel struct {
	shrink float64
	leak   bool // deliberately read the bar after the last one given
}

func (m arModel) Name() string { return "ar1" }

type arFitted struct {
	m        arModel
	a, b, sd float64
	span     forecast.Span
}

func (m arModel) Fit(ctx context.Context, bars []marketdata.Bar) (forecast.Fitted, error) {
	r := marketdata.LogReturns(bars)
	if len(r) < 10 {
		return nil, fmt.Errorf("ar1: %d returns", len(r))
	}
	var sx, sy, sxx, sxy float64
	n := float64(len(r) - 1)
	for t := 1; t < len(r); t++ {
		x, y := r[t-1], r[t]
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	b := (sxy - sx*sy/n) / (sxx - sx*sx/n) * m.shrink
	a := (sy - b*sx) / n
	var sse float64
	for t := 1; t < len(r); t++ {
		e := r[t] - a - b*r[t-1]
		sse += e * e
	}
	return &arFitted{m: m, a: a, b: b, sd: math.Sqrt(sse / n), span: forecast.SpanOf(bars)}, nil
}

func (f *arFitted) Predict(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
	if err := f.span.Check(bars); err != nil {
		return forecast.Distribution{}, err
	}
	n := len(bars)
	if n < 2 {
		return forecast.Distribution{}, fmt.Errorf("ar1: %d bars", n)
	}
	last := math.Log(bars[n-1].AdjClose / bars[n-2].AdjClose)
	if f.m.leak && cap(bars) > n {
		next := bars[:n+1]
		last = math.Log(next[n].AdjClose / next[n-1].AdjClose)
	}
	return forecast.Normal(f.a+f.b*last, f.sd, forecast.DefaultNeutralBand), nil
}

func (f *arFitted) Spec() map[string]any { return map[string]any{"shrink": f.m.shrink} }

// arGrid gives every ensemble member two AR(1) candidates (shrink 1 and
// 0.5) that differ by model name only through the shrink of the second.
func arGrid(leak bool, models ...string) Grid {
	g := Grid{}
	for i, m := range models {
		for _, s := range []float64{1, 0.5 - 0.1*float64(i)} {
			g[m] = append(g[m], Candidate{Model: m, Params: map[string]any{"shrink": s},
				New: func() (forecast.Model, error) { return arModel{shrink: s, leak: leak}, nil }})
		}
	}
	return g
}
