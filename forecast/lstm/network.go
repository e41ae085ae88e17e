package lstm

import (
	"math"
	"math/rand/v2"

	"runner/forecast/nn"
)

// Network is a one-layer LSTM over windows of feature rows followed by a
// linear head on the last hidden state, with PyTorch's nn.LSTM gate order
// (input, forget, cell, output) and parameter layout.
type Network struct {
	In, Hidden int

	params   []*nn.Param // weight_ih, weight_hh, bias_ih, bias_hh, head.weight, head.bias
	wih, whh *nn.Param
	bih, bhh *nn.Param
	head     nn.Dense
	s        scratch
}

// scratch holds the forward activations kept for the backward pass; it
// grows to the largest batch seen and is reused.
type scratch struct {
	capB, capT int       // allocated batch and length
	t          int       // length of the current windows
	xt         []float64 // [t×b×in] inputs, time-major
	gates      []float64 // [t×b×4h] gate activations i, f, g, o
	c, h       []float64 // [(t+1)×b×h] cell and hidden states, step 0 zero
	tc         []float64 // [t×b×h] tanh(c)
	dA         []float64 // [t×b×4h] gradients at the gate pre-activations
	dh, dc     []float64 // [b×h]
	pred       []float64 // [b]
	db         []float64 // [4h] summed biases, then the bias gradient
	whhT       []float64 // [h×4h] weight_hh transposed
}

// NewNetwork returns an LSTM initialised as PyTorch does: every LSTM weight
// and bias from U(-1/sqrt(hidden), 1/sqrt(hidden)), the head as nn.Linear.
func NewNetwork(in, hidden int, rng *rand.Rand) *Network {
	ps := []*nn.Param{
		nn.NewParam("lstm.weight_ih_l0", 4*hidden, in),
		nn.NewParam("lstm.weight_hh_l0", 4*hidden, hidden),
		nn.NewParam("lstm.bias_ih_l0", 4*hidden),
		nn.NewParam("lstm.bias_hh_l0", 4*hidden),
		nn.NewParam("head.weight", 1, hidden),
		nn.NewParam("head.bias", 1),
	}
	b := 1 / math.Sqrt(float64(hidden))
	for _, p := range ps[:4] {
		nn.Uniform(rng, p.W, b)
	}
	n := wire(in, hidden, ps)
	nn.InitLinear(rng, n.head)
	return n
}

func wire(in, hidden int, ps []*nn.Param) *Network {
	return &Network{In: in, Hidden: hidden, params: ps,
		wih: ps[0], whh: ps[1], bih: ps[2], bhh: ps[3],
		head: nn.Dense{In: hidden, Out: 1, W: ps[4].W, GW: ps[4].G, B: ps[5].W, GB: ps[5].G}}
}

// Params returns the parameters in nn.LSTM + nn.Linear order.
func (n *Network) Params() []*nn.Param { return n.params }

// Replica returns a network sharing n's weights with its own gradients.
func (n *Network) Replica() nn.Network {
	ps := make([]*nn.Param, len(n.params))
	for i, p := range n.params {
		ps[i] = &nn.Param{Name: p.Name, Shape: p.Shape, W: p.W, G: make([]float64, len(p.G))}
	}
	return wire(n.In, n.Hidden, ps)
}

func (n *Network) grow(b, t int) {
	s := &n.s
	s.t = t
	if b <= s.capB && t <= s.capT {
		return
	}
	h := n.Hidden
	s.capB, s.capT = max(b, s.capB), max(t, s.capT)
	nb := s.capB * s.capT
	s.xt = make([]float64, nb*n.In)
	s.gates = make([]float64, nb*4*h)
	s.c = make([]float64, (nb+s.capB)*h)
	s.h = make([]float64, (nb+s.capB)*h)
	s.tc = make([]float64, nb*h)
	s.dA = make([]float64, nb*4*h)
	s.dh = make([]float64, s.capB*h)
	s.dc = make([]float64, s.capB*h)
	s.pred = make([]float64, s.capB)
	s.db = make([]float64, 4*h)
}

// forward runs the recurrence over b windows x ([b×t×in], batch first) and
// the head, leaving the predictions in n.s.pred.
func (n *Network) forward(x []float64, b int) {
	in, h := n.In, n.Hidden
	t := len(x) / (b * in)
	if t*b*in != len(x) || t == 0 {
		panic("lstm: input length is not a multiple of batch × features")
	}
	n.grow(b, t)
	s := &n.s
	g4 := 4 * h
	// Time-major copy of the inputs.
	xt := s.xt[:t*b*in]
	for bi := 0; bi < b; bi++ {
		for ti := 0; ti < t; ti++ {
			copy(xt[(ti*b+bi)*in:(ti*b+bi+1)*in], x[(bi*t+ti)*in:(bi*t+ti+1)*in])
		}
	}
	// Input contribution of every step at once, plus both biases.
	gates := s.gates[:t*b*g4]
	bias := s.db[:g4]
	for j := range bias {
		bias[j] = n.bih.W[j] + n.bhh.W[j]
	}
	for r := 0; r < t*b; r++ {
		copy(gates[r*g4:(r+1)*g4], bias)
	}
	nn.MulNT(gates, xt, n.wih.W, t*b, g4, in, 1)
	// The recurrent weights transposed once, [h×4h], for the per-step products.
	s.whhT = nn.Transpose(s.whhT, n.whh.W, g4, h)
	clear(s.c[:b*h])
	clear(s.h[:b*h])
	for ti := 0; ti < t; ti++ {
		g := gates[ti*b*g4 : (ti+1)*b*g4]
		hPrev := s.h[ti*b*h : (ti+1)*b*h]
		cPrev := s.c[ti*b*h : (ti+1)*b*h]
		hNext := s.h[(ti+1)*b*h : (ti+2)*b*h]
		cNext := s.c[(ti+1)*b*h : (ti+2)*b*h]
		tc := s.tc[ti*b*h : (ti+1)*b*h]
		nn.MulNN(g, hPrev, s.whhT, b, g4, h, 1)
		for bi := 0; bi < b; bi++ {
			row := g[bi*g4 : (bi+1)*g4]
			nn.SigmoidSlice(row[:2*h], row[:2*h])  // input and forget gates
			nn.Tanh(row[2*h:3*h], row[2*h:3*h], 1) // cell candidate
			nn.SigmoidSlice(row[3*h:], row[3*h:])  // output gate
			ig, fg, gg := row[:h], row[h:2*h], row[2*h:3*h]
			cp, cn := cPrev[bi*h:(bi+1)*h], cNext[bi*h:(bi+1)*h]
			for j := range cn {
				cn[j] = fg[j]*cp[j] + ig[j]*gg[j]
			}
		}
		nn.Tanh(tc, cNext, 1)
		for bi := 0; bi < b; bi++ {
			og := g[bi*g4+3*h : (bi+1)*g4]
			tv, hn := tc[bi*h:(bi+1)*h], hNext[bi*h:(bi+1)*h]
			for j := range hn {
				hn[j] = og[j] * tv[j]
			}
		}
	}
	n.head.Forward(s.pred[:b], s.h[t*b*h:(t+1)*b*h], b)
}

// Predict writes the predictions for b windows x into out.
func (n *Network) Predict(out, x []float64, b int) {
	n.forward(x, b)
	copy(out[:b], n.s.pred[:b])
}

// Grad adds scale × the gradient of the sum of squared errors over b
// windows to the parameter gradients and returns that sum.
func (n *Network) Grad(x, y []float64, b int, scale float64) float64 {
	n.forward(x, b)
	s := &n.s
	in, h, t := n.In, n.Hidden, s.t
	g4 := 4 * h
	var sse float64
	dpred := s.pred[:b] // overwritten with the gradient at the prediction
	for i, p := range dpred {
		d := p - y[i]
		sse += d * d
		dpred[i] = 2 * d * scale
	}
	dh, dc := s.dh[:b*h], s.dc[:b*h]
	n.head.Backward(dh, dpred, s.h[t*b*h:(t+1)*b*h], b)
	clear(dc)
	for ti := t - 1; ti >= 0; ti-- {
		g := s.gates[ti*b*g4 : (ti+1)*b*g4]
		dA := s.dA[ti*b*g4 : (ti+1)*b*g4]
		cPrev := s.c[ti*b*h : (ti+1)*b*h]
		tc := s.tc[ti*b*h : (ti+1)*b*h]
		for bi := 0; bi < b; bi++ {
			row, drow := g[bi*g4:(bi+1)*g4], dA[bi*g4:(bi+1)*g4]
			o := bi * h
			for j := 0; j < h; j++ {
				iv, fv, gv, ov := row[j], row[h+j], row[2*h+j], row[3*h+j]
				tv := tc[o+j]
				dhv := dh[o+j]
				dcv := dc[o+j] + dhv*ov*(1-tv*tv)
				drow[j] = dcv * gv * iv * (1 - iv)
				drow[h+j] = dcv * cPrev[o+j] * fv * (1 - fv)
				drow[2*h+j] = dcv * iv * (1 - gv*gv)
				drow[3*h+j] = dhv * tv * ov * (1 - ov)
				dc[o+j] = dcv * fv
			}
		}
		if ti > 0 {
			nn.MulNN(dh, dA, n.whh.W, b, h, g4, 0)
		}
	}
	dA := s.dA[:t*b*g4]
	nn.MulTN(n.whh.G, dA, s.h[:t*b*h], g4, h, t*b, 1)
	nn.MulTN(n.wih.G, dA, s.xt[:t*b*in], g4, in, t*b, 1)
	// Both biases enter every gate pre-activation the same way.
	db := s.db[:g4]
	clear(db)
	nn.AddColSums(db, dA, t*b, g4)
	for j, v := range db {
		n.bih.G[j] += v
		n.bhh.G[j] += v
	}
	return sse
}
