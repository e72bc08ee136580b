package library

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// letters that do not decompose into a base letter and a mark.
var foldSpecial = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ı': "i", 'þ': "th", 'Þ': "th",
}

// Fold is the search form of a text: lower case, accents removed
// ("Café" -> "cafe", "Straße" -> "strasse"), and everything that is not a
// letter or a digit turned into single spaces. Stored text and queries
// are folded alike, on both engines.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // no leading space
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case foldSpecial[r] != "":
			b.WriteString(foldSpecial[r])
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// searchTerms are the folded words of a query, at most eight.
func searchTerms(q string) []string {
	terms := strings.Fields(Fold(q))
	if len(terms) > 8 {
		terms = terms[:8]
	}
	return terms
}
