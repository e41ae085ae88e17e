package canary_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/canary"
	"runner/store"
)

// TestServingOnPastDays: the serving of each past day follows the
// decisions taken by then, through two deployments: an evaluation's
// decision counts from the next day, a decision by hand from its own day.
// The state replayed to the end is the stored one, and so is the serving.
func TestServingOnPastDays(t *testing.T) {
	stores(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		w := oneThenAll(t, s)
		for _, c := range []struct {
			day  time.Time
			want string
		}{{day7[2], canary.Advance}, {day7[5], canary.Promote}, {day7[6], canary.Monitor}} {
			res, err := w.p.Evaluate(ctx, c.day, false)
			require.NoError(t, err)
			require.Equal(t, c.want, res.Decision.Action, res.Decision.Reason)
		}
		_, err := w.p.Rollback(ctx, day("2024-01-12"), "by hand")
		require.NoError(t, err)
		d1, err := s.LatestCanary(ctx)
		require.NoError(t, err)
		_, err = w.p.Start(ctx, d1.Stages, day("2024-01-16"), "again")
		require.NoError(t, err)

		h, err := w.p.History(ctx)
		require.NoError(t, err)
		syms := []string{"AAPL", "MSFT"}
		for _, c := range []struct {
			day         string
			aapl, msft  string
			aaplBecause string
		}{
			{"2023-12-29", "legacy", "legacy", "no canary deployment on 2023-12-29"},
			{"2024-01-02", "legacy", "legacy", "in canary 1 stage one, not promoted yet"},
			{"2024-01-04", "legacy", "legacy", "in canary 1 stage one, not promoted yet"}, // advanced that evening
			{"2024-01-05", "candidate", "legacy", "promoted scope: canary 1 passed stage one"},
			{"2024-01-09", "candidate", "legacy", "promoted scope: canary 1 passed stage one"}, // promoted that evening
			{"2024-01-10", "candidate", "candidate", "canary 1 promoted (2024-01-09)"},
			{"2024-01-11", "candidate", "candidate", "canary 1 promoted (2024-01-09)"},
			{"2024-01-12", "legacy", "legacy", "canary 1 rolled back (2024-01-12)"}, // by hand: that day
			{"2024-01-15", "legacy", "legacy", "canary 1 rolled back (2024-01-12)"},
			{"2024-01-16", "legacy", "legacy", "in canary 2 stage one, not promoted yet"},
		} {
			got, err := h.ServingOn(ctx, syms, day(c.day))
			require.NoError(t, err)
			require.Equal(t, c.aapl, got["AAPL"].Ensemble, c.day)
			require.Equal(t, c.msft, got["MSFT"].Ensemble, c.day)
			require.Equal(t, c.aaplBecause, got["AAPL"].Reason, c.day)
		}

		d, _, ok, err := h.On(day("2030-01-02"))
		require.NoError(t, err)
		require.True(t, ok)
		latest, err := s.LatestCanary(ctx)
		require.NoError(t, err)
		require.Equal(t, latest.ID, d.ID)
		require.Equal(t, latest.Stage, d.Stage)
		require.Equal(t, latest.Status, d.Status)
		d1, _, _, err = h.On(day("2024-01-15"))
		require.NoError(t, err)
		require.Equal(t, int64(1), d1.ID)
		require.Equal(t, 1, d1.Stage, "canary 1 ended at its last stage")
		require.Equal(t, store.CanaryRolledBack, d1.Status)

		now, err := w.p.Serving(ctx, syms)
		require.NoError(t, err)
		then, err := h.ServingOn(ctx, syms, day("2030-01-02"))
		require.NoError(t, err)
		require.Equal(t, now, then)
	})
}

// TestStartNotBeforePreviousEnd: a new canary dated before the day of the
// previous deployment's last event would rewrite the days that deployment
// decided; Start refuses it and writes nothing. The day of that event
// itself is allowed (a rollback by hand then a start, both that day).
func TestStartNotBeforePreviousEnd(t *testing.T) {
	stores(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		w := oneThenAll(t, s)
		_, err := w.p.Rollback(ctx, day("2024-01-12"), "by hand")
		require.NoError(t, err)
		d1, err := s.LatestCanary(ctx)
		require.NoError(t, err)
		before, err := s.CanaryDeployments(ctx)
		require.NoError(t, err)

		_, err = w.p.Start(ctx, d1.Stages, day("2024-01-11"), "too early")
		require.ErrorIs(t, err, canary.ErrStartsTooEarly)
		require.ErrorContains(t, err, "first day 2024-01-11 is before 2024-01-12, the day of deployment 1's last event")
		after, err := s.CanaryDeployments(ctx)
		require.NoError(t, err)
		require.Equal(t, before, after, "nothing written")

		res, err := w.p.Start(ctx, d1.Stages, day("2024-01-12"), "same day")
		require.NoError(t, err)
		require.Equal(t, day("2024-01-12"), res.After.StageStartedOn)
		h, err := w.p.History(ctx)
		require.NoError(t, err)
		d, _, ok, err := h.On(day("2024-01-11"))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, d1.ID, d.ID, "the day before still belongs to canary 1")
	})
}
