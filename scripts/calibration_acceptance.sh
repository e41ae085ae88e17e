#!/usr/bin/env bash
# The acceptance experiment of issue 12 on the bundled data: validate AAPL,
# MSFT and SPY over every window whose test span ends in 2019-2022,
# calibrate on those out-of-sample forecasts as of 2022-12-31, forecast
# every trading day of 2023 (which the calibration never saw) and score the
# stored forecasts per ensemble over the three symbols together, raw and
# calibrated side by side: scripts/calibration_years.sh for the year 2023.
#
#   scripts/calibration_acceptance.sh [SAMPLES [GAMMA]]    (defaults 1000, 0.01; about 15 minutes on 2 idle cores)
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${DB:-/tmp/calibration_acceptance.db} exec scripts/calibration_years.sh "${1:-1000}" "${2:-0.01}" 2023
