package auth

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is the account's part of a person's data (personaldata.Domain).
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "account",
		Tables: map[string]string{
			"users":            "kept as an anonymous row (\"Deleted person\", an address that receives nothing, no password), so that records kept for others point at nobody",
			"user_tokens":      "deleted (e-mailed links stop working)",
			"sessions":         "deleted (signed out everywhere)",
			"form_submissions": "deleted (the answers kept for a day so that a form posted twice acts once)",
		},
		Export: []personaldata.Query{
			{Name: "account", SQL: "SELECT email, name, time_zone, verified_at, created_at FROM users WHERE id = :user"},
			{Name: "signed_in_sessions", SQL: "SELECT expiry AS expires_at FROM sessions WHERE user_id = :user ORDER BY expiry"},
			{Name: "forms_posted", PerOrg: true, SQL: "SELECT location, created_at, expires_at FROM form_submissions WHERE org_id = :org AND user_id = :user ORDER BY created_at"},
			{Name: "e_mailed_links", SQL: "SELECT purpose, created_at, expires_at, used_at FROM user_tokens WHERE user_id = :user ORDER BY created_at"},
		},
		Erase: []personaldata.Step{
			{PerOrg: true, SQL: "DELETE FROM form_submissions WHERE org_id = :org AND user_id = :user"},
			{SQL: "DELETE FROM sessions WHERE user_id = :user"},
			{SQL: "DELETE FROM user_tokens WHERE user_id = :user"},
		},
	}
}
