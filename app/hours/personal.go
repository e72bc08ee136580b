package hours

import (
	"fmt"
	"slices"

	"github.com/leadershiptoolbox/toolbox/app/personaldata"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
)

// PersonalData is the hours logs' part of a person's data. The logs built
// from sessions are not stored (the sessions are the calendar's); what is
// stored is the person's own: entries, settings, supervision records, and
// a client's consents. keys open the themes of the person's supervision.
func PersonalData(keys *relationships.Keyring) personaldata.Spec {
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
			{Name: "supervision_received", PerOrg: true, Transform: openThemes(keys), SQL: `SELECT id, supervisor_name, format, minutes, held_at, themes_ciphertext, themes_nonce, key_id, link, signed_off_at, created_at
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

// openThemes replaces the sealed columns of the person's supervision
// records with their themes.
func openThemes(keys *relationships.Keyring) func(t *personaldata.Table) error {
	return func(t *personaldata.Table) error {
		cols := []string{"supervisor_name", "format", "minutes", "held_at", "themes", "link", "signed_off_at", "created_at"}
		if t.Columns == nil {
			t.Columns = cols
			return nil
		}
		col := func(name string) int { return slices.Index(t.Columns, name) }
		str := func(v any) string {
			if v == nil {
				return ""
			}
			if b, ok := v.([]byte); ok {
				return string(b)
			}
			return fmt.Sprint(v)
		}
		out := make([][]any, 0, len(t.Rows))
		for _, r := range t.Rows {
			themes := ""
			if ct := str(r[col("themes_ciphertext")]); ct != "" {
				pt, err := keys.Open(str(r[col("id")]), []byte(ct), []byte(str(r[col("themes_nonce")])), str(r[col("key_id")]))
				if err != nil {
					themes = "(These themes cannot be opened: their key is no longer configured.)"
				} else {
					themes = string(pt)
				}
			}
			row := make([]any, 0, len(cols))
			for _, c := range cols {
				if c == "themes" {
					row = append(row, themes)
					continue
				}
				row = append(row, r[col(c)])
			}
			out = append(out, row)
		}
		t.Columns, t.Rows = cols, out
		return nil
	}
}
