package app_test

import (
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/ops"
	"github.com/leadershiptoolbox/toolbox/app/personaldata"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestOperatorsPersonalData: an operator's export holds their platform
// role, their platform audit lines and their support accesses, also those
// to organisations they are not a member of; deleting their account takes
// the role away and replaces their name and address in the platform audit
// log and the support accesses, which stay.
func TestOperatorsPersonalData(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		ctx := env.Ctx()
		org := env.NewOrg()
		op := env.NewUser()
		o := env.Services.Ops
		if _, err := o.GrantByEmail(ctx, op.Email, "command line (test)"); err != nil {
			t.Fatal(err)
		}
		actor := ops.Actor{UserID: op.ID, Email: op.Email, IP: "192.0.2.7"}
		if _, err := o.StartSupport(ctx, actor, org.ID, "a ticket about invoices", 2); err != nil {
			t.Fatal(err)
		}
		ex, err := env.Services.Account.Export(ctx, op.ID)
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]int{}
		var accessReason any
		for _, p := range ex.Parts {
			if p.Domain != "operators" {
				continue
			}
			for _, tb := range p.Tables {
				rows[tb.Name] = len(tb.Rows)
				if tb.Name == "support_access" && len(tb.Rows) > 0 {
					accessReason = tb.Rows[0][indexOf(tb, "reason")]
				}
			}
		}
		if rows["platform_role"] != 1 || rows["platform_audit"] < 2 || rows["support_access"] != 1 {
			t.Fatalf("operators' export rows = %v; want the role, the grant and the support access's lines, and the access", rows)
		}
		if accessReason != "a ticket about invoices" {
			t.Errorf("exported support access reason = %v", accessReason)
		}

		if err := env.Services.Account.Delete(ctx, op.ID, testkit.Password); err != nil {
			t.Fatal(err)
		}
		if n := env.Count("operators", "user_id = ?", op.ID); n != 0 {
			t.Errorf("%d operator rows left after the account's deletion", n)
		}
		if n := env.Count("platform_audit", "actor = ? OR target = ?", op.Email, op.Email); n != 0 {
			t.Errorf("%d platform audit lines still name the deleted operator", n)
		}
		if n := env.Count("platform_audit", "actor_id = ? AND actor = ?", op.ID, auth.DeletedName); n == 0 {
			t.Error("the platform audit lines of the deleted operator are gone; want them kept, anonymised")
		}
		if n := env.Count("support_access", "operator_id = ? AND operator = ?", op.ID, auth.DeletedName); n != 1 {
			t.Errorf("%d anonymised support accesses of the deleted operator; want the one kept", n)
		}
		if n := env.Count("support_access", "operator LIKE ?", "%"+op.Email+"%"); n != 0 {
			t.Errorf("%d support accesses still name the deleted operator", n)
		}
	})
}

func indexOf(t personaldata.Table, col string) int {
	for i, c := range t.Columns {
		if strings.EqualFold(c, col) {
			return i
		}
	}
	return -1
}
