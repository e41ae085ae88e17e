package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
)

// testScheduleSlots checks the slot lifecycle: a claim is exclusive, also
// among concurrent claimers; a heartbeat links the run; a stale slot is
// abandoned and claimed again once; a finished slot is read back as
// written.
func testScheduleSlots(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := time.Date(2024, 3, 11, 20, 30, 0, 0, time.UTC)
	claimedAt := at.Add(2 * time.Second)

	var wins atomic.Int32
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sl := store.Slot{Job: "forecast", At: at, Status: store.SlotRunning, Owner: fmt.Sprintf("host:%d", i), ClaimedAt: claimedAt}
			ok, err := s.ClaimSlot(ctx, &sl)
			if errs[i] = err; ok && sl.Attempts == 1 {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.EqualValues(t, 1, wins.Load(), "exactly one of 8 concurrent claims wins, with attempt 1")

	require.NoError(t, s.SlotHeartbeat(ctx, "forecast", at, 42, claimedAt.Add(10*time.Second)))
	err := s.SlotHeartbeat(ctx, "validate", at, 0, claimedAt)
	require.ErrorIs(t, err, store.ErrNotFound)

	// Not yet stale at 50s past the beat with a 60s lease; stale at 70s.
	gone, err := s.AbandonStaleSlots(ctx, claimedAt.Add(60*time.Second), time.Minute)
	require.NoError(t, err)
	require.Empty(t, gone)
	found := claimedAt.Add(80 * time.Second)
	gone, err = s.AbandonStaleSlots(ctx, found, time.Minute)
	require.NoError(t, err)
	require.Len(t, gone, 1)
	require.Equal(t, store.SlotAbandoned, gone[0].Status)
	require.EqualValues(t, 42, gone[0].RunID)
	require.Equal(t, at, gone[0].At)
	require.Equal(t, found, gone[0].FinishedAt)
	require.Contains(t, gone[0].Error, "no heartbeat from host:")
	err = s.SlotHeartbeat(ctx, "forecast", at, 0, found)
	require.ErrorIs(t, err, store.ErrNotRunning)

	// The abandoned slot is claimed again, by one claimer.
	again := store.Slot{Job: "forecast", At: at, Status: store.SlotRunning, Owner: "other:2", ClaimedAt: found}
	ok, err := s.ClaimSlot(ctx, &again)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 2, again.Attempts)
	ok, err = s.ClaimSlot(ctx, &store.Slot{Job: "forecast", At: at, Status: store.SlotRunning, Owner: "third:3", ClaimedAt: found})
	require.NoError(t, err)
	require.False(t, ok, "a running slot is not claimed again")

	again.Status, again.RunID, again.FinishedAt = store.SlotSucceeded, 43, found.Add(time.Minute)
	require.NoError(t, s.FinishSlot(ctx, again))
	require.ErrorIs(t, s.FinishSlot(ctx, store.Slot{Job: "calibrate", At: at, Status: store.SlotFailed}), store.ErrNotFound)

	holiday := store.Slot{Job: "forecast", At: at.AddDate(0, 0, 18), Status: store.SlotSkipped, Owner: "other:2",
		ClaimedAt: at.AddDate(0, 0, 18), Error: "2024-03-29 is not a trading day"}
	ok, err = s.ClaimSlot(ctx, &holiday)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.ClaimSlot(ctx, &store.Slot{Job: "validate", At: at, Status: store.SlotRunning, Owner: "other:2", ClaimedAt: found})
	require.NoError(t, err)
	require.True(t, ok, "another job's slot at the same time is its own")

	slots, err := s.Slots(ctx, "forecast", at, at.AddDate(0, 1, 0))
	require.NoError(t, err)
	require.Len(t, slots, 2)
	require.Equal(t, store.Slot{Job: "forecast", At: at, Status: store.SlotSucceeded, RunID: 43, Owner: "other:2",
		ClaimedAt: found, HeartbeatAt: found, FinishedAt: found.Add(time.Minute), Attempts: 2}, slots[0])
	require.Equal(t, store.SlotSkipped, slots[1].Status)
	require.Equal(t, "2024-03-29 is not a trading day", slots[1].Error)
	all, err := s.Slots(ctx, "", at, at.Add(time.Second))
	require.NoError(t, err)
	require.Len(t, all, 2)
	require.Equal(t, []string{"forecast", "validate"}, []string{all[0].Job, all[1].Job})
}
