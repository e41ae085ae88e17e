package canary

import (
	"cmp"
	"fmt"
)

// Defaults of Thresholds (DESIGN §9). Divergences and RMSE changes are
// fractions: 0.30 is 30%.
const (
	DefaultRollbackDivergence   = 0.30
	DefaultRollbackRMSE         = 0.20
	DefaultFailAvgDivergence    = 0.15
	DefaultFailOverfitDays      = 2
	DefaultFailRMSE             = 0.15
	DefaultAdvanceAvgDivergence = 0.10
	DefaultAdvanceMaxDivergence = 0.15
	DefaultAdvanceRMSE          = 0.05
)

// Thresholds are the limits of the decisions. A zero field takes its
// default; the decisions compare strictly where DESIGN §9 says "more
// than" and "below", and inclusively for "within".
type Thresholds struct {
	// RollbackDivergence: roll back now when the maximum divergence is
	// above it. Default DefaultRollbackDivergence (30%).
	RollbackDivergence float64
	// RollbackRMSE: roll back now when the candidate's RMSE is worse than
	// legacy's by more than this fraction. Default DefaultRollbackRMSE
	// (20%).
	RollbackRMSE float64
	// FailAvgDivergence: fail and roll back when the average divergence is
	// above it. Default DefaultFailAvgDivergence (15%).
	FailAvgDivergence float64
	// FailOverfitDays: fail and roll back when overfitting alerts come on
	// more than this many consecutive trading days. Default
	// DefaultFailOverfitDays (2).
	FailOverfitDays int
	// FailRMSE: fail and roll back when the candidate's RMSE is worse by
	// more than this fraction. Default DefaultFailRMSE (15%).
	FailRMSE float64
	// AdvanceAvgDivergence and AdvanceMaxDivergence: advancing needs the
	// average and maximum divergence below them. Defaults
	// DefaultAdvanceAvgDivergence (10%) and DefaultAdvanceMaxDivergence
	// (15%).
	AdvanceAvgDivergence float64
	AdvanceMaxDivergence float64
	// AdvanceRMSE: advancing needs the candidate's RMSE within this
	// fraction of legacy's, or better. Default DefaultAdvanceRMSE (5%).
	AdvanceRMSE float64
}

func (t *Thresholds) setDefaults() {
	t.RollbackDivergence = cmp.Or(t.RollbackDivergence, DefaultRollbackDivergence)
	t.RollbackRMSE = cmp.Or(t.RollbackRMSE, DefaultRollbackRMSE)
	t.FailAvgDivergence = cmp.Or(t.FailAvgDivergence, DefaultFailAvgDivergence)
	t.FailOverfitDays = cmp.Or(t.FailOverfitDays, DefaultFailOverfitDays)
	t.FailRMSE = cmp.Or(t.FailRMSE, DefaultFailRMSE)
	t.AdvanceAvgDivergence = cmp.Or(t.AdvanceAvgDivergence, DefaultAdvanceAvgDivergence)
	t.AdvanceMaxDivergence = cmp.Or(t.AdvanceMaxDivergence, DefaultAdvanceMaxDivergence)
	t.AdvanceRMSE = cmp.Or(t.AdvanceRMSE, DefaultAdvanceRMSE)
}

// Validate checks, defaults applied, that the limits are positive and
// ordered: what advances must not fail, and what fails must not be milder
// than a rollback.
func (t Thresholds) Validate() error {
	t.setDefaults()
	return t.validate()
}

func (t Thresholds) validate() error {
	for _, v := range []struct {
		name string
		v    float64
	}{{"rollback divergence", t.RollbackDivergence}, {"rollback rmse", t.RollbackRMSE},
		{"fail average divergence", t.FailAvgDivergence}, {"fail rmse", t.FailRMSE},
		{"advance average divergence", t.AdvanceAvgDivergence}, {"advance maximum divergence", t.AdvanceMaxDivergence},
		{"advance rmse", t.AdvanceRMSE}} {
		if !(v.v > 0) {
			return fmt.Errorf("canary: threshold %s %v: want > 0", v.name, v.v)
		}
	}
	if t.FailOverfitDays < 1 {
		return fmt.Errorf("canary: threshold fail overfit days %d: want at least 1", t.FailOverfitDays)
	}
	if t.AdvanceRMSE > t.FailRMSE || t.FailRMSE > t.RollbackRMSE {
		return fmt.Errorf("canary: rmse thresholds advance %v, fail %v, rollback %v: want advance <= fail <= rollback",
			t.AdvanceRMSE, t.FailRMSE, t.RollbackRMSE)
	}
	if t.AdvanceAvgDivergence > t.FailAvgDivergence || t.AdvanceMaxDivergence > t.RollbackDivergence {
		return fmt.Errorf("canary: divergence thresholds: advance average %v must not exceed fail average %v, advance maximum %v not rollback %v",
			t.AdvanceAvgDivergence, t.FailAvgDivergence, t.AdvanceMaxDivergence, t.RollbackDivergence)
	}
	return nil
}
