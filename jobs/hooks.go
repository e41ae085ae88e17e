package jobs

import (
	"context"
	"time"
)

// Hooks are what a caller running a job for someone else (runner
// schedule) sets on the job's context: a request to stop between
// subjects, and an observer of model fits for metrics. The zero Hooks
// does nothing; a job without them runs as from the command line.
type Hooks struct {
	// Stopping, once closed, asks the job to finish the subjects it has
	// started and start no other; the context is cancelled later, if at
	// all. Symbols not started are reported failed ("not started").
	Stopping <-chan struct{}
	// ModelFitted, when set, is told of every model fit of the forecast
	// and validate jobs (each candidate fit of a walk-forward window): the
	// model, the time the fit and prediction took, and the error that lost
	// the model (nil when it fitted). It may be called from several
	// goroutines at once.
	ModelFitted func(model string, took time.Duration, err error)
}

type hooksKey struct{}

// WithHooks returns ctx carrying h for the jobs run with it.
func WithHooks(ctx context.Context, h Hooks) context.Context {
	return context.WithValue(ctx, hooksKey{}, h)
}

func hooksOf(ctx context.Context) Hooks {
	h, _ := ctx.Value(hooksKey{}).(Hooks)
	return h
}

// stopping reports whether the caller asked the job to stop.
func (h Hooks) stopping() bool {
	if h.Stopping == nil {
		return false
	}
	select {
	case <-h.Stopping:
		return true
	default:
		return false
	}
}

func (h Hooks) modelFitted(model string, took time.Duration, err error) {
	if h.ModelFitted != nil {
		h.ModelFitted(model, took, err)
	}
}
