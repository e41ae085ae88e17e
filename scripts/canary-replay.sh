#!/usr/bin/env bash
# Replay of the canary policy on the bundled history (issue 15): on a fresh
# SQLite file, start a canary whose first stage counts from the trading day
# after AS_OF, then for each of the DAYS trading days after AS_OF, as the
# daily schedule would: backfill that day's canary forecasts of every
# bundled symbol (runner backfill --kind forecast, both ensembles; the
# forecasts of earlier days mature with it), validate the window ending
# that day (runner validate --as-of DAY, fixed grid), and run
# runner canary evaluate --as-of DAY. It prints one line per day: the
# stage, the decision and its reason; once the canary is rolled back (or
# promoted) a day's line is the decision a preview of the criteria would
# have taken (runner canary status --as-of DAY, nothing written). Then
# runner canary status and the canary section of runner status.
#
#   scripts/canary-replay.sh [AS_OF] [DAYS] [EPOCHS]
#
# Defaults: AS_OF 2023-11-30, DAYS 20, EPOCHS 2 (training epochs of the
# networks; the canonical 30 costs about ten times as much). Extra flags
# for runner canary (stages, thresholds) come from CANARY_FLAGS, e.g.
# CANARY_FLAGS="--stages percent". The database is left in WORK (default
# a temporary directory) for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
as_of=${1:-2023-11-30}
days=${2:-20}
epochs=${3:-2}
work=${WORK:-$(mktemp -d)}
prices=$PWD/testdata/prices
canary_flags=${CANARY_FLAGS:-}
go build -o "$work/runner" ./cmd/runner
db="sqlite:$work/replay.db"
r() { "$work/runner" --database-url "$db" --data "$prices" --log-level warn "$@"; }

# The trading days after AS_OF that every bundled symbol has.
symbols=$(cd "$prices" && ls *.csv | sed 's/\.csv$//' | paste -sd, -)
mapfile -t dates < <(
	for f in "$prices"/*.csv; do awk -F, -v from="$as_of" 'NR > 1 && $1 > from { print $1 }' "$f"; done |
		sort | uniq -c | awk -v n="$(ls "$prices"/*.csv | wc -l)" '$1 == n { print $2 }' | head -n "$days")
if [ "${#dates[@]}" -lt "$days" ]; then
	echo "canary-replay: only ${#dates[@]} common trading days after $as_of" >&2
	exit 2
fi
echo "canary replay: $days trading days ${dates[0]} .. ${dates[-1]}, symbols $symbols, epochs $epochs, database $work/replay.db"

r canary $canary_flags start --from "${dates[0]}" --reason "replay from $as_of" >/dev/null
start=$SECONDS
printf '%-10s  %-6s  %-13s  %s\n' DAY STAGE DECISION REASON
for d in "${dates[@]}"; do
	r backfill --kind forecast --mode canary --from "$d" --to "$d" --symbols "$symbols" --epochs "$epochs" >/dev/null
	r validate --as-of "$d" --symbols "$symbols" --grid fixed --epochs "$epochs" >/dev/null
	out=$(r canary $canary_flags evaluate --as-of "$d")
	if grep -q '^decision: ' <<<"$out"; then
		stage=$(sed -n 's/^canary [0-9]* stage \([^ ]*\) as of.*/\1/p' <<<"$out")
		decision=$(sed -n 's/^decision: \([^:]*\): \(.*\)/\1/p' <<<"$out")
		reason=$(sed -n 's/^decision: [^:]*: \(.*\)/\1/p' <<<"$out")
	else
		# Rolled back: nothing to decide; what would the criteria say?
		prev=$(r canary $canary_flags status --as-of "$d" 2>&1 || true)
		stage=$(sed -n 's/^canary [0-9]* stage \([^ ]*\) as of.*/\1/p' <<<"$prev")
		decision="(rolled back)"
		reason="preview: $(sed -n 's/^would decide: \(.*\) (preview, nothing written)$/\1/p' <<<"$prev")"
	fi
	printf '%-10s  %-6s  %-13s  %s\n' "$d" "$stage" "$decision" "$reason"
done
echo "replay: $((SECONDS - start)) s for $days days"
echo
r canary status
echo
r status --symbols AAPL,MSFT,SPY | sed -n '/^canary /,$p'
