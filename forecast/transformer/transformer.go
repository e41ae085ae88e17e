package transformer

import (
	"cmp"
	"fmt"
	"math/rand/v2"

	"runner/forecast"
	"runner/forecast/nn"
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

// Config are the settings of the network and its training; the
// walk-forward grid (DESIGN §5) varies DModel and LR.
type Config struct {
	// DModel is the model dimension. Default Dim (16).
	DModel int
	// Heads is the number of attention heads; it must divide DModel.
	// Default Heads (2).
	Heads int
	// FF is the width of the feed-forward block. Default FF (32).
	FF int
	// LR is Adam's learning rate. Default nn.DefaultLR (1e-3).
	LR float64
}

// Grid returns the walk-forward grid of DESIGN §5: d_model {8, 16} x
// learning rate {1e-3, 3e-3}, 2 heads and feed-forward 32, canonical first.
func Grid() []Config {
	return []Config{{DModel: 16, LR: 1e-3}, {DModel: 16, LR: 3e-3}, {DModel: 8, LR: 1e-3}, {DModel: 8, LR: 3e-3}}
}

// New returns the Transformer model with the canonical configuration;
// opts.Epochs (0: 30) and opts.NoEarlyStop change the training length.
func New(opts forecast.Options) (forecast.Model, error) { return NewConfig(Config{}, opts) }

// NewConfig returns the Transformer model with cfg (zero fields canonical)
// and opts. The canonical configuration gives the same fit as New.
func NewConfig(cfg Config, opts forecast.Options) (*nn.SequenceModel, error) {
	dim, heads, ff := cmp.Or(cfg.DModel, Dim), cmp.Or(cfg.Heads, Heads), cmp.Or(cfg.FF, FF)
	lr := cmp.Or(cfg.LR, nn.DefaultLR)
	if dim < 1 || heads < 1 || ff < 1 || dim%heads != 0 {
		return nil, fmt.Errorf("%s: d_model %d, %d heads, feed-forward %d: need positive sizes with d_model divisible by heads",
			Name, dim, heads, ff)
	}
	return nn.NewSequenceModel(nn.SequenceConfig{
		Name: Name, Window: Window, LR: lr,
		Spec: map[string]any{"d_model": dim, "heads": heads, "ff": ff, "layers": 1},
		Build: func(features int, rng *rand.Rand) nn.Network {
			return NewNetwork(features, dim, heads, ff, rng)
		},
	}, opts)
}

func init() { forecast.Register(Name, New) }
