package app_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestPoolSoakNeverMixesOrganisations sends 400 concurrent requests for
// 20 organisations through the HTTP server on a pool of 3 connections:
// connections are reused constantly across tenants, and each response
// must show its own organisation and nothing of any other.
func TestPoolSoakNeverMixesOrganisations(t *testing.T) {
	env := testkit.New(t, testkit.WithPool(3))
	const orgs, perOrg = 20, 20
	type tenant struct {
		org    *testkit.Org
		member *testkit.Person
		b      *testkit.Browser
	}
	tenants := make([]tenant, orgs)
	for i := range tenants {
		org := env.NewOrg()
		tenants[i] = tenant{org: org, member: env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach), b: env.SignIn(org.Owner.User)}
	}
	paths := []string{"/people", "/audit", "/invitations", "/people?role=practitioner", ""}
	errs := make(chan string, orgs*perOrg)
	var wg sync.WaitGroup
	for i := range tenants {
		wg.Add(1)
		go func(me tenant) {
			defer wg.Done()
			for j := range perOrg {
				path := "/o/" + me.org.Slug + paths[j%len(paths)]
				p := me.b.Get(path)
				if p.Status != 200 || !strings.Contains(p.Body, me.org.Name) {
					errs <- fmt.Sprintf("%s = %d without its own organisation", path, p.Status)
					continue
				}
				if j%len(paths) < 2 && !strings.Contains(p.Body, me.member.Email) && !strings.Contains(p.Body, me.org.Owner.Email) {
					errs <- fmt.Sprintf("%s lacks its own people", path)
				}
				for _, other := range tenants {
					if other.org.ID == me.org.ID {
						continue
					}
					if strings.Contains(p.Body, other.org.Slug) || strings.Contains(p.Body, other.member.Email) || strings.Contains(p.Body, other.org.Owner.Email) {
						errs <- fmt.Sprintf("%s showed organisation %s's data", path, other.org.Slug)
					}
				}
			}
		}(tenants[i])
	}
	wg.Wait()
	close(errs)
	n := 0
	for e := range errs {
		if n < 20 {
			t.Error(e)
		}
		n++
	}
	if n > 0 {
		t.Fatalf("%d of %d responses were wrong", n, orgs*perOrg)
	}
}
