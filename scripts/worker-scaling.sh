#!/usr/bin/env bash
# Throughput of runner worker processes on one River queue (issue 13): for
# each N in WORKERS (default "1 2 4"), enqueue the same canary backfill
# with --detach in a fresh PostgreSQL schema, start N workers with
# --concurrency 1, and time them from start until every unit is done.
#
#   scripts/worker-scaling.sh                 # Nov 1 to Dec 28 2023, AAPL MSFT SPY
#   FROM=2023-01-03 TO=2023-12-28 WORKERS="1 2" scripts/worker-scaling.sh
#
# PostgreSQL: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable).
set -euo pipefail
export PGOPTIONS="${PGOPTIONS:-} --client-min-messages=warning"
cd "$(dirname "$0")/.."
db=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
case "$db" in *\?*) sep='&' ;; *) sep='?' ;; esac
from=${FROM:-2023-11-01}
to=${TO:-2023-12-28}
go build -o bin/runner ./cmd/runner
left() { psql "$db" -tAc "SELECT COUNT(*) FROM $1.backfill_units WHERE status <> 'done'"; }
for n in ${WORKERS:-1 2 4}; do
	schema="scaling_${n}_$$"
	psql "$db" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema"
	url="$db${sep}search_path=$schema"
	bin/runner --database-url "$url" --log-level warn --data testdata/prices \
		backfill --mode canary --from "$from" --to "$to" --detach >/dev/null
	units=$(left "$schema")
	pids=()
	start=$(date +%s.%N)
	for _ in $(seq "$n"); do
		bin/runner --database-url "$url" --log-level warn --data testdata/prices \
			worker --concurrency 1 --poll-interval 100ms --listen 127.0.0.1:0 &
		pids+=($!)
	done
	until [ "$(left "$schema")" = 0 ]; do sleep 0.2; done
	end=$(date +%s.%N)
	kill -TERM "${pids[@]}"
	wait "${pids[@]}" || true
	awk -v n="$n" -v u="$units" -v s="$start" -v e="$end" \
		'BEGIN { printf "workers %d: %d units in %.1f s, %.2f units/s\n", n, u, e - s, u / (e - s) }'
	psql "$db" -qc "DROP SCHEMA $schema CASCADE"
done
