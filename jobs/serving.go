package jobs

import (
	"runner/canary"
	"runner/forecast"
)

// Serving is the ensemble a production forecast computes and serves for
// one symbol, and why: the canary state's (DESIGN §9).
type Serving = canary.Serving

// ensemblesFor returns the ensembles computed for sym: the one its Serving
// names, or every configured ensemble when it has none.
func (c ForecastConfig) ensemblesFor(sym string) []forecast.Ensemble {
	sv, ok := c.Serving[sym]
	if !ok {
		return c.Ensembles
	}
	for _, e := range c.Ensembles {
		if e.Name == sv.Ensemble {
			return []forecast.Ensemble{e}
		}
	}
	return c.Ensembles
}

// servedFor names the ensemble marked served for sym.
func (c ForecastConfig) servedFor(sym string) string {
	if sv, ok := c.Serving[sym]; ok {
		return sv.Ensemble
	}
	return c.Served
}

// servingParams is how a run records its per-symbol serving:
// symbol -> "ensemble: reason".
func servingParams(s map[string]Serving) map[string]string {
	if len(s) == 0 {
		return nil
	}
	out := map[string]string{}
	for sym, sv := range s {
		out[sym] = sv.Ensemble + ": " + sv.Reason
	}
	return out
}
