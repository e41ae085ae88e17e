package transformer

import (
	"context"
	"fmt"

	"runner/forecast"
	"runner/forecast/nn"
	"runner/marketdata"
)

// Name is the model's registered name.
const Name = "transformer"

// Canonical configuration (DESIGN §3).
const (
	Dim    = 16 // d_model
	Heads  = 2  // attention heads
	FF     = 32 // feed-forward width
	Window = 20 // bars of features per input sequence
)

// Model is the Transformer forecaster.
type Model struct {
	opts forecast.Options
}

// New returns the Transformer model with the canonical configuration;
// opts.Epochs (0: 30) and opts.NoEarlyStop change the training length.
func New(opts forecast.Options) (forecast.Model, error) {
	if opts.Epochs < 0 {
		return nil, fmt.Errorf("transformer: epochs %d: must not be negative", opts.Epochs)
	}
	return &Model{opts: opts}, nil
}

func init() { forecast.Register(Name, New) }

// Name returns "transformer".
func (*Model) Name() string { return Name }

// Fit is a trained Transformer's forecast and training record.
type Fit struct {
	nn.FitResult
	Distribution forecast.Distribution
}

// Fit trains the Transformer on bars and forecasts the log return after
// the last bar.
func (m *Model) Fit(ctx context.Context, bars []marketdata.Bar) (Fit, error) {
	rows := forecast.SequenceFeatures(bars)
	if len(rows) < 2*Window {
		return Fit{}, fmt.Errorf("transformer: %d bars: need at least %d", len(bars), 2*Window+1)
	}
	net := NewNetwork(len(rows[0]), Dim, Heads, FF, nn.NewRand(m.opts.Seed, nn.StreamInit))
	cfg := nn.TrainConfig{Epochs: m.opts.Epochs, NoEarlyStop: m.opts.NoEarlyStop, Seed: m.opts.Seed}
	res, err := nn.FitForecast(ctx, net, rows, Window, 0, nn.DefaultValFrac, cfg)
	if err != nil {
		return Fit{FitResult: res}, fmt.Errorf("transformer: fit %d bars: %w", len(bars), err)
	}
	d := forecast.Normal(res.Mu, res.Sigma, m.opts.Band())
	if err := d.Check(); err != nil {
		return Fit{FitResult: res}, fmt.Errorf("transformer: %w", err)
	}
	return Fit{FitResult: res, Distribution: d}, nil
}

// Forecast trains on bars and returns the predictive distribution of the
// next log return.
func (m *Model) Forecast(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
	f, err := m.Fit(ctx, bars)
	if err != nil {
		return forecast.Distribution{}, err
	}
	return f.Distribution, nil
}
