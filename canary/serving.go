package canary

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"runner/forecast"
	"runner/store"
)

// Serving is the ensemble production serves for one symbol, and why.
type Serving struct {
	Ensemble string
	Reason   string
}

// Serving returns, for each of symbols, the ensemble production serves
// given the latest deployment: the candidate for the symbols of the stages
// passed (every symbol once promoted), legacy elsewhere, legacy
// everywhere after a rollback or without a deployment.
func (p *Policy) Serving(ctx context.Context, symbols []string) (map[string]Serving, error) {
	d, err := p.Latest(ctx)
	if errors.Is(err, ErrNoCanary) {
		return allServe(symbols, forecast.Legacy.Name, "no canary deployment"), nil
	}
	if err != nil {
		return nil, fmt.Errorf("canary: serving: %w", err)
	}
	return p.servingOf(ctx, d, symbols, d.UpdatedAt.Format(time.DateOnly))
}

// servingOf is the serving of symbols under deployment d as it stands
// (its stage and status), since the day named.
func (p *Policy) servingOf(ctx context.Context, d store.CanaryDeployment, symbols []string, since string) (map[string]Serving, error) {
	legacy, cand := forecast.Legacy.Name, forecast.Candidate.Name
	switch d.Status {
	case store.CanaryRolledBack:
		return allServe(symbols, legacy, fmt.Sprintf("canary %d rolled back (%s)", d.ID, since)), nil
	case store.CanaryPromoted:
		return allServe(symbols, cand, fmt.Sprintf("canary %d promoted (%s)", d.ID, since)), nil
	}
	passed := map[string]string{} // symbol -> the first stage passed that covers it
	for i := 0; i < d.Stage; i++ {
		st := d.Stages[i]
		universe, err := p.universe(ctx, st)
		if err != nil {
			return nil, err
		}
		for _, s := range Scope(st, universe) {
			if _, ok := passed[s]; !ok {
				passed[s] = st.Name
			}
		}
	}
	cur := d.Stages[d.Stage]
	universe, err := p.universe(ctx, cur)
	if err != nil {
		return nil, err
	}
	inStage := Scope(cur, universe)
	out := map[string]Serving{}
	for _, s := range symbols {
		switch {
		case passed[s] != "":
			out[s] = Serving{Ensemble: cand, Reason: fmt.Sprintf("promoted scope: canary %d passed stage %s", d.ID, passed[s])}
		case slices.Contains(inStage, s):
			out[s] = Serving{Ensemble: legacy, Reason: fmt.Sprintf("in canary %d stage %s, not promoted yet", d.ID, cur.Name)}
		default:
			out[s] = Serving{Ensemble: legacy, Reason: fmt.Sprintf("not in a promoted scope of canary %d", d.ID)}
		}
	}
	return out, nil
}

// allServe serves ensemble to every one of symbols, for reason.
func allServe(symbols []string, ensemble, reason string) map[string]Serving {
	out := map[string]Serving{}
	for _, s := range symbols {
		out[s] = Serving{Ensemble: ensemble, Reason: reason}
	}
	return out
}
