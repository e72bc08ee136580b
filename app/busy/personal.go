package busy

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is the busy times' part of a person's data: the calendars
// they connected (never the sealed address or password) and the busy
// intervals read from them.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "busy",
		Tables: map[string]string{
			"external_calendars": "deleted: the connection, with its encrypted address and password",
			"busy_intervals":     "deleted",
		},
		Export: []personaldata.Query{
			{Name: "connected_calendars", PerOrg: true, SQL: `SELECT kind, label, created_at, refreshed_at, error_kind, busy_count
FROM external_calendars WHERE org_id = :org AND practitioner_id = :user ORDER BY created_at`},
			{Name: "busy_times", PerOrg: true, SQL: "SELECT starts_at, ends_at FROM busy_intervals WHERE org_id = :org AND practitioner_id = :user ORDER BY starts_at"},
		},
		Erase: []personaldata.Step{
			{PerOrg: true, SQL: "DELETE FROM busy_intervals WHERE org_id = :org AND practitioner_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM external_calendars WHERE org_id = :org AND practitioner_id = :user"},
		},
	}
}
