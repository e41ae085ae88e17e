// Package postgres implements store.Store on PostgreSQL through a pgx/v5
// connection pool: the production store.
package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"runner/migrations"
	"runner/store"
)

var _ store.Store = (*Store)(nil)

// Store is the PostgreSQL store.
type Store struct {
	pool *pgxpool.Pool
	// timeout bounds each call (Config.StatementTimeout).
	timeout time.Duration
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
	// ConnectTimeout bounds connecting to each host, in Open and whenever
	// the pool opens a connection. Default store.DefaultConnectTimeout
	// (10s); a shorter connect_timeout in the connection string wins.
	ConnectTimeout time.Duration
	// StatementTimeout bounds each store call (a statement, or the
	// transaction of a call that writes several rows) and each step of a
	// migration, waiting for the migration lock included. It is enforced
	// by the client, so it also ends a call to a server that stopped
	// answering. Default store.DefaultStatementTimeout (30s).
	StatementTimeout time.Duration
}

func (c *Config) setDefaults() {
	c.ConnectTimeout = cmp.Or(c.ConnectTimeout, store.DefaultConnectTimeout)
	c.StatementTimeout = cmp.Or(c.StatementTimeout, store.DefaultStatementTimeout)
}

// Open connects and pings. It does not migrate; call MigrateUp. Its errors
// name the database by Describe, never by the connection string; a string
// that cannot be parsed gives ErrConnString.
//
// Open fails after Config.ConnectTimeout per host with a
// *store.TimeoutError ("postgres: connect to postgres://...: timeout after
// 10s"), also when the server accepts the connection and never answers.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg.setDefaults()
	pc, err := parseConnString(cfg.URL)
	if err != nil {
		return nil, err
	}
	op := "postgres: connect to " + describe(pc)
	if cfg.Schema != "" {
		pc.ConnConfig.RuntimeParams["search_path"] = cfg.Schema
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	inUTC(pc)
	if ct := pc.ConnConfig.ConnectTimeout; ct == 0 || ct > cfg.ConnectTimeout {
		pc.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	}
	pool, err := connect(ctx, pc, op)
	if err != nil {
		return nil, err
	}
	return &Store{pool: pool, timeout: cfg.StatementTimeout}, nil
}

// inUTC makes every connection of pc read timestamptz values back in UTC and
// run its session in UTC. The calendar days the store keeps in timestamptz
// columns (validation dates, calibration sample spans, weights' effective
// dates) are UTC midnights, as on SQLite; pgx would otherwise scan them in
// the machine's zone, where west of Greenwich they print as the day before,
// and the server's zone would set where SQL's day boundaries fall.
func inUTC(pc *pgxpool.Config) {
	pc.ConnConfig.RuntimeParams["timezone"] = "UTC"
	after := pc.AfterConnect
	pc.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		if after != nil {
			return after(ctx, c)
		}
		return nil
	}
}

// connect opens the pool and its first connection. pgx tries the hosts in
// turn, each within the connect timeout (the pool connects on a context of
// its own); ctx bounds the whole, with a margin so that pgx's limit is the
// one that shows.
func connect(ctx context.Context, pc *pgxpool.Config, op string) (*pgxpool.Pool, error) {
	limit := pc.ConnConfig.ConnectTimeout
	cctx, cancel := context.WithTimeout(ctx, time.Duration(len(hosts(pc)))*limit+time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(cctx, pc)
	if err == nil {
		if err = pool.Ping(cctx); err != nil {
			pool.Close()
		}
	}
	switch {
	case err == nil:
		return pool, nil
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return nil, &store.TimeoutError{Op: op, After: limit, Err: err}
	default:
		return nil, fmt.Errorf("%s: %w", op, err)
	}
}

// bound limits one call to the statement timeout; op, formatted with
// args, names it in a timeout error.
func (s *Store) bound(ctx context.Context, op string, args ...any) (context.Context, func(error) error) {
	return store.Bound(ctx, s.timeout, "postgres: "+fmt.Sprintf(op, args...))
}

// closeTimeout bounds Close. Closing a connection that a timeout broke
// asks the server to cancel its query, which a server that stopped
// answering never acknowledges: pgx would wait 15 s for it.
const closeTimeout = time.Second

// Close closes the pool. Connections still closing after closeTimeout are
// left to close in the background, and Close says so.
func (s *Store) Close() error {
	done := make(chan struct{})
	go func() {
		s.pool.Close()
		close(done)
	}()
	t := time.NewTimer(closeTimeout)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
		return fmt.Errorf("postgres: close: connections still closing after %s (server not answering); left behind", closeTimeout)
	}
}

// Pool returns the pool, for tests that read the catalog.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// MigrateUp applies pending migrations.
func (s *Store) MigrateUp(ctx context.Context) ([]int64, error) {
	ms, err := migrations.Load(migrations.Postgres)
	if err != nil {
		return nil, err
	}
	return migrations.Up(ctx, s.executor(), ms)
}

// MigrateDown reverts the latest migration.
func (s *Store) MigrateDown(ctx context.Context) (int64, error) {
	ms, err := migrations.Load(migrations.Postgres)
	if err != nil {
		return 0, err
	}
	return migrations.Down(ctx, s.executor(), ms)
}

// MigrationStatus lists migrations and their state.
func (s *Store) MigrationStatus(ctx context.Context) ([]migrations.State, error) {
	ms, err := migrations.Load(migrations.Postgres)
	if err != nil {
		return nil, err
	}
	return migrations.Status(ctx, s.executor(), ms)
}

// migrationLockClass is the first key of the advisory lock that serialises
// migrations; the second is a hash of the schema migrated, so that
// migrations of different schemas do not wait for one another.
const migrationLockClass = 0x72756e6e // "runn"

// unlockTimeout bounds the release of the migration lock.
const unlockTimeout = 5 * time.Second

func (s *Store) executor() executor { return executor{s} }

type executor struct{ s *Store }

// Locked holds a session advisory lock on a dedicated connection while fn
// runs on that connection. Should the unlock fail, the connection is
// closed, which releases the lock.
func (e executor) Locked(ctx context.Context, fn func(migrations.Session) error) error {
	const key = `$1::int4, hashtext(COALESCE(current_schema(), ''))`
	conn, err := e.lock(ctx, key)
	if err != nil {
		return err
	}
	defer conn.Release()
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock(`+key+`)`, migrationLockClass); err != nil {
			conn.Conn().Close(uctx)
		}
	}()
	return fn(session{conn.Conn(), e.s})
}

// lock takes the migration lock within the statement timeout.
func (e executor) lock(ctx context.Context, key string) (_ *pgxpool.Conn, err error) {
	ctx, end := e.s.bound(ctx, "take the migration lock")
	defer func() { err = end(err) }()
	conn, err := e.s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: take the migration lock: %w", err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+key+`)`, migrationLockClass); err != nil {
		conn.Conn().Close(context.WithoutCancel(ctx))
		conn.Release()
		return nil, fmt.Errorf("postgres: take the migration lock: %w", err)
	}
	return conn, nil
}

// session is the migration bookkeeping on the connection holding the lock.
type session struct {
	conn *pgx.Conn
	s    *Store
}

func (s session) EnsureTable(ctx context.Context) (err error) {
	ctx, end := s.s.bound(ctx, "create schema_migrations")
	defer func() { err = end(err) }()
	_, err = s.conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())`)
	if err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	return nil
}

func (s session) Applied(ctx context.Context) (_ map[int64]time.Time, err error) {
	ctx, end := s.s.bound(ctx, "read schema_migrations")
	defer func() { err = end(err) }()
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

func (s session) Apply(ctx context.Context, m migrations.Migration, up bool) (err error) {
	ctx, end := s.s.bound(ctx, "migration %04d_%s", m.Version, m.Name)
	defer func() { err = end(err) }()
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
