package walkforward

import (
	"fmt"

	"runner/forecast"
)

// Candidate is one configuration of one member model: a point of its grid.
type Candidate struct {
	// Model is the registered model name (arima_garch, lstm, ...).
	Model string
	// Params is the configuration, recorded in hyperparameters.
	Params map[string]any
	// New builds a fresh, unfitted model with this configuration.
	New func() (forecast.Model, error)
}

// Grid lists each model's candidates in a fixed order. Ties in validation
// RMSE go to the earlier candidate.
type Grid map[string][]Candidate

// check reports a member of the ensembles without candidates.
func (g Grid) check(es []forecast.Ensemble) error {
	for _, e := range es {
		for _, m := range e.Members {
			if len(g[m.Model]) == 0 {
				return fmt.Errorf("walkforward: ensemble %s: no configurations for model %s", e.Name, m.Model)
			}
		}
	}
	return nil
}
