package app_test

import (
	"context"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// calendarPractitioners are the fixture roles on the practitioner side of
// the calendar fixture's group relationship.
var calendarPractitioners = []tenancy.Role{tenancy.RolePractitioner, tenancy.RoleCoordinator}

// newLibraryArticle is a fresh published article of organisation A.
func newLibraryArticle(env *testkit.Env, fx *wallFixture) *library.Article {
	now := env.Clock.Now()
	a := &library.Article{OrgID: fx.A.ID, Slug: "route-" + uuid.NewString()[:8], Kind: library.KindTool, Category: library.CatTeamwork,
		Title: "Route test tool", Summary: "For the wall.", Body: "Text", Status: library.StatusPublished, CreatedAt: now, UpdatedAt: now, PublishedAt: &now}
	if err := env.Services.Library.Store.Create(context.Background(), a); err != nil {
		env.T.Fatal(err)
	}
	return a
}

func libraryArticle(env *testkit.Env, fx *wallFixture) map[string]string {
	return map[string]string{"id": newLibraryArticle(env, fx).ID.String()}
}

func libraryArticleWithFile(env *testkit.Env, fx *wallFixture) map[string]string {
	a := newLibraryArticle(env, fx)
	f := &library.File{OrgID: fx.A.ID, ArticleID: a.ID, Name: "tool.txt", ContentType: "text/plain; charset=utf-8", Size: 4, Data: []byte("tool"), CreatedAt: env.Clock.Now()}
	if err := env.Services.Library.Store.PutFile(context.Background(), f); err != nil {
		env.T.Fatal(err)
	}
	return map[string]string{"id": a.ID.String()}
}

// libraryShare is an article shared into a fresh relationship of the
// fixture's practitioner and member.
func libraryShare(env *testkit.Env, fx *wallFixture) map[string]string {
	a := newLibraryArticle(env, fx)
	rel := fixtureRelationship(env, fx)["id"]
	sh := &library.Share{OrgID: fx.A.ID, RelationshipID: uuid.MustParse(rel), ArticleID: a.ID, SharedBy: fx.ByRole[tenancy.RolePractitioner].ID, SharedAt: env.Clock.Now()}
	if err := env.Services.Library.Store.Share(context.Background(), sh); err != nil {
		env.T.Fatal(err)
	}
	return map[string]string{"id": sh.ID.String()}
}

func libraryFramework(env *testkit.Env, fx *wallFixture) map[string]string {
	return map[string]string{"rel": fixtureRelationship(env, fx)["id"], "key": "grow"}
}
