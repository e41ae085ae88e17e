package nn

import (
	"context"
	"fmt"
	"math/rand/v2"

	"runner/forecast"
	"runner/marketdata"
)

// SequenceModel is a forecast.Model over a network that reads windows of
// forecast.SequenceFeatures: it trains with FitForecast (target: the next
// standardised return) and returns the Gaussian with the forecast mean and
// the validation-residual sigma. The LSTM and Transformer are both one.
type SequenceModel struct {
	name   string
	window int
	opts   forecast.Options
	build  func(features int, rng *rand.Rand) Network
}

// NewSequenceModel returns the model name over networks made by build, on
// windows of window bars. opts.Epochs (0: DefaultEpochs) and
// opts.NoEarlyStop set the training length.
func NewSequenceModel(name string, window int, opts forecast.Options, build func(features int, rng *rand.Rand) Network) (*SequenceModel, error) {
	if opts.Epochs < 0 {
		return nil, fmt.Errorf("%s: epochs %d: must not be negative", name, opts.Epochs)
	}
	return &SequenceModel{name: name, window: window, opts: opts, build: build}, nil
}

// Name returns the registered name.
func (m *SequenceModel) Name() string { return m.name }

// ModelFit is a trained sequence model's forecast and training record.
type ModelFit struct {
	FitResult
	Distribution forecast.Distribution
}

// Fit trains on bars and forecasts the log return after the last bar.
func (m *SequenceModel) Fit(ctx context.Context, bars []marketdata.Bar) (ModelFit, error) {
	rows := forecast.SequenceFeatures(bars)
	if len(rows) < 2*m.window {
		return ModelFit{}, fmt.Errorf("%s: %d bars: need at least %d", m.name, len(bars), 2*m.window+1)
	}
	net := m.build(len(rows[0]), NewRand(m.opts.Seed, StreamInit))
	cfg := TrainConfig{Epochs: m.opts.Epochs, NoEarlyStop: m.opts.NoEarlyStop, Seed: m.opts.Seed}
	res, err := FitForecast(ctx, net, rows, m.window, 0, DefaultValFrac, cfg)
	if err != nil {
		return ModelFit{FitResult: res}, fmt.Errorf("%s: fit %d bars: %w", m.name, len(bars), err)
	}
	d := forecast.Normal(res.Mu, res.Sigma, m.opts.Band())
	if err := d.Check(); err != nil {
		return ModelFit{FitResult: res}, fmt.Errorf("%s: %w", m.name, err)
	}
	return ModelFit{FitResult: res, Distribution: d}, nil
}

// Forecast trains on bars and returns the predictive distribution of the
// next log return.
func (m *SequenceModel) Forecast(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
	f, err := m.Fit(ctx, bars)
	if err != nil {
		return forecast.Distribution{}, err
	}
	return f.Distribution, nil
}
