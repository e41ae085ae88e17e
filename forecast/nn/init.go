package nn

import (
	"math"
	"math/rand/v2"
)

// Random streams: initialisation and minibatch shuffling draw from
// different streams of the same seed.
const (
	StreamInit    uint64 = 0x6e6e2d696e6974
	StreamShuffle uint64 = 0x6e6e2d73687566
)

// NewRand returns a deterministic random source: PCG seeded from seed and
// a stream constant.
func NewRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// Uniform fills w with draws from U(-bound, bound).
func Uniform(rng *rand.Rand, w []float64, bound float64) {
	for i := range w {
		w[i] = (2*rng.Float64() - 1) * bound
	}
}

// XavierUniform fills w with draws from U(-a, a), a = sqrt(6/(fanIn+fanOut)),
// PyTorch's nn.init.xavier_uniform_ (used for the attention input projection).
func XavierUniform(rng *rand.Rand, w []float64, fanIn, fanOut int) {
	Uniform(rng, w, math.Sqrt(6/float64(fanIn+fanOut)))
}

// InitLinear initialises a dense layer as PyTorch's nn.Linear does:
// weight and bias from U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform with
// a = sqrt(5) reduces to this bound).
func InitLinear(rng *rand.Rand, d Dense) {
	b := 1 / math.Sqrt(float64(d.In))
	Uniform(rng, d.W, b)
	if d.B != nil {
		Uniform(rng, d.B, b)
	}
}
