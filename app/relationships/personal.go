package relationships

import (
	"fmt"
	"slices"

	"github.com/leadershiptoolbox/toolbox/app/personaldata"
)

// PersonalData is the relationships' part of a person's data; keys open
// the private notes the person wrote (theirs alone to read).
func PersonalData(keys *Keyring) personaldata.Spec {
	return personaldata.Spec{
		Domain: "relationships",
		Tables: map[string]string{
			"practitioner_profiles":     "deleted",
			"relationship_participants": "kept as history for the other people, ended at the deletion; the person is the deleted account",
			"goals":                     "the person's own goals are deleted, with their milestones and updates",
			"goal_updates":              "on other people's goals, the person's comments are deleted; the progress figures stay, naming the deleted account",
			"notes":                     "private notes the person wrote are deleted (nothing of them remains to decrypt); shared notes stay for the others, naming the deleted account",
			"status_changes":            "kept: the relationship's history; who changed it is the deleted account",
			"mode_switches":             "kept: the relationship's history; who switched is the deleted account",
			"conclusion_proposals":      "kept: the relationship's history; who objected to concluding it is the deleted account",
		},
		Export: []personaldata.Query{
			{Name: "relationships", PerOrg: true, SQL: `SELECT r.kind, r.format, r.status, r.title, p.side AS your_side, p.joined_at, p.left_at, r.started_at, r.ended_at
FROM relationship_participants p JOIN relationships r ON r.org_id = p.org_id AND r.id = p.relationship_id
WHERE p.org_id = :org AND p.user_id = :user ORDER BY p.joined_at`},
			{Name: "agreements", PerOrg: true, SQL: `SELECT r.title AS relationship, a.purpose, a.cadence_days, a.session_minutes, a.end_date, a.place, a.confidentiality,
a.practitioner_accepted_at, a.member_accepted_at FROM agreements a JOIN relationships r ON r.org_id = a.org_id AND r.id = a.relationship_id
WHERE a.org_id = :org AND a.relationship_id IN (SELECT relationship_id FROM relationship_participants WHERE org_id = :org AND user_id = :user)`},
			{Name: "goals", PerOrg: true, SQL: `SELECT id, description, success_measure, target_date, progress, created_at, updated_at
FROM goals WHERE org_id = :org AND owner_id = :user ORDER BY created_at`},
			{Name: "goal_milestones", PerOrg: true, SQL: `SELECT goal_id, title, due_date, done_at, created_at FROM goal_milestones
WHERE org_id = :org AND goal_id IN (SELECT id FROM goals WHERE org_id = :org AND owner_id = :user) ORDER BY created_at`},
			{Name: "goal_updates", PerOrg: true, SQL: `SELECT u.goal_id, CASE WHEN u.author_id = :user THEN 'you' ELSE 'practitioner' END AS by_whom, u.kind, u.progress,
CASE WHEN u.author_id = :user THEN u.comment ELSE '' END AS comment, u.at FROM goal_updates u
WHERE u.org_id = :org AND (u.author_id = :user OR u.goal_id IN (SELECT id FROM goals WHERE org_id = :org AND owner_id = :user)) ORDER BY u.at`},
			{Name: "notes", PerOrg: true, Transform: openNotes(keys), SQL: `SELECT id, visibility, body, ciphertext, nonce, key_id, created_at
FROM notes WHERE org_id = :org AND author_id = :user ORDER BY created_at`},
			{Name: "status_changes", PerOrg: true, SQL: `SELECT from_status, to_status, why, private_feedback, at FROM status_changes
WHERE org_id = :org AND changed_by = :user ORDER BY at`},
			{Name: "mode_switches", PerOrg: true, SQL: "SELECT from_kind, to_kind, why, at FROM mode_switches WHERE org_id = :org AND switched_by = :user ORDER BY at"},
			{Name: "objections_to_concluding", PerOrg: true, SQL: `SELECT spell, proposed_at, conclude_at, objected_at, concluded_at
FROM conclusion_proposals WHERE org_id = :org AND objected_by = :user ORDER BY proposed_at`},
			{Name: "practitioner_profile", PerOrg: true, SQL: `SELECT kinds, topics, languages, capacity, bio, accepting, trained_mentor_at, mentor_status, mentor_approved_at, created_at, updated_at
FROM practitioner_profiles WHERE org_id = :org AND user_id = :user`},
		},
		Erase: []personaldata.Step{
			{PerOrg: true, SQL: "DELETE FROM notes WHERE org_id = :org AND author_id = :user AND visibility = 'private'"},
			{PerOrg: true, SQL: "DELETE FROM goals WHERE org_id = :org AND owner_id = :user"},
			{PerOrg: true, SQL: "UPDATE goal_updates SET comment = '' WHERE org_id = :org AND author_id = :user"},
			{PerOrg: true, SQL: "UPDATE relationship_participants SET left_at = :now WHERE org_id = :org AND user_id = :user AND left_at IS NULL"},
			{PerOrg: true, SQL: "DELETE FROM practitioner_profiles WHERE org_id = :org AND user_id = :user"},
		},
	}
}

// openNotes replaces the sealed columns of the person's notes with their
// text: (written_at, visibility, text).
func openNotes(keys *Keyring) func(t *personaldata.Table) error {
	return func(t *personaldata.Table) error {
		col := func(name string) int { return slices.Index(t.Columns, name) }
		id, vis, body, ct, nonce, key, at := col("id"), col("visibility"), col("body"), col("ciphertext"), col("nonce"), col("key_id"), col("created_at")
		if t.Columns == nil {
			t.Columns = []string{"written_at", "visibility", "text"}
			return nil
		}
		str := func(v any) string {
			if v == nil {
				return ""
			}
			return fmt.Sprint(v)
		}
		out := make([][]any, 0, len(t.Rows))
		for _, r := range t.Rows {
			text := str(r[body])
			if str(r[vis]) == Private {
				pt, err := keys.Open(str(r[id]), []byte(str(r[ct])), []byte(str(r[nonce])), str(r[key]))
				if err != nil {
					text = "(This note cannot be opened: its key is no longer configured.)"
				} else {
					text = string(pt)
				}
			}
			out = append(out, []any{r[at], r[vis], text})
		}
		t.Columns, t.Rows = []string{"written_at", "visibility", "text"}, out
		return nil
	}
}
