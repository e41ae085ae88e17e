package migrations

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNoneApplied is returned by Down when no migration is applied.
var ErrNoneApplied = errors.New("migrations: no migration is applied")

// Executor is what a store provides to have migrations applied: a lock
// that serialises migrators across processes, and the bookkeeping used
// while holding it.
type Executor interface {
	// Locked runs fn while holding the database's migration lock, so that
	// of several processes starting at once on a fresh database one
	// migrates and the others, once they get the lock, find the migrations
	// applied. It waits for the lock as long as ctx allows.
	Locked(ctx context.Context, fn func(Session) error) error
}

// Session is the migration bookkeeping of a store, valid inside Locked.
type Session interface {
	// EnsureTable creates schema_migrations if it does not exist.
	EnsureTable(ctx context.Context) error
	// Applied returns the applied versions and when they were applied.
	Applied(ctx context.Context) (map[int64]time.Time, error)
	// Apply runs m.Up (up) or m.Down (!up) and records or removes the
	// version, atomically: on error nothing of m is applied.
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
// stay applied. The applied versions are read under the migration lock, so
// a migration another process applied meanwhile is not applied again.
func Up(ctx context.Context, ex Executor, ms []Migration) ([]int64, error) {
	var done []int64
	err := ex.Locked(ctx, func(s Session) error {
		applied, err := applied(ctx, s)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if _, ok := applied[m.Version]; ok {
				continue
			}
			if err := s.Apply(ctx, m, true); err != nil {
				return fmt.Errorf("migrations: up %04d_%s: %w", m.Version, m.Name, err)
			}
			done = append(done, m.Version)
		}
		return nil
	})
	return done, err
}

// Down reverts the latest applied migration and returns its version.
func Down(ctx context.Context, ex Executor, ms []Migration) (int64, error) {
	var reverted int64
	err := ex.Locked(ctx, func(s Session) error {
		applied, err := applied(ctx, s)
		if err != nil {
			return err
		}
		for i := len(ms) - 1; i >= 0; i-- {
			m := ms[i]
			if _, ok := applied[m.Version]; !ok {
				continue
			}
			if err := s.Apply(ctx, m, false); err != nil {
				return fmt.Errorf("migrations: down %04d_%s: %w", m.Version, m.Name, err)
			}
			reverted = m.Version
			return nil
		}
		return ErrNoneApplied
	})
	return reverted, err
}

// Status lists every migration with its applied state.
func Status(ctx context.Context, ex Executor, ms []Migration) ([]State, error) {
	var out []State
	err := ex.Locked(ctx, func(s Session) error {
		applied, err := applied(ctx, s)
		if err != nil {
			return err
		}
		out = make([]State, len(ms))
		for i, m := range ms {
			at, ok := applied[m.Version]
			out[i] = State{Version: m.Version, Name: m.Name, Applied: ok, AppliedAt: at}
		}
		return nil
	})
	return out, err
}

func applied(ctx context.Context, s Session) (map[int64]time.Time, error) {
	if err := s.EnsureTable(ctx); err != nil {
		return nil, err
	}
	return s.Applied(ctx)
}
