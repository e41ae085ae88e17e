package nn

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"

	"runner/forecast"
	"runner/marketdata"
)

// SequenceConfig describes a sequence model: its network and the settings
// that differ between configurations of the same model.
type SequenceConfig struct {
	// Name is the model's registered name, used in errors. Required.
	Name string
	// Window is the number of bars of features per input sequence. Required.
	Window int
	// LR is Adam's learning rate. Default DefaultLR (1e-3).
	LR float64
	// Spec are the network's hyperparameters (snake_case keys), recorded in
	// every fit's Spec with the training settings. Default none.
	Spec map[string]any
	// Build returns a network initialised from rng for rows of features
	// columns, taking windows of Window rows. Required.
	Build func(features int, rng *rand.Rand) Network
}

// SequenceModel is a forecast.Model over a network
// that reads windows of forecast.SequenceFeatures: Fit trains with
// TrainForecaster (target: the next standardised return) and the fitted
// model's Predict returns the Gaussian with the network's forecast mean and
// the validation-residual sigma. The LSTM and Transformer are both one.
type SequenceModel struct {
	cfg  SequenceConfig
	opts forecast.Options
}

// NewSequenceModel returns the model of cfg. opts.Seed seeds the
// initialisation and shuffling, opts.Epochs (0: DefaultEpochs) and
// opts.NoEarlyStop set the training length, opts.NeutralBand the classes.
// It panics when cfg lacks a name, window or network, a caller mistake.
func NewSequenceModel(cfg SequenceConfig, opts forecast.Options) (*SequenceModel, error) {
	if cfg.Name == "" || cfg.Window < 1 || cfg.Build == nil {
		panic("nn: sequence model without a name, window or network")
	}
	if opts.Epochs < 0 {
		return nil, fmt.Errorf("%s: epochs %d: must not be negative", cfg.Name, opts.Epochs)
	}
	if cfg.LR < 0 || math.IsNaN(cfg.LR) || math.IsInf(cfg.LR, 0) {
		return nil, fmt.Errorf("%s: learning rate %v: need a positive finite number", cfg.Name, cfg.LR)
	}
	return &SequenceModel{cfg: cfg, opts: opts}, nil
}

// Name returns the registered name.
func (m *SequenceModel) Name() string { return m.cfg.Name }

// Fit trains on bars; it is Train returning the forecast.Fitted interface.
func (m *SequenceModel) Fit(ctx context.Context, bars []marketdata.Bar) (forecast.Fitted, error) {
	f, err := m.Train(ctx, bars)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Train trains a freshly initialised network on the sequence features of
// bars and returns it with its training record.
func (m *SequenceModel) Train(ctx context.Context, bars []marketdata.Bar) (*SequenceFit, error) {
	name, w := m.cfg.Name, m.cfg.Window
	rows := forecast.SequenceFeatures(bars)
	if len(rows) < 2*w {
		return nil, fmt.Errorf("%s: %d bars: need at least %d", name, len(bars), 2*w+1)
	}
	net := m.cfg.Build(len(rows[0]), NewRand(m.opts.Seed, StreamInit))
	tc := TrainConfig{Epochs: m.opts.Epochs, NoEarlyStop: m.opts.NoEarlyStop, Seed: m.opts.Seed, LR: m.cfg.LR}
	res, err := TrainForecaster(ctx, net, rows, w, 0, DefaultValFrac, tc)
	if err != nil {
		return nil, fmt.Errorf("%s: fit %d bars: %w", name, len(bars), err)
	}
	tc = tc.withDefaults()
	spec := maps.Clone(m.cfg.Spec)
	if spec == nil {
		spec = map[string]any{}
	}
	maps.Copy(spec, map[string]any{
		"window": w, "learning_rate": tc.LR, "batch_size": tc.BatchSize,
		"max_epochs": tc.Epochs, "early_stop": !tc.NoEarlyStop,
		"epochs": res.History.Epochs, "best_epoch": res.History.BestEpoch,
	})
	return &SequenceFit{FitResult: res, Net: net, name: name, window: w, band: m.opts.Band(),
		span: forecast.SpanOf(bars), train: newTrainFeatures(bars, rows), spec: spec}, nil
}
