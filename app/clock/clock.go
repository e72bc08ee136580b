// Package clock lets code ask for the time without reading it from the
// machine, so that tests can fix it.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the machine's clock, in UTC and truncated to microseconds (the
// precision both databases keep, so a time read back equals the time
// written).
type System struct{}

// Now returns the current time.
func (System) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Fixed is a clock for tests: it says what it was set to until moved.
type Fixed struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixed returns a clock stopped at t.
func NewFixed(t time.Time) *Fixed { return &Fixed{t: t.UTC()} }

// Now returns the set time.
func (f *Fixed) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Set moves the clock to t.
func (f *Fixed) Set(t time.Time) {
	f.mu.Lock()
	f.t = t.UTC()
	f.mu.Unlock()
}

// Advance moves the clock forward by d.
func (f *Fixed) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// Shifted is the machine's clock moved forward by an offset that only
// grows: the time-travel clock of trials and browser tests
// (TOOLBOX_TIME_TRAVEL), where weeks of silence must pass in a minute.
// Everything that reads the application's clock moves with it; what reads
// the machine's (cookie lifetimes, the queue's own timers) does not.
type Shifted struct {
	base   Clock
	mu     sync.Mutex
	offset time.Duration
}

// NewShifted returns base, not yet moved.
func NewShifted(base Clock) *Shifted { return &Shifted{base: base} }

// Now returns base's time plus the offset.
func (s *Shifted) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base.Now().Add(s.offset)
}

// Offset is how far ahead of base the clock is.
func (s *Shifted) Offset() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offset
}

// Advance moves the clock forward by d; a negative d is ignored, since
// work already done (a reminder sent, a relationship concluded) cannot be
// undone by moving back.
func (s *Shifted) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
}
