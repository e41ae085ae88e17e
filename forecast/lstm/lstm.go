package lstm

import (
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

// New returns the LSTM model with the canonical configuration; opts.Epochs
// (0: 30) and opts.NoEarlyStop change the training length.
func New(opts forecast.Options) (forecast.Model, error) {
	return nn.NewSequenceModel(Name, Window, opts, func(features int, rng *rand.Rand) nn.Network {
		return NewNetwork(features, Hidden, rng)
	})
}

func init() { forecast.Register(Name, New) }
