package mail

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is the e-mail log's part of a person's data.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "emails",
		Tables: map[string]string{"emails": "deleted: the messages sent to the person's address (they hold their name and their activity)"},
		// The subjects are left out: they name other people ("… invites you").
		Export: []personaldata.Query{{Name: "emails_sent_to_you",
			SQL: "SELECT created_at, template AS kind, status, sent_at FROM emails WHERE to_addr = (SELECT email FROM users WHERE id = :user) ORDER BY created_at"}},
		Erase: []personaldata.Step{{SQL: "DELETE FROM emails WHERE to_addr = (SELECT email FROM users WHERE id = :user)"}},
	}
}
