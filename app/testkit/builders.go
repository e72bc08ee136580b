package testkit

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// Password is every built person's password.
const Password = "correct horse battery staple"

var (
	hashOnce sync.Once
	hashed   string
	serial   atomic.Int64
)

// passwordHash hashes Password once per package: argon2id is slow on
// purpose, and builders make many people.
func passwordHash() string {
	hashOnce.Do(func() {
		var err error
		if hashed, err = auth.HashPassword(Password); err != nil {
			panic(err)
		}
	})
	return hashed
}

// unique returns a name no other builder call in this process returns.
func unique(prefix string) string {
	return fmt.Sprintf("%s-%d-%s", prefix, serial.Add(1), uuid.NewString()[:6])
}

// Org is a built organisation with its owner.
type Org struct {
	*tenancy.Organisation
	Owner *Person
}

// Person is a built account with their role in an organisation.
type Person struct {
	*auth.User
	Role  tenancy.Role
	Kinds []string
}

// NewOrg builds an organisation (Europe/London) with a verified owner.
func (e *Env) NewOrg() *Org {
	e.T.Helper()
	slug := unique("org")
	now := e.Clock.Now()
	org := &tenancy.Organisation{
		ID: uuid.Must(uuid.NewV7()), Slug: slug, Name: "Org " + slug, TimeZone: "Europe/London",
		Settings: tenancy.DefaultSettings(), CreatedAt: now,
	}
	if _, err := e.DB.NewInsert().Model(org).Exec(context.Background()); err != nil {
		e.T.Fatalf("testkit: insert organisation: %v", err)
	}
	o := &Org{Organisation: org}
	o.Owner = e.NewPerson(o, tenancy.RoleOwner)
	return o
}

// NewPerson builds a verified account with a role (and practitioner kinds)
// in org.
func (e *Env) NewPerson(org *Org, role tenancy.Role, kinds ...string) *Person {
	e.T.Helper()
	u := e.NewUser()
	e.AddMember(org, u, role, kinds...)
	return &Person{User: u, Role: role, Kinds: kinds}
}

// NewUser builds a verified account that belongs to no organisation.
func (e *Env) NewUser() *auth.User {
	e.T.Helper()
	name := unique("person")
	now := e.Clock.Now()
	u := &auth.User{
		ID: uuid.Must(uuid.NewV7()), Email: strings.ToLower(name) + "@example.test", Name: "Person " + name,
		PasswordHash: passwordHash(), VerifiedAt: &now, CreatedAt: now,
	}
	if _, err := e.DB.NewInsert().Model(u).Exec(context.Background()); err != nil {
		e.T.Fatalf("testkit: insert user: %v", err)
	}
	return u
}

// AddMember gives an existing account a role in org.
func (e *Env) AddMember(org *Org, u *auth.User, role tenancy.Role, kinds ...string) {
	e.T.Helper()
	now := e.Clock.Now()
	m := &tenancy.Membership{
		ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, UserID: u.ID, Role: role, Kinds: strings.Join(kinds, ","),
		Status: tenancy.StatusActive, CreatedAt: now, UpdatedAt: now,
	}
	err := e.DB.InTenant(context.Background(), org.ID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(m).Exec(ctx)
		return err
	})
	if err != nil {
		e.T.Fatalf("testkit: insert membership: %v", err)
	}
}

// SignIn returns a Browser signed in as u (through the sign-in form).
func (e *Env) SignIn(u *auth.User) *Browser {
	e.T.Helper()
	b := e.Browser()
	b.Get("/login")
	p := b.Post("/login", map[string]string{"email": u.Email, "password": Password})
	if p.Status != 200 || !strings.Contains(p.Body, u.Name) {
		e.T.Fatalf("testkit: sign in as %s failed: status %d at %s", u.Email, p.Status, p.URL)
	}
	return b
}

// NewRelationship builds an active relationship of kind between one
// practitioner and members, with an agreement both sides accepted
// (fortnightly, 60-minute sessions, by video).
func (e *Env) NewRelationship(org *Org, kind relationships.Kind, practitioner *Person, members ...*Person) *relationships.Relationship {
	e.T.Helper()
	now := e.Clock.Now()
	format := relationships.OneToOne
	if len(members) > 1 {
		format = relationships.Group
	}
	n := relationships.New{
		Kind: kind, Format: format, Status: relationships.StatusActive,
		Practitioners: []uuid.UUID{practitioner.ID},
		Agreement: &relationships.Agreement{
			Purpose: "Grow as a leader", CadenceDays: 14, SessionMinutes: 60, Place: "Video call",
			Confidentiality: "What is said stays between us.", PractitionerAcceptedAt: &now, MemberAcceptedAt: &now,
		},
	}
	for _, m := range members {
		n.Members = append(n.Members, m.ID)
	}
	var r *relationships.Relationship
	err := e.DB.InTenant(context.Background(), org.ID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		r, err = relationships.Create(ctx, tx, org.ID, now, n)
		return err
	})
	if err != nil {
		e.T.Fatalf("testkit: create relationship: %v", err)
	}
	return r
}
