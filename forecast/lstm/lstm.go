package lstm

import (
	"cmp"
	"fmt"
	"math/rand/v2"

	"runner/forecast"
	"runner/forecast/nn"
)

// Name is the model's registered name.
const Name = "lstm"

// Canonical configuration (DESIGN §3).
const (
	Hidden = 32 // hidden units of the single LSTM layer
	Window = 20 // bars of features per input sequence
)

// Config are the settings the walk-forward grid varies (DESIGN §5).
type Config struct {
	// Hidden is the number of hidden units. Default Hidden (32).
	Hidden int
	// LR is Adam's learning rate. Default nn.DefaultLR (1e-3).
	LR float64
}

// Grid returns the walk-forward grid of DESIGN §5: hidden {16, 32} x
// learning rate {1e-3, 3e-3}, canonical first.
func Grid() []Config {
	return []Config{{32, 1e-3}, {32, 3e-3}, {16, 1e-3}, {16, 3e-3}}
}

// New returns the LSTM model with the canonical configuration; opts.Epochs
// (0: 30) and opts.NoEarlyStop change the training length.
func New(opts forecast.Options) (forecast.Model, error) { return NewConfig(Config{}, opts) }

// NewConfig returns the LSTM model with cfg (zero fields canonical) and
// opts. The canonical configuration gives the same fit as New.
func NewConfig(cfg Config, opts forecast.Options) (*nn.SequenceModel, error) {
	hidden, lr := cmp.Or(cfg.Hidden, Hidden), cmp.Or(cfg.LR, nn.DefaultLR)
	if hidden < 1 {
		return nil, fmt.Errorf("%s: %d hidden units: need at least 1", Name, hidden)
	}
	return nn.NewSequenceModel(nn.SequenceConfig{
		Name: Name, Window: Window, LR: lr,
		Spec: map[string]any{"hidden": hidden, "layers": 1},
		Build: func(features int, rng *rand.Rand) nn.Network {
			return NewNetwork(features, hidden, rng)
		},
	}, opts)
}

func init() { forecast.Register(Name, New) }
