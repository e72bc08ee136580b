package clock

import (
	"testing"
	"time"
)

func TestShiftedMovesOnlyForward(t *testing.T) {
	base := NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s := NewShifted(base)
	if got := s.Now(); !got.Equal(base.Now()) {
		t.Fatalf("unshifted Now = %s, want %s", got, base.Now())
	}
	s.Advance(21 * 24 * time.Hour)
	s.Advance(-100 * time.Hour)
	base.Advance(time.Minute)
	want := time.Date(2026, 3, 22, 12, 1, 0, 0, time.UTC)
	if got := s.Now(); !got.Equal(want) {
		t.Fatalf("Now after 21 days and a minute = %s, want %s", got, want)
	}
	if s.Offset() != 21*24*time.Hour {
		t.Fatalf("Offset = %s, want 504h", s.Offset())
	}
}
