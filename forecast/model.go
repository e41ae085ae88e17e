package forecast

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"runner/marketdata"
)

// Model fits once on a window of history and then forecasts later days
// without refitting (DESIGN §3, "Fit once, forecast every later day").
//
// Fit receives the training bars, oldest first, the last of which is the
// as-of bar. The returned Fitted predicts, from the training bars extended
// by later realised bars, the log return after the last of them. A fit that
// fails or does not converge returns an error, never a stand-in value.
type Model interface {
	Name() string
	Fit(ctx context.Context, bars []marketdata.Bar) (Fitted, error)
}

// Forecast fits m on bars and predicts r = ln(adj[t+1]/adj[t]) for the last
// bar t: Fit then Predict on the same bars. The returned Distribution passes
// Check.
func Forecast(ctx context.Context, m Model, bars []marketdata.Bar) (Distribution, error) {
	f, err := m.Fit(ctx, bars)
	if err != nil {
		return Distribution{}, err
	}
	d, err := f.Predict(ctx, bars)
	if err != nil {
		return Distribution{}, err
	}
	if err := d.Check(); err != nil {
		return Distribution{}, fmt.Errorf("%s: %w", m.Name(), err)
	}
	return d, nil
}

// Options are the settings every model constructor takes.
type Options struct {
	// Seed makes fitting deterministic. Default 0 (itself a valid seed).
	Seed int64
	// NeutralBand is the half-width of the neutral class. Default DefaultNeutralBand.
	NeutralBand float64
	// Epochs caps training epochs for the learned models. Default 0: the
	// model's canonical value.
	Epochs int
	// NoEarlyStop switches early stopping off for the learned models.
	// Default false: early stopping on.
	NoEarlyStop bool
}

// Band returns NeutralBand or its default.
func (o Options) Band() float64 {
	if o.NeutralBand > 0 {
		return o.NeutralBand
	}
	return DefaultNeutralBand
}

// Constructor builds a model from options.
type Constructor func(Options) (Model, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Constructor{}
)

// Register makes a model available by name. It panics on a duplicate name,
// a caller mistake.
func Register(name string, c Constructor) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("forecast: model registered twice: " + name)
	}
	registry[name] = c
}

// New builds the registered model name.
func New(name string, opts Options) (Model, error) {
	registryMu.RLock()
	c, ok := registry[name]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("forecast: model %q is not implemented (available: %v)", name, Names())
	}
	return c(opts)
}

// Registered reports whether name is a registered model.
func Registered(name string) bool {
	registryMu.RLock()
	defer registryMu.RUnlock()
	_, ok := registry[name]
	return ok
}

// Names lists the registered models, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
