package scheduler

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// FakeClock is a Clock that moves only when told: After's channels
// receive when Advance or AdvanceToNext passes their deadline. Tests use
// WaitForWaiters to know that the code under test is waiting.
type FakeClock struct {
	mu      sync.Mutex
	cond    *sync.Cond
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

// NewFakeClock returns a clock showing now.
func NewFakeClock(now time.Time) *FakeClock {
	c := &FakeClock{now: now}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the clock's time once it has
// moved d past now; at once when d <= 0.
func (c *FakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{at: c.now.Add(d), ch: ch})
	c.cond.Broadcast()
	return ch
}

// Advance moves the clock d forward and fires every waiter due.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(c.now.Add(d))
}

// AdvanceToNext moves the clock to the earliest waiter's deadline, fires
// the waiters due then and returns the new time. It panics when nothing
// waits.
func (c *FakeClock) AdvanceToNext() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) == 0 {
		panic("scheduler: FakeClock.AdvanceToNext with no waiter")
	}
	next := c.waiters[0].at
	for _, w := range c.waiters[1:] {
		if w.at.Before(next) {
			next = w.at
		}
	}
	c.setLocked(next)
	return next
}

func (c *FakeClock) setLocked(t time.Time) {
	c.now = t
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(t) {
			kept = append(kept, w)
			continue
		}
		w.ch <- t
	}
	c.waiters = kept
}

// WaitForWaiters blocks until at least n channels from After are waiting,
// or ctx ends.
func (c *FakeClock) WaitForWaiters(ctx context.Context, n int) error {
	stop := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.cond.Broadcast()
	})
	defer stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.waiters) < n {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("scheduler: fake clock: waiting for %d waiters (have %d): %w", n, len(c.waiters), err)
		}
		c.cond.Wait()
	}
	return nil
}
