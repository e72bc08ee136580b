// Package dashboard is an organisation's home page for each of its people:
// what they should do next, by role. A member is asked to take the needs
// assessment, choose a practitioner, book and rate; a practitioner to answer
// proposals, lead today's sessions and mark attendance; coordinators see who
// waits to be matched and for how long, proposals about to expire and the
// relationships at risk; an organisation's admins follow its getting-started
// steps, which tick themselves from the organisation's real state.
//
// The page is built in two steps: the handler gathers Facts (a few indexed
// queries, each bounded), and newPage, a pure function, turns them into the
// typed Page the template shows.
package dashboard

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/web"
	"github.com/leadershiptoolbox/toolbox/app/words"
)

// Facts are what the dashboard knows about its viewer and organisation.
type Facts struct {
	Org  web.OrgRef
	Now  time.Time
	Zone *time.Location
	// Roles.
	IsMember, IsPractitioner, IsStaff, IsAdmin bool
	Verified                                   bool
	People, Practitioners, Members             int
	// The member's side.
	Assessment    string // the latest assessment's status; "" for none
	Requests      []Request
	SelfSelection bool
	Relationships []Relationship // active, the viewer's side in each
	Upcoming      []Session      // the viewer's next sessions, soonest first
	Asks          []Ask          // feedback asked of the viewer, newest first
	// The practitioner's side.
	Proposals []Proposal
	ToMark    []Session // past sessions they led, attendance not marked
	// Coordinators'.
	Waiting      []Waiting // open requests, longest waiting first
	WaitingCount int
	Expiring     []Expiring
	AtRisk       []Risk
	AtRiskAsOf   time.Time
	// Admins'.
	Setup Setup
}

// Request is one of the member's support requests.
type Request struct {
	ID     uuid.UUID `bun:"id" db:"id"`
	Kind   string    `bun:"kind" db:"kind"`
	Status string    `bun:"status" db:"status"`
}

// Relationship is an active relationship and the viewer's side in it.
type Relationship struct {
	ID    uuid.UUID `bun:"id" db:"id"`
	Kind  string    `bun:"kind" db:"kind"`
	Side  string    `bun:"side" db:"side"`
	Other string    `bun:"other" db:"other"` // the practitioner's name, for a member
}

// Session is a session on the dashboard.
type Session struct {
	ID             uuid.UUID `bun:"id" db:"id"`
	RelationshipID uuid.UUID `bun:"relationship_id" db:"relationship_id"`
	PractitionerID uuid.UUID `bun:"practitioner_id" db:"practitioner_id"`
	Title          string    `bun:"title" db:"title"`
	StartsAt       time.Time `bun:"starts_at" db:"starts_at"`
}

// Ask is a request for feedback the viewer has not answered.
type Ask struct {
	ID        uuid.UUID
	SessionAt time.Time // zero for a check-in
}

// Proposal is a match waiting for the practitioner's answer.
type Proposal struct {
	ID        uuid.UUID `bun:"id" db:"id"`
	Kind      string    `bun:"kind" db:"kind"`
	Member    string    `bun:"member" db:"member"`
	ExpiresAt time.Time `bun:"expires_at" db:"expires_at"`
}

// Waiting is a request waiting to be matched.
type Waiting struct {
	ID     uuid.UUID `bun:"id" db:"id"`
	Member string    `bun:"member" db:"member"`
	Kind   string    `bun:"kind" db:"kind"`
	Since  time.Time `bun:"created_at" db:"created_at"`
	// Stage is "assessment" (to signpost) or "request" (to match).
	Stage string `bun:"stage" db:"stage"`
}

// Expiring is a proposal that expires soon without an answer.
type Expiring struct {
	RequestID    uuid.UUID `bun:"request_id" db:"request_id"`
	Member       string    `bun:"member" db:"member"`
	Practitioner string    `bun:"practitioner" db:"practitioner"`
	Kind         string    `bun:"kind" db:"kind"`
	ExpiresAt    time.Time `bun:"expires_at" db:"expires_at"`
}

// Risk is a relationship the latest programme report scored low.
type Risk struct {
	RelationshipID uuid.UUID
	Name           string
	Score          int
	Reasons        []string
}

// Setup is the organisation's real state, for its getting-started steps.
type Setup struct {
	InvitedPractitioners, InvitedMembers, Assessed, Matched, Met bool
}

// Page is what pages/dashboard/index.html shows.
type Page struct {
	Org                            web.OrgRef
	IsMember, IsPractitioner       bool
	IsStaff, IsAdmin               bool
	People, Practitioners, Members int
	// Next are the viewer's own next actions, the most pressing first.
	Next []Action
	// Coordinators' lists.
	Waiting      []Line
	WaitingMore  int // how many more wait than are listed
	WaitingCount int
	Expiring     []Line
	AtRisk       []Line
	AtRiskAsOf   string
	// Steps are the getting-started steps (admins), Ready when all are done.
	Steps []Step
	Ready bool
}

// Action is one thing to do: a sentence, and a link to do it on.
type Action struct {
	// Key says what kind of action it is (assess, choose, wait, book,
	// next, rate, proposal, today, attendance).
	Key    string
	Text   string
	Detail string
	Href   string
	Label  string // the link's words; no link when Href is ""
}

// Line is a row of a coordinator's list.
type Line struct {
	Text, Detail, Href, Label string
}

// Step is a getting-started step.
type Step struct {
	Text, Href, Label string
	Done              bool
}

// shown is how many rows each list shows.
const shown = 5

// newPage builds the dashboard from what is known.
func newPage(f Facts) Page {
	zone := f.Zone
	if zone == nil {
		zone = time.UTC
	}
	base := "/o/" + f.Org.Slug
	p := Page{Org: f.Org, IsMember: f.IsMember, IsPractitioner: f.IsPractitioner, IsStaff: f.IsStaff, IsAdmin: f.IsAdmin,
		People: f.People, Practitioners: f.Practitioners, Members: f.Members}
	p.Next = append(memberActions(f, base, zone), practitionerActions(f, base, zone)...)
	if f.IsStaff {
		for i, w := range f.Waiting {
			if i == shown {
				break
			}
			l := Line{Text: w.Member + " — " + words.Say(w.Kind), Detail: "signposted, waiting " + since(f.Now, w.Since) + " for a match",
				Href: base + "/requests/" + w.ID.String(), Label: "Find a match"}
			if w.Stage == "assessment" {
				l.Detail, l.Href, l.Label = "assessed, waiting "+since(f.Now, w.Since)+" to be signposted", base+"/assessments/"+w.ID.String(), "Review and signpost"
			}
			p.Waiting = append(p.Waiting, l)
		}
		p.WaitingCount = max(f.WaitingCount, len(f.Waiting))
		p.WaitingMore = p.WaitingCount - len(p.Waiting)
		for _, e := range f.Expiring {
			p.Expiring = append(p.Expiring, Line{Text: e.Member + " — " + words.Say(e.Kind) + " with " + e.Practitioner,
				Detail: "unanswered, expires " + when(e.ExpiresAt.In(zone), f.Now.In(zone)), Href: base + "/requests/" + e.RequestID.String(), Label: "Follow up"})
		}
		for _, r := range f.AtRisk {
			detail := fmt.Sprintf("health %d/100", r.Score)
			if len(r.Reasons) > 0 {
				detail += ": " + r.Reasons[0]
			}
			p.AtRisk = append(p.AtRisk, Line{Text: r.Name, Detail: detail, Href: base + "/relationships/" + r.RelationshipID.String(), Label: "Open"})
		}
		if !f.AtRiskAsOf.IsZero() {
			p.AtRiskAsOf = f.AtRiskAsOf.In(zone).Format("2 Jan 2006")
		}
	}
	if f.IsAdmin {
		p.Steps = setupSteps(f, base)
		p.Ready = true
		for _, s := range p.Steps {
			p.Ready = p.Ready && s.Done
		}
	}
	return p
}

// memberActions are a member's next steps: the assessment until there is
// a request or a relationship, choosing a practitioner, booking where no
// session is coming, and rating sessions.
func memberActions(f Facts, base string, zone *time.Location) []Action {
	var out []Action
	var mine []Relationship
	for _, r := range f.Relationships {
		if r.Side == "member" {
			mine = append(mine, r)
		}
	}
	open := false
	for _, r := range f.Requests {
		switch r.Status {
		case "open":
			open = true
			if f.SelfSelection {
				out = append(out, Action{Key: "choose", Text: "Choose your practitioner for " + words.Say(r.Kind) + ".",
					Detail: "You were signposted to " + words.Say(r.Kind) + ".", Href: base + "/requests/" + r.ID.String() + "/choose", Label: "Choose a practitioner"})
			} else {
				out = append(out, Action{Key: "wait", Text: "A coordinator is finding the right person for your " + words.Say(r.Kind) + "."})
			}
		case "proposed":
			open = true
			out = append(out, Action{Key: "wait", Text: "A practitioner was asked to take on your " + words.Say(r.Kind) + "; you will hear when they accept."})
		}
	}
	if f.IsMember && !open && len(mine) == 0 {
		switch f.Assessment {
		case "":
			out = append(out, Action{Key: "assess", Text: "Take the needs assessment.", Detail: "A few questions show which support fits you: mentoring, coaching or supervision.",
				Href: base + "/assessment", Label: "Take the assessment"})
		case "in_progress":
			out = append(out, Action{Key: "assess", Text: "Finish the needs assessment.", Detail: "Your answers so far are kept.",
				Href: base + "/assessment", Label: "Carry on"})
		case "submitted":
			out = append(out, Action{Key: "wait", Text: "A coordinator is reading your needs assessment and will signpost you."})
		}
	}
	for _, r := range mine {
		var next *Session
		for i := range f.Upcoming {
			if f.Upcoming[i].RelationshipID == r.ID {
				next = &f.Upcoming[i]
				break
			}
		}
		with := words.Say(r.Kind)
		if r.Other != "" {
			with += " with " + r.Other
		}
		if next == nil {
			out = append(out, Action{Key: "book", Text: "Book your next session: " + with + ".", Detail: "Nothing is booked yet.",
				Href: base + "/calendar/book/" + r.ID.String(), Label: "Book a session"})
		} else {
			out = append(out, Action{Key: "next", Text: "Next session: " + with + ", " + when(next.StartsAt.In(zone), f.Now.In(zone)) + ".",
				Href: base + "/relationships/" + r.ID.String(), Label: "Open the relationship"})
		}
	}
	for _, a := range f.Asks {
		text := "How did your check-in go?"
		if !a.SessionAt.IsZero() {
			text = "Rate your session of " + a.SessionAt.In(zone).Format("Mon 2 Jan") + "."
		}
		out = append(out, Action{Key: "rate", Text: text, Detail: "Two questions; your practitioner sees averages only.", Href: base + "/feedback/" + a.ID.String(), Label: "Rate it"})
	}
	return out
}

// practitionerActions are proposals to answer, today's sessions they lead
// or attend, and the attendance they have to mark.
func practitionerActions(f Facts, base string, zone *time.Location) []Action {
	var out []Action
	for _, p := range f.Proposals {
		out = append(out, Action{Key: "proposal", Text: "Answer a proposal: " + words.Say(p.Kind) + " with " + p.Member + ".",
			Detail: "It expires " + when(p.ExpiresAt.In(zone), f.Now.In(zone)) + ".", Href: base + "/proposals/" + p.ID.String(), Label: "Answer"})
	}
	if f.IsPractitioner {
		y, m, d := f.Now.In(zone).Date()
		for _, s := range f.Upcoming {
			sy, sm, sd := s.StartsAt.In(zone).Date()
			if sy != y || sm != m || sd != d {
				continue
			}
			out = append(out, Action{Key: "today", Text: "Today at " + s.StartsAt.In(zone).Format("15:04") + ": " + s.Title + ".",
				Href: base + "/calendar/sessions/" + s.ID.String(), Label: "Open the session"})
		}
	}
	for _, s := range f.ToMark {
		out = append(out, Action{Key: "attendance", Text: "Mark the attendance of " + s.Title + ", " + s.StartsAt.In(zone).Format("Mon 2 Jan 15:04") + ".",
			Href: base + "/calendar/sessions/" + s.ID.String(), Label: "Mark attendance"})
	}
	return out
}

// setupSteps are the getting-started steps, ticked from the organisation's
// state, not from what the admin clicked.
func setupSteps(f Facts, base string) []Step {
	s := f.Setup
	return []Step{
		{Text: "Confirm your e-mail address.", Done: f.Verified},
		{Text: "Invite your coaches, mentors and supervisors.", Href: base + "/invitations", Label: "Invite practitioners", Done: s.InvitedPractitioners || f.Practitioners > 0},
		{Text: "Invite your members.", Href: base + "/invitations", Label: "Invite members", Done: s.InvitedMembers || f.Members > 0},
		{Text: "A member takes the needs assessment.", Href: base + "/pipeline", Label: "See the pipeline", Done: s.Assessed},
		{Text: "Make the first match.", Href: base + "/pipeline", Label: "Match someone", Done: s.Matched},
		{Text: "The first session takes place.", Href: base + "/calendar", Label: "Open the calendar", Done: s.Met},
	}
}

// since says how long ago t was, in days (hours on the first day).
func since(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Hour:
		return "under an hour"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/(24*time.Hour)), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// when names a time near now: "today at 14:00", "tomorrow at 09:30",
// else its date and time.
func when(t, now time.Time) string {
	sameDay := func(a, b time.Time) bool {
		ay, am, ad := a.Date()
		by, bm, bd := b.Date()
		return ay == by && am == bm && ad == bd
	}
	switch {
	case sameDay(t, now):
		return "today at " + t.Format("15:04")
	case sameDay(t, now.AddDate(0, 0, 1)):
		return "tomorrow at " + t.Format("15:04")
	}
	return t.Format("Mon 2 Jan") + " at " + t.Format("15:04")
}
