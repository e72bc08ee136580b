package relationships_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

const secret = "PLAINTEXT-only-the-author-may-read-7f3a"

// TestPrivateNoteIsReadByItsAuthorAlone renders every GET page of the
// organisation as every other role and the other side, and scans the
// database, for the private note's text.
func TestPrivateNoteIsReadByItsAuthorAlone(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member := env.NewPerson(org, tenancy.RoleMember)
		r := env.NewRelationship(org, relationships.Coaching, coach, member)
		rel := "/o/" + org.Slug + "/relationships/" + r.ID.String()

		author := env.SignIn(coach.User)
		if p := author.Post(rel+"/notes", map[string]string{"body": secret, "visibility": "private"}); p.Status != http.StatusOK {
			t.Fatalf("add private note = %d", p.Status)
		}
		if p := author.Get(rel); !strings.Contains(p.Body, secret) {
			t.Fatal("the author cannot read their own note")
		}

		readers := map[string]*testkit.Person{
			"owner":               org.Owner,
			"admin":               env.NewPerson(org, tenancy.RoleAdmin),
			"coordinator":         env.NewPerson(org, tenancy.RoleCoordinator),
			"the other side":      member,
			"another coach":       env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach),
			"another org's admin": env.NewPerson(env.NewOrg(), tenancy.RoleAdmin),
		}
		var paths []string
		for _, route := range env.Handler.Routes() {
			if route.Method != http.MethodGet || !strings.HasPrefix(route.Path, "/o/:slug") {
				continue
			}
			parts := strings.Split(route.Path, "/")
			for i, part := range parts {
				switch {
				case part == ":slug":
					parts[i] = org.Slug
				case strings.HasPrefix(part, ":"):
					parts[i] = r.ID.String()
				}
			}
			paths = append(paths, strings.Join(parts, "/"))
		}
		if len(paths) < 8 {
			t.Fatalf("only %d pages to try", len(paths))
		}
		for who, person := range readers {
			b := env.SignIn(person.User)
			for _, path := range paths {
				if p := b.Get(path); strings.Contains(p.Body, secret) {
					t.Errorf("%s read the private note at %s", who, path)
				}
				if p := b.HTMX(http.MethodGet, path, nil); strings.Contains(p.Body, secret) {
					t.Errorf("%s read the private note at %s (htmx)", who, path)
				}
			}
		}

		// At rest: no column of any note row holds the text.
		var rows []relationships.Note
		if err := env.OwnerDB.NewSelect().Model(&rows).Where("org_id = ?", org.ID).Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].KeyID == "" || len(rows[0].Nonce) != 12 || rows[0].Body != "" {
			t.Fatalf("stored note = %+v", rows)
		}
		for _, n := range rows {
			if strings.Contains(n.Body, secret) || bytes.Contains(n.Ciphertext, []byte(secret)) || bytes.Contains(n.Nonce, []byte(secret)) {
				t.Fatal("the private note is stored in plain text")
			}
		}
		if n := env.Count("notes", "body LIKE ?", "%PLAINTEXT%"); n != 0 {
			t.Fatalf("%d note rows hold the plain text", n)
		}
	})
}

func TestNotesSurviveKeyRotation(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	member := env.NewPerson(org, tenancy.RoleMember)
	r := env.NewRelationship(org, relationships.Coaching, coach, member)
	store := env.Services.Relationships
	old := env.Services.NoteKeys
	n := &relationships.Note{AuthorID: coach.ID, RelationshipID: r.ID, Visibility: relationships.Private}
	if err := store.AddNote(env.Ctx(), old, org.ID, env.Clock.Now(), n, "before rotation"); err != nil {
		t.Fatal(err)
	}
	// A new key goes first; the derived one stays listed for reading.
	newKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))
	derived := deriveForTest(t, env.Config)
	keys, err := relationships.NewKeyring("k1:"+newKey+",k0:"+derived, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.NotesFor(env.Ctx(), keys, org.ID, r.ID, coach.ID)
	if err != nil || len(got) != 1 || got[0].Body != "before rotation" {
		t.Fatalf("read after rotation = %+v, %v", got, err)
	}
	if changed, err := store.Reseal(env.Ctx(), keys, org.ID); err != nil || changed != 1 {
		t.Fatalf("reseal = %d, %v", changed, err)
	}
	onlyNew, _ := relationships.NewKeyring("k1:"+newKey, "")
	got, err = store.NotesFor(env.Ctx(), onlyNew, org.ID, r.ID, coach.ID)
	if err != nil || got[0].Body != "before rotation" {
		t.Fatalf("read with the new key alone = %+v, %v", got, err)
	}
}

// deriveForTest returns the key derived from the configured secret, as an
// operator would when moving from the derived key to listed keys.
func deriveForTest(t *testing.T, cfg config.Config) string {
	t.Helper()
	raw, err := relationships.DeriveNotesKey(cfg.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

func TestMarkTrainedMentorUpsertsTheProfile(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		p := env.NewPerson(org, tenancy.RoleMember)
		first := env.Clock.Now()
		for _, at := range []time.Time{first, first.Add(time.Hour)} {
			err := env.DB.InTenant(env.Ctx(), org.ID, func(ctx context.Context, tx bun.Tx) error {
				return env.Services.Relationships.MarkTrainedMentor(ctx, tx, org.ID, p.ID, at)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		prof, err := env.Services.Relationships.ProfileOf(env.Ctx(), org.ID, p.ID)
		if err != nil || prof.TrainedMentorAt == nil || !prof.TrainedMentorAt.Equal(first) {
			t.Fatalf("profile = %+v, %v", prof, err)
		}
		if b := env.SignIn(p.User); b.Get("/o/"+org.Slug+"/my").Status != http.StatusOK {
			t.Fatal("my page")
		}
	})
}
