package matching

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

var day = time.Date(2027, time.March, 1, 0, 0, 0, 0, time.UTC)

func id(n byte) uuid.UUID { return uuid.UUID{15: n} }

func TestRankExplainsAndOrders(t *testing.T) {
	member, manager := id(1), id(2)
	coach := func(n byte, name string, mod func(*Candidate)) Candidate {
		c := Candidate{UserID: id(n), Name: name, Kinds: []string{"coach"}, Topics: []string{"leadership"}, Languages: []string{"en"},
			TimeZone: "Europe/London", Capacity: 3, Accepting: true}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	need := Need{MemberID: member, Kind: "coach", Topics: []string{"leadership", "trust"}, Languages: []string{"en"},
		TimeZone: "Europe/London", LineManagerID: &manager}
	cases := []struct {
		name     string
		need     Need
		cands    []Candidate
		order    []string
		excluded map[string]string // name -> part of the reason
		score    map[string]int
	}{
		{
			name: "the line manager is excluded even as the best fit, and the explanation says so",
			need: need,
			cands: []Candidate{
				coach(2, "Manager", func(c *Candidate) { c.Topics = []string{"leadership", "trust"} }),
				coach(3, "Ann", nil),
			},
			order:    []string{"Ann"},
			excluded: map[string]string{"Manager": "line manager"},
			// 40 kind + 10 topic + 15 capacity + 15 language + 16 time zone
			score: map[string]int{"Ann": 96},
		},
		{
			name: "hard filters: wrong kind, full, paused, the member themselves, asked before",
			need: func() Need { n := need; n.Asked = map[uuid.UUID]string{id(7): "declined"}; return n }(),
			cands: []Candidate{
				coach(3, "Mentor only", func(c *Candidate) { c.Kinds = []string{"mentor"} }),
				coach(4, "Full", func(c *Candidate) { c.Active = 3 }),
				coach(5, "Paused", func(c *Candidate) { c.Accepting = false }),
				coach(1, "Self", nil),
				coach(7, "Declined", nil),
				coach(8, "Bea", nil),
			},
			order: []string{"Bea"},
			excluded: map[string]string{"Mentor only": "Does not offer", "Full": "no free places", "Paused": "not taking",
				"Self": "themselves", "Declined": "declined"},
		},
		{
			name: "topics, capacity, language and time zone each count",
			need: need,
			cands: []Candidate{
				coach(3, "Far", func(c *Candidate) { c.TimeZone = "Asia/Tokyo" }),
				coach(4, "Both topics", func(c *Candidate) { c.Topics = []string{"trust", "leadership"} }),
				coach(5, "French", func(c *Candidate) { c.Languages = []string{"fr"} }),
				coach(6, "Busy", func(c *Candidate) { c.Active = 2 }),
			},
			order: []string{"Both topics", "Busy", "French", "Far"},
			score: map[string]int{"Both topics": 106, "Far": 96 - 16, "Busy": 96 - 10, "French": 96 - 15},
		},
		{
			name: "ties: more free places first, then by name",
			need: need,
			cands: []Candidate{
				coach(3, "Zed", func(c *Candidate) { c.Capacity = 6; c.Active = 2 }), // 4 free, capped at 15 points
				coach(4, "Cat", nil),
				coach(5, "Abe", nil),
			},
			order: []string{"Zed", "Abe", "Cat"},
			score: map[string]int{"Zed": 96, "Abe": 96, "Cat": 96},
		},
		{
			name: "a trained mentor scores higher for mentoring",
			need: Need{MemberID: member, Kind: "mentor", Languages: []string{"en"}, TimeZone: "Europe/London"},
			cands: []Candidate{
				coach(3, "Untrained", func(c *Candidate) { c.Kinds = []string{"mentor"} }),
				coach(4, "Trained", func(c *Candidate) { c.Kinds = []string{"mentor"}; c.TrainedMentor = true }),
			},
			order: []string{"Trained", "Untrained"},
			score: map[string]int{"Trained": 40 + 10 + 15 + 15 + 16, "Untrained": 40 + 15 + 15 + 16},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			el, ex := Rank(tc.need, tc.cands, day)
			var names []string
			for _, r := range el {
				names = append(names, r.Name)
				sum := 0
				for _, reason := range r.Reasons {
					sum += reason.Points
				}
				if sum != r.Score {
					t.Errorf("%s: reasons add up to %d, score %d", r.Name, sum, r.Score)
				}
				if want, ok := tc.score[r.Name]; ok && r.Score != want {
					t.Errorf("%s scored %d, want %d (%+v)", r.Name, r.Score, want, r.Reasons)
				}
			}
			if strings.Join(names, ",") != strings.Join(tc.order, ",") {
				t.Errorf("order = %v, want %v", names, tc.order)
			}
			if len(ex) != len(tc.excluded) {
				t.Errorf("excluded %d, want %d: %+v", len(ex), len(tc.excluded), ex)
			}
			for _, r := range ex {
				if want := tc.excluded[r.Name]; want == "" || !strings.Contains(r.Excluded, want) {
					t.Errorf("%s excluded for %q, want it to mention %q", r.Name, r.Excluded, want)
				}
			}
		})
	}
}

func TestOverlapHours(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
		ok   bool
	}{
		{"Europe/London", "Europe/London", 8, true},
		{"Europe/London", "Europe/Berlin", 7, true},
		{"Europe/London", "America/New_York", 3, true},
		{"Europe/London", "Asia/Tokyo", 0, true},
		{"Europe/London", "", 0, false},
		{"Nowhere/City", "UTC", 0, false},
	} {
		got, ok := OverlapHours(tc.a, tc.b, day)
		if got != tc.want || ok != tc.ok {
			t.Errorf("OverlapHours(%s, %s) = %d, %v; want %d, %v", tc.a, tc.b, got, ok, tc.want, tc.ok)
		}
	}
}
