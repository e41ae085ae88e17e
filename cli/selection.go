package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"runner/forecast"
)

// selection is what the seed system's switches choose: which ensembles a
// forecast run computes and which one is served.
type selection struct {
	Mode       string // canary, production, shadow, or "" with Ensemble
	Ensemble   string // one ensemble by name instead of a mode
	ModelCount int    // ENSEMBLE_MODEL_COUNT: 0 (unset), 2 or 4
	// Enabled holds the ENABLE_* switches by model name.
	Enabled map[string]bool
}

// enableFlags maps each switchable model to its flag and environment variable.
var enableFlags = []struct{ model, flag, env string }{
	{"arima_garch", "enable-arima-garch", "ENABLE_ARIMA_GARCH"},
	{"gb", "enable-gb", "ENABLE_GB"},
	{"lstm", "enable-lstm", "ENABLE_LSTM"},
	{"transformer", "enable-transformer", "ENABLE_TRANSFORMER"},
}

// resolve returns the ensembles to compute, the served one ("" for none)
// and the recorded mode. Every inconsistent combination is an error; none
// falls back to something else.
func (s selection) resolve() (ens []forecast.Ensemble, served, mode string, err error) {
	switch s.ModelCount {
	case 0, 2, 4:
	default:
		return nil, "", "", fmt.Errorf("--model-count (ENSEMBLE_MODEL_COUNT) %d: want 2 (candidate) or 4 (legacy)", s.ModelCount)
	}
	byCount := map[int]forecast.Ensemble{2: forecast.Candidate, 4: forecast.Legacy}
	mode = s.Mode
	switch strings.ToLower(mode) {
	case "true", "1":
		mode = "canary"
	case "false", "0":
		mode = "production"
	}
	switch {
	case s.Ensemble != "" && s.Mode != "":
		return nil, "", "", fmt.Errorf("give --mode (CANARY_MODE) or --ensemble, not both")
	case s.Ensemble != "":
		e, err := forecast.EnsembleByName(s.Ensemble)
		if err != nil {
			return nil, "", "", err
		}
		if want, ok := byCount[s.ModelCount]; ok && want.Name != e.Name {
			return nil, "", "", fmt.Errorf("--ensemble %s contradicts --model-count (ENSEMBLE_MODEL_COUNT) %d, which names %s",
				e.Name, s.ModelCount, want.Name)
		}
		ens, mode = []forecast.Ensemble{e}, e.Name
	case mode == "" || mode == "canary":
		mode = "canary"
		ens, served = []forecast.Ensemble{forecast.Candidate, forecast.Legacy}, forecast.Legacy.Name
		if s.ModelCount == 2 {
			served = forecast.Candidate.Name
		}
	case mode == "shadow":
		if s.ModelCount == 4 {
			return nil, "", "", fmt.Errorf("--mode shadow computes the 2-model candidate; --model-count (ENSEMBLE_MODEL_COUNT) 4 contradicts it")
		}
		ens = []forecast.Ensemble{forecast.Candidate}
	case mode == "production":
		e := forecast.Legacy
		if s.ModelCount == 2 {
			e = forecast.Candidate
		}
		ens, served = []forecast.Ensemble{e}, e.Name
	default:
		return nil, "", "", fmt.Errorf("--mode (CANARY_MODE) %q: want canary, production or shadow", s.Mode)
	}
	for _, e := range ens {
		for _, m := range e.Members {
			for _, f := range enableFlags {
				if f.model == m.Model && !s.Enabled[m.Model] {
					return nil, "", "", fmt.Errorf("ensemble %s needs %s, switched off by --%s=false (%s)", e.Name, m.Model, f.flag, f.env)
				}
			}
		}
	}
	return ens, served, mode, nil
}

// ensembleFlag is the --ensemble flag of the commands that work on the
// candidate, the legacy ensemble or both (validate, calibrate).
func ensembleFlag() cli.Flag {
	return stringOneOf(&cli.StringFlag{Name: "ensemble", Value: "both", Usage: "candidate, legacy or both"},
		"candidate", "legacy", "both")
}

// ensemblesOf returns the ensembles --ensemble names.
func ensemblesOf(c *cli.Context) []forecast.Ensemble {
	switch c.String("ensemble") {
	case "candidate":
		return []forecast.Ensemble{forecast.Candidate}
	case "legacy":
		return []forecast.Ensemble{forecast.Legacy}
	}
	return []forecast.Ensemble{forecast.Candidate, forecast.Legacy}
}
