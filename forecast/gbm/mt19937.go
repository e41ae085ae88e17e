package gbm

// randomState reproduces numpy's legacy numpy.random.RandomState(seed) for an
// integer seed: the MT19937 generator seeded with init_genrand, and the two
// draws scikit-learn's gradient boosting makes from it (randint for each
// tree's splitter seed, random_sample for the row-subsampling mask). Using the
// same stream is what makes a fit with Config.Seed s identical to
// GradientBoostingRegressor(random_state=s).
type randomState struct {
	mt  [mtN]uint32
	pos int
}

const (
	mtN         = 624
	mtM         = 397
	mtMatrixA   = 0x9908b0df
	mtUpperMask = 0x80000000
	mtLowerMask = 0x7fffffff
)

// newRandomState seeds the generator like numpy's mt19937_seed.
func newRandomState(seed uint32) *randomState {
	r := &randomState{}
	s := seed
	for i := 0; i < mtN; i++ {
		r.mt[i] = s
		s = 1812433253*(s^(s>>30)) + uint32(i) + 1
	}
	r.pos = mtN
	return r
}

func (r *randomState) generate() {
	mag := [2]uint32{0, mtMatrixA}
	var i int
	for ; i < mtN-mtM; i++ {
		y := (r.mt[i] & mtUpperMask) | (r.mt[i+1] & mtLowerMask)
		r.mt[i] = r.mt[i+mtM] ^ (y >> 1) ^ mag[y&1]
	}
	for ; i < mtN-1; i++ {
		y := (r.mt[i] & mtUpperMask) | (r.mt[i+1] & mtLowerMask)
		r.mt[i] = r.mt[i+mtM-mtN] ^ (y >> 1) ^ mag[y&1]
	}
	y := (r.mt[mtN-1] & mtUpperMask) | (r.mt[0] & mtLowerMask)
	r.mt[mtN-1] = r.mt[mtM-1] ^ (y >> 1) ^ mag[y&1]
	r.pos = 0
}

// uint32 is mt19937_next32.
func (r *randomState) uint32() uint32 {
	if r.pos == mtN {
		r.generate()
	}
	y := r.mt[r.pos]
	r.pos++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// randMax is scikit-learn's RAND_R_MAX; the splitter seed of each tree is
// RandomState.randint(0, randMax).
const randMax = 0x7FFFFFFF

// randint returns RandomState.randint(0, high) for 0 < high <= 2^32 the way
// numpy's legacy path draws it: masked rejection sampling on 32-bit words.
func (r *randomState) randint(high uint32) uint32 {
	rng := high - 1
	if rng == 0 {
		return 0
	}
	mask := rng
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	for {
		if v := r.uint32() & mask; v <= rng {
			return v
		}
	}
}

// randomSample returns RandomState.random_sample(): a double in [0, 1) with
// 53 random bits.
func (r *randomState) randomSample() float64 {
	a := r.uint32() >> 5
	b := r.uint32() >> 6
	return (float64(a)*67108864.0 + float64(b)) / 9007199254740992.0
}

// randR is scikit-learn's our_rand_r: the xorshift generator each tree's
// splitter uses to draw the order in which it visits features.
func randR(state *uint32) uint32 {
	if *state == 0 {
		*state = 1
	}
	*state ^= *state << 13
	*state ^= *state >> 17
	*state ^= *state << 5
	return *state % (randMax + 1)
}

// randInt is scikit-learn's rand_int: low + our_rand_r % (high - low).
func randInt(low, high int, state *uint32) int {
	return low + int(randR(state)%uint32(high-low))
}
