package tenancy_test

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// peopleRowsFixture is a page of n people as the people list shows them.
func peopleRowsFixture(n int) tenancy.PeoplePage {
	d := tenancy.PeoplePage{Slug: "acme", IsAdmin: true, Roles: tenancy.Roles, Next: "?after=" + uuid.NewString()}
	for i := range n {
		d.People = append(d.People, tenancy.Person{UserID: uuid.New(), Name: fmt.Sprintf("Ada O'Neil %d", i),
			Email: fmt.Sprintf("ada%d@example.test", i), Role: tenancy.RoleMember, Status: tenancy.StatusActive,
			Verified: i%3 != 0, LineManager: "Grace Hopper"})
	}
	return d
}

// BenchmarkPeopleRows renders the people list's rows (the "people-rows"
// block) for a small organisation's 16 people and a full page of 50.
//
//	go test ./app/tenancy -run X -bench PeopleRows -benchmem
func BenchmarkPeopleRows(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	r := newAuditRenderer(b)
	for _, n := range []int{16, tenancy.PeoplePageSize} {
		d := peopleRowsFixture(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				c, _ := gin.CreateTestContext(w)
				c.Request = httptest.NewRequest("GET", "/o/acme/people", nil)
				if err := r.RenderBlock(c, 200, tenancy.PagePeople, "people-rows", d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
