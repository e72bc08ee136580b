package matching_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/matching"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// coach builds a practitioner with a coaching profile.
func coach(env *testkit.Env, org *testkit.Org, capacity int, topics string) *testkit.Person {
	env.T.Helper()
	p := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	prof := relationships.NewProfile(org.ID, p.ID, []string{"coach"})
	prof.Capacity, prof.Topics = capacity, topics
	if err := env.Services.Relationships.SaveProfile(env.Ctx(), org.ID, env.Clock.Now(), prof); err != nil {
		env.T.Fatal(err)
	}
	return p
}

func request(env *testkit.Env, org *testkit.Org, member *testkit.Person, topics ...string) *assessment.Request {
	env.T.Helper()
	r, err := env.Services.Assessment.RecordFaceToFace(env.Ctx(), org.ID, member.ID, org.Owner.ID, env.Clock.Now(),
		assessment.Decision{Kind: "coaching", Format: "one_to_one", Duration: "ongoing", Topics: topics, Reason: "Agreed in person"})
	if err != nil {
		env.T.Fatal(err)
	}
	return r
}

func proposalsOf(env *testkit.Env, org *testkit.Org, r *assessment.Request) []matching.Proposal {
	env.T.Helper()
	ps, err := env.Services.Matching.ProposalsOf(env.Ctx(), org.ID, r.ID)
	if err != nil {
		env.T.Fatal(err)
	}
	return ps
}

func TestExpiredAndDeclinedProposalsMoveToTheNextCandidate(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		best := coach(env, org, 3, "leadership,trust")
		second := coach(env, org, 3, "leadership")
		third := coach(env, org, 3, "")
		member := env.NewPerson(org, tenancy.RoleMember)
		r := request(env, org, member, "leadership", "trust")
		svc := env.Services.Matching

		rk, err := svc.Candidates(env.Ctx(), org.ID, r.ID)
		if err != nil || len(rk.Eligible) != 3 || rk.Eligible[0].UserID != best.ID || rk.Eligible[1].UserID != second.ID {
			t.Fatalf("ranking = %+v, %v", rk, err)
		}
		if _, err := svc.Propose(env.Ctx(), org.ID, r.ID, best.ID, org.Owner.ID); err != nil {
			t.Fatal(err)
		}
		if n := len(env.Emails(best.Email)); n != 1 {
			t.Fatalf("%d e-mails to the proposed coach, want 1", n)
		}
		// Not yet due: nothing happens.
		env.Clock.Advance(4 * 24 * time.Hour)
		env.RunDueTasks()
		if ps := proposalsOf(env, org, r); len(ps) != 1 || ps[0].Status != matching.ProposalPending {
			t.Fatalf("before expiry: %+v", ps)
		}
		// Five days (the default) pass without an answer: it expires and the
		// second-best coach is asked.
		env.Clock.Advance(24*time.Hour + time.Minute)
		env.RunDueTasks()
		ps := proposalsOf(env, org, r)
		if len(ps) != 2 || ps[0].Status != matching.ProposalExpired || ps[1].PractitionerID != second.ID || ps[1].Status != matching.ProposalPending || ps[1].Rank != 2 {
			t.Fatalf("after expiry: %+v", ps)
		}
		if n := len(env.Emails(second.Email)); n != 1 {
			t.Fatalf("%d e-mails to the next coach, want 1", n)
		}
		// A repeated expiry task changes nothing (idempotent).
		if err := svc.HandleProposalExpiry(env.Ctx(), expiryTask(org.ID, ps[0].ID)); err != nil {
			t.Fatal(err)
		}
		if got := proposalsOf(env, org, r); len(got) != 2 {
			t.Fatalf("a repeated task made %d proposals", len(got))
		}
		// The second declines: the third is asked at once.
		if err := svc.Decline(env.Ctx(), org.ID, ps[1].ID, second.ID, "No room this term"); err != nil {
			t.Fatal(err)
		}
		ps = proposalsOf(env, org, r)
		if len(ps) != 3 || ps[1].Status != matching.ProposalDeclined || ps[2].PractitionerID != third.ID {
			t.Fatalf("after decline: %+v", ps)
		}
		// The third's expiry task for the declined one is harmless, and
		// when the third expires too, no one is left: back to the coordinator.
		env.Clock.Advance(6 * 24 * time.Hour)
		env.RunDueTasks()
		ps = proposalsOf(env, org, r)
		got, _ := env.Services.Assessment.Request(env.Ctx(), org.ID, r.ID)
		if len(ps) != 3 || ps[2].Status != matching.ProposalExpired || got.Status != assessment.RequestOpen {
			t.Fatalf("when nobody is left: %+v, request %s", ps, got.Status)
		}
		// Accepting an expired proposal is refused.
		if _, err := svc.Accept(env.Ctx(), org.ID, ps[2].ID, third.ID); !errors.Is(err, matching.ErrAnswered) {
			t.Fatalf("accept after expiry = %v", err)
		}
	})
}

func TestCapacityIsNeverExceededUnderConcurrentAccepts(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		c := coach(env, org, 1, "")
		svc := env.Services.Matching
		var proposals []uuid.UUID
		// Ten requests proposed to the coach while they still had room.
		for range 10 {
			r := request(env, org, env.NewPerson(org, tenancy.RoleMember))
			p, err := svc.Propose(env.Ctx(), org.ID, r.ID, c.ID, org.Owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			proposals = append(proposals, p.ID)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(proposals))
		start := make(chan struct{})
		for i, id := range proposals {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = svc.Accept(context.Background(), org.ID, id, c.ID)
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, matching.ErrFull):
				t.Errorf("unexpected error: %v", err)
			}
		}
		rels := env.Count("relationship_participants", "org_id = ? AND user_id = ? AND side = 'practitioner'", org.ID, c.ID)
		if ok != 1 || rels != 1 {
			t.Fatalf("%d accepts went through, %d relationships; want exactly 1", ok, rels)
		}
	})
}

func TestLineManagerIsNeverProposed(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		manager := coach(env, org, 3, "leadership")
		member := env.NewPerson(org, tenancy.RoleMember)
		if _, err := env.OwnerDB.NewUpdate().Model((*tenancy.Membership)(nil)).Set("line_manager_id = ?", manager.ID).
			Where("org_id = ? AND user_id = ?", org.ID, member.ID).Exec(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		r := request(env, org, member, "leadership")
		rk, err := env.Services.Matching.Candidates(env.Ctx(), org.ID, r.ID)
		if err != nil || len(rk.Eligible) != 0 || len(rk.Excluded) != 1 || !strings.Contains(rk.Excluded[0].Excluded, "line manager") {
			t.Fatalf("ranking = %+v, %v", rk, err)
		}
		if _, err := env.Services.Matching.Propose(env.Ctx(), org.ID, r.ID, manager.ID, org.Owner.ID); !errors.Is(err, matching.ErrNotCandidate) {
			t.Fatalf("proposing the line manager = %v", err)
		}
		// The coordinator's page says why.
		b := env.SignIn(org.Owner.User)
		p := b.Get("/o/" + org.Slug + "/requests/" + r.ID.String())
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "line manager") {
			t.Fatalf("request page = %d, mentions line manager: %v", p.Status, strings.Contains(p.Body, "line manager"))
		}
	})
}

func TestProposingRejectsBadInputAndChangesNothing(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, other := env.NewOrg(), env.NewOrg()
		coach(env, org, 3, "")
		foreign := coach(env, other, 3, "")
		member := env.NewPerson(org, tenancy.RoleMember)
		r := request(env, org, member)
		b := env.SignIn(org.Owner.User)
		path := "/o/" + org.Slug + "/requests/" + r.ID.String() + "/proposals"
		for name, value := range map[string]string{
			"empty":                           "",
			"not an id":                       "robert'); DROP TABLE proposals;--",
			"unknown id":                      uuid.Must(uuid.NewV7()).String(),
			"another organisation's coach":    foreign.ID.String(),
			"the member (not a practitioner)": member.ID.String(),
		} {
			p := b.Post(path, map[string]string{"practitioner_id": value})
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose one of") {
				t.Errorf("%s: status %d", name, p.Status)
			}
		}
		if n := env.Count("proposals", "org_id = ?", org.ID); n != 0 {
			t.Fatalf("%d proposals recorded from bad input", n)
		}
		if p := b.Post("/o/"+org.Slug+"/requests/"+uuid.Must(uuid.NewV7()).String()+"/proposals", map[string]string{"practitioner_id": foreign.ID.String()}); p.Status != http.StatusNotFound {
			t.Errorf("unknown request = %d", p.Status)
		}
	})
}
