package identity

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is identity's part of a person's data (personaldata.Domain).
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "identity",
		Tables: map[string]string{
			"identity_links": "deleted: the organisation's identity provider no longer signs anyone in to the deleted account",
		},
		Export: []personaldata.Query{
			{Name: "identity_provider_links", PerOrg: true, SQL: "SELECT issuer, subject, created_at, last_sign_in_at FROM identity_links WHERE org_id = :org AND user_id = :user ORDER BY created_at"},
		},
		Erase: []personaldata.Step{
			{PerOrg: true, SQL: "DELETE FROM identity_links WHERE org_id = :org AND user_id = :user"},
		},
	}
}
