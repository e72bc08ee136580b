package relationships

import (
	"slices"
	"strings"

	"github.com/google/uuid"
)

// SplitList reads a comma-separated lowercase list (kinds, topics,
// languages), dropping blanks and duplicates.
func SplitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}

// KindList, TopicList and LanguageList read the profile's lists.
func (p *Profile) KindList() []string     { return SplitList(p.Kinds) }
func (p *Profile) TopicList() []string    { return SplitList(p.Topics) }
func (p *Profile) LanguageList() []string { return SplitList(p.Languages) }

// Offers reports whether the practitioner offers a practitioner kind
// (mentor, coach, supervisor).
func (p *Profile) Offers(kind string) bool { return slices.Contains(p.KindList(), kind) }

// PractitionerKind is the practitioner kind that gives a kind of support.
func PractitionerKind(k Kind) string {
	switch k {
	case Mentoring:
		return "mentor"
	case Coaching:
		return "coach"
	case Supervision:
		return "supervisor"
	}
	return ""
}

// NewProfile is the profile a practitioner starts from.
func NewProfile(orgID, userID uuid.UUID, kinds []string) *Profile {
	return &Profile{OrgID: orgID, UserID: userID, Kinds: strings.Join(kinds, ","), Languages: "en", Capacity: 3, Accepting: true}
}
