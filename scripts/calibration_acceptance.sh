#!/usr/bin/env bash
# The acceptance experiment of issue 12 on the bundled data: validate AAPL,
# MSFT and SPY over every window whose test span ends in 2019-2022, calibrate
# on those out-of-sample forecasts (the last SAMPLES per symbol and
# ensemble), forecast every trading day of 2023 with the calibration applied
# (which never saw 2023), and score the stored forecasts per ensemble over
# the three symbols together, raw and calibrated side by side.
#
#   scripts/calibration_acceptance.sh [SAMPLES]    (default 1000; about 15 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
SAMPLES=${1:-1000}
DB=${DB:-/tmp/calibration_acceptance.db}
rm -f "$DB"
make -s build
R="./bin/runner --data testdata/prices --database-url sqlite:$DB --log-level warn"
$R validate --symbols AAPL,MSFT,SPY --from 2019-01-01 --to 2022-12-30 > /dev/null
$R calibrate --symbols AAPL,MSFT,SPY --as-of 2022-12-30 --samples "$SAMPLES"
for d in $(awk -F, 'NR>1 && $1>="2023-01-03" && $1<="2023-12-28" {print $1}' testdata/prices/SPY.csv); do
  $R forecast --mode canary --as-of "$d" > /dev/null
done
go run ./scripts/calscore -db "$DB" -from 2023-01-01 -to 2023-12-31
