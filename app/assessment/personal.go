package assessment

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is the needs assessment's part of a person's data.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "assessment",
		Tables: map[string]string{
			"assessments":      "the person's own assessments are deleted (their answers); those they recorded or decided for others are kept, naming the deleted account",
			"support_requests": "the person's own requests are deleted (with the proposals made for them); decisions they made for others are kept, naming the deleted account",
			"questionnaires":   "kept: the organisation's questionnaire; its author is the deleted account",
		},
		Export: []personaldata.Query{
			{Name: "assessments", PerOrg: true, SQL: `SELECT status, answers, rec_kind AS recommended_kind, rec_format AS recommended_format,
rec_duration AS recommended_duration, topics, explanation, face_to_face, decision_reason, submitted_at, decided_at, created_at
FROM assessments WHERE org_id = :org AND member_id = :user ORDER BY created_at`},
			{Name: "support_requests", PerOrg: true, SQL: `SELECT kind, format, duration, topics, languages, status, reason, created_at
FROM support_requests WHERE org_id = :org AND member_id = :user ORDER BY created_at`},
			{Name: "questionnaires_written", PerOrg: true, SQL: "SELECT version, created_at FROM questionnaires WHERE org_id = :org AND created_by = :user ORDER BY created_at"},
		},
		Erase: []personaldata.Step{
			{PerOrg: true, SQL: "DELETE FROM support_requests WHERE org_id = :org AND member_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM assessments WHERE org_id = :org AND member_id = :user"},
		},
	}
}
