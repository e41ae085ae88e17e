package store

import (
	"context"
	"fmt"
	"time"
)

// Defaults of the stores' time limits.
const (
	// DefaultConnectTimeout bounds connecting to a database server.
	DefaultConnectTimeout = 10 * time.Second
	// DefaultStatementTimeout bounds each store call: one statement, or
	// one transaction for the calls that write several rows.
	DefaultStatementTimeout = 30 * time.Second
)

// TimeoutError is returned, wrapped, by a store operation that did not
// complete within its time limit. errors.Is(err, context.DeadlineExceeded)
// holds for it.
type TimeoutError struct {
	// Op names the operation and its subject, e.g. "postgres: finish run
	// 12" or "postgres: connect to postgres://runner@db:5432/runner".
	Op string
	// After is the limit that passed.
	After time.Duration
	// Err is the driver's error.
	Err error
}

func (e *TimeoutError) Error() string { return fmt.Sprintf("%s: timeout after %s", e.Op, e.After) }

// Unwrap returns context.DeadlineExceeded and the driver's error.
func (e *TimeoutError) Unwrap() []error { return []error{context.DeadlineExceeded, e.Err} }

// Timeout reports that the error is a timeout (the net.Error convention).
func (e *TimeoutError) Timeout() bool { return true }

// Bound limits one operation to d: it returns ctx with that deadline (ctx
// itself when d <= 0) and end, which releases the deadline's resources and
// returns err, or a *TimeoutError wrapping it when this limit, not one of
// ctx's own, is what ended the operation. Use:
//
//	ctx, end := store.Bound(ctx, s.timeout, "postgres: start run")
//	defer func() { err = end(err) }()
func Bound(ctx context.Context, d time.Duration, op string) (context.Context, func(error) error) {
	if d <= 0 {
		return ctx, func(err error) error { return err }
	}
	te := &TimeoutError{Op: op, After: d}
	bctx, cancel := context.WithTimeoutCause(ctx, d, te)
	return bctx, func(err error) error {
		cancel()
		if err != nil && context.Cause(bctx) == error(te) {
			te.Err = err
			return te
		}
		return err
	}
}
