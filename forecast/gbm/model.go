package gbm

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"sync"

	"runner/forecast"
	"runner/marketdata"
)

// Name is the model's registered name.
const Name = "gb"

// DefaultHoldout is the default fraction of training rows held out for sigma.
const DefaultHoldout = 0.2

// MinTrainRows is the fewest training rows the model fits on.
const MinTrainRows = 50

// ModelConfig configures the forecasting model.
type ModelConfig struct {
	// Boost are the boosting settings (DESIGN §3 canonical by default).
	Boost Config
	// Holdout is the fraction of the training rows, the most recent ones,
	// held out to measure sigma. Default DefaultHoldout (0.2).
	Holdout float64
	// NeutralBand is the half-width of the neutral class.
	// Default forecast.DefaultNeutralBand.
	NeutralBand float64
}

// Model is the gradient-boosted trees forecaster, a forecast.Model.
type Model struct {
	cfg ModelConfig
}

func init() { forecast.Register(Name, New) }

// New returns the canonical model with the seed and neutral band of opts.
func New(opts forecast.Options) (forecast.Model, error) { return NewConfig(Config{}, opts) }

// NewConfig returns the model boosting with cfg (zero fields canonical),
// the seed of opts (which replaces cfg.Seed) and its neutral band, and the
// default holdout. The canonical configuration gives the same fit as New.
func NewConfig(cfg Config, opts forecast.Options) (*Model, error) {
	cfg.Seed = opts.Seed
	return NewModel(ModelConfig{Boost: cfg, NeutralBand: opts.Band()})
}

// Grid returns the walk-forward grid of DESIGN §5: max depth {2, 3} x
// learning rate {0.05, 0.1}, 200 trees, canonical first.
func Grid() []Config {
	return []Config{
		{Trees: 200, MaxDepth: 3, LearningRate: 0.05}, {Trees: 200, MaxDepth: 3, LearningRate: 0.1},
		{Trees: 200, MaxDepth: 2, LearningRate: 0.05}, {Trees: 200, MaxDepth: 2, LearningRate: 0.1},
	}
}

// NewModel returns the model with cfg, or an error for a setting out of range.
func NewModel(cfg ModelConfig) (*Model, error) {
	cfg.Holdout = cmp.Or(cfg.Holdout, DefaultHoldout)
	cfg.NeutralBand = cmp.Or(cfg.NeutralBand, forecast.DefaultNeutralBand)
	if err := cfg.Boost.Validate(); err != nil {
		return nil, err
	}
	if !(cfg.Holdout > 0 && cfg.Holdout < 1) {
		return nil, fmt.Errorf("gbm: holdout fraction %v: need 0 < holdout < 1", cfg.Holdout)
	}
	if !(cfg.NeutralBand > 0) || math.IsInf(cfg.NeutralBand, 0) {
		return nil, fmt.Errorf("gbm: neutral band %v: need a positive finite number", cfg.NeutralBand)
	}
	cfg.Boost = cfg.Boost.withDefaults()
	return &Model{cfg: cfg}, nil
}

// Name returns "gb".
func (m *Model) Name() string { return Name }

// Fit is Train returning the forecast.Fitted interface.
func (m *Model) Fit(ctx context.Context, bars []marketdata.Bar) (forecast.Fitted, error) {
	f, err := m.Train(ctx, bars)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Train builds the features of bars (Design), fits the full ensemble for mu
// and, concurrently, the ensemble on the rows before the holdout, whose
// held-out RMSE is sigma.
func (m *Model) Train(ctx context.Context, bars []marketdata.Bar) (*Fitted, error) {
	r := marketdata.LogReturns(bars)
	X, y, next, err := Design(r)
	if err != nil {
		return nil, err
	}
	n := len(y)
	hold := int(math.Round(m.cfg.Holdout * float64(n)))
	if n < MinTrainRows || hold < 1 || n-hold < 2 {
		return nil, fmt.Errorf("gbm: %d training rows (%d bars) with %d held out: need at least %d rows",
			n, len(bars), hold, MinTrainRows)
	}
	f := &Fitted{Rows: n, HoldoutRows: hold, cfg: m.cfg, span: forecast.SpanOf(bars), tail: newFeatureTail(bars, r, X, next)}
	var wg sync.WaitGroup
	var heldErr error
	wg.Go(func() {
		f.Held, heldErr = Fit(ctx, m.cfg.Boost, X[:n-hold], y[:n-hold])
	})
	f.Full, err = Fit(ctx, m.cfg.Boost, X, y)
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("gbm: fit on %d rows: %w", n, err)
	}
	if heldErr != nil {
		return nil, fmt.Errorf("gbm: fit on %d rows before the holdout: %w", n-hold, heldErr)
	}
	// sigma: root mean squared error of the held-out one-step predictions.
	sq := make([]float64, hold)
	for i := range sq {
		d := y[n-hold+i] - f.Held.Predict(X[n-hold+i])
		sq[i] = d * d
	}
	f.Sigma = math.Sqrt(pairwiseSum(sq) / float64(hold))
	if !(f.Sigma > 0) || math.IsInf(f.Sigma, 0) {
		return nil, fmt.Errorf("gbm: held-out RMSE %v over %d rows is not a positive finite sigma", f.Sigma, hold)
	}
	return f, nil
}
