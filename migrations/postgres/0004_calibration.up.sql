-- 0004: calibration (DESIGN §6). Each fit of a symbol's and ensemble's
-- interval and probability calibration is a calibrations row, kept with
-- its history; forecasts record which row they applied, and keep the raw
-- (uncalibrated) interval and P(up) beside the calibrated ones.

CREATE TABLE calibrations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      BIGINT      CONSTRAINT fk_calibrations_run REFERENCES forecast_runs (id),
    symbol      TEXT        NOT NULL,
    horizon     TEXT        NOT NULL,
    ensemble    TEXT        NOT NULL,
    method      TEXT        NOT NULL,
    parameters  JSONB       NOT NULL,
    sample_from TIMESTAMPTZ NOT NULL,
    sample_to   TIMESTAMPTZ NOT NULL,
    n_samples   INT         NOT NULL CHECK (n_samples > 0),
    before      JSONB       NOT NULL,
    after       JSONB       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT uq_calibrations UNIQUE (symbol, horizon, ensemble, method, sample_to),
    CONSTRAINT chk_calibrations_key CHECK (symbol <> '' AND horizon <> '' AND ensemble <> '' AND method <> ''),
    CONSTRAINT chk_calibrations_samples CHECK (sample_from <= sample_to)
);
-- LatestCalibration: the latest sample_to on or before a date.
CREATE INDEX idx_calibrations_latest ON calibrations (symbol, horizon, ensemble, sample_to DESC);

-- The raw 90% interval and the raw and calibrated P(r > 0) of a forecast,
-- and the calibrations row it applied; NULL where not recorded.
ALTER TABLE forecasts
    ADD COLUMN ci_lower_raw   DOUBLE PRECISION,
    ADD COLUMN ci_upper_raw   DOUBLE PRECISION,
    ADD COLUMN p_up           DOUBLE PRECISION,
    ADD COLUMN p_up_raw       DOUBLE PRECISION,
    ADD COLUMN calibration_id BIGINT CONSTRAINT fk_forecasts_calibration REFERENCES calibrations (id);
