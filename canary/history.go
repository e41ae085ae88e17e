package canary

import (
	"context"
	"fmt"
	"time"

	"runner/forecast"
	"runner/store"
)

// History is every deployment with its events, read once, to tell what
// production served on a past day (ServingOn): a backfill in production
// mode writes what the daily runs served then, not what they serve now.
type History struct {
	p           *Policy
	deployments []store.CanaryDeployment // by id
	events      map[int64][]store.CanaryEvent
}

// History reads every deployment and its events.
func (p *Policy) History(ctx context.Context) (*History, error) {
	ds, err := p.Store.CanaryDeployments(ctx)
	if err != nil {
		return nil, fmt.Errorf("canary: history: %w", err)
	}
	h := &History{p: p, deployments: ds, events: map[int64][]store.CanaryEvent{}}
	for _, d := range ds {
		if h.events[d.ID], err = p.Store.CanaryEvents(ctx, d.ID); err != nil {
			return nil, fmt.Errorf("canary: history: %w", err)
		}
	}
	return h, nil
}

// decidedBy reports whether ev had been decided when the forecasts as of
// day ran. The evaluation of a day runs after that day's forecasts (the
// schedule forecasts at 16:30 and evaluates at 19:00), so what it decides
// counts from the next day; a decision taken by hand (start, advance,
// rollback: no metrics row) counts from its own day.
func decidedBy(ev store.CanaryEvent, day time.Time) bool {
	if ev.MetricsID != nil {
		return ev.AsOf.Before(day)
	}
	return !ev.AsOf.After(day)
}

// On returns the deployment in force for the forecasts as of day, in the
// stage and status its events decided by then (decidedBy), with the day
// its status or stage last changed; ok is false when no deployment had
// started by day. The deployment in force is the latest whose started
// event was decided by day.
func (h *History) On(day time.Time) (d store.CanaryDeployment, since time.Time, ok bool, err error) {
	day = dayOf(day)
	for i := len(h.deployments) - 1; i >= 0 && !ok; i-- {
		cand := h.deployments[i]
		evs := h.events[cand.ID]
		if len(evs) == 0 || evs[0].Kind != store.CanaryStarted {
			return d, since, false, fmt.Errorf("canary: deployment %d has no started event", cand.ID)
		}
		if !decidedBy(evs[0], day) {
			continue
		}
		d, since, ok = cand, evs[0].AsOf, true
		d.Stage, d.Status, d.StageStartedOn = 0, store.CanaryActive, evs[0].AsOf
		for _, ev := range evs[1:] {
			if !decidedBy(ev, day) {
				continue
			}
			switch ev.Kind {
			case store.CanaryAdvanced:
				if d.Stage+1 >= len(d.Stages) {
					return d, since, ok, fmt.Errorf("canary: deployment %d: event %d advances past its last stage", d.ID, ev.ID)
				}
				d.Stage++
			case store.CanaryPromotedEv:
				d.Status = store.CanaryPromoted
			case store.CanaryRolledBackEv:
				d.Status = store.CanaryRolledBack
			default:
				continue
			}
			since = ev.AsOf
		}
	}
	return d, since, ok, nil
}

// ServingOn returns, for each of symbols, the ensemble production served
// for the forecasts as of day, and why: Serving under the deployment in
// force then (On).
func (h *History) ServingOn(ctx context.Context, symbols []string, day time.Time) (map[string]Serving, error) {
	d, since, ok, err := h.On(day)
	if err != nil {
		return nil, err
	}
	if !ok {
		return allServe(symbols, forecast.Legacy.Name, "no canary deployment on "+dayOf(day).Format(time.DateOnly)), nil
	}
	return h.p.servingOf(ctx, d, symbols, since.Format(time.DateOnly))
}
