-- 0006: the SQLite mirror of migrations/postgres/0006_schedule.up.sql, with
-- TEXT timestamps (UTC, milliseconds).

CREATE TABLE schedule_slots (
    job          TEXT    NOT NULL,
    slot_at      TEXT    NOT NULL,
    status       TEXT    NOT NULL
        CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'skipped', 'abandoned')),
    run_id       INTEGER,
    owner        TEXT    NOT NULL,
    claimed_at   TEXT    NOT NULL,
    heartbeat_at TEXT    NOT NULL,
    finished_at  TEXT,
    attempts     INTEGER NOT NULL DEFAULT 1,
    error        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (job, slot_at)
) WITHOUT ROWID;
CREATE INDEX idx_schedule_slots_status ON schedule_slots (status);
