// Package matching finds the practitioner for a signposted support
// request: a ranked list with an explained score, proposals that the
// practitioner accepts or declines within the organisation's set days
// (an unanswered one expires and the next candidate is asked), and
// rematch requests from members.
package matching

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Candidate is a practitioner as matching sees them.
type Candidate struct {
	UserID        uuid.UUID
	Name          string
	Kinds         []string // mentor, coach, supervisor
	Topics        []string
	Languages     []string
	TimeZone      string
	Capacity      int
	Active        int
	Accepting     bool
	TrainedMentor bool
	// ProvisionalMentor: trained as a mentor, not yet approved by a
	// coordinator (relationships.MentorProvisional).
	ProvisionalMentor bool
}

// Free is how many places the candidate has left.
func (c Candidate) Free() int { return max(c.Capacity-c.Active, 0) }

// Need is what a support request asks for.
type Need struct {
	MemberID uuid.UUID
	// Kind is the practitioner kind needed: mentor, coach or supervisor.
	Kind string
	// Topics are compared as they are: the caller maps both sides to the
	// organisation's vocabulary first (topics.Vocabulary.Canonical).
	Topics []string
	// TopicLabel, if set, says how a topic reads in the explanation.
	TopicLabel    func(string) string
	Languages     []string
	TimeZone      string
	LineManagerID *uuid.UUID
	// Asked are practitioners already proposed for this request, with what
	// became of it; they are not asked again.
	Asked map[uuid.UUID]string
	// Avoid are practitioners left out for a reason given (the member's
	// current practitioner, after a rematch request).
	Avoid map[uuid.UUID]string
}

// Reason is one part of a score.
type Reason struct {
	Label  string `json:"label"`
	Points int    `json:"points"`
}

// Ranked is a scored (or excluded) candidate.
type Ranked struct {
	Candidate
	Score   int      `json:"score"`
	Reasons []Reason `json:"reasons"`
	// Excluded says why the candidate cannot be matched, or "".
	Excluded string `json:"excluded,omitempty"`
}

// Points of the score.
const (
	PointsKind          = 40
	PointsTrainedMentor = 10
	PointsPerTopic      = 10
	MaxTopicPoints      = 30
	PointsPerFreePlace  = 5
	MaxCapacityPoints   = 15
	PointsLanguage      = 15
	PointsPerHour       = 2
)

// Rank scores every candidate for a need. It returns the eligible ones,
// best first, and the excluded ones with the reason. It is a pure
// function of its arguments; day is the date whose working hours are
// compared across time zones (daylight saving changes with it).
//
// Order among equal scores: more free places first, then name, then id,
// so that the same data always gives the same ranking.
func Rank(need Need, cands []Candidate, day time.Time) (eligible, excluded []Ranked) {
	for _, c := range cands {
		r := Ranked{Candidate: c}
		switch {
		case c.UserID == need.MemberID:
			r.Excluded = "Is the member themselves."
		case need.LineManagerID != nil && *need.LineManagerID == c.UserID:
			r.Excluded = "Is the member's line manager: a power difference the relationship should not carry."
		case need.Kind == "mentor" && c.ProvisionalMentor:
			r.Excluded = "Trained as a mentor; waiting for a coordinator's approval on the pipeline."
		case !slices.Contains(c.Kinds, need.Kind):
			r.Excluded = "Does not offer to be a " + need.Kind + "."
		case need.Avoid[c.UserID] != "":
			r.Excluded = need.Avoid[c.UserID]
		case need.Asked[c.UserID] != "":
			r.Excluded = "Was already asked for this request (" + need.Asked[c.UserID] + ")."
		case !c.Accepting:
			r.Excluded = "Is not taking new people at the moment."
		case c.Free() == 0:
			r.Excluded = fmt.Sprintf("Has no free places (%d of %d taken).", c.Active, c.Capacity)
		}
		if r.Excluded != "" {
			excluded = append(excluded, r)
			continue
		}
		r.add("Offers to be a "+need.Kind, PointsKind)
		if need.Kind == "mentor" && c.TrainedMentor {
			r.add("Completed mentor training", PointsTrainedMentor)
		}
		var shared []string
		for _, t := range need.Topics {
			if slices.Contains(c.Topics, t) {
				if need.TopicLabel != nil {
					t = need.TopicLabel(t)
				}
				shared = append(shared, t)
			}
		}
		if len(need.Topics) > 0 {
			if len(shared) == 0 {
				r.add("No shared topics", 0)
			} else {
				r.add("Shared topics: "+strings.Join(shared, ", "), min(len(shared)*PointsPerTopic, MaxTopicPoints))
			}
		}
		r.add(fmt.Sprintf("%d of %d places free", c.Free(), c.Capacity), min(c.Free()*PointsPerFreePlace, MaxCapacityPoints))
		var langs []string
		for _, l := range need.Languages {
			if slices.Contains(c.Languages, l) {
				langs = append(langs, l)
			}
		}
		if len(langs) > 0 {
			r.add("Speaks "+strings.Join(langs, ", "), PointsLanguage)
		} else if len(need.Languages) > 0 {
			r.add("No shared language", 0)
		}
		if h, ok := OverlapHours(need.TimeZone, c.TimeZone, day); ok {
			r.add(fmt.Sprintf("%d hours of working day in common (%s and %s)", h, need.TimeZone, c.TimeZone), h*PointsPerHour)
		} else {
			r.add("Time zone unknown", 0)
		}
		eligible = append(eligible, r)
	}
	sort.SliceStable(eligible, func(i, j int) bool {
		a, b := eligible[i], eligible[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Free() != b.Free() {
			return a.Free() > b.Free()
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.UserID.String() < b.UserID.String()
	})
	return eligible, excluded
}

func (r *Ranked) add(label string, points int) {
	r.Reasons = append(r.Reasons, Reason{Label: label, Points: points})
	r.Score += points
}

// Working day compared across time zones.
const (
	dayStartHour = 9
	dayEndHour   = 17
)

// OverlapHours is how many whole hours the 09:00-17:00 working days of
// two time zones share on a given date; ok is false for an unknown zone.
func OverlapHours(zoneA, zoneB string, day time.Time) (int, bool) {
	a, errA := loadZone(zoneA)
	b, errB := loadZone(zoneB)
	if errA != nil || errB != nil {
		return 0, false
	}
	y, m, d := day.Date()
	startA, endA := time.Date(y, m, d, dayStartHour, 0, 0, 0, a), time.Date(y, m, d, dayEndHour, 0, 0, 0, a)
	startB, endB := time.Date(y, m, d, dayStartHour, 0, 0, 0, b), time.Date(y, m, d, dayEndHour, 0, 0, 0, b)
	start, end := startA, endA
	if startB.After(start) {
		start = startB
	}
	if endB.Before(end) {
		end = endB
	}
	if !end.After(start) {
		return 0, true
	}
	return int(end.Sub(start) / time.Hour), true
}

func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("no zone")
	}
	return time.LoadLocation(name)
}
