package matching

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is matching's part of a person's data.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "matching",
		Tables: map[string]string{
			"proposals":        "kept: the organisation's record of who was proposed to whom; the practitioner is the deleted account",
			"rematch_requests": "the person's own requests for another match are deleted (their reasons); those they handled are kept, naming the deleted account",
		},
		Export: []personaldata.Query{
			{Name: "proposals_to_you", PerOrg: true, SQL: `SELECT status, explanation, reason, expires_at, answered_at, created_at
FROM proposals WHERE org_id = :org AND practitioner_id = :user ORDER BY created_at`},
			{Name: "rematch_requests", PerOrg: true, SQL: `SELECT reason, status, handled_note, created_at, handled_at
FROM rematch_requests WHERE org_id = :org AND member_id = :user ORDER BY created_at`},
		},
		Erase: []personaldata.Step{{PerOrg: true, SQL: "DELETE FROM rematch_requests WHERE org_id = :org AND member_id = :user"}},
	}
}
