package nn

import "math"

// Rows is a row-major matrix view with a row stride, so that a column block
// of a wider matrix (the keys inside a fused key-value projection) can be
// passed without copying.
type Rows struct {
	Data   []float64
	Stride int
}

func (r Rows) seg(i, off, n int) []float64 { return r.Data[i*r.Stride+off : i*r.Stride+off+n] }

// Attention is multi-head scaled dot-product attention for one sequence,
// the core of PyTorch's nn.MultiheadAttention without its projections:
// head h takes columns [h·Dim/Heads, (h+1)·Dim/Heads) of q, k and v, forms
// the probabilities softmax((q/sqrt(Dim/Heads))·kᵀ) over the keys and
// returns the probability-weighted sum of the value rows.
type Attention struct {
	Dim, Heads int
}

// Forward sets ctx[nq×Dim] for nq query rows of q against nk key and value
// rows of k and v, keeping the probabilities in probs[Heads×nq×nk] for
// Backward.
func (a Attention) Forward(ctx, probs []float64, q, k, v Rows, nq, nk int) {
	hd := a.Dim / a.Heads
	sc := math.Sqrt(float64(hd))
	for h := 0; h < a.Heads; h++ {
		off := h * hd
		for i := 0; i < nq; i++ {
			qi := q.seg(i, off, hd)
			p := probs[(h*nq+i)*nk : (h*nq+i+1)*nk]
			max := math.Inf(-1)
			for j := range p {
				kj := k.seg(j, off, hd)
				var s float64
				for c, qv := range qi {
					s += (qv / sc) * kj[c]
				}
				p[j] = s
				if s > max {
					max = s
				}
			}
			var sum float64
			for j := range p {
				p[j] = math.Exp(p[j] - max)
				sum += p[j]
			}
			out := ctx[i*a.Dim+off : i*a.Dim+off+hd]
			clear(out)
			for j := range p {
				p[j] /= sum
				w, vj := p[j], v.seg(j, off, hd)
				for c := range out {
					out[c] += w * vj[c]
				}
			}
		}
	}
}

// Backward turns the gradient dctx[nq×Dim] into dq (overwritten) and adds
// the key and value gradients into dk and dv, using the inputs and the
// probabilities kept by Forward.
func (a Attention) Backward(dq, dk, dv Rows, dctx, probs []float64, q, k, v Rows, nq, nk int) {
	hd := a.Dim / a.Heads
	sc := math.Sqrt(float64(hd))
	var buf [64]float64
	dp := buf[:0]
	if nk > len(buf) {
		dp = make([]float64, nk)
	} else {
		dp = buf[:nk]
	}
	for h := 0; h < a.Heads; h++ {
		off := h * hd
		for i := 0; i < nq; i++ {
			p := probs[(h*nq+i)*nk : (h*nq+i+1)*nk]
			dc := dctx[i*a.Dim+off : i*a.Dim+off+hd]
			var dot float64
			for j := range p {
				vj, dvj := v.seg(j, off, hd), dv.seg(j, off, hd)
				var s float64
				for c, g := range dc {
					s += g * vj[c]
					dvj[c] += p[j] * g
				}
				dp[j] = s
				dot += p[j] * s
			}
			qi, dqi := q.seg(i, off, hd), dq.seg(i, off, hd)
			clear(dqi)
			for j := range p {
				ds := p[j] * (dp[j] - dot)
				kj, dkj := k.seg(j, off, hd), dk.seg(j, off, hd)
				for c := range dqi {
					dqi[c] += ds * kj[c] / sc
					dkj[c] += ds * (qi[c] / sc)
				}
			}
		}
	}
}
