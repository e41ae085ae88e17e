package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
)

func TestBound(t *testing.T) {
	driverErr := errors.New("read tcp: i/o timeout")

	// The limit passes: a *TimeoutError naming the operation and limit.
	ctx, end := store.Bound(context.Background(), 10*time.Millisecond, "postgres: finish run 12")
	<-ctx.Done()
	err := end(driverErr)
	var te *store.TimeoutError
	require.ErrorAs(t, err, &te)
	require.EqualError(t, err, "postgres: finish run 12: timeout after 10ms")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, driverErr)

	// Success, or another error, passes through.
	_, end = store.Bound(context.Background(), time.Minute, "op")
	require.NoError(t, end(nil))
	_, end = store.Bound(context.Background(), time.Minute, "op")
	require.Equal(t, driverErr, end(driverErr))

	// The caller's own cancellation or deadline is not this limit's.
	parent, cancel := context.WithCancel(context.Background())
	ctx, end = store.Bound(parent, time.Minute, "op")
	cancel()
	<-ctx.Done()
	require.Equal(t, driverErr, end(driverErr))
	parent, cancel = context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	ctx, end = store.Bound(parent, time.Minute, "op")
	<-ctx.Done()
	require.Equal(t, driverErr, end(driverErr))

	// No limit.
	ctx, end = store.Bound(context.Background(), 0, "op")
	_, has := ctx.Deadline()
	require.False(t, has)
	require.Equal(t, driverErr, end(driverErr))
}
