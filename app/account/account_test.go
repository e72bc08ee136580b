package account_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestExportContainsOwnDataOnly(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, other := env.NewOrg(), env.NewOrg()
		person := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		env.AddMember(other, person.User, tenancy.RoleMember)
		b := env.SignIn(person.User)
		p := b.Get("/account/export")
		if p.Status != http.StatusOK || !strings.Contains(p.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export = %d", p.Status)
		}
		var out struct {
			Data struct {
				Account       map[string]any `json:"account"`
				Organisations []struct {
					Slug    string `json:"slug"`
					Role    string `json:"role"`
					Actions []struct {
						Action string `json:"Action"`
					} `json:"actions_in_audit_log"`
				} `json:"organisations"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(p.Body), &out); err != nil {
			t.Fatalf("export is not JSON: %v", err)
		}
		if out.Data.Account["email"] != person.Email || len(out.Data.Organisations) != 2 {
			t.Fatalf("export = %+v", out.Data)
		}
		for _, o := range out.Data.Organisations {
			if len(o.Actions) == 0 || o.Actions[0].Action != "auth.sign_in" {
				t.Errorf("organisation %s: actions %+v, want the sign-in", o.Slug, o.Actions)
			}
		}
		if strings.Contains(p.Body, org.Owner.Email) {
			t.Fatal("the export contains another person's data")
		}
		if env.Count("audit_events", "action = ? AND actor_id = ?", "account.data_exported", person.ID) != 2 {
			t.Fatal("export not recorded in each organisation")
		}
	})
}

func TestDeleteAccount(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		person := env.NewPerson(org, tenancy.RoleMember)
		report := env.NewPerson(org, tenancy.RoleMember)
		if err := env.Services.Tenancy.SetLineManager(env.Ctx(), org.ID, tenancy.Actor{UserID: org.Owner.ID}, report.ID, person.ID); err != nil {
			t.Fatal(err)
		}
		b := env.SignIn(person.User)
		if p := b.Post("/account/delete", map[string]string{"password": "not my password"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password = %d", p.Status)
		}
		p := b.Post("/account/delete", map[string]string{"password": testkit.Password})
		if p.Status != http.StatusOK || p.URL != "/" {
			t.Fatalf("delete = %d at %s", p.Status, p.URL)
		}
		if env.Count("users", "id = ? AND name = 'Deleted person' AND email = ? AND deleted_at IS NOT NULL", person.ID, "deleted-"+person.ID.String()+"@invalid") != 1 {
			t.Fatal("account not anonymised")
		}
		if env.Count("memberships", "user_id = ?", person.ID) != 0 || env.Count("memberships", "line_manager_id = ?", person.ID) != 0 {
			t.Fatal("membership or line-manager link kept")
		}
		if env.Count("audit_events", "actor LIKE ? OR target = ?", "%"+person.Email+"%", person.Email) != 0 {
			t.Fatal("the audit log still names the deleted person")
		}
		if env.Count("audit_events", "org_id = ? AND action = ?", org.ID, "account.deleted") != 1 {
			t.Fatal("deletion not recorded")
		}
		if p := b.Get("/account"); p.URL == "/account" {
			t.Fatal("the deleted person's session still works")
		}
		l := env.Browser()
		l.Get("/login")
		if p := l.Post("/login", map[string]string{"email": person.Email, "password": testkit.Password}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("sign-in after deletion = %d", p.Status)
		}
	})
}

func TestLastOwnerCannotDeleteTheirAccount(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		b := env.SignIn(org.Owner.User)
		p := b.Post("/account/delete", map[string]string{"password": testkit.Password})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Transfer ownership") || !strings.Contains(p.Body, org.Name) {
			t.Fatalf("last owner delete = %d", p.Status)
		}
		if env.Count("users", "id = ? AND deleted_at IS NULL", org.Owner.ID) != 1 || env.Count("memberships", "user_id = ?", org.Owner.ID) != 1 {
			t.Fatal("refused deletion changed something")
		}
	})
}
