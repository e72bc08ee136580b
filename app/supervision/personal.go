package supervision

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is supervision's part of a person's data. The cases a
// person brought are theirs (de-identified already); the reflections of
// others on them are the group's, and are not exported.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "supervision",
		Tables: map[string]string{
			"supervision_cases": "the cases the person brought are deleted, with the group's reflections on them",
			"case_reflections":  "the person's reflections on others' cases are deleted",
			"supervision_roles": "the roles set for the person are deleted (the rotation goes on without them)",
		},
		Export: []personaldata.Query{
			{Name: "supervision_cases", PerOrg: true, SQL: `SELECT title, context, question, tried, learning, created_at, learning_at
FROM supervision_cases WHERE org_id = :org AND presenter_id = :user ORDER BY created_at`},
			{Name: "case_reflections", PerOrg: true, SQL: `SELECT c.title AS case_title, r.body, r.created_at FROM case_reflections r
JOIN supervision_cases c ON c.org_id = r.org_id AND c.id = r.case_id WHERE r.org_id = :org AND r.author_id = :user ORDER BY r.created_at`},
			{Name: "supervision_roles", PerOrg: true, SQL: "SELECT session_id, role, set_at FROM supervision_roles WHERE org_id = :org AND user_id = :user ORDER BY set_at"},
		},
		Erase: []personaldata.Step{
			{PerOrg: true, SQL: "DELETE FROM case_reflections WHERE org_id = :org AND author_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM case_reflections WHERE org_id = :org AND case_id IN (SELECT id FROM supervision_cases WHERE org_id = :org AND presenter_id = :user)"},
			{PerOrg: true, SQL: "DELETE FROM supervision_cases WHERE org_id = :org AND presenter_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM supervision_roles WHERE org_id = :org AND user_id = :user"},
		},
	}
}
