// Package storetest holds what the store tests share: a fresh PostgreSQL
// schema per test, and a conformance suite every store.Store must pass.
package storetest

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgresURL is used when TEST_DATABASE_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL returns the test database URL (TEST_DATABASE_URL or the
// default). When the server cannot be reached it fails the test under CI
// (CI=true) and skips it elsewhere.
func PostgresURL(t testing.TB) string {
	t.Helper()
	url := cmp.Or(os.Getenv("TEST_DATABASE_URL"), DefaultPostgresURL)
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("storetest: PostgreSQL unreachable under CI: %v", err)
		}
		t.Skipf("storetest: PostgreSQL unreachable (set TEST_DATABASE_URL): %v", err)
	}
	conn.Close(context.Background())
	return url
}

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// Schema creates an empty schema for one test, dropped when the test ends,
// and returns the database URL and the schema name. Tests in their own
// schemas run in parallel.
func Schema(t testing.TB) (url, schema string) {
	t.Helper()
	url = PostgresURL(t)
	name := nonIdent.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	schema = fmt.Sprintf("t_%s_%08x", name, rand.Uint32())
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("storetest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatalf("storetest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	return url, schema
}
