package forecast

import (
	"fmt"
	"math"
)

// Member is a model of an ensemble with its default weight.
type Member struct {
	Model  string
	Weight float64
}

// Ensemble is a named set of models combined as a mixture (DESIGN §4).
type Ensemble struct {
	Name    string
	Members []Member
}

// The ensembles of DESIGN §4, and the naive floor as a one-model ensemble.
var (
	Candidate = Ensemble{Name: "candidate", Members: []Member{
		{Model: "arima_garch", Weight: 0.50},
		{Model: "lstm", Weight: 0.50},
	}}
	Legacy = Ensemble{Name: "legacy", Members: []Member{
		{Model: "arima_garch", Weight: 0.20},
		{Model: "gb", Weight: 0.35},
		{Model: "lstm", Weight: 0.25},
		{Model: "transformer", Weight: 0.20},
	}}
	NaiveEnsemble = Ensemble{Name: "naive", Members: []Member{{Model: "naive", Weight: 1}}}
)

// EnsembleByName returns one of the predefined ensembles.
func EnsembleByName(name string) (Ensemble, error) {
	for _, e := range []Ensemble{Candidate, Legacy, NaiveEnsemble} {
		if e.Name == name {
			return e, nil
		}
	}
	return Ensemble{}, fmt.Errorf("forecast: unknown ensemble %q (want candidate, legacy or naive)", name)
}

// Models lists the member model names.
func (e Ensemble) Models() []string {
	out := make([]string, len(e.Members))
	for i, m := range e.Members {
		out[i] = m.Model
	}
	return out
}

// DefaultWeights returns the members' default weights by model (DESIGN §4).
func (e Ensemble) DefaultWeights() map[string]float64 {
	out := make(map[string]float64, len(e.Members))
	for _, m := range e.Members {
		out[m.Model] = m.Weight
	}
	return out
}

// Missing lists the member models that are not registered.
func (e Ensemble) Missing() []string {
	var out []string
	for _, m := range e.Members {
		if !Registered(m.Model) {
			out = append(out, m.Model)
		}
	}
	return out
}

// Validate checks the members: at least one, no duplicates, weights
// non-negative and summing to 1 within 1e-9.
func (e Ensemble) Validate() error {
	if len(e.Members) == 0 {
		return fmt.Errorf("forecast: ensemble %s has no models", e.Name)
	}
	seen := map[string]bool{}
	var sum float64
	for _, m := range e.Members {
		if seen[m.Model] {
			return fmt.Errorf("forecast: ensemble %s lists %s twice", e.Name, m.Model)
		}
		seen[m.Model] = true
		if !(m.Weight >= 0) {
			return fmt.Errorf("forecast: ensemble %s: %s weight %v is negative", e.Name, m.Model, m.Weight)
		}
		sum += m.Weight
	}
	if math.Abs(sum-1) > 1e-9 {
		return fmt.Errorf("forecast: ensemble %s: weights sum to %v, not 1", e.Name, sum)
	}
	return nil
}
