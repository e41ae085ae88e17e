package calibration

import (
	"math/rand/v2"
	"slices"
)

// HindsightBrier is the Brier score, on the pairs (p[i], up[i]) themselves,
// of the isotonic regression of the outcomes on p fitted on those same
// pairs: the lowest Brier score that any non-decreasing recalibration of p
// reaches on them (isotonic regression is the least-squares projection onto
// non-decreasing functions), learnt with hindsight. No pairs, or p and up of
// different lengths, panics.
func HindsightBrier(p []float64, up []bool) float64 {
	if len(p) == 0 || len(p) != len(up) {
		panic("calibration: hindsight Brier: want as many outcomes as probabilities, at least one")
	}
	tx, ty := fitIsotonic(p, up)
	var sum float64
	for i, v := range p {
		q := isotonicPredict(tx, ty, v)
		if up[i] {
			q = 1 - q
		}
		sum += q * q
	}
	return sum / float64(len(p))
}

// Skill tells whether a P(up) says anything about the outcomes it forecast:
// Gain is the hindsight base rate's Brier score (ū(1-ū), ū the share of up
// outcomes) less HindsightBrier, what the best non-decreasing
// recalibration of p gains over always forecasting ū when both are
// learnt from the outcomes themselves; P is the permutation p-value of that
// gain, (1 + #{shuffles whose gain >= Gain}) / (1 + shuffles), the
// outcomes shuffled against p. A p with no information about the outcomes
// gains about as much as shuffled outcomes do (P uniform on (0, 1]); then
// no recalibration learnt out of sample can be expected to beat the base
// rate of the period scored, whose Brier score is its uncertainty term.
type Skill struct {
	N    int
	Base float64 // share of up outcomes
	Gain float64
	P    float64
}

// PermutationSkill computes Skill with the given number of shuffles from a
// PCG generator seeded with seed (the same arguments give the same result).
// Fewer than one shuffle, no pairs, or p and up of different lengths,
// panics.
func PermutationSkill(p []float64, up []bool, shuffles int, seed uint64) Skill {
	if shuffles < 1 {
		panic("calibration: permutation skill: want at least one shuffle")
	}
	s := Skill{N: len(p)}
	for _, u := range up {
		if u {
			s.Base++
		}
	}
	s.Base /= float64(len(up))
	// The base rate, and so its Brier score, is the same for every shuffle.
	gain := func(up []bool) float64 { return s.Base*(1-s.Base) - HindsightBrier(p, up) }
	s.Gain = gain(up)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	y := slices.Clone(up)
	at := 1
	for range shuffles {
		r.Shuffle(len(y), func(i, j int) { y[i], y[j] = y[j], y[i] })
		if gain(y) >= s.Gain {
			at++
		}
	}
	s.P = float64(at) / float64(1+shuffles)
	return s
}
