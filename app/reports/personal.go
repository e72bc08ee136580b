package reports

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is the reports' part of a person's data.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
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
}
