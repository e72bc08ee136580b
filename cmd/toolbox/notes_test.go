package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) {
	runChildIfAsked()
	testkit.Main(m)
}

func newKey(t *testing.T) string {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw[:])
}

// TestResealNotesAfterKeyRotation seals private notes in two
// organisations with an old key, rotates to a new one and reseals: then
// the new key alone opens them, shared notes are untouched, and a second
// run changes nothing.
func TestResealNotesAfterKeyRotation(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		ctx := context.Background()
		oldSpec, newSpec := "old:"+newKey(t), "new:"+newKey(t)
		oldKeys, err := relationships.NewKeyring(oldSpec, "")
		if err != nil {
			t.Fatal(err)
		}
		store := env.Services.Relationships
		type written struct {
			org  *testkit.Org
			rel  *relationships.Relationship
			by   *testkit.Person
			text string
		}
		var all []written
		for i, text := range []string{"First organisation's secret", "Second organisation's secret"} {
			org := env.NewOrg()
			coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
			rel := env.NewRelationship(org, relationships.Coaching, coach, env.NewPerson(org, tenancy.RoleMember))
			for _, vis := range []string{relationships.Private, relationships.Shared} {
				n := &relationships.Note{AuthorID: coach.ID, RelationshipID: rel.ID, Visibility: vis}
				if err := store.AddNote(ctx, oldKeys, org.ID, env.Clock.Now(), n, text); err != nil {
					t.Fatal(i, err)
				}
			}
			all = append(all, written{org, rel, coach, text})
		}

		rotated, err := relationships.NewKeyring(newSpec+","+oldSpec, "")
		if err != nil {
			t.Fatal(err)
		}
		notes, orgs, err := resealNotes(ctx, env.DB, rotated)
		if err != nil || notes != 2 || orgs < 2 {
			t.Fatalf("reseal = %d notes in %d organisations, %v; want 2 notes", notes, orgs, err)
		}
		if notes, _, err := resealNotes(ctx, env.DB, rotated); err != nil || notes != 0 {
			t.Fatalf("second reseal = %d, %v; want 0", notes, err)
		}
		newOnly, err := relationships.NewKeyring(newSpec, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range all {
			got, err := store.NotesFor(ctx, newOnly, w.org.ID, w.rel.ID, w.by.ID)
			if err != nil || len(got) != 2 {
				t.Fatalf("notes = %+v, %v", got, err)
			}
			for _, n := range got {
				if n.Body != w.text {
					t.Fatalf("%s note reads %q with the new key alone", n.Visibility, n.Body)
				}
				if n.Visibility == relationships.Private && n.KeyID != "new" {
					t.Fatalf("private note still under key %q", n.KeyID)
				}
			}
		}
	})
}

func TestNotesCommandNeedsReseal(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"notes"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "notes needs reseal") {
		t.Fatalf("exit %d, %q", code, stderr.String())
	}
}
