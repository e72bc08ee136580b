package library

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is the library's part of a person's data.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "library",
		Tables: map[string]string{
			"library_votes":    "deleted",
			"library_articles": "kept: the organisation's articles; their author is the deleted account",
			"library_shares":   "kept: what was shared into a relationship stays for its other people; the sharer is the deleted account",
			"session_agendas":  "kept: a session's agenda stays for its other people; who attached it is the deleted account",
		},
		Export: []personaldata.Query{
			{Name: "votes", PerOrg: true, SQL: `SELECT a.title AS article, v.helpful, v.voted_at FROM library_votes v
JOIN library_articles a ON a.org_id = v.org_id AND a.id = v.article_id WHERE v.org_id = :org AND v.user_id = :user ORDER BY v.voted_at`},
			{Name: "articles_written", PerOrg: true, SQL: "SELECT title, kind, status, created_at, updated_at FROM library_articles WHERE org_id = :org AND created_by = :user ORDER BY created_at"},
			{Name: "shared_by_you", PerOrg: true, SQL: `SELECT a.title AS article, s.note, s.shared_at FROM library_shares s
JOIN library_articles a ON a.org_id = s.org_id AND a.id = s.article_id WHERE s.org_id = :org AND s.shared_by = :user ORDER BY s.shared_at`},
			{Name: "agendas_attached", PerOrg: true, SQL: "SELECT title, updated_at FROM session_agendas WHERE org_id = :org AND attached_by = :user ORDER BY updated_at"},
		},
		Erase: []personaldata.Step{{PerOrg: true, SQL: "DELETE FROM library_votes WHERE org_id = :org AND user_id = :user"}},
	}
}
