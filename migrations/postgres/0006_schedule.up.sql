-- 0006: the scheduler's slots (DESIGN §8, Schedule). A slot is one firing
-- time of one scheduled job; its row is inserted by the scheduler that
-- claims it (INSERT ... ON CONFLICT DO NOTHING), so each slot runs once
-- however many schedulers run. A running slot's scheduler renews
-- heartbeat_at; a slot left running with an old heartbeat (its scheduler
-- was killed) is marked abandoned, and may be claimed again (attempts
-- counts the claims). A slot on an NYSE holiday is recorded skipped.

CREATE TABLE schedule_slots (
    job          TEXT        NOT NULL,
    slot_at      TIMESTAMPTZ NOT NULL,
    status       TEXT        NOT NULL
        CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'skipped', 'abandoned')),
    run_id       BIGINT,
    owner        TEXT        NOT NULL,
    claimed_at   TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    attempts     INT         NOT NULL DEFAULT 1,
    error        TEXT        NOT NULL DEFAULT '',
    PRIMARY KEY (job, slot_at)
);
CREATE INDEX idx_schedule_slots_status ON schedule_slots (status);
