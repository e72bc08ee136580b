// Package words turns the codes the application stores (statuses, kinds,
// formats, currencies, outcomes) into the words people read. It is the
// one place that says how a code reads: templates call it as the "say"
// function, Go code as words.Say; nothing shows a stored code as it is.
package words

import "strings"

// phrases are the codes whose words are not the code with its
// underscores made spaces.
var phrases = map[string]string{
	// Formats and durations of support.
	"one_to_one": "one to one",
	"group":      "group",
	"short_term": "short term",
	"ongoing":    "ongoing",
	// Session and attendance outcomes.
	"no_show":        "did not attend",
	"cancelled_late": "cancelled late",
	"attended":       "attended",
	"waitlisted":     "on the waitlist",
	// Assessments, requests and proposals.
	"in_progress": "in progress",
	"submitted":   "waiting for a coordinator",
	"overridden":  "changed by a coordinator",
	// Currencies (ISO 4217, stored lower-case).
	"gbp": "pounds sterling (GBP)",
	"eur": "euros (EUR)",
	"usd": "US dollars (USD)",
	// Note visibility.
	"private": "private (only you)",
	"shared":  "shared with the relationship",
}

// Say is how code reads: "one_to_one" is "one to one", "no_show" is "did
// not attend", "gbp" is "pounds sterling (GBP)". A code it does not know
// reads as itself with spaces for underscores, never with them.
func Say(code string) string {
	if w, ok := phrases[code]; ok {
		return w
	}
	return strings.ReplaceAll(code, "_", " ")
}

// Title is Say with a capital first letter, to start a sentence or a
// heading: "One to one", "Coaching".
func Title(code string) string {
	w := Say(code)
	if w == "" {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

// Currency is a currency code as a price shows it: "GBP".
func Currency(code string) string { return strings.ToUpper(code) }

// List joins names as a sentence does: "Ann", "Ann and Bo", "Ann, Bo and
// Cy".
func List(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
