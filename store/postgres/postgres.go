// Package postgres implements store.Store on PostgreSQL through a pgx/v5
// connection pool: the production store.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"runner/migrations"
	"runner/store"
)

var _ store.Store = (*Store)(nil)

// Store is the PostgreSQL store.
type Store struct {
	pool *pgxpool.Pool
}

// Config configures Open.
type Config struct {
	// URL is the connection string, in any form pgx accepts: a
	// postgres:// or postgresql:// URL, or keyword=value pairs
	// ("host=db dbname=runner"). Required.
	URL string
	// Schema, when set, becomes the search_path of every connection, so
	// that tests can each use their own schema. Default: the server's.
	Schema string
	// MaxConns caps the pool. Default 0: pgxpool's default.
	MaxConns int32
}

// Open connects and pings. It does not migrate; call MigrateUp. Its errors
// name the database by Describe, never by the connection string; a string
// that cannot be parsed gives ErrConnString.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	pc, err := parseConnString(cfg.URL)
	if err != nil {
		return nil, err
	}
	name := describe(pc)
	if cfg.Schema != "" {
		pc.ConnConfig.RuntimeParams["search_path"] = cfg.Schema
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect to %s: %w", name, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", name, err)
	}
	return &Store{pool: pool}, nil
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Pool returns the pool, for tests that read the catalog.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// MigrateUp applies pending migrations.
func (s *Store) MigrateUp(ctx context.Context) ([]int64, error) {
	ms, err := migrations.Load(migrations.Postgres)
	if err != nil {
		return nil, err
	}
	return migrations.Up(ctx, executor{s.pool}, ms)
}

// MigrateDown reverts the latest migration.
func (s *Store) MigrateDown(ctx context.Context) (int64, error) {
	ms, err := migrations.Load(migrations.Postgres)
	if err != nil {
		return 0, err
	}
	return migrations.Down(ctx, executor{s.pool}, ms)
}

// MigrationStatus lists migrations and their state.
func (s *Store) MigrationStatus(ctx context.Context) ([]migrations.State, error) {
	ms, err := migrations.Load(migrations.Postgres)
	if err != nil {
		return nil, err
	}
	return migrations.Status(ctx, executor{s.pool}, ms)
}

// migrationLockClass is the first key of the advisory lock that serialises
// migrations; the second is a hash of the schema migrated, so that
// migrations of different schemas do not wait for one another.
const migrationLockClass = 0x72756e6e // "runn"

// unlockTimeout bounds the release of the migration lock.
const unlockTimeout = 5 * time.Second

type executor struct{ pool *pgxpool.Pool }

// Locked holds a session advisory lock on a dedicated connection while fn
// runs on that connection. Should the unlock fail, the connection is
// closed, which releases the lock.
func (e executor) Locked(ctx context.Context, fn func(migrations.Session) error) error {
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migration lock: %w", err)
	}
	defer conn.Release()
	const key = `$1::int4, hashtext(COALESCE(current_schema(), ''))`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+key+`)`, migrationLockClass); err != nil {
		conn.Conn().Close(context.WithoutCancel(ctx))
		return fmt.Errorf("postgres: take the migration lock: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock(`+key+`)`, migrationLockClass); err != nil {
			conn.Conn().Close(uctx)
		}
	}()
	return fn(session{conn.Conn()})
}

// session is the migration bookkeeping on the connection holding the lock.
type session struct{ conn *pgx.Conn }

func (s session) EnsureTable(ctx context.Context) error {
	_, err := s.conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())`)
	if err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	return nil
}

func (s session) Applied(ctx context.Context) (map[int64]time.Time, error) {
	rows, err := s.conn.Query(ctx, `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("postgres: read schema_migrations: %w", err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var v int64
		var at time.Time
		if err := rows.Scan(&v, &at); err != nil {
			return nil, fmt.Errorf("postgres: read schema_migrations: %w", err)
		}
		out[v] = at
	}
	return out, rows.Err()
}

func (s session) Apply(ctx context.Context, m migrations.Migration, up bool) error {
	return pgx.BeginFunc(ctx, s.conn, func(tx pgx.Tx) error {
		script := m.Down
		if up {
			script = m.Up
		}
		// No arguments: pgx uses the simple protocol, which runs a
		// multi-statement script.
		if _, err := tx.Exec(ctx, script); err != nil {
			return err
		}
		var err error
		if up {
			_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
		} else {
			_, err = tx.Exec(ctx, `DELETE FROM schema_migrations WHERE version = $1`, m.Version)
		}
		return err
	})
}

// translate maps pgx errors to the store's.
func translate(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}
