#!/usr/bin/env bash
# Exactly once per slot (issue 14): two runner schedule processes on one
# PostgreSQL database (a fresh schema) with a once-a-minute forecast for
# MINUTES minutes (default 3): the forecast runs once per minute, not
# twice. Prints each process's share, the slots and the runs, and fails
# unless runs == slots == MINUTES.
#
#   scripts/schedule-two-pg.sh [MINUTES]
#
# PostgreSQL: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-3}
base=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
case "$base" in *\?*) ;; *) base="$base?sslmode=disable" ;; esac
schema="sched_two_$(date +%s)"
url="$base&search_path=$schema"
work=$(mktemp -d)
trap 'kill $pids 2>/dev/null || true; PGOPTIONS="-c client_min_messages=warning" psql -q "$base" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null; rm -rf "$work"' EXIT

make -s build
psql -q "$base" -c "CREATE SCHEMA $schema"
bin/runner --database-url "$url" --log-level warn migrate up >/dev/null
cat >"$work/runner.yaml" <<YAML
data: $PWD/testdata/prices
log-format: json
schedule:
  - job: forecast
    cron: "* * * * *"
    calendar: none
    catchup: none
    ensemble: naive
    symbols: [AAPL, MSFT, SPY]
    as-of: "2023-12-29"
YAML

# Start both 10 s before a minute ends and stop them 20 s before their
# MINUTES minutes end: MINUTES slots fall in between, none near an edge.
sleep $(( (110 - 10#$(date +%S)) % 60 ))
pids=""
for i in 1 2; do
	bin/runner --config "$work/runner.yaml" --database-url "$url" schedule --listen 127.0.0.1:0 2>"$work/sched$i.log" &
	pids="$pids $!"
done
began=$(date -u +%T)
sleep $((minutes * 60 - 20))
kill -TERM $pids
wait $pids || true
pids=""
echo "two schedulers from $began UTC to $(date -u +%T) UTC ($minutes min)"
for i in 1 2; do
	echo "scheduler $i: $(grep -c '"message":"slot claimed: job starting"' "$work/sched$i.log") slots run," \
		"$(grep -c 'claimed by another scheduler' "$work/sched$i.log") found claimed"
done
psql -q "$base" -c "SET search_path = $schema" \
	-c "SELECT job, slot_at, status, run_id, owner, attempts FROM schedule_slots ORDER BY slot_at" \
	-c "SELECT id, status, started_at FROM forecast_runs ORDER BY id"
read -r runs slots < <(psql -qtA -F' ' "$base" -c "SET search_path = $schema" \
	-c "SELECT (SELECT COUNT(*) FROM forecast_runs), (SELECT COUNT(*) FROM schedule_slots)" | tail -1)
echo "runs: $runs, slots: $slots, want $minutes of each"
[ "$runs" -eq "$minutes" ] && [ "$slots" -eq "$minutes" ]
