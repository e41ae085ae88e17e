package arimagarch

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"runner/forecast"
	"runner/marketdata"
)

// Name is the model's registered name.
const Name = "arima_garch"

// Model is the canonical ARIMA-GARCH forecaster of DESIGN §3: on the log
// returns of the training bars, ARMA(p,q) with a constant, (p,q) in
// {0,1,2}^2 chosen by AIC, then ARMA(p,q)-GARCH(1,1) fitted jointly.
type Model struct {
	cfg  Config
	band float64
}

// New returns the canonical model with Gaussian innovations.
func New(opts forecast.Options) (forecast.Model, error) {
	return NewWithConfig(Config{Auto: true, GARCH: true}, opts)
}

// NewWithConfig returns the model with another configuration, such as
// Student t innovations (Dist: StudentT). The returns are never differenced:
// cfg.D must be 0.
func NewWithConfig(cfg Config, opts forecast.Options) (*Model, error) {
	if cfg.D != 0 {
		return nil, fmt.Errorf("arimagarch: model on returns: d = %d, want 0", cfg.D)
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("arimagarch: config: %w", err)
	}
	return &Model{cfg: cfg, band: opts.Band()}, nil
}

// NewOrder returns the model with a fixed ARMA(p,q) mean (no order search)
// and GARCH(1,1) Gaussian errors: one configuration of the walk-forward
// grid of DESIGN §5.
func NewOrder(p, q int, opts forecast.Options) (*Model, error) {
	return NewWithConfig(Config{P: p, Q: q, GARCH: true}, opts)
}

// Grid returns the configurations of the canonical walk-forward grid of
// DESIGN §5: ARMA(p,q)-GARCH(1,1) Gaussian for (p,q) in {0,1,2}^2, each a
// fixed order, in the order p then q.
func Grid() []Config {
	var g []Config
	for p := 0; p <= MaxOrderDefault; p++ {
		for q := 0; q <= MaxOrderDefault; q++ {
			g = append(g, Config{P: p, Q: q, GARCH: true})
		}
	}
	return g
}

func init() { forecast.Register(Name, New) }

var _ forecast.Model = (*Model)(nil)

// Name returns "arima_garch".
func (m *Model) Name() string { return Name }

// Fit fits the model on the log returns of bars.
func (m *Model) Fit(ctx context.Context, bars []marketdata.Bar) (forecast.Fitted, error) {
	sym := ""
	if len(bars) > 0 {
		sym = bars[0].Symbol
	}
	res, err := fit(ctx, marketdata.LogReturns(bars), m.cfg)
	if err != nil {
		return nil, fmt.Errorf("arimagarch: %s: %w", sym, err)
	}
	return &Fitted{res: res, span: forecast.SpanOf(bars), band: m.band}, nil
}

// Predictive returns the predictive distribution of one forecast step with
// class probabilities for the neutral band: Student t when the model was
// fitted with Student t innovations, Gaussian otherwise.
func (r *Result) Predictive(s Step, band float64) forecast.Distribution {
	if r.garch == nil || r.Dist != StudentT {
		return forecast.Normal(s.Mean, s.SE, band)
	}
	// A unit-variance t has scale sqrt((nu-2)/nu).
	t := distuv.StudentsT{Mu: s.Mean, Sigma: s.SE * math.Sqrt((r.Nu-2)/r.Nu), Nu: r.Nu}
	bear := t.CDF(-band)
	bull := t.Survival(band)
	return forecast.Distribution{Mu: s.Mean, Sigma: s.SE, PBear: bear, PNeutral: math.Max(0, 1-bear-bull), PBull: bull}
}
