package hours

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is the hours logs' part of a person's data. The logs built
// from sessions are not stored (the sessions are the calendar's); what is
// stored is the person's own: entries, settings, supervision records, and
// a client's consents.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "hours",
		Tables: map[string]string{
			"hours_entries":       "deleted: the person's own log",
			"hours_clients":       "deleted: the practitioner's settings for their clients (a deleted client's go with their relationship's participants)",
			"hours_consents":      "deleted: the client's consent, so their practitioners' logs no longer name them",
			"hours_settings":      "deleted",
			"supervision_records": "the person's own supervision records are deleted; records naming them as supervisor stay in their supervisees' logs with the supervisor's name kept as text",
		},
		Export: []personaldata.Query{
			{Name: "hours_entries", PerOrg: true, SQL: `SELECT log, client, contact, format, group_size, paid, first_on, last_on, minutes, created_at
FROM hours_entries WHERE org_id = :org AND user_id = :user ORDER BY first_on`},
			{Name: "hours_clients", PerOrg: true, SQL: `SELECT relationship_id, paid, pseudonym, updated_at FROM hours_clients
WHERE org_id = :org AND practitioner_id = :user ORDER BY updated_at`},
			{Name: "hours_consents", PerOrg: true, SQL: `SELECT relationship_id, named, contact, updated_at FROM hours_consents
WHERE org_id = :org AND member_id = :user ORDER BY updated_at`},
			{Name: "hours_settings", PerOrg: true, SQL: `SELECT standard, ratio_hours, quarter_minutes, updated_at FROM hours_settings
WHERE org_id = :org AND user_id = :user`},
			{Name: "supervision_received", PerOrg: true, SQL: `SELECT supervisor_name, format, minutes, held_at, themes, link, signed_off_at, created_at
FROM supervision_records WHERE org_id = :org AND supervisee_id = :user ORDER BY held_at`},
			{Name: "supervision_given", PerOrg: true, SQL: `SELECT format, minutes, held_at, signed_off_at FROM supervision_records
WHERE org_id = :org AND supervisor_id = :user ORDER BY held_at`},
		},
		Erase: []personaldata.Step{
			{PerOrg: true, SQL: "DELETE FROM hours_entries WHERE org_id = :org AND user_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM hours_clients WHERE org_id = :org AND practitioner_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM hours_consents WHERE org_id = :org AND member_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM hours_settings WHERE org_id = :org AND user_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM supervision_records WHERE org_id = :org AND supervisee_id = :user"},
		},
	}
}
