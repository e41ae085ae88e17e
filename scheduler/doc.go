// Package scheduler runs jobs on cron schedules, exactly once per slot
// however many schedulers run (DESIGN §8, Schedule).
//
// A slot is one firing time of one schedule entry (a robfig/cron/v3
// expression, CRON_TZ= allowed, America/New_York by default). The
// scheduler that claims a slot's row in the store (store.ScheduleStore)
// runs it; the others find it claimed. A slot on a day the exchange is
// closed is recorded skipped. While a slot runs, its scheduler renews the
// slot's heartbeat; a slot whose heartbeat is older than the lease (its
// scheduler was killed) is marked abandoned by any scheduler, and claimed
// again when it is still its entry's latest slot. On start, each entry's
// latest slot that has not run runs once (CatchupLatest).
//
// The clock is injected (Clock); FakeClock drives the scheduler in tests
// without sleeping.
package scheduler
