package canary

import (
	"fmt"
	"math"
	"strings"
)

// Decisions, in the order they are considered (DESIGN §9).
const (
	RollbackNow  = "rollback_now"
	FailRollback = "fail_rollback"
	Advance      = "advance"
	Promote      = "promote"
	Hold         = "hold"
	// Monitor is the decision of an evaluation after promotion that finds
	// no reason to roll back.
	Monitor = "monitor"
)

// Criterion groups.
const (
	GroupRollback = "rollback_now"
	GroupFail     = "fail"
	GroupAdvance  = "advance"
)

// Criterion is one check of an evaluation. For the rollback and fail
// groups Pass means "not triggered"; for the advance group, "met".
type Criterion struct {
	Group     string
	Name      string
	Value     float64 // NaN when it could not be measured
	Op        string  // how Value must compare with Threshold to pass: <, <=, >=, ==
	Threshold float64
	Pass      bool
	// Detail says more where a number does not (missing symbol-days, run
	// errors), at most a few items.
	Detail string
}

// Map is the criterion as stored in canary_performance_metrics.criteria
// (JSON has no NaN: an unmeasured value is null).
func (c Criterion) Map() map[string]any {
	m := map[string]any{"group": c.Group, "name": c.Name, "op": c.Op, "threshold": c.Threshold, "pass": c.Pass}
	if !math.IsNaN(c.Value) {
		m["value"] = c.Value
	} else {
		m["value"] = nil
	}
	if c.Detail != "" {
		m["detail"] = c.Detail
	}
	return m
}

// CriteriaMaps are the criteria as stored (Criterion.Map), in order.
func (d Decision) CriteriaMaps() []map[string]any {
	out := make([]map[string]any, 0, len(d.Criteria))
	for _, c := range d.Criteria {
		out = append(out, c.Map())
	}
	return out
}

// Decision is the outcome of an evaluation.
type Decision struct {
	Action   string
	Criteria []Criterion
	// Reason names the criteria behind the action: the triggers of a
	// rollback, the unmet criteria of a hold.
	Reason string
}

// Decide applies the thresholds to an evaluation, in the order of DESIGN
// §9: roll back now; fail and roll back; advance (Promote when last); a
// stage past its MaxDays without passing fails; hold otherwise.
// promoted selects monitoring after promotion: only the rollback and fail
// groups can act, and Monitor replaces advance and hold.
func Decide(e Evaluation, t Thresholds, last, promoted bool) Decision {
	t.setDefaults()
	gt := func(v, limit float64) bool { return !math.IsNaN(v) && v > limit }
	streak := float64(e.OverfitStreak)
	cs := []Criterion{
		{Group: GroupRollback, Name: "max_divergence", Value: e.MaxDivergence, Op: "<=", Threshold: t.RollbackDivergence,
			Pass: !gt(e.MaxDivergence, t.RollbackDivergence)},
		{Group: GroupRollback, Name: "rmse_change", Value: e.RMSEChange, Op: "<=", Threshold: t.RollbackRMSE,
			Pass: !gt(e.RMSEChange, t.RollbackRMSE)},
		{Group: GroupFail, Name: "avg_divergence", Value: e.AvgDivergence, Op: "<=", Threshold: t.FailAvgDivergence,
			Pass: !gt(e.AvgDivergence, t.FailAvgDivergence)},
		{Group: GroupFail, Name: "overfit_streak_days", Value: streak, Op: "<=", Threshold: float64(t.FailOverfitDays),
			Pass: !gt(streak, float64(t.FailOverfitDays))},
		{Group: GroupFail, Name: "rmse_change", Value: e.RMSEChange, Op: "<=", Threshold: t.FailRMSE,
			Pass: !gt(e.RMSEChange, t.FailRMSE)},
		{Group: GroupAdvance, Name: "days_in_stage", Value: float64(e.Days), Op: ">=", Threshold: float64(e.Stage.MinDays),
			Pass: e.Days >= e.Stage.MinDays},
		{Group: GroupAdvance, Name: "matured_forecasts", Value: float64(e.Matured), Op: ">=", Threshold: float64(e.Stage.MinMatured),
			Pass: e.Matured >= e.Stage.MinMatured && e.Matured > 0},
		{Group: GroupAdvance, Name: "validated_symbols", Value: float64(len(e.Symbols) - len(e.NoValidation)), Op: ">=",
			Threshold: float64(len(e.Symbols)), Pass: len(e.NoValidation) == 0 && len(e.Symbols) > 0, Detail: few(e.NoValidation)},
		{Group: GroupAdvance, Name: "avg_divergence", Value: e.AvgDivergence, Op: "<", Threshold: t.AdvanceAvgDivergence,
			Pass: e.AvgDivergence < t.AdvanceAvgDivergence},
		{Group: GroupAdvance, Name: "max_divergence", Value: e.MaxDivergence, Op: "<", Threshold: t.AdvanceMaxDivergence,
			Pass: e.MaxDivergence < t.AdvanceMaxDivergence},
		{Group: GroupAdvance, Name: "rmse_change", Value: e.RMSEChange, Op: "<=", Threshold: t.AdvanceRMSE,
			Pass: e.RMSEChange <= t.AdvanceRMSE},
		{Group: GroupAdvance, Name: "coverage", Value: e.Coverage(), Op: "==", Threshold: 1,
			Pass: len(e.Missing) == 0 && e.Expected > 0, Detail: few(e.Missing)},
		{Group: GroupAdvance, Name: "run_errors", Value: float64(len(e.RunErrors)), Op: "==", Threshold: 0,
			Pass: len(e.RunErrors) == 0, Detail: few(e.RunErrors)},
	}
	d := Decision{Criteria: cs}
	failed := func(group string) []string {
		var out []string
		for _, c := range cs {
			if c.Group == group && !c.Pass {
				out = append(out, c.describe())
			}
		}
		return out
	}
	if f := failed(GroupRollback); len(f) > 0 {
		d.Action, d.Reason = RollbackNow, "rollback now: "+strings.Join(f, "; ")
		return d
	}
	if f := failed(GroupFail); len(f) > 0 {
		d.Action, d.Reason = FailRollback, "failed: "+strings.Join(f, "; ")
		return d
	}
	if promoted {
		d.Action, d.Reason = Monitor, "promoted; no rollback criterion triggered"
		return d
	}
	unmet := failed(GroupAdvance)
	switch {
	case len(unmet) == 0 && last:
		d.Action, d.Reason = Promote, fmt.Sprintf("stage %s passed every criterion; last stage", e.Stage.Name)
	case len(unmet) == 0:
		d.Action, d.Reason = Advance, fmt.Sprintf("stage %s passed every criterion", e.Stage.Name)
	case e.Stage.MaxDays > 0 && e.Days >= e.Stage.MaxDays:
		d.Action = FailRollback
		d.Reason = fmt.Sprintf("failed: stage %s did not pass within its %d trading days: %s", e.Stage.Name, e.Stage.MaxDays,
			strings.Join(unmet, "; "))
	default:
		d.Action, d.Reason = Hold, "hold: "+strings.Join(unmet, "; ")
	}
	return d
}

// describe is "name value op threshold" for a reason, e.g.
// "max_divergence 0.3412 > 0.3".
func (c Criterion) describe() string {
	op := map[string]string{"<": ">=", "<=": ">", ">=": "<", "==": "!="}[c.Op]
	v := "n/a"
	if !math.IsNaN(c.Value) {
		v = fmt.Sprintf("%.4g", c.Value)
	}
	s := fmt.Sprintf("%s %s %s %.4g", c.Name, v, op, c.Threshold)
	if math.IsNaN(c.Value) {
		s = fmt.Sprintf("%s not measured (want %s %.4g)", c.Name, c.Op, c.Threshold)
	}
	if c.Detail != "" {
		s += " (" + c.Detail + ")"
	}
	return s
}

// few lists at most three items and how many more there are.
func few(items []string) string {
	if len(items) <= 3 {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:3], ", "), len(items)-3)
}
