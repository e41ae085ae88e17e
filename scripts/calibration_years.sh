#!/usr/bin/env bash
# The acceptance experiment of issue 12 (scripts/calibration_acceptance.sh)
# over three test years instead of one: validate AAPL, MSFT and SPY over
# every window whose test span ends in 2016-2022, calibrate as of the end
# of 2020, 2021 and 2022 on the out-of-sample forecasts before each (the
# last SAMPLES per symbol and ensemble, adaptive with step GAMMA), then
# forecast every trading day of 2021, 2022 and 2023, each day applying the
# latest calibration its returns were known by (so each year is scored
# with a calibration that never saw it), and score each year per ensemble
# over the three symbols, raw and calibrated side by side.
#
#   scripts/calibration_years.sh [SAMPLES [GAMMA]]    (defaults 1000, 0.01; about 45 minutes on 2 idle cores)
#
# Every calibration is fitted before any forecast is written, so that its
# samples are walk-forward test spans only, as in the one-year script.
set -euo pipefail
cd "$(dirname "$0")/.."
SAMPLES=${1:-1000}
GAMMA=${2:-0.01}
DB=${DB:-/tmp/calibration_years.db}
rm -f "$DB" "$DB-wal" "$DB-shm"
make -s build
R="./bin/runner --data testdata/prices --database-url sqlite:$DB --log-level warn"
$R validate --symbols AAPL,MSFT,SPY --from 2016-01-01 --to 2022-12-30 > /dev/null
for asof in 2020-12-31 2021-12-31 2022-12-30; do
  $R calibrate --symbols AAPL,MSFT,SPY --as-of "$asof" --samples "$SAMPLES" --adaptive --gamma "$GAMMA"
done
$R backfill --from 2021-01-04 --to 2023-12-28 --symbols AAPL,MSFT,SPY --workers 2
for y in 2021 2022 2023; do
  echo "== $y"
  go run ./scripts/calscore -db "$DB" -from "$y-01-01" -to "$y-12-30"
done
