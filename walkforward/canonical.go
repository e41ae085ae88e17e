package walkforward

import (
	"fmt"

	"runner/forecast"
	"runner/forecast/arimagarch"
	"runner/forecast/gbm"
	"runner/forecast/lstm"
	"runner/forecast/naive"
	"runner/forecast/transformer"
)

// CanonicalGrid returns the grid of DESIGN §5, each model's configurations
// in the order its package lists them (canonical first): arima_garch
// ARMA(p,q)-GARCH(1,1) Gaussian for the 9 fixed orders (p,q) in {0,1,2}^2;
// lstm hidden {32, 16} x learning rate {1e-3, 3e-3}; transformer d_model
// {16, 8} x learning rate {1e-3, 3e-3}; gb max depth {3, 2} x learning
// rate {0.05, 0.1} with 200 trees; and naive. opts (seed, epochs, early
// stopping, neutral band) apply to every configuration.
func CanonicalGrid(opts forecast.Options) Grid {
	g := Grid{}
	for _, c := range arimagarch.Grid() {
		g.add(arimagarch.Name, map[string]any{"p": c.P, "q": c.Q, "garch": "1,1", "dist": "normal"},
			func() (forecast.Model, error) { return arimagarch.NewWithConfig(c, opts) })
	}
	for _, c := range lstm.Grid() {
		g.add(lstm.Name, map[string]any{"hidden": c.Hidden, "learning_rate": c.LR},
			func() (forecast.Model, error) { return lstm.NewConfig(c, opts) })
	}
	for _, c := range transformer.Grid() {
		g.add(transformer.Name, map[string]any{"d_model": c.DModel, "learning_rate": c.LR},
			func() (forecast.Model, error) { return transformer.NewConfig(c, opts) })
	}
	for _, c := range gbm.Grid() {
		g.add(gbm.Name, map[string]any{"trees": c.Trees, "max_depth": c.MaxDepth, "learning_rate": c.LearningRate},
			func() (forecast.Model, error) { return gbm.NewConfig(c, opts) })
	}
	g.add(naive.Name, map[string]any{}, func() (forecast.Model, error) { return naive.New(opts) })
	return g
}

// FixedGrid returns the canonical configuration of DESIGN §3 of every
// model, one candidate each (--grid fixed: the weights alone are tuned):
// for arima_garch the order chosen by AIC over {0,1,2}^2.
func FixedGrid(opts forecast.Options) Grid {
	g := Grid{}
	for _, name := range []string{arimagarch.Name, lstm.Name, transformer.Name, gbm.Name, naive.Name} {
		params := map[string]any{"canonical": true}
		if name == arimagarch.Name {
			params = map[string]any{"order": "aic", "garch": "1,1", "dist": "normal"}
		}
		g.add(name, params, func() (forecast.Model, error) { return forecast.New(name, opts) })
	}
	return g
}

func (g Grid) add(model string, params map[string]any, New func() (forecast.Model, error)) {
	g[model] = append(g[model], Candidate{Model: model, Params: params, New: func() (forecast.Model, error) {
		m, err := New()
		if err != nil {
			return nil, fmt.Errorf("walkforward: %s %v: %w", model, params, err)
		}
		return m, nil
	}})
}
