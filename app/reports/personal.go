package reports

import (
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/personaldata"
)

// PersonalData is the reports' part of a person's data. On PostgreSQL it
// includes the programme report's per-person counts (report_person_months,
// migration 0021), which the embedded SQLite mode does not keep.
func PersonalData(engine db.Engine) personaldata.Spec {
	spec := personaldata.Spec{
		Domain: "reports",
		Tables: map[string]string{
			"nudges":        "deleted (reminders sent to the person)",
			"mail_opt_outs": "deleted",
			"report_runs":   "kept: the organisation's reports; who asked for one is the deleted account",
		},
		Export: []personaldata.Query{
			{Name: "nudges", PerOrg: true, SQL: "SELECT key, sent_at FROM nudges WHERE org_id = :org AND user_id = :user ORDER BY sent_at"},
			{Name: "mail_opt_outs", PerOrg: true, SQL: "SELECT topic, created_at FROM mail_opt_outs WHERE org_id = :org AND user_id = :user"},
			{Name: "reports_requested", PerOrg: true, SQL: "SELECT kind, status, created_at, compiled_at FROM report_runs WHERE org_id = :org AND requested_by = :user ORDER BY created_at"},
		},
		Erase: []personaldata.Step{
			{PerOrg: true, SQL: "DELETE FROM nudges WHERE org_id = :org AND user_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM mail_opt_outs WHERE org_id = :org AND user_id = :user"},
		},
	}
	if engine == db.Postgres {
		spec.Tables["report_person_months"] = "deleted: how many sessions the person counted in each month (deleting their attendance, in the calendar's part, already takes them out of the counts through 0021's triggers; this removes what remains); report_people_months holds only anonymous totals per month, which agree with the attendance kept"
		spec.Export = append(spec.Export, personaldata.Query{Name: "sessions_counted_by_month", PerOrg: true,
			SQL: "SELECT to_char(month, 'YYYY-MM') AS month, kind, status, n AS sessions FROM report_person_months WHERE org_id = :org AND user_id = :user ORDER BY month, kind, status"})
		spec.Erase = append(spec.Erase, personaldata.Step{PerOrg: true, SQL: "DELETE FROM report_person_months WHERE org_id = :org AND user_id = :user"})
	}
	return spec
}
