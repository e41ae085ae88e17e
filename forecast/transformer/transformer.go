package transformer

import (
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

// New returns the Transformer model with the canonical configuration;
// opts.Epochs (0: 30) and opts.NoEarlyStop change the training length.
func New(opts forecast.Options) (forecast.Model, error) {
	return nn.NewSequenceModel(Name, Window, opts, func(features int, rng *rand.Rand) nn.Network {
		return NewNetwork(features, Dim, Heads, FF, rng)
	})
}

func init() { forecast.Register(Name, New) }
