package canary

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"runner/forecast"
	"runner/marketdata"
	"runner/store"
)

// Evaluation is what one evaluation measured over a stage's symbols and
// trading days, from StageStart to AsOf.
type Evaluation struct {
	Stage      store.CanaryStage
	Symbols    []string
	StageStart time.Time
	AsOf       time.Time
	// Days is the number of trading days from StageStart to AsOf,
	// both included.
	Days int
	// AvgDivergence and MaxDivergence are over the latest candidate
	// (model count 2) validation window of each symbol with one on or
	// before AsOf; NaN when no symbol has one. NoValidation lists the
	// symbols without.
	AvgDivergence, MaxDivergence float64
	NoValidation                 []string
	// CandidateRMSE and LegacyRMSE are over the Matured pairs: the
	// symbol-days of the stage with a candidate and a legacy forecast whose
	// realised return was known by AsOf (target date on or before it).
	// RMSEChange = CandidateRMSE/LegacyRMSE - 1; NaN without pairs.
	CandidateRMSE, LegacyRMSE, RMSEChange float64
	Matured                               int
	// Expected is Symbols x Days; Missing lists the symbol-days without a
	// candidate forecast ("AAPL 2024-01-03").
	Expected int
	Missing  []string
	// RunErrors lists the symbol-days of the stage whose latest forecast
	// run failed for the symbol ("AAPL 2024-01-03: error").
	RunErrors []string
	// OverfitStreak is the number of consecutive trading days, ending on
	// AsOf, each with an overfitting (or critical) alert of the candidate
	// on a symbol of the stage.
	OverfitStreak int
}

// Coverage is the share of Expected symbol-days with a candidate forecast.
func (e Evaluation) Coverage() float64 {
	if e.Expected == 0 {
		return 0
	}
	return float64(e.Expected-len(e.Missing)) / float64(e.Expected)
}

// measure computes the evaluation of stage st from start to asOf.
func (p *Policy) measure(ctx context.Context, st store.CanaryStage, symbols []string, start, asOf time.Time) (Evaluation, error) {
	ev := Evaluation{Stage: st, Symbols: symbols, StageStart: start, AsOf: asOf,
		AvgDivergence: math.NaN(), MaxDivergence: math.NaN(), CandidateRMSE: math.NaN(), LegacyRMSE: math.NaN(),
		RMSEChange: math.NaN()}
	days := TradingDays(start, asOf)
	ev.Days, ev.Expected = len(days), len(days)*len(symbols)
	horizon := p.Config.Horizon
	cand, leg := forecast.Candidate.Name, forecast.Legacy.Name

	var divs []float64
	alertDays := map[string]bool{}
	var sqC, sqL float64
	for _, sym := range symbols {
		if err := ctx.Err(); err != nil {
			return ev, err
		}
		vms, err := p.Store.ValidationMetrics(ctx, sym, horizon)
		if err != nil {
			return ev, fmt.Errorf("canary: evaluate %s: %w", sym, err)
		}
		latest := -1
		for i, m := range vms {
			if m.ModelCount == len(forecast.Candidate.Members) && !m.ValidationDate.After(asOf) &&
				(latest < 0 || !m.ValidationDate.Before(vms[latest].ValidationDate)) {
				latest = i
			}
		}
		if latest < 0 {
			ev.NoValidation = append(ev.NoValidation, sym)
		} else {
			divs = append(divs, vms[latest].Divergence)
		}
		alerts, err := p.Store.DivergenceAlerts(ctx, sym, horizon)
		if err != nil {
			return ev, fmt.Errorf("canary: evaluate %s: %w", sym, err)
		}
		for _, a := range alerts {
			if a.Ensemble == cand && (a.Level == store.LevelOverfitting || a.Level == store.LevelCritical) {
				alertDays[a.ValidationDate.Format(time.DateOnly)] = true
			}
		}

		fs, err := p.Store.Forecasts(ctx, store.ForecastFilter{Symbol: sym, Horizon: horizon, From: start, To: asOf})
		if err != nil {
			return ev, fmt.Errorf("canary: evaluate %s: %w", sym, err)
		}
		byDay := map[string]map[string]store.Forecast{}
		for _, f := range fs {
			d := f.AsOf.Format(time.DateOnly)
			if byDay[d] == nil {
				byDay[d] = map[string]store.Forecast{}
			}
			byDay[d][f.Ensemble] = f
		}
		for _, d := range days {
			day := d.Format(time.DateOnly)
			c, ok := byDay[day][cand]
			if !ok {
				ev.Missing = append(ev.Missing, sym+" "+day)
				continue
			}
			l, ok := byDay[day][leg]
			if !ok || c.RealisedReturn == nil || l.RealisedReturn == nil || c.TargetDate.After(asOf) {
				continue
			}
			ec, el := *c.RealisedReturn-c.Return, *l.RealisedReturn-l.Return
			sqC, sqL = sqC+ec*ec, sqL+el*el
			ev.Matured++
		}
	}
	if len(divs) > 0 {
		sum, mx := 0.0, 0.0
		for _, d := range divs {
			sum, mx = sum+d, max(mx, d)
		}
		ev.AvgDivergence, ev.MaxDivergence = sum/float64(len(divs)), mx
	}
	if ev.Matured > 0 {
		ev.CandidateRMSE = math.Sqrt(sqC / float64(ev.Matured))
		ev.LegacyRMSE = math.Sqrt(sqL / float64(ev.Matured))
		if ev.LegacyRMSE > 0 {
			ev.RMSEChange = ev.CandidateRMSE/ev.LegacyRMSE - 1
		}
	}
	for d := asOf; IsTradingDayUTC(d) && alertDays[d.Format(time.DateOnly)]; d = previousTradingDay(d) {
		ev.OverfitStreak++
	}
	var err error
	if ev.RunErrors, err = p.runErrors(ctx, symbols, start, asOf); err != nil {
		return ev, err
	}
	return ev, nil
}

// runErrors lists the symbol-days from start to asOf whose latest forecast
// run (the highest id among the runs of that as-of date that had the
// symbol) failed for the symbol: a rerun that succeeds clears an error.
func (p *Policy) runErrors(ctx context.Context, symbols []string, start, asOf time.Time) ([]string, error) {
	runs, err := p.Store.Runs(ctx, store.RunFilter{Kind: "forecast"})
	if err != nil {
		return nil, fmt.Errorf("canary: evaluate: run errors: %w", err)
	}
	type outcome struct {
		id  int64
		err string
	}
	latest := map[string]outcome{}
	for _, r := range runs {
		if r.AsOf.Before(start) || r.AsOf.After(asOf) || r.Status == store.RunRunning {
			continue
		}
		for _, sym := range r.Symbols {
			if !slices.Contains(symbols, sym) {
				continue
			}
			key := sym + " " + r.AsOf.Format(time.DateOnly)
			if o, ok := latest[key]; ok && o.id > r.ID {
				continue
			}
			o := outcome{id: r.ID, err: r.SymbolErrors[sym]}
			if o.err == "" && (r.Status == store.RunFailed || r.Status == store.RunAbandoned) {
				o.err = "run " + string(r.Status)
			}
			latest[key] = o
		}
	}
	var out []string
	for key, o := range latest {
		if o.err != "" {
			out = append(out, key+": "+o.err)
		}
	}
	slices.Sort(out)
	return out, nil
}

// TradingDays returns the NYSE trading days from from to to, both
// included when they are trading days.
func TradingDays(from, to time.Time) []time.Time {
	var out []time.Time
	d := dayOf(from)
	if !marketdata.IsTradingDay(d) {
		d = marketdata.NextTradingDay(d)
	}
	for end := dayOf(to); !d.After(end); d = marketdata.NextTradingDay(d) {
		out = append(out, d)
	}
	return out
}

// IsTradingDayUTC reports whether the UTC calendar day of d is a trading
// day.
func IsTradingDayUTC(d time.Time) bool { return marketdata.IsTradingDay(dayOf(d)) }

func previousTradingDay(d time.Time) time.Time {
	d = dayOf(d).AddDate(0, 0, -1)
	for !marketdata.IsTradingDay(d) {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// dayOf is the UTC calendar day of t at midnight.
func dayOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
