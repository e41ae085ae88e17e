package transformer

import (
	"math/rand/v2"

	"runner/forecast/nn"
)

// Network is an input projection, sinusoidal positions, one post-norm
// Transformer encoder layer (PyTorch's nn.TransformerEncoderLayer with ReLU,
// dropout 0, batch_first) and a linear head on the last token.
//
// Only the last token reaches the head, and with one layer its output
// depends on the other tokens only through their keys and values. The
// network therefore computes keys and values for every token but the
// query, attention output, feed-forward block and layer norms for the last
// token only: the same function and gradients as the full layer, with a
// fraction of the work.
type Network struct {
	In, Dim, Heads, FF int

	params []*nn.Param
	inp    nn.Dense // input projection In → Dim
	q, kv  nn.Dense // rows [0, Dim) and [Dim, 3·Dim) of the attention in_proj
	out    nn.Dense // attention out_proj
	ff1    nn.Dense // linear1 Dim → FF
	ff2    nn.Dense // linear2 FF → Dim
	ln1    nn.LayerNorm
	ln2    nn.LayerNorm
	head   nn.Dense
	attn   nn.Attention
	pe     []float64 // [t×Dim] positions for the current length
	s      scratch
}

type scratch struct {
	capB, capT int
	t          int
	e          []float64 // [b·t×Dim] projected inputs plus positions
	kv         []float64 // [b·t×2·Dim] keys | values
	de, dkv    []float64
	probs      []float64 // [b×Heads×t]
	// per-sample rows of the last token, [b×Dim] unless noted
	last, q, ctx, s1, n1, x1, s2, n2, x2 []float64
	f1                                   []float64 // [b×FF]
	r1, r2                               []float64 // [b] reciprocal std of the layer norms
	pred                                 []float64 // [b]
	dn2, ds2, dn1, ds1, dctx, dq, dlast  []float64
	df                                   []float64 // [b×FF]
}

// paramNames are PyTorch's parameter names of the reference module in
// testdata/nn/gen_fixtures.py, in named_parameters order.
var paramNames = []string{
	"inp.weight", "inp.bias",
	"enc.self_attn.in_proj_weight", "enc.self_attn.in_proj_bias",
	"enc.self_attn.out_proj.weight", "enc.self_attn.out_proj.bias",
	"enc.linear1.weight", "enc.linear1.bias", "enc.linear2.weight", "enc.linear2.bias",
	"enc.norm1.weight", "enc.norm1.bias", "enc.norm2.weight", "enc.norm2.bias",
	"head.weight", "head.bias",
}

// NewNetwork returns a network initialised as PyTorch initialises the
// reference module: nn.Linear layers from U(±1/sqrt(fan_in)), the attention
// in_proj weight Xavier-uniform with zero bias, a zero out_proj bias, layer
// norms with weight 1 and bias 0.
func NewNetwork(in, dim, heads, ff int, rng *rand.Rand) *Network {
	if dim%heads != 0 {
		panic("transformer: model dimension not divisible by the number of heads")
	}
	shapes := [][]int{{dim, in}, {dim}, {3 * dim, dim}, {3 * dim}, {dim, dim}, {dim},
		{ff, dim}, {ff}, {dim, ff}, {dim}, {dim}, {dim}, {dim}, {dim}, {1, dim}, {1}}
	ps := make([]*nn.Param, len(shapes))
	for i, s := range shapes {
		ps[i] = nn.NewParam(paramNames[i], s...)
	}
	n := wire(in, dim, heads, ff, ps)
	nn.InitLinear(rng, n.inp)
	nn.XavierUniform(rng, ps[2].W, dim, 3*dim)
	nn.InitLinear(rng, nn.Dense{In: dim, Out: dim, W: ps[4].W})
	nn.InitLinear(rng, n.ff1)
	nn.InitLinear(rng, n.ff2)
	for i := range ps[10].W {
		ps[10].W[i], ps[12].W[i] = 1, 1
	}
	nn.InitLinear(rng, n.head)
	return n
}

func dense(in, out int, w, b *nn.Param) nn.Dense {
	return nn.Dense{In: in, Out: out, W: w.W, GW: w.G, B: b.W, GB: b.G}
}

func wire(in, dim, heads, ff int, ps []*nn.Param) *Network {
	ip, ib := ps[2], ps[3]
	d2 := dim * dim
	return &Network{In: in, Dim: dim, Heads: heads, FF: ff, params: ps,
		inp:  dense(in, dim, ps[0], ps[1]),
		q:    nn.Dense{In: dim, Out: dim, W: ip.W[:d2], GW: ip.G[:d2], B: ib.W[:dim], GB: ib.G[:dim]},
		kv:   nn.Dense{In: dim, Out: 2 * dim, W: ip.W[d2:], GW: ip.G[d2:], B: ib.W[dim:], GB: ib.G[dim:]},
		out:  dense(dim, dim, ps[4], ps[5]),
		ff1:  dense(dim, ff, ps[6], ps[7]),
		ff2:  dense(ff, dim, ps[8], ps[9]),
		ln1:  nn.LayerNorm{Dim: dim, Gamma: ps[10].W, GGamma: ps[10].G, Beta: ps[11].W, GBeta: ps[11].G, Eps: nn.LayerNormEps},
		ln2:  nn.LayerNorm{Dim: dim, Gamma: ps[12].W, GGamma: ps[12].G, Beta: ps[13].W, GBeta: ps[13].G, Eps: nn.LayerNormEps},
		head: dense(dim, 1, ps[14], ps[15]),
		attn: nn.Attention{Dim: dim, Heads: heads},
	}
}

// Params returns the parameters in the reference module's order.
func (n *Network) Params() []*nn.Param { return n.params }

// Replica returns a network sharing n's weights with its own gradients.
func (n *Network) Replica() nn.Network {
	ps := make([]*nn.Param, len(n.params))
	for i, p := range n.params {
		ps[i] = &nn.Param{Name: p.Name, Shape: p.Shape, W: p.W, G: make([]float64, len(p.G))}
	}
	return wire(n.In, n.Dim, n.Heads, n.FF, ps)
}

func (n *Network) grow(b, t int) {
	s := &n.s
	if t != s.t || n.pe == nil {
		n.pe = nn.Sinusoidal(t, n.Dim)
	}
	s.t = t
	if b <= s.capB && t <= s.capT {
		return
	}
	s.capB, s.capT = max(b, s.capB), max(t, s.capT)
	d, bt := n.Dim, s.capB*s.capT
	mk := func(k int) []float64 { return make([]float64, k) }
	s.e, s.de = mk(bt*d), mk(bt*d)
	s.kv, s.dkv = mk(bt*2*d), mk(bt*2*d)
	s.probs = mk(s.capB * n.Heads * s.capT)
	bd := s.capB * d
	s.last, s.q, s.ctx, s.s1, s.n1, s.x1, s.s2, s.n2, s.x2 = mk(bd), mk(bd), mk(bd), mk(bd), mk(bd), mk(bd), mk(bd), mk(bd), mk(bd)
	s.dn2, s.ds2, s.dn1, s.ds1, s.dctx, s.dq, s.dlast = mk(bd), mk(bd), mk(bd), mk(bd), mk(bd), mk(bd), mk(bd)
	s.f1, s.df = mk(s.capB*n.FF), mk(s.capB*n.FF)
	s.r1, s.r2, s.pred = mk(s.capB), mk(s.capB), mk(s.capB)
}

// forward leaves the predictions for b windows x ([b×t×In], batch first)
// in n.s.pred.
func (n *Network) forward(x []float64, b int) {
	in, d := n.In, n.Dim
	t := len(x) / (b * in)
	if t*b*in != len(x) || t == 0 {
		panic("transformer: input length is not a multiple of batch × features")
	}
	n.grow(b, t)
	s := &n.s
	bt := b * t
	e := s.e[:bt*d]
	n.inp.Forward(e, x, bt)
	for r := 0; r < bt; r++ {
		row, pe := e[r*d:(r+1)*d], n.pe[(r%t)*d:(r%t+1)*d]
		for j := range row {
			row[j] += pe[j]
		}
	}
	kv := s.kv[:bt*2*d]
	n.kv.Forward(kv, e, bt)
	last := s.last[:b*d]
	for i := 0; i < b; i++ {
		copy(last[i*d:(i+1)*d], e[((i+1)*t-1)*d:(i+1)*t*d])
	}
	q := s.q[:b*d]
	n.q.Forward(q, last, b)
	ht := n.Heads * t
	for i := 0; i < b; i++ {
		k := kv[i*t*2*d:]
		n.attn.Forward(s.ctx[i*d:(i+1)*d], s.probs[i*ht:(i+1)*ht],
			nn.Rows{Data: q[i*d:], Stride: d}, nn.Rows{Data: k, Stride: 2 * d}, nn.Rows{Data: k[d:], Stride: 2 * d}, 1, t)
	}
	s1 := s.s1[:b*d]
	n.out.Forward(s1, s.ctx[:b*d], b)
	for j, v := range last {
		s1[j] += v
	}
	n.ln1.Forward(s.n1, s.x1, s.r1, s1, b)
	f1 := s.f1[:b*n.FF]
	n.ff1.Forward(f1, s.n1[:b*d], b)
	nn.ReLU(f1, f1)
	s2 := s.s2[:b*d]
	n.ff2.Forward(s2, f1, b)
	for j, v := range s.n1[:b*d] {
		s2[j] += v
	}
	n.ln2.Forward(s.n2, s.x2, s.r2, s2, b)
	n.head.Forward(s.pred[:b], s.n2[:b*d], b)
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
	d, t := n.Dim, s.t
	bt, bd := b*t, b*d
	var sse float64
	dpred := s.pred[:b]
	for i, p := range dpred {
		r := p - y[i]
		sse += r * r
		dpred[i] = 2 * r * scale
	}
	n.head.Backward(s.dn2[:bd], dpred, s.n2[:bd], b)
	n.ln2.Backward(s.ds2, s.dn2, s.x2, s.r2, b)
	df := s.df[:b*n.FF]
	n.ff2.Backward(df, s.ds2[:bd], s.f1[:b*n.FF], b)
	nn.ReLUBackward(df, s.f1[:b*n.FF])
	dn1 := s.dn1[:bd]
	n.ff1.Backward(dn1, df, s.n1[:bd], b)
	for j, v := range s.ds2[:bd] {
		dn1[j] += v
	}
	n.ln1.Backward(s.ds1, dn1, s.x1, s.r1, b)
	ds1 := s.ds1[:bd]
	n.out.Backward(s.dctx[:bd], ds1, s.ctx[:bd], b)
	dkv := s.dkv[:bt*2*d]
	clear(dkv)
	kv, q, dq := s.kv[:bt*2*d], s.q[:bd], s.dq[:bd]
	ht := n.Heads * t
	for i := 0; i < b; i++ {
		k, dk := kv[i*t*2*d:], dkv[i*t*2*d:]
		n.attn.Backward(nn.Rows{Data: dq[i*d:], Stride: d}, nn.Rows{Data: dk, Stride: 2 * d}, nn.Rows{Data: dk[d:], Stride: 2 * d},
			s.dctx[i*d:(i+1)*d], s.probs[i*ht:(i+1)*ht],
			nn.Rows{Data: q[i*d:], Stride: d}, nn.Rows{Data: k, Stride: 2 * d}, nn.Rows{Data: k[d:], Stride: 2 * d}, 1, t)
	}
	dlast := s.dlast[:bd]
	n.q.Backward(dlast, dq, s.last[:bd], b)
	for j, v := range ds1 {
		dlast[j] += v
	}
	de := s.de[:bt*d]
	n.kv.Backward(de, dkv, s.e[:bt*d], bt)
	for i := 0; i < b; i++ {
		row := de[((i+1)*t-1)*d : (i+1)*t*d]
		for j, v := range dlast[i*d : (i+1)*d] {
			row[j] += v
		}
	}
	n.inp.Backward(nil, de, x, bt)
	return sse
}
