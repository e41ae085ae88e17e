package cli

import (
	"testing"

	"github.com/stretchr/testify/require"

	"runner/calibration"
)

// probNote explains each way a calibration comes to its P(up): a method
// asked for, Auto without a check, Auto keeping the recalibration, and
// Auto falling back to the base rate (t = MeanD/StdErr, 0.0009/0.0005 =
// 1.8 and 0.0001/0.0002 = 0.5; SkillZ 1.645).
func TestProbNote(t *testing.T) {
	base := calibration.Calibration{Config: calibration.Config{Method: calibration.Auto}, Prob: calibration.BaseRate, Base: 0.536}
	for _, c := range []struct {
		name string
		cal  calibration.Calibration
		want string
	}{
		{"asked for", calibration.Calibration{Config: calibration.Config{Method: calibration.Platt}, Prob: calibration.Platt},
			"P(up) by platt (--method platt)"},
		{"base rate asked for", calibration.Calibration{Config: calibration.Config{Method: calibration.BaseRate}, Prob: calibration.BaseRate, Base: 0.5},
			"P(up) the base rate 0.500 (--method base_rate)"},
		{"not checked", calibration.Calibration{Config: calibration.Config{Method: calibration.Auto}, Prob: calibration.Platt},
			"P(up) by platt (too few samples to check it against the base rate)"},
		{"kept", calibration.Calibration{Config: calibration.Config{Method: calibration.Auto}, Prob: calibration.Isotonic,
			SkillCheck: &calibration.SkillCheck{Tested: calibration.Isotonic, Held: 334, MeanD: 0.0009, StdErr: 0.0005, Kept: true}},
			"P(up) by isotonic: on the 334 held-out samples it beat the base rate by 0.00090 in Brier, t = 1.80 > 1.645"},
		{"not significant", func() calibration.Calibration {
			c := base
			c.SkillCheck = &calibration.SkillCheck{Tested: calibration.Platt, Held: 100, MeanD: 0.0001, StdErr: 0.0002}
			return c
		}(), "P(up) the base rate 0.536: on the 100 held-out samples platt beat the base rate by 0.00010 in Brier, t = 0.50 <= 1.645, not significant"},
		{"worse", func() calibration.Calibration {
			c := base
			c.SkillCheck = &calibration.SkillCheck{Tested: calibration.Isotonic, Held: 334, MeanD: -0.004, StdErr: 0.002}
			return c
		}(), "P(up) the base rate 0.536: on the 334 held-out samples isotonic did not beat the base rate (Brier 0.00400 worse), t = -2.00 <= 1.645, not significant"},
	} {
		require.Equal(t, c.want, probNote(&c.cal), c.name)
	}
}
