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
// telephone numbers, postcodes, dates and identity numbers. Names are
// found word by word (a map lookup per word), so that a roster of tens of
// thousands costs no more per text than a short one.
type Detector struct {
	// full maps a full name's first word to the full names (as lower-case
	// words) that start with it, longest first.
	full map[string][][]string
	// parts are the words of three letters or more of the roster's names.
	parts map[string]bool
}

// NewDetector makes a detector for a roster of people's names.
func NewDetector(roster []string) *Detector {
	d := &Detector{full: map[string][][]string{}, parts: map[string]bool{}}
	seen := map[string]bool{}
	for _, name := range roster {
		var words []string
		for _, w := range wordsOf(name) {
			words = append(words, strings.ToLower(name[w[0]:w[1]]))
		}
		if len(words) == 0 {
			continue
		}
		for _, w := range words {
			if utf8.RuneCountInString(w) >= 3 {
				d.parts[w] = true
			}
		}
		key := strings.Join(words, " ")
		if len(words) < 2 || seen[key] {
			continue
		}
		seen[key] = true
		d.full[words[0]] = append(d.full[words[0]], words)
	}
	for _, fs := range d.full {
		sort.SliceStable(fs, func(i, j int) bool { return len(fs[i]) > len(fs[j]) })
	}
	return d
}

// wordsOf gives the byte offsets of the words of a text: runs of letters
// and digits, with an apostrophe inside a word (O'Neill) kept in it.
func wordsOf(text string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r)
		if !inWord && (r == '\'' || r == '’') && start >= 0 {
			// An apostrophe followed by a letter stays in the word.
			next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
			inWord = unicode.IsLetter(next)
		}
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(text)})
	}
	return out
}

// names finds the roster's names in text: a full name however it is
// written (its words apart only by spaces or hyphens), and a single part
// of one when it is written as a name, with a capital ("Mel", not "mel").
func (d *Detector) names(text string) []Finding {
	ws := wordsOf(text)
	lower := make([]string, len(ws))
	for i, w := range ws {
		lower[i] = strings.ToLower(text[w[0]:w[1]])
	}
	var out []Finding
	for i := 0; i < len(ws); i++ {
		matched := 0
		for _, full := range d.full[lower[i]] {
			if i+len(full) > len(ws) {
				continue
			}
			ok := true
			for k := 1; k < len(full) && ok; k++ {
				gap := text[ws[i+k-1][1]:ws[i+k][0]]
				ok = lower[i+k] == full[k] && strings.Trim(gap, " \t-") == "" && gap != ""
			}
			if ok {
				matched = len(full)
				break
			}
		}
		if matched == 0 && d.parts[lower[i]] {
			if r, _ := utf8.DecodeRuneInString(text[ws[i][0]:]); unicode.IsUpper(r) {
				matched = 1
			}
		}
		if matched > 0 {
			start, end := ws[i][0], ws[i+matched-1][1]
			out = append(out, Finding{Kind: FoundName, Text: text[start:end], Start: start, End: end})
			i += matched - 1
		}
	}
	return out
}

// Find lists the identifiers in text, in order, none overlapping.
func (d *Detector) Find(text string) []Finding {
	all := d.names(text)
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
