package postgres

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"runner/migrations"
)

// River's tables (the job queue of runner backfill and runner worker,
// DESIGN §8) live beside ours, in the schema of the search_path, and are
// migrated by River's own migrator (rivermigrate, its main line), under
// our migration lock: after ours going up, before ours going down.

// RiverStatus is the state of River's schema.
type RiverStatus struct {
	// Applied are River's applied versions, in order.
	Applied []int
	// Latest is the latest version this build's River knows.
	Latest int
}

// Current reports whether every River version is applied.
func (r RiverStatus) Current() bool {
	return len(r.Applied) > 0 && r.Applied[len(r.Applied)-1] == r.Latest
}

func (s *Store) riverMigrator() (*rivermigrate.Migrator[pgx.Tx], error) {
	m, err := rivermigrate.New(riverpgxv5.New(s.pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("postgres: river migrator: %w", err)
	}
	return m, nil
}

// RiverMigrateUp applies River's pending migrations and returns the
// versions applied.
func (s *Store) RiverMigrateUp(ctx context.Context) ([]int, error) {
	return s.riverMigrate(ctx, rivermigrate.DirectionUp, nil)
}

// RiverMigrateDown removes River's schema, every version of it, and
// returns the versions reverted, latest first (none when River has none).
func (s *Store) RiverMigrateDown(ctx context.Context) ([]int, error) {
	return s.riverMigrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1})
}

func (s *Store) riverMigrate(ctx context.Context, dir rivermigrate.Direction, opts *rivermigrate.MigrateOpts) ([]int, error) {
	m, err := s.riverMigrator()
	if err != nil {
		return nil, err
	}
	var versions []int
	err = s.executor().Locked(ctx, func(migrations.Session) (err error) {
		ctx, end := s.bound(ctx, "river migrate %s", dir)
		defer func() { err = end(err) }()
		res, err := m.Migrate(ctx, dir, opts)
		if err != nil {
			return fmt.Errorf("postgres: river migrate %s: %w", dir, err)
		}
		for _, v := range res.Versions {
			versions = append(versions, v.Version)
		}
		return nil
	})
	return versions, err
}

// RiverMigrationStatus returns River's applied and latest versions.
func (s *Store) RiverMigrationStatus(ctx context.Context) (_ RiverStatus, err error) {
	m, err := s.riverMigrator()
	if err != nil {
		return RiverStatus{}, err
	}
	var st RiverStatus
	if all := m.AllVersions(); len(all) > 0 {
		st.Latest = all[len(all)-1].Version
	}
	ctx, end := s.bound(ctx, "river migration status")
	defer func() { err = end(err) }()
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return st, fmt.Errorf("postgres: river migration status: %w", err)
	}
	for _, v := range existing {
		st.Applied = append(st.Applied, v.Version)
	}
	return st, nil
}
