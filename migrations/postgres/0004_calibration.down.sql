-- 0004 down: back to 0003's shape. Calibrations and the forecasts'
-- calibration columns are lost; the forecasts' other columns stay.
ALTER TABLE forecasts
    DROP COLUMN calibration_id,
    DROP COLUMN p_up_raw,
    DROP COLUMN p_up,
    DROP COLUMN ci_upper_raw,
    DROP COLUMN ci_lower_raw;

DROP TABLE calibrations;
