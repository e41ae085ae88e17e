-- 0004 down: back to 0003's shape. Calibrations and the forecasts'
-- calibration columns are lost; the forecasts' other columns stay.
ALTER TABLE forecasts DROP COLUMN calibration_id;
ALTER TABLE forecasts DROP COLUMN p_up_raw;
ALTER TABLE forecasts DROP COLUMN p_up;
ALTER TABLE forecasts DROP COLUMN ci_upper_raw;
ALTER TABLE forecasts DROP COLUMN ci_lower_raw;

DROP TABLE calibrations;
