package supervision

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Identifier kinds: what a finding is, and the mark it is masked with.
const (
	FoundName     = "name"
	FoundEmail    = "e-mail"
	FoundPhone    = "phone"
	FoundPostcode = "postcode"
	FoundDate     = "date"
	FoundID       = "id number"
)

// Finding is one identifier found in a text: its kind and where it is
// (byte offsets into the text).
type Finding struct {
	Kind       string
	Text       string
	Start, End int
}

// Mark is what a finding of a kind is replaced with.
func Mark(kind string) string { return "[" + kind + "]" }

// patterns find identifiers that are not names, in the order they are
// tried: an overlapping later match loses to an earlier one of the same
// start only when shorter (findings are resolved longest first).
var patterns = []struct {
	kind string
	re   *regexp.Regexp
}{
	{FoundEmail, regexp.MustCompile(`(?i)\b[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}\b`)},
	// Dates written with numbers (12/03/1985, 1985-03-12, 12.3.85) or with
	// a month's name (12 March 1985, March 12, 1985).
	{FoundDate, regexp.MustCompile(`\b(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2})\b`)},
	{FoundDate, regexp.MustCompile(`(?i)\b(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})\b`)},
	// UK postcodes (SW1A 1AA, M1 1AE); other countries' are numbers that
	// a name beside them would give away, and too close to ordinary numbers.
	{FoundPostcode, regexp.MustCompile(`(?i)\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b`)},
	// UK National Insurance numbers (QQ 12 34 56 C).
	{FoundID, regexp.MustCompile(`(?i)\b[a-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[a-d]\b`)},
	// Telephone numbers: a + or a digit, then at least eight more digits
	// with spaces, dots, dashes or brackets between them.
	{FoundPhone, regexp.MustCompile(`(?:\+|\b)\d(?:[\s.\-()]{0,2}\d){8,14}\b`)},
	// Staff, patient, case or employee numbers: a short prefix and five or
	// more digits (E12345, ID-004512, 0045123), or a number after "ID",
	// "no." or "number".
	{FoundID, regexp.MustCompile(`(?i)\b(?:[a-z]{1,4}[\-/]?)?\d{5,}\b`)},
	{FoundID, regexp.MustCompile(`(?i)\b(?:id|no\.?|number|ref\.?)\s*:?\s*#?([a-z0-9][a-z0-9\-/]*\d[a-z0-9\-/]*)\b`)},
}

// Detector finds client identifiers in free text: the names of the
// organisation's people (its roster), and patterns of e-mail addresses,
// telephone numbers, postcodes, dates and identity numbers.
type Detector struct {
	// names are the roster's full names and their parts of three letters
	// or more, longest first.
	names []string
}

// NewDetector makes a detector for a roster of people's names.
func NewDetector(roster []string) *Detector {
	seen := map[string]bool{}
	var names []string
	add := func(n string) {
		k := strings.ToLower(n)
		if n == "" || seen[k] {
			return
		}
		seen[k] = true
		names = append(names, n)
	}
	for _, full := range roster {
		full = strings.Join(strings.Fields(full), " ")
		add(full)
		for _, part := range strings.FieldsFunc(full, func(r rune) bool { return unicode.IsSpace(r) || r == '-' }) {
			part = strings.Trim(part, ".,'")
			if utf8.RuneCountInString(part) >= 3 {
				add(part)
			}
		}
	}
	sort.SliceStable(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	return &Detector{names: names}
}

// Find lists the identifiers in text, in order, none overlapping.
func (d *Detector) Find(text string) []Finding {
	var all []Finding
	lower := strings.ToLower(text)
	for _, n := range d.names {
		ln := strings.ToLower(n)
		full := strings.Contains(n, " ")
		for from := 0; ; {
			i := strings.Index(lower[from:], ln)
			if i < 0 {
				break
			}
			start, end := from+i, from+i+len(ln)
			from = end
			if !wordBoundary(text, start, end) {
				continue
			}
			// A single part of a name counts when written as a name, with
			// a capital ("Mel", not "mel" or "will"); a full name counts
			// however it is written.
			if r, _ := utf8.DecodeRuneInString(text[start:]); !full && !unicode.IsUpper(r) {
				continue
			}
			all = append(all, Finding{Kind: FoundName, Text: text[start:end], Start: start, End: end})
		}
	}
	for _, p := range patterns {
		for _, m := range p.re.FindAllStringSubmatchIndex(text, -1) {
			// A pattern with a group masks the group alone (the number
			// after "ID:", not the label).
			if len(m) >= 4 && m[2] >= 0 {
				m = m[2:4]
			}
			all = append(all, Finding{Kind: p.kind, Text: text[m[0]:m[1]], Start: m[0], End: m[1]})
		}
	}
	// Longest first among those starting earliest; then drop overlaps.
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Start != all[j].Start {
			return all[i].Start < all[j].Start
		}
		return all[i].End-all[i].Start > all[j].End-all[j].Start
	})
	var out []Finding
	end := -1
	for _, f := range all {
		if f.Start < end {
			continue
		}
		out = append(out, f)
		end = f.End
	}
	return out
}

// Mask replaces every identifier found in text with its mark and returns
// the masked text with what was found.
func (d *Detector) Mask(text string) (string, []Finding) {
	found := d.Find(text)
	if len(found) == 0 {
		return text, nil
	}
	var b strings.Builder
	last := 0
	for _, f := range found {
		b.WriteString(text[last:f.Start])
		b.WriteString(Mark(f.Kind))
		last = f.End
	}
	b.WriteString(text[last:])
	return b.String(), found
}

// wordBoundary reports whether text[start:end] stands as a word: no
// letter or digit just before or after it.
func wordBoundary(text string, start, end int) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:start])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	if end < len(text) {
		r, _ := utf8.DecodeRuneInString(text[end:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
