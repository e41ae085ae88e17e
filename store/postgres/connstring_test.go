package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store/postgres"
)

// TestDescribeNeverShowsPassword covers every form of connection string
// the pgx documentation gives (pgconn.ParseConfig): URL with user
// information, password as a query parameter, keyword=value pairs (plain
// and quoted), unix socket directories, several hosts, and PGPASSWORD.
func TestDescribeNeverShowsPassword(t *testing.T) {
	const secret = "S3cr3t"
	t.Setenv("PGPASSWORD", "env"+secret)
	t.Setenv("PGPASSFILE", "/nonexistent")
	for _, tc := range []struct{ in, want, password string }{
		{"postgres://alice:" + secret + "@db.example.com:6543/runner?sslmode=disable", "postgres://alice@db.example.com:6543/runner", secret},
		{"postgresql://alice:" + secret + "@db.example.com/runner", "postgres://alice@db.example.com:5432/runner", secret},
		{"postgres://alice:S3%20cr3t@db/runner", "postgres://alice@db:5432/runner", "S3 cr3t"},
		{"postgres://alice:S3%40cr3t@db/runner", "postgres://alice@db:5432/runner", "S3@cr3t"},
		{"postgres://alice@db/runner?password=" + secret, "postgres://alice@db:5432/runner", secret},
		{"postgres://alice@db/runner?sslmode=require&sslpassword=" + secret + "&password=" + secret, "postgres://alice@db:5432/runner", secret},
		{"postgres://alice@db/runner", "postgres://alice@db:5432/runner", "env" + secret}, // password from PGPASSWORD
		{"host=db port=5433 user=alice password=" + secret + " dbname=runner sslmode=disable", "postgres://alice@db:5433/runner", secret},
		{"host=db user=alice password='S3 cr3t' dbname=runner", "postgres://alice@db:5432/runner", "S3 cr3t"},
		{"host=db user=alice password='" + secret + "' dbname=runner", "postgres://alice@db:5432/runner", secret},
		{"host=/var/run/postgresql user=alice password=" + secret + " dbname=runner", "postgres://alice@%2Fvar%2Frun%2Fpostgresql:5432/runner", secret},
		{"postgres://alice:" + secret + "@%2Fvar%2Frun%2Fpostgresql/runner", "postgres://alice@%2Fvar%2Frun%2Fpostgresql:5432/runner", secret},
		{"postgres:///runner?host=/tmp&user=alice&password=" + secret, "postgres://alice@%2Ftmp:5432/runner", secret},
		{"postgres://alice:" + secret + "@db1:5432,db2:5433,[::1]/runner?sslmode=disable", "postgres://alice@db1:5432,db2:5433,[::1]:5432/runner", secret},
		{"host=db1,db2 port=5432,5433 user=alice password=" + secret + " dbname=runner sslmode=prefer", "postgres://alice@db1:5432,db2:5433/runner", secret},
	} {
		got := postgres.Describe(tc.in)
		require.Equal(t, tc.want, got, tc.in)
		require.NotContains(t, got, "cr3t", tc.in)
		require.NotContains(t, got, "env", tc.in)
		require.Equal(t, []string{tc.password}, postgres.Secrets(tc.in), "the password pgx would use: %s", tc.in)
	}

	// Strings that cannot be parsed: nothing of them is shown.
	for _, in := range []string{
		"postgres://alice:S3 cr3t@db/runner",            // unescaped space
		"postgres://alice:" + secret + "@xyz@db/runner", // unescaped '@': the host would be "xyz@db"
		"postgres://alice:" + secret + "@db:notaport/runner",
		"host=db password='" + secret + " dbname=runner", // unterminated quote
		"host=db password=" + secret + " nonsense",
	} {
		got := postgres.Describe(in)
		require.Equal(t, "postgres (unparsable connection string, not shown)", got, in)
		require.Equal(t, []string{in}, postgres.Secrets(in))
	}
}
