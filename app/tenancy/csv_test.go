package tenancy_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

func TestParseInvitationsCSV(t *testing.T) {
	rows, problems, err := tenancy.ParseInvitationsCSV(strings.NewReader(
		"\ufeffRole, Email ,kinds,name\nmember,a@example.test,,Ann\n\npractitioner,b@example.test,\"coach, supervisor\",Bo\nadmin,bad,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Email != "a@example.test" || rows[0].Line != 2 || rows[1].Line != 4 ||
		!slices.Equal(rows[1].Kinds, []string{"coach", "supervisor"}) || rows[1].Name != "Bo" {
		t.Fatalf("rows = %+v", rows)
	}
	if len(problems) != 1 || problems[0].Line != 5 {
		t.Fatalf("problems = %+v", problems)
	}
}

// FuzzParseInvitationsCSV: the parser never panics, and every data line
// it reads is either accepted (valid, unique) or reported with its line
// number, never both, never neither.
func FuzzParseInvitationsCSV(f *testing.F) {
	for _, seed := range []string{
		"email,name,role,kinds\na@example.test,A,member,\n",
		"email,role\na@example.test,practitioner\n",
		"email,role,kinds\n\"a@example.test\",practitioner,\"coach;mentor\"\nA@EXAMPLE.test,member,\n",
		"email,role\n\"unterminated,member\n",
		"role,email\nowner,x@y.z\n,\n\n\n",
		"email,email,role\n",
		"\ufeffemail,role\nx@y.z,admin,extra,fields\n",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rows, problems, err := tenancy.ParseInvitationsCSV(strings.NewReader(in))
		if err != nil {
			var ce *tenancy.CSVError
			if !errors.As(err, &ce) || ce.Reason == "" {
				t.Fatalf("error is not a reported CSV problem: %v", err)
			}
			if rows != nil || problems != nil {
				t.Fatal("a file-level error came with rows")
			}
			return
		}
		if len(rows)+len(problems) == 0 || len(rows)+len(problems) > tenancy.MaxCSVRows {
			t.Fatalf("%d rows and %d problems", len(rows), len(problems))
		}
		lines := map[int]bool{}
		emails := map[string]bool{}
		for _, r := range rows {
			if r.Line < 2 || lines[r.Line] {
				t.Fatalf("row line %d repeated or before the header", r.Line)
			}
			lines[r.Line] = true
			if e, reason := tenancy.CheckEmail(r.Email); reason != "" || e != r.Email || emails[r.Email] {
				t.Fatalf("accepted a bad or duplicate e-mail %q", r.Email)
			}
			emails[r.Email] = true
			if !slices.Contains(tenancy.InvitableRoles, r.Role) {
				t.Fatalf("accepted role %q", r.Role)
			}
			if r.Role == tenancy.RolePractitioner && len(r.Kinds) == 0 {
				t.Fatal("accepted a practitioner without kinds")
			}
		}
		for _, p := range problems {
			if p.Line < 2 || lines[p.Line] || p.Reason == "" {
				t.Fatalf("problem %+v repeated, unexplained or before the header", p)
			}
			lines[p.Line] = true
		}
	})
}
