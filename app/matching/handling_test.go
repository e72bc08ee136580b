package matching_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/matching"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestCoordinatorWithdrawsAProposal: the proposal is withdrawn, the
// request waits for the coordinator again, the expiry does nothing, and
// the practitioner's link says it was withdrawn.
func TestCoordinatorWithdrawsAProposal(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		base := "/o/" + org.Slug
		first := coach(env, org, 3, "leadership")
		coach(env, org, 3, "")
		r := request(env, org, env.NewPerson(org, tenancy.RoleMember), "leadership")
		cb := env.SignIn(env.NewPerson(org, tenancy.RoleCoordinator).User)
		if p := cb.Post(base+"/requests/"+r.ID.String()+"/proposals", map[string]string{"practitioner_id": first.ID.String()}); p.Status != http.StatusOK {
			t.Fatalf("propose = %d", p.Status)
		}
		p := proposalsOf(env, org, r)[0]
		path := base + "/proposals/" + p.ID.String()
		if pg := cb.Post(path+"/withdraw", map[string]string{"reason": strings.Repeat("x", 2001)}); pg.Status != http.StatusUnprocessableEntity {
			t.Fatalf("long reason = %d", pg.Status)
		}
		if pg := cb.Post(path+"/withdraw", map[string]string{"reason": "The member asked to wait"}); pg.Status != http.StatusOK || !strings.Contains(pg.Body, "Proposal withdrawn") {
			t.Fatalf("withdraw = %d", pg.Status)
		}
		if ps := proposalsOf(env, org, r); len(ps) != 1 || ps[0].Status != matching.ProposalWithdrawn {
			t.Fatalf("proposals = %+v", ps)
		}
		if req, _ := env.Services.Assessment.Request(env.Ctx(), org.ID, r.ID); req.Status != assessment.RequestOpen {
			t.Fatalf("request status = %s, want open", req.Status)
		}
		// The expiry comes and goes: nothing happens.
		env.Clock.Advance(6 * 24 * time.Hour)
		env.RunDueTasks()
		if err := env.Services.Matching.HandleProposalExpiry(env.Ctx(), expiryTask(org.ID, p.ID)); err != nil {
			t.Fatal(err)
		}
		if ps := proposalsOf(env, org, r); len(ps) != 1 || ps[0].Status != matching.ProposalWithdrawn {
			t.Fatalf("after expiry: %+v", ps)
		}
		// The practitioner's link answers clearly.
		fb := env.SignIn(first.User)
		if pg := fb.Get(path); pg.Status != http.StatusOK || !strings.Contains(pg.Body, "withdrew this proposal") || strings.Contains(pg.Body, ">Accept<") {
			t.Fatalf("proposal page = %d", pg.Status)
		}
		if pg := fb.Post(path+"/accept", nil); pg.Status != http.StatusConflict || !strings.Contains(pg.Body, "withdrew this proposal") {
			t.Fatalf("accept a withdrawn proposal = %d", pg.Status)
		}
		if n := env.Count("relationships", "org_id = ?", org.ID); n != 0 {
			t.Fatalf("%d relationships after a withdrawn proposal", n)
		}
		if pg := cb.Post(path+"/withdraw", nil); pg.Status != http.StatusConflict {
			t.Fatalf("withdraw twice = %d", pg.Status)
		}
		if pg := cb.Post(base+"/proposals/"+uuid.Must(uuid.NewV7()).String()+"/withdraw", nil); pg.Status != http.StatusNotFound {
			t.Fatalf("unknown proposal = %d", pg.Status)
		}
	})
}

// TestCoordinatorHandlesRematchRequests: the member's private reason is
// on the pipeline only; a new request leaves out the current
// practitioner; another request is closed with a note.
func TestCoordinatorHandlesRematchRequests(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		base := "/o/" + org.Slug
		current := coach(env, org, 3, "leadership")
		other := coach(env, org, 3, "")
		member := env.NewPerson(org, tenancy.RoleMember)
		svc := env.Services.Matching
		r := request(env, org, member, "leadership")
		p, err := svc.Propose(env.Ctx(), org.ID, r.ID, current.ID, org.Owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := svc.Accept(env.Ctx(), org.ID, p.ID, current.ID)
		if err != nil {
			t.Fatal(err)
		}
		relPath := base + "/relationships/" + rel.ID.String()
		mb := env.SignIn(member.User)
		const secret = "We do not get on, please do not tell"
		if pg := mb.Post(relPath+"/rematch", map[string]string{"reason": secret}); pg.Status != http.StatusOK {
			t.Fatalf("rematch = %d", pg.Status)
		}
		cb := env.SignIn(env.NewPerson(org, tenancy.RoleCoordinator).User)
		if pg := cb.Get(base + "/pipeline"); !strings.Contains(pg.Body, secret) {
			t.Fatal("the coordinator does not see the rematch reason")
		}
		if pg := env.SignIn(current.User).Get(relPath); pg.Status != http.StatusOK || strings.Contains(pg.Body, secret) {
			t.Fatal("the practitioner saw the member's private reason")
		}
		rematches, _ := svc.Rematches(env.Ctx(), org.ID)
		if len(rematches) != 1 {
			t.Fatalf("%d open rematches", len(rematches))
		}
		rm := rematches[0]
		// Closing needs a note.
		if pg := cb.Post(base+"/rematches/"+rm.ID.String()+"/close", map[string]string{"note": " "}); pg.Status != http.StatusUnprocessableEntity || !strings.Contains(pg.Body, "Write a note") {
			t.Fatalf("close without a note = %d", pg.Status)
		}
		pg := cb.Post(base+"/rematches/"+rm.ID.String()+"/request", map[string]string{"note": "Talked it over"})
		if pg.Status != http.StatusOK || !strings.Contains(pg.URL, "/requests/") || !strings.Contains(pg.Body, "current practitioner") {
			t.Fatalf("new request = %d at %s", pg.Status, pg.URL)
		}
		got, _ := svc.Rematch(env.Ctx(), org.ID, rm.ID)
		if got.Status != matching.RematchHandled || got.RequestID == nil || got.HandledNote != "Talked it over" || got.HandledAt == nil {
			t.Fatalf("rematch = %+v", got)
		}
		rk, err := svc.Candidates(env.Ctx(), org.ID, *got.RequestID)
		if err != nil || len(rk.Eligible) != 1 || rk.Eligible[0].UserID != other.ID || rk.Request.Topics != "leadership" || rk.Request.MemberID != member.ID {
			t.Fatalf("candidates = %+v, %v", rk, err)
		}
		if _, err := svc.Propose(env.Ctx(), org.ID, *got.RequestID, current.ID, org.Owner.ID); err == nil {
			t.Fatal("the current practitioner was proposed again")
		}
		if pg := cb.Post(base+"/rematches/"+rm.ID.String()+"/close", map[string]string{"note": "again"}); pg.Status != http.StatusConflict {
			t.Fatalf("handled twice = %d", pg.Status)
		}
		if pg := cb.Get(base + "/pipeline"); strings.Contains(pg.Body, secret) {
			t.Fatal("a handled rematch request is still listed")
		}
		// A second request is closed with a note.
		mb.Post(relPath+"/rematch", nil)
		rematches, _ = svc.Rematches(env.Ctx(), org.ID)
		if pg := cb.Post(base+"/rematches/"+rematches[0].ID.String()+"/close", map[string]string{"note": "Settled in a conversation"}); pg.Status != http.StatusOK {
			t.Fatalf("close = %d", pg.Status)
		}
		if n := env.Count("rematch_requests", "org_id = ? AND status = 'handled' AND handled_note = 'Settled in a conversation'", org.ID); n != 1 {
			t.Fatalf("%d closed with the note", n)
		}
		// Members and practitioners may not handle rematch requests.
		mb.Post(relPath+"/rematch", nil)
		rematches, _ = svc.Rematches(env.Ctx(), org.ID)
		if pg := mb.Post(base+"/rematches/"+rematches[0].ID.String()+"/close", map[string]string{"note": "x"}); pg.Status != http.StatusForbidden {
			t.Fatalf("member closes = %d", pg.Status)
		}
	})
}

// TestMatchingUsesTheMembersOwnTimeZone: a member in Tokyo is matched
// first with the coach who shares their working day; without a zone of
// their own, the organisation's counts.
func TestMatchingUsesTheMembersOwnTimeZone(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		london := coach(env, org, 3, "")
		tokyo := coach(env, org, 3, "")
		if _, err := env.DB.NewUpdate().Model((*auth.User)(nil)).Set("time_zone = ?", "Asia/Tokyo").Where("id = ?", tokyo.ID).Exec(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		inTokyo, atHome := env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember)
		if _, err := env.DB.NewUpdate().Model((*auth.User)(nil)).Set("time_zone = ?", "Asia/Tokyo").Where("id = ?", inTokyo.ID).Exec(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		for member, want := range map[*testkit.Person]*testkit.Person{inTokyo: tokyo, atHome: london} {
			rk, err := env.Services.Matching.Candidates(env.Ctx(), org.ID, request(env, org, member).ID)
			if err != nil || len(rk.Eligible) != 2 || rk.Eligible[0].UserID != want.ID {
				t.Fatalf("ranking for %s = %+v, %v", member.Name, rk, err)
			}
			zone := "Europe/London"
			if member == inTokyo {
				zone = "Asia/Tokyo"
			}
			found := false
			for _, reason := range rk.Eligible[0].Reasons {
				found = found || strings.Contains(reason.Label, "8 hours of working day in common ("+zone+" and "+zone+")")
			}
			if !found {
				t.Fatalf("reasons for %s = %+v", member.Name, rk.Eligible[0].Reasons)
			}
		}
	})
}

func TestRankLeavesOutPractitionersToAvoid(t *testing.T) {
	a, b := uuid.UUID{15: 1}, uuid.UUID{15: 2}
	need := matching.Need{Kind: "coach", Avoid: map[uuid.UUID]string{a: "Is the member's current practitioner."}}
	cands := []matching.Candidate{
		{UserID: a, Name: "A", Kinds: []string{"coach"}, Capacity: 3, Accepting: true},
		{UserID: b, Name: "B", Kinds: []string{"coach"}, Capacity: 3, Accepting: true},
	}
	el, ex := matching.Rank(need, cands, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	if len(el) != 1 || el[0].UserID != b || len(ex) != 1 || ex[0].Excluded != "Is the member's current practitioner." {
		t.Fatalf("eligible %+v, excluded %+v", el, ex)
	}
}
