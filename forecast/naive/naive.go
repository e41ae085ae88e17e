// Package naive is the floor every model is compared with: a random walk
// with drift. The mean is the average log return over the training window,
// the standard deviation the 20-bar realised volatility at the as-of bar, and
// the predictive distribution is Gaussian.
//
// Fitted keeps the drift of the training window and, for a later as-of bar,
// recomputes the realised volatility over the 20 returns up to that bar.
package naive

import (
	"context"
	"fmt"
	"math"
	"time"

	"runner/forecast"
	"runner/marketdata"
)

// Name is the model's registered name.
const Name = "naive"

// VolBars is the realised-volatility window.
const VolBars = 20

// Model is the random walk with drift.
type Model struct {
	band float64
}

var (
	_ forecast.Model         = Model{}
	_ forecast.PathPredictor = (*Fitted)(nil)
)

// New returns the naive model.
func New(opts forecast.Options) (forecast.Model, error) {
	return Model{band: opts.Band()}, nil
}

func init() { forecast.Register(Name, New) }

// Name returns "naive".
func (Model) Name() string { return Name }

// Fit computes the drift: the mean log return of bars.
func (m Model) Fit(ctx context.Context, bars []marketdata.Bar) (forecast.Fitted, error) {
	r := marketdata.LogReturns(bars)
	if len(r) < VolBars {
		return nil, fmt.Errorf("naive: %d returns, need at least %d", len(r), VolBars)
	}
	var sum float64
	for _, x := range r {
		sum += x
	}
	return &Fitted{mu: sum / float64(len(r)), span: forecast.SpanOf(bars), band: m.band}, nil
}

// Fitted is the drift of a training window. It is safe for concurrent use.
type Fitted struct {
	mu   float64
	span forecast.Span
	band float64
}

// Spec returns {"vol_bars": 20}.
func (f *Fitted) Spec() map[string]any { return map[string]any{"vol_bars": VolBars} }

// Predict returns the drift with the realised volatility of the last
// VolBars returns of bars, which must extend the training bars or be a
// prefix of them with at least VolBars returns (an in-sample prediction,
// with the drift of all the training bars).
func (f *Fitted) Predict(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
	d, err := f.PredictPath(ctx, bars, len(bars)-1)
	if err != nil {
		return forecast.Distribution{}, err
	}
	return d[0], nil
}

// PredictPath returns Predict(bars[:i+1]) for i = from .. len(bars)-1,
// computing the returns once. from must be at least VolBars.
func (f *Fitted) PredictPath(ctx context.Context, bars []marketdata.Bar, from int) ([]forecast.Distribution, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.span.Check(bars); err != nil {
		return nil, fmt.Errorf("naive: %w", err)
	}
	if from < VolBars || from >= len(bars) {
		return nil, fmt.Errorf("naive: %s: predict from bar %d of %d: need at least %d returns", f.span.Symbol, from, len(bars), VolBars)
	}
	r := marketdata.LogReturns(bars)
	out := make([]forecast.Distribution, 0, len(bars)-from)
	for i := from; i < len(bars); i++ {
		// bars[:i+1] has the i returns r[:i].
		sigma := forecast.RealisedVol(r[i-VolBars:i], VolBars)[VolBars-1]
		if !(sigma > 0) || math.IsInf(sigma, 0) {
			return nil, fmt.Errorf("naive: %s: realised volatility %v over the %d returns to %s: constant prices?",
				f.span.Symbol, sigma, VolBars, bars[i].Date.Format(time.DateOnly))
		}
		d := forecast.Normal(f.mu, sigma, f.band)
		if err := d.Check(); err != nil {
			return nil, fmt.Errorf("naive: %s: %w", f.span.Symbol, err)
		}
		out = append(out, d)
	}
	return out, nil
}
