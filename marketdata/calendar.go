package marketdata

import "time"

// NextTradingDay returns the first NYSE trading day after d: a weekday that
// is not one of the exchange's regular holidays. Unscheduled closures (such
// as 2001-09-11..14, 2012-10-29/30 and national days of mourning) are not
// known in advance and are not modelled.
func NextTradingDay(d time.Time) time.Time {
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	for !IsTradingDay(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// IsTradingDay reports whether d is a weekday and not a regular NYSE holiday.
func IsTradingDay(d time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !isHoliday(d)
}

func isHoliday(d time.Time) bool {
	y, m, day := d.Date()
	date := func(mm time.Month, dd int) time.Time { return time.Date(y, mm, dd, 0, 0, 0, 0, time.UTC) }
	same := func(t time.Time) bool { return t.Year() == y && t.Month() == m && t.Day() == day }
	// Fixed-date holidays move to Monday from a Sunday and to Friday from a
	// Saturday, except New Year's Day, which is not observed on the Friday
	// before (NYSE rule 7.2).
	observed := func(t time.Time, fridayToo bool) bool {
		switch t.Weekday() {
		case time.Sunday:
			return same(t.AddDate(0, 0, 1))
		case time.Saturday:
			return fridayToo && same(t.AddDate(0, 0, -1))
		}
		return same(t)
	}
	nthWeekday := func(mm time.Month, wd time.Weekday, n int) time.Time {
		t := date(mm, 1)
		for t.Weekday() != wd {
			t = t.AddDate(0, 0, 1)
		}
		return t.AddDate(0, 0, 7*(n-1))
	}
	lastMonday := func(mm time.Month) time.Time {
		t := date(mm+1, 1).AddDate(0, 0, -1)
		for t.Weekday() != time.Monday {
			t = t.AddDate(0, 0, -1)
		}
		return t
	}
	switch {
	case observed(date(time.January, 1), false),
		y >= 1998 && same(nthWeekday(time.January, time.Monday, 3)),
		same(nthWeekday(time.February, time.Monday, 3)),
		same(easter(y).AddDate(0, 0, -2)),
		same(lastMonday(time.May)),
		y >= 2022 && observed(date(time.June, 19), true),
		observed(date(time.July, 4), true),
		same(nthWeekday(time.September, time.Monday, 1)),
		same(nthWeekday(time.November, time.Thursday, 4)),
		observed(date(time.December, 25), true):
		return true
	}
	return false
}

// easter returns Easter Sunday of year y (Gregorian; the anonymous
// algorithm of Meeus).
func easter(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
