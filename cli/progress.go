package cli

import (
	"fmt"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress reporting of long work on stderr.
const (
	// progressQuiet is how long work runs before its progress is shown:
	// work that ends sooner prints nothing.
	progressQuiet = 2 * time.Second
	// progressLogEvery is the interval of the progress log lines written
	// when stderr is not a terminal.
	progressLogEvery = 5 * time.Second
)

// progress shows how far long work has come: a bar (done/total, failed,
// rate, ETA) when stderr is a terminal, a log line every progressLogEvery
// otherwise (JSON with --log-format json). It is safe for concurrent use.
type progress struct {
	e       *env
	what    string
	total   int
	start   time.Time
	now     func() time.Time
	mu      sync.Mutex
	done    int
	failed  int
	bar     *progressbar.ProgressBar
	lastLog time.Time
	tty     bool
}

func newProgress(e *env, what string, total int) *progress {
	return &progress{e: e, what: what, total: total, start: time.Now(), now: time.Now, tty: isTerminal(e.err)}
}

// Set records done units of which failed failed.
func (p *progress) Set(done, failed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.failed = done, failed
	now := p.now()
	if now.Sub(p.start) < progressQuiet && done < p.total {
		return
	}
	if now.Sub(p.start) < progressQuiet && p.bar == nil && p.lastLog.IsZero() {
		return // finished quickly: say nothing
	}
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions(p.total, progressbar.OptionSetWriter(p.e.err),
				progressbar.OptionSetDescription(p.what), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("units"), progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionFullWidth(),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.e.err) }))
		}
		if failed > 0 {
			p.bar.Describe(fmt.Sprintf("%s (%d failed)", p.what, failed))
		}
		_ = p.bar.Set(done)
		return
	}
	if done < p.total && now.Sub(p.lastLog) < progressLogEvery {
		return
	}
	p.lastLog = now
	elapsed := now.Sub(p.start)
	ev := p.e.log.Info().Str("component", "progress").Str("work", p.what).Int("done", done).Int("total", p.total).
		Int("failed", failed).Dur("elapsed", elapsed)
	if done > 0 {
		rate := float64(done) / elapsed.Seconds()
		ev = ev.Float64("rate_per_s", rate)
		if done < p.total {
			ev = ev.Dur("eta", time.Duration(float64(p.total-done)/rate*float64(time.Second)))
		}
	}
	ev.Msg("progress")
}
