-- 0006 down: back to 0005's shape; the slots' history is lost.
DROP TABLE schedule_slots;
