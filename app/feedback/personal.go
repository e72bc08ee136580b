package feedback

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is feedback's part of a person's data.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "feedback",
		Tables: map[string]string{"feedback": "anonymised: the ratings stay in the programme's figures, the comments are deleted, the author is the deleted account"},
		Export: []personaldata.Query{{Name: "feedback", PerOrg: true, SQL: `SELECT rating, fit, comment, asked_at, answered_at
FROM feedback WHERE org_id = :org AND author_id = :user ORDER BY asked_at`}},
		Erase: []personaldata.Step{{PerOrg: true, SQL: "UPDATE feedback SET comment = '' WHERE org_id = :org AND author_id = :user"}},
	}
}
