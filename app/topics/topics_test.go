package topics

import (
	"slices"
	"testing"
)

func TestCanonicalMatchesCaseSpacingAndSynonyms(t *testing.T) {
	v := Vocabulary(Defaults)
	got := v.Canonical([]string{"challenging conversations", "  Challenging   Conversations ", "CONVERSATIONS", "conflict", "Well-being", "knitting", "Knitting!"})
	want := []string{"conversations", "wellbeing", "knitting"}
	if !slices.Equal(got, want) {
		t.Fatalf("Canonical = %q, want %q", got, want)
	}
	if v.Label("conversations") != "Challenging conversations" || v.Label("knitting") != "knitting" {
		t.Fatalf("labels: %q, %q", v.Label("conversations"), v.Label("knitting"))
	}
}
