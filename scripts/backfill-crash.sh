#!/usr/bin/env bash
# Crash test of runner backfill (issue 13): kills a backfill with SIGKILL at
# KILLS random moments (default 10), each followed by the same command, on
# SQLite and on PostgreSQL (River jobs, rescued after the kill), then lets
# it finish, and checks that the rows equal those of an uninterrupted
# backfill, one per key, and that SQLite's integrity check passes. The CI
# suite runs the same test with 3 kills on SQLite and 1 on PostgreSQL.
#
#   scripts/backfill-crash.sh [KILLS] [SEED]
#
# PostgreSQL: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
# Each PostgreSQL kill costs up to ~20 s: River's rescuer runs on the leader,
# elected again within its 15 s leadership TTL.
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-10}
seed=${2:-$(date +%s%N)}
echo "backfill crash test: $kills kills on each store, RUNNER_CRASH_SEED=$seed"
RUNNER_CRASH_KILLS=$kills RUNNER_CRASH_KILLS_PG=$kills RUNNER_CRASH_SEED=$seed \
	go test -count=1 -timeout 60m -run '^TestBackfillKilledResumes$' -v ./cmd/runner
