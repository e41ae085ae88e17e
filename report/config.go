package report

import (
	"cmp"
	"fmt"
)

// Defaults of Config.
const (
	DefaultTitle = "runner report"
	// DefaultRMSEWindow is the as-of dates in each point of the rolling
	// RMSE ratio: about a month of trading days.
	DefaultRMSEWindow = 20
	// DefaultCoverageWindow is the matured forecasts in each point of the
	// rolling coverage: a 90% interval judged on 20 days moves in steps of
	// 5%, on 60 in steps of 1.7%.
	DefaultCoverageWindow = 60
)

// Config configures Write.
type Config struct {
	// Title heads the page. Default DefaultTitle.
	Title string
	// RMSEWindow is the number of as-of dates in each point of the rolling
	// RMSE of the candidate relative to legacy, at least 2. Default
	// DefaultRMSEWindow.
	RMSEWindow int
	// CoverageWindow is the number of matured forecasts in each point of
	// the rolling interval coverage, at least 2. Default
	// DefaultCoverageWindow.
	CoverageWindow int
}

// withDefaults fills the zero fields and checks the others.
func (c Config) withDefaults() (Config, error) {
	c.Title = cmp.Or(c.Title, DefaultTitle)
	c.RMSEWindow = cmp.Or(c.RMSEWindow, DefaultRMSEWindow)
	c.CoverageWindow = cmp.Or(c.CoverageWindow, DefaultCoverageWindow)
	if c.RMSEWindow < 2 {
		return c, fmt.Errorf("report: RMSE window %d: need at least 2", c.RMSEWindow)
	}
	if c.CoverageWindow < 2 {
		return c, fmt.Errorf("report: coverage window %d: need at least 2", c.CoverageWindow)
	}
	return c, nil
}
