// Package naive is the floor every model is compared with: a random walk
// with drift. The mean is the average log return over the training window,
// the standard deviation the 20-bar realised volatility at the as-of bar, and
// the predictive distribution is Gaussian.
package naive

import (
	"context"
	"fmt"
	"math"

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

// New returns the naive model.
func New(opts forecast.Options) (forecast.Model, error) {
	return Model{band: opts.Band()}, nil
}

func init() { forecast.Register(Name, New) }

// Name returns "naive".
func (Model) Name() string { return Name }

// Forecast fits the drift and volatility on bars and predicts the next return.
func (m Model) Forecast(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
	r := marketdata.LogReturns(bars)
	if len(r) < VolBars {
		return forecast.Distribution{}, fmt.Errorf("naive: %d returns, need at least %d", len(r), VolBars)
	}
	var sum float64
	for _, x := range r {
		sum += x
	}
	mu := sum / float64(len(r))
	sigma := forecast.RealisedVol(r[len(r)-VolBars:], VolBars)[VolBars-1]
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return forecast.Distribution{}, fmt.Errorf("naive: realised volatility %v over the last %d returns: constant prices?", sigma, VolBars)
	}
	d := forecast.Normal(mu, sigma, m.band)
	return d, d.Check()
}
