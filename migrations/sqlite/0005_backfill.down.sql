-- 0005 down: back to 0004's shape. Backfill records and the forecasts'
-- configuration hashes are lost; the forecasts stay.
DROP TABLE backfill_units;
DROP TABLE backfills;
ALTER TABLE forecasts DROP COLUMN config_hash;
