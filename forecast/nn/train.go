package nn

import (
	"context"
	"fmt"
	"math"
	"sync"
)

// Network is a model trained by Train on windows of feature rows.
type Network interface {
	// Params returns the parameters, always the same slice in the same order.
	Params() []*Param
	// Grad runs the forward and backward pass on b windows x
	// ([b×Len×Features], batch first) with targets y, adds scale times the
	// gradient of the sum of squared errors to every Param.G, and returns
	// the sum of squared errors.
	Grad(x, y []float64, b int, scale float64) float64
	// Predict writes the predictions for b windows x into out[b].
	Predict(out, x []float64, b int)
}

// Replicator is a Network that can work on part of a minibatch in another
// goroutine: Replica returns a network that shares the receiver's parameter
// values but has its own gradients and scratch space.
type Replicator interface {
	Network
	Replica() Network
}

// Training defaults (DESIGN §3, canonical configuration).
const (
	DefaultEpochs    = 30
	DefaultBatchSize = 32
	DefaultLR        = 1e-3
	DefaultPatience  = 5
	DefaultValFrac   = 0.1
	DefaultWorkers   = 2
)

// TrainConfig configures Train. Zero fields take the defaults above.
type TrainConfig struct {
	// Epochs is the maximum number of passes over the training windows. Default 30.
	Epochs int
	// BatchSize is the minibatch size. Default 32.
	BatchSize int
	// LR is Adam's learning rate. Default 1e-3.
	LR float64
	// NoEarlyStop trains all Epochs and keeps the last weights. Default
	// false: stop when the validation loss has not improved for Patience
	// epochs and restore the weights of the best epoch.
	NoEarlyStop bool
	// Patience is the early-stopping patience in epochs. Default 5.
	Patience int
	// Seed drives the minibatch shuffling.
	Seed int64
	// Workers splits each minibatch into this many contiguous parts whose
	// gradients are computed concurrently (when the network is a Replicator)
	// and summed in a fixed order. Default 2. The result depends on Workers
	// but not on the number of CPUs or on scheduling.
	Workers int
}

func (c TrainConfig) withDefaults() TrainConfig {
	c.Epochs = cmpOr(c.Epochs, DefaultEpochs)
	c.BatchSize = cmpOr(c.BatchSize, DefaultBatchSize)
	if c.LR == 0 {
		c.LR = DefaultLR
	}
	c.Patience = cmpOr(c.Patience, DefaultPatience)
	c.Workers = cmpOr(c.Workers, DefaultWorkers)
	return c
}

func cmpOr(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

// History records a training run.
type History struct {
	// TrainLoss and ValLoss are the mean squared errors per epoch, in
	// standardised units: the training loss averaged over the minibatches
	// as they were trained, the validation loss after the epoch.
	TrainLoss, ValLoss []float64
	// Epochs is the number of epochs run.
	Epochs int
	// BestEpoch is the epoch (1-based) with the lowest validation loss.
	BestEpoch int
	// Stopped is true when early stopping ended training before Epochs.
	Stopped bool
}

// Train fits net on the training windows of s with Adam and shuffled
// minibatches, evaluating the validation tail after every epoch. With early
// stopping on (and a non-empty tail) it restores the best epoch's weights.
// A non-finite loss is an error.
func Train(ctx context.Context, net Network, s *Split, cfg TrainConfig) (History, error) {
	cfg = cfg.withDefaults()
	ps := net.Params()
	opt := NewAdam(cfg.LR)
	rng := NewRand(cfg.Seed, StreamShuffle)
	tr := &s.Train
	n := tr.Samples()
	w := tr.Len * tr.Features
	bs := cfg.BatchSize
	xb, yb := make([]float64, bs*w), make([]float64, bs)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}

	var par *parallelGrad
	if r, ok := net.(Replicator); ok && cfg.Workers > 1 {
		par = newParallelGrad(r, cfg.Workers)
	}

	var h History
	best := math.Inf(1)
	var bestW []float64
	earlyStop := !cfg.NoEarlyStop && s.Val.Samples() > 0
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return h, err
		}
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		var sse float64
		for from := 0; from < n; from += bs {
			idx := order[from:min(from+bs, n)]
			b := len(idx)
			tr.Gather(xb, yb, idx)
			ZeroGrad(ps)
			if par != nil {
				sse += par.grad(net, xb[:b*w], yb[:b], b, w, 1/float64(b))
			} else {
				sse += net.Grad(xb[:b*w], yb[:b], b, 1/float64(b))
			}
			opt.Step(ps)
		}
		loss := sse / float64(n)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return h, fmt.Errorf("nn: epoch %d: training loss is %v", epoch, loss)
		}
		h.TrainLoss = append(h.TrainLoss, loss)
		h.Epochs = epoch
		if s.Val.Samples() == 0 {
			continue
		}
		vl := MSE(net, &s.Val, bs)
		if math.IsNaN(vl) || math.IsInf(vl, 0) {
			return h, fmt.Errorf("nn: epoch %d: validation loss is %v", epoch, vl)
		}
		h.ValLoss = append(h.ValLoss, vl)
		if vl < best {
			best, h.BestEpoch = vl, epoch
			if earlyStop {
				bestW = Snapshot(bestW, ps)
			}
		} else if earlyStop && epoch-h.BestEpoch >= cfg.Patience {
			h.Stopped = epoch < cfg.Epochs
			break
		}
	}
	if earlyStop && bestW != nil {
		Restore(ps, bestW)
	}
	return h, nil
}

// Predictions returns net's predictions for every window of s, computed in
// chunks of at most chunk windows.
func Predictions(net Network, s *Sequences, chunk int) []float64 {
	n := s.Samples()
	w := s.Len * s.Features
	out := make([]float64, n)
	x, y := make([]float64, chunk*w), make([]float64, chunk)
	idx := make([]int, 0, chunk)
	for from := 0; from < n; from += chunk {
		idx = idx[:0]
		for i := from; i < min(from+chunk, n); i++ {
			idx = append(idx, i)
		}
		s.Gather(x, y, idx)
		net.Predict(out[from:from+len(idx)], x[:len(idx)*w], len(idx))
	}
	return out
}

// MSE returns the mean squared error of net's predictions over s.
func MSE(net Network, s *Sequences, chunk int) float64 {
	p := Predictions(net, s, chunk)
	var sse float64
	for i, v := range p {
		d := v - s.Y[i]
		sse += d * d
	}
	return sse / float64(len(p))
}

// parallelGrad computes a minibatch gradient in contiguous parts, part 0 on
// the network itself and part k on replica k, and adds the replicas'
// gradients to the network's in replica order, so the sum is the same on
// every run.
type parallelGrad struct {
	replicas []Network
	sse      []float64
}

func newParallelGrad(r Replicator, workers int) *parallelGrad {
	p := &parallelGrad{replicas: make([]Network, workers), sse: make([]float64, workers)}
	p.replicas[0] = r
	for k := 1; k < workers; k++ {
		p.replicas[k] = r.Replica()
	}
	return p
}

func (p *parallelGrad) grad(net Network, x, y []float64, b, w int, scale float64) float64 {
	k := len(p.replicas)
	part := (b + k - 1) / k
	var wg sync.WaitGroup
	for i := 1; i < k; i++ {
		from, to := min(i*part, b), min((i+1)*part, b)
		if from == to {
			p.sse[i] = 0
			continue
		}
		ZeroGrad(p.replicas[i].Params())
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.sse[i] = p.replicas[i].Grad(x[from*w:to*w], y[from:to], to-from, scale)
		}()
	}
	to := min(part, b)
	sse := net.Grad(x[:to*w], y[:to], to, scale)
	wg.Wait()
	ps := net.Params()
	for i := 1; i < k; i++ {
		if min(i*part, b) == min((i+1)*part, b) {
			continue
		}
		sse += p.sse[i]
		for j, q := range p.replicas[i].Params() {
			g := ps[j].G
			for c, v := range q.G {
				g[c] += v
			}
		}
	}
	return sse
}
