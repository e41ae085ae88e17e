package jobs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// ConfigHash identifies the parameters that change a forecast's numbers
// (DESIGN §8, units of work): the ensembles with their members and default
// weights, the served ensemble, horizon, training bars, seed, neutral band,
// epochs, early stopping, weight method (and lookback for the methods that
// learn from history), whether calibrations are applied and whether the
// canary state chooses the served ensemble. Not the
// symbols, as-of date, workers, mode label, code version or host. Zero
// fields count as their defaults. Each forecast row records it; a backfill
// takes a (symbol, as-of day) unit with a row of every ensemble for its
// hash as done.
func (c ForecastConfig) ConfigHash() string {
	c.setDefaults()
	p := map[string]any{
		"kind": "forecast", "ensembles": c.Ensembles, "served": c.Served, "horizon": c.Horizon,
		"train_bars": c.TrainBars, "seed": c.Model.Seed, "neutral_band": c.Model.Band(), "epochs": c.Model.Epochs,
		"early_stop": !c.Model.NoEarlyStop, "weight_method": string(c.WeightMethod), "calibrate": c.Calibrate,
	}
	if c.WeightMethod.NeedsHistory() {
		p["weight_lookback"] = c.WeightLookback
	}
	if c.ServeByCanary {
		p["serve_by_canary"] = true
	}
	return hashJSON(p)
}

// ConfigHash identifies the parameters that change a walk-forward
// window's numbers: the ensembles, horizon, grid, window spans and step,
// seed, neutral band, epochs and early stopping. Not the symbols, dates,
// windows asked, workers or the leak check (which fails a window or not;
// it changes no number). Each window's hyperparameters record it.
func (c ValidateConfig) ConfigHash() string {
	c.setDefaults()
	return hashJSON(map[string]any{
		"kind": "validate", "ensembles": c.Ensembles, "horizon": c.Horizon, "grid": c.GridName,
		"train": c.Window.Train, "val": c.Window.Val, "test": c.Window.Test, "step": c.Window.Step,
		"seed": c.Model.Seed, "neutral_band": c.Model.Band(), "epochs": c.Model.Epochs, "early_stop": !c.Model.NoEarlyStop,
	})
}

// hashJSON is the first 16 hex digits of the SHA-256 of v's JSON (map keys
// sorted, so the same parameters give the same hash).
func hashJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("jobs: config hash: %v", err)) // parameters are plain values
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
