package migrations

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNoneApplied is returned by Down when no migration is applied.
var ErrNoneApplied = errors.New("migrations: no migration is applied")

// Executor is what a store provides to have migrations applied: the
// bookkeeping table and one transaction per migration.
type Executor interface {
	// EnsureTable creates schema_migrations if it does not exist.
	EnsureTable(ctx context.Context) error
	// Applied returns the applied versions and when they were applied.
	Applied(ctx context.Context) (map[int64]time.Time, error)
	// Apply runs m.Up (up) or m.Down (!up) and records or removes the
	// version, in one transaction.
	Apply(ctx context.Context, m Migration, up bool) error
}

// State is one migration and whether it is applied.
type State struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Up applies every pending migration in version order and returns the
// versions applied. It stops at the first failure; the versions before it
// stay applied.
func Up(ctx context.Context, ex Executor, ms []Migration) ([]int64, error) {
	if err := ex.EnsureTable(ctx); err != nil {
		return nil, err
	}
	applied, err := ex.Applied(ctx)
	if err != nil {
		return nil, err
	}
	var done []int64
	for _, m := range ms {
		if _, ok := applied[m.Version]; ok {
			continue
		}
		if err := ex.Apply(ctx, m, true); err != nil {
			return done, fmt.Errorf("migrations: up %04d_%s: %w", m.Version, m.Name, err)
		}
		done = append(done, m.Version)
	}
	return done, nil
}

// Down reverts the latest applied migration and returns its version.
func Down(ctx context.Context, ex Executor, ms []Migration) (int64, error) {
	if err := ex.EnsureTable(ctx); err != nil {
		return 0, err
	}
	applied, err := ex.Applied(ctx)
	if err != nil {
		return 0, err
	}
	for i := len(ms) - 1; i >= 0; i-- {
		m := ms[i]
		if _, ok := applied[m.Version]; !ok {
			continue
		}
		if err := ex.Apply(ctx, m, false); err != nil {
			return 0, fmt.Errorf("migrations: down %04d_%s: %w", m.Version, m.Name, err)
		}
		return m.Version, nil
	}
	return 0, ErrNoneApplied
}

// Status lists every migration with its applied state.
func Status(ctx context.Context, ex Executor, ms []Migration) ([]State, error) {
	if err := ex.EnsureTable(ctx); err != nil {
		return nil, err
	}
	applied, err := ex.Applied(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]State, len(ms))
	for i, m := range ms {
		at, ok := applied[m.Version]
		out[i] = State{Version: m.Version, Name: m.Name, Applied: ok, AppliedAt: at}
	}
	return out, nil
}
