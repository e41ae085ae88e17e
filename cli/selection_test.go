package cli

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func allOn() map[string]bool {
	return map[string]bool{"arima_garch": true, "gb": true, "lstm": true, "transformer": true}
}

func TestSelection(t *testing.T) {
	for _, tc := range []struct {
		name      string
		sel       selection
		ensembles []string
		served    string
		mode      string
		err       string
	}{
		{"default is canary", selection{Enabled: allOn()}, []string{"candidate", "legacy"}, "legacy", "canary", ""},
		{"canary serving candidate", selection{Mode: "canary", ModelCount: 2, Enabled: allOn()}, []string{"candidate", "legacy"}, "candidate", "canary", ""},
		{"CANARY_MODE=true", selection{Mode: "true", Enabled: allOn()}, []string{"candidate", "legacy"}, "legacy", "canary", ""},
		{"CANARY_MODE=false", selection{Mode: "false", Enabled: allOn()}, []string{"legacy"}, "legacy", "production", ""},
		{"shadow", selection{Mode: "shadow", Enabled: allOn()}, []string{"candidate"}, "", "shadow", ""},
		{"production 2-model with gb and transformer off",
			selection{Mode: "production", ModelCount: 2, Enabled: map[string]bool{"arima_garch": true, "lstm": true}},
			[]string{"candidate"}, "candidate", "production", ""},
		{"one ensemble", selection{Ensemble: "naive", Enabled: allOn()}, []string{"naive"}, "", "naive", ""},
		{"model count 3", selection{ModelCount: 3, Enabled: allOn()}, nil, "", "", "ENSEMBLE_MODEL_COUNT) 3: want 2 (candidate) or 4 (legacy)"},
		{"canary with gb off", selection{Mode: "canary", Enabled: map[string]bool{"arima_garch": true, "lstm": true, "transformer": true}},
			nil, "", "", "ensemble legacy needs gb, switched off by --enable-gb=false (ENABLE_GB)"},
		{"candidate with lstm off", selection{Mode: "production", ModelCount: 2, Enabled: map[string]bool{"arima_garch": true}},
			nil, "", "", "ensemble candidate needs lstm, switched off by --enable-lstm=false (ENABLE_LSTM)"},
		{"ensemble against model count", selection{Ensemble: "legacy", ModelCount: 2, Enabled: allOn()},
			nil, "", "", "--ensemble legacy contradicts --model-count (ENSEMBLE_MODEL_COUNT) 2, which names candidate"},
		{"shadow with 4 models", selection{Mode: "shadow", ModelCount: 4, Enabled: allOn()}, nil, "", "", "contradicts it"},
		{"mode and ensemble", selection{Mode: "canary", Ensemble: "naive", Enabled: allOn()}, nil, "", "", "not both"},
		{"unknown mode", selection{Mode: "sideways", Enabled: allOn()}, nil, "", "", `"sideways": want canary, production or shadow`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ens, served, mode, err := tc.sel.resolve()
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			var names []string
			for _, e := range ens {
				names = append(names, e.Name)
			}
			require.Equal(t, tc.ensembles, names)
			require.Equal(t, tc.served, served)
			require.Equal(t, tc.mode, mode)
		})
	}
}
