package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store/postgres"
)

// privateCluster is a PostgreSQL server of the test's own, which it may
// stop and start: initdb in a temporary directory, run as the postgres
// user, listening on 127.0.0.1:port.
type privateCluster struct {
	bin, dir string
	port     int
	cred     *syscall.Credential
}

func newPrivateCluster(t *testing.T, port int) *privateCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
	}
	u, err := user.Lookup("postgres")
	if err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and a postgres user to run a private server")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	dir, err := os.MkdirTemp("", "runner-pg-")
	require.NoError(t, err)
	require.NoError(t, os.Chown(dir, uid, gid))
	c := &privateCluster{bin: filepath.Dir(bins[len(bins)-1]), dir: dir, port: port,
		cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	c.run(t, "initdb", "-D", c.data(), "-A", "trust", "-U", "postgres")
	c.start(t)
	t.Cleanup(func() {
		c.run(t, "pg_ctl", "-D", c.data(), "stop", "-m", "immediate", "-w")
		os.RemoveAll(dir)
	})
	return c
}

func (c *privateCluster) data() string { return filepath.Join(c.dir, "data") }

func (c *privateCluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *privateCluster) run(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %v:\n%s", name, args, out)
}

func (c *privateCluster) start(t *testing.T) {
	c.run(t, "pg_ctl", "-D", c.data(), "-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", c.port, c.dir),
		"-l", filepath.Join(c.dir, "log"), "start", "-w")
}

// TestBackfillPostgresRestarted restarts the PostgreSQL server (a private
// one) twice during a backfill: the backfill either waits and goes on or
// fails with a clear error; the same command run again then completes,
// and the rows equal those of an uninterrupted SQLite backfill. It runs
// with RUNNER_PG_RESTART=1 (scripts/backfill-pg-restart.sh), as root.
func TestBackfillPostgresRestarted(t *testing.T) {
	if os.Getenv("RUNNER_PG_RESTART") != "1" {
		t.Skip("set RUNNER_PG_RESTART=1 (scripts/backfill-pg-restart.sh): restarts a private PostgreSQL server")
	}
	want, took := crashReference(t)
	c := newPrivateCluster(t, 55432)
	args := append(append([]string{"--database-url", c.url(), "--db-statement-timeout", "10s"}, crashBackfill...), crashRiver...)
	p := start(t, nil, args...)
	for i := range 2 {
		select {
		case <-p.done:
		case <-time.After(took / 4):
		}
		t.Logf("restart %d", i+1)
		c.run(t, "pg_ctl", "-D", c.data(), "stop", "-m", "fast", "-w")
		c.start(t)
	}
	code := p.wait(t, 5*time.Minute)
	t.Logf("backfill through the restarts: exit %d\nstdout:\n%s\nstderr (last 2000 bytes):\n%s", code, p.stdout.String(),
		tail(p.stderr.String(), 2000))
	again := start(t, nil, args...)
	require.Equal(t, 0, again.wait(t, 5*time.Minute), "%s\n%s", again.stdout.String(), again.stderr.String())
	t.Logf("rerun:\n%s", again.stdout.String())

	s, err := postgres.Open(context.Background(), postgres.Config{URL: c.url()})
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, want, readForecasts(t, s))
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
