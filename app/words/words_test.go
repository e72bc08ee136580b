package words

import (
	"strings"
	"testing"
)

// TestSayPutsCodesInWords: the codes the walk found on screen read as
// words, and no code ever shows an underscore.
func TestSayPutsCodesInWords(t *testing.T) {
	for code, want := range map[string]string{
		"no_show": "did not attend", "cancelled_late": "cancelled late", "gbp": "pounds sterling (GBP)",
		"short_term": "short term", "one_to_one": "one to one", "coaching": "coaching", "in_progress": "in progress",
		"some_new_code": "some new code",
	} {
		if got := Say(code); got != want || strings.Contains(got, "_") {
			t.Errorf("Say(%q) = %q, want %q", code, got, want)
		}
	}
	if got := Title("one_to_one"); got != "One to one" {
		t.Errorf("Title(one_to_one) = %q", got)
	}
	for in, want := range map[string]string{"": "", "Ann": "Ann", "Ann,Bo": "Ann and Bo", "Ann,Bo,Cy": "Ann, Bo and Cy"} {
		var names []string
		if in != "" {
			names = strings.Split(in, ",")
		}
		if got := List(names); got != want {
			t.Errorf("List(%q) = %q, want %q", in, got, want)
		}
	}
}
