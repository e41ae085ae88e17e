#!/usr/bin/env bash
# PostgreSQL restarted during a backfill (issue 13): runs a private
# PostgreSQL server (initdb in a temporary directory, port 55432, as the
# postgres user; needs root), restarts it twice during a canary backfill
# worked by River in-process, prints how the backfill ended, runs the same
# command again, and checks that the rows equal those of an uninterrupted
# SQLite backfill.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNNER_PG_RESTART=1 go test -count=1 -timeout 20m -run '^TestBackfillPostgresRestarted$' -v ./cmd/runner
