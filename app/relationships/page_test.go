package relationships_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

var idAttr = regexp.MustCompile(`\sid="([^"]+)"`)

// TestRelationshipPageIDsAreUnique renders the relationship page as each
// side and as a coordinator looking on: an id used twice makes a label
// point at another form's field (found by the e2e journey: the mode
// switch's and the status change's "Why" were both f-why).
func TestRelationshipPageIDsAreUnique(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	member := env.NewPerson(org, tenancy.RoleMember)
	r := env.NewRelationship(org, relationships.Coaching, coach, member)
	rel := "/o/" + org.Slug + "/relationships/" + r.ID.String()
	for who, p := range map[string]*testkit.Person{"coach": coach, "member": member, "owner": org.Owner} {
		page := env.SignIn(p.User).Get(rel)
		if page.Status != http.StatusOK {
			t.Fatalf("GET %s as %s = %d", rel, who, page.Status)
		}
		seen := map[string]bool{}
		for _, m := range idAttr.FindAllStringSubmatch(page.Body, -1) {
			if seen[m[1]] {
				t.Errorf("as %s: id %q is used more than once", who, m[1])
			}
			seen[m[1]] = true
		}
	}
}
