package ops

import (
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/personaldata"
)

// PersonalData is the operator side's part of a person's data: the
// platform role, what they did as an operator and their support accesses
// to organisations (personaldata.Domain).
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "operators",
		Tables: map[string]string{
			"operators":      "deleted: the person no longer holds the platform role (granted_by names the command line's system account, not a person)",
			"platform_audit": "kept: the platform's record of what its operators did; the person's address in it is replaced and who acted is the deleted account",
			"support_access": "kept: the organisations' record of who read inside them and why, which their owners read; the operator's name in it is replaced and the operator is the deleted account",
		},
		Export: []personaldata.Query{
			{Name: "platform_role", SQL: "SELECT granted_at FROM operators WHERE user_id = :user"},
			// The person's own actions as an operator, and the grants and
			// revocations of their role (named by their address).
			{Name: "platform_audit", SQL: `SELECT action, CASE WHEN actor_id = :user THEN 'you' ELSE 'the platform' END AS by_whom,
CASE WHEN target = (SELECT email FROM users WHERE id = :user) THEN 'you' ELSE target END AS target,
CASE WHEN actor_id = :user THEN detail ELSE '' END AS detail, CASE WHEN actor_id = :user THEN ip ELSE '' END AS ip, at
FROM platform_audit WHERE actor_id = :user OR target = (SELECT email FROM users WHERE id = :user) ORDER BY at, id`},
			// Support accesses are in organisations the person is usually not
			// a member of: migration 0029 lets a person read (and anonymise)
			// their own rows with no tenant set.
			{Name: "support_access", SQL: `SELECT org_id, reason, starts_at, until, ended_at FROM support_access
WHERE operator_id = :user ORDER BY starts_at`},
		},
		Erase: []personaldata.Step{
			{SQL: "DELETE FROM operators WHERE user_id = :user"},
			{SQL: "UPDATE platform_audit SET actor = '" + auth.DeletedName + "' WHERE actor_id = :user"},
			{SQL: "UPDATE support_access SET operator = '" + auth.DeletedName + "' WHERE operator_id = :user"},
			{SQL: "UPDATE platform_audit SET target = 'deleted-' || :user || '@invalid' WHERE target = (SELECT email FROM users WHERE id = :user)"},
		},
	}
}
