package courses

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is training's part of a person's data.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "training",
		Tables: map[string]string{
			"enrolments":      "deleted",
			"lesson_progress": "deleted",
			"quiz_attempts":   "deleted",
			"certificates":    "deleted (a certificate's code no longer shows the person's name to anyone)",
			"trained_mentors": "deleted",
		},
		Export: []personaldata.Query{
			{Name: "enrolments", PerOrg: true, SQL: `SELECT c.title AS course, e.source, e.status, e.price_minor, e.currency, e.activated_at, e.started_at, e.completed_at, e.revoked_at, e.created_at
FROM enrolments e JOIN courses c ON c.org_id = e.org_id AND c.id = e.course_id WHERE e.org_id = :org AND e.user_id = :user ORDER BY e.created_at`},
			{Name: "lesson_progress", PerOrg: true, SQL: `SELECT c.title AS course, l.title AS lesson, p.completed_at, p.seconds FROM lesson_progress p
JOIN courses c ON c.org_id = p.org_id AND c.id = p.course_id JOIN course_lessons l ON l.org_id = p.org_id AND l.id = p.lesson_id
WHERE p.org_id = :org AND p.user_id = :user ORDER BY p.completed_at`},
			{Name: "quiz_attempts", PerOrg: true, SQL: `SELECT c.title AS course, q.correct, q.total, q.passed, q.answers, q.created_at FROM quiz_attempts q
JOIN courses c ON c.org_id = q.org_id AND c.id = q.course_id WHERE q.org_id = :org AND q.user_id = :user ORDER BY q.created_at`},
			{Name: "certificates", PerOrg: true, SQL: "SELECT code, holder_name, course_title, issued_at FROM certificates WHERE org_id = :org AND user_id = :user ORDER BY issued_at"},
			{Name: "trained_mentor", PerOrg: true, SQL: "SELECT qualified_at FROM trained_mentors WHERE org_id = :org AND user_id = :user"},
		},
		Erase: []personaldata.Step{
			{PerOrg: true, SQL: "DELETE FROM certificates WHERE org_id = :org AND user_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM quiz_attempts WHERE org_id = :org AND user_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM lesson_progress WHERE org_id = :org AND user_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM trained_mentors WHERE org_id = :org AND user_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM enrolments WHERE org_id = :org AND user_id = :user"},
		},
	}
}
