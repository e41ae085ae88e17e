package scheduler

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	_ "time/tzdata" // CRON_TZ zones resolve on hosts without a zoneinfo database
)

// DefaultZone is the time zone of a cron expression without CRON_TZ=.
const DefaultZone = "America/New_York"

// Catchup says what an entry does on start with its latest slot that has
// not run.
type Catchup string

// Catchup policies.
const (
	// CatchupLatest runs the entry's latest slot before now once, unless
	// it ran (or was skipped) already; the default.
	CatchupLatest Catchup = "latest"
	// CatchupNone waits for the next slot.
	CatchupNone Catchup = "none"
)

// Entry is one line of the schedule: a job on a cron expression.
type Entry struct {
	// Name keys the entry's slots in the store: two schedulers with the
	// same entry share its slots. Default: Job.
	Name string
	// Job is what runs, e.g. "forecast" or "canary evaluate"; the
	// scheduler only names it.
	Job string
	// Spec is the cron expression as written, e.g. "30 16 * * 1-5" or
	// "CRON_TZ=Europe/London 0 9 * * *".
	Spec string
	// Catchup is the start policy. Default CatchupLatest.
	Catchup Catchup
	// EveryDay runs the slots of days the exchange is closed too; by
	// default they are recorded skipped (Config.TradingDay).
	EveryDay bool

	schedule cron.Schedule
	zone     *time.Location
}

// cronParser reads standard five-field expressions and descriptors
// (@daily), with an optional CRON_TZ= or TZ= prefix.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// NewEntry parses the entry's cron expression (in DefaultZone unless it
// starts with CRON_TZ=) and checks its catchup policy.
func NewEntry(name, job, spec string, catchup Catchup) (Entry, error) {
	e := Entry{Name: name, Job: job, Spec: spec, Catchup: catchup}
	if e.Name == "" {
		e.Name = job
	}
	if e.Catchup == "" {
		e.Catchup = CatchupLatest
	}
	if e.Catchup != CatchupLatest && e.Catchup != CatchupNone {
		return e, fmt.Errorf("scheduler: %s: catchup %q: want latest or none", e.Name, catchup)
	}
	expr := strings.TrimSpace(spec)
	zone := DefaultZone
	if strings.HasPrefix(expr, "CRON_TZ=") || strings.HasPrefix(expr, "TZ=") {
		tz, rest, _ := strings.Cut(expr, " ")
		_, zone, _ = strings.Cut(tz, "=")
		expr = strings.TrimSpace(rest)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" || strings.EqualFold(zone, "local") {
		return e, fmt.Errorf("scheduler: %s: cron %q: time zone %q: unknown", e.Name, spec, zone)
	}
	sched, err := cronParser.Parse("CRON_TZ=" + zone + " " + expr)
	if err != nil {
		return e, fmt.Errorf("scheduler: %s: cron %q: %w", e.Name, spec, err)
	}
	e.schedule, e.zone = sched, loc
	return e, nil
}

// Zone is the time zone of the entry's expression.
func (e Entry) Zone() *time.Location { return e.zone }

// Next returns the entry's first slot after t, in UTC; zero when there is
// none.
func (e Entry) Next(t time.Time) time.Time {
	n := e.schedule.Next(t)
	if n.IsZero() {
		return n
	}
	return n.UTC()
}

// lookbacks are the spans searched, shortest first, for the latest slot
// at or before a time: the first that holds a slot holds the latest.
var lookbacks = []time.Duration{time.Hour, 25 * time.Hour, 8 * 24 * time.Hour, 32 * 24 * time.Hour,
	367 * 24 * time.Hour, 5 * 366 * 24 * time.Hour}

// Latest returns the entry's latest slot at or before t, in UTC; zero
// when there is none in the last five years.
func (e Entry) Latest(t time.Time) time.Time {
	for _, back := range lookbacks {
		at := e.Next(t.Add(-back))
		if at.IsZero() || at.After(t) {
			continue
		}
		for n := e.Next(at); !n.IsZero() && !n.After(t); n = e.Next(n) {
			at = n
		}
		return at
	}
	return time.Time{}
}

// Day is the calendar day of slot at in the entry's zone, as midnight UTC
// (the marketdata calendar's convention).
func (e Entry) Day(at time.Time) time.Time {
	y, m, d := at.In(e.zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
