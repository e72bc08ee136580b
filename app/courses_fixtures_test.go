package app_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// courseParams makes a published course in organisation A (paid when
// price > 0) with one module, lesson and quiz question, and returns the
// path params of its routes.
func courseParams(env *testkit.Env, fx *wallFixture, price int64) map[string]string {
	env.T.Helper()
	ctx := context.Background()
	st := env.Services.Courses.Store
	now := env.Clock.Now()
	c := &courses.Course{OrgID: fx.A.ID, Title: "Wall course", Currency: "gbp", PriceMinor: price, Status: courses.StatusPublished, CreatedAt: now, UpdatedAt: now}
	mustOK(env.T, st.CreateCourse(ctx, c))
	m, err := st.AddModule(ctx, fx.A.ID, c.ID, "Module", now)
	mustOK(env.T, err)
	l := &courses.Lesson{OrgID: fx.A.ID, CourseID: c.ID, ModuleID: m.ID, Title: "Lesson", Body: "Text", CreatedAt: now, UpdatedAt: now}
	mustOK(env.T, st.AddLesson(ctx, l))
	mustOK(env.T, st.AddQuestion(ctx, fx.A.ID, c.ID, m.ID, "Q?", "", []string{"a", "b"}, 0, now))
	o, err := st.Outline(ctx, fx.A.ID, c.ID)
	mustOK(env.T, err)
	q := o.Modules[0].Quiz
	return map[string]string{
		"id": c.ID.String(), "module": m.ID.String(), "lesson": l.ID.String(), "quiz": q.ID.String(),
		"question": q.Questions[0].ID.String(),
	}
}

// certificateParams makes a certificate in organisation A.
func certificateParams(env *testkit.Env, fx *wallFixture) map[string]string {
	env.T.Helper()
	p := courseParams(env, fx, 0)
	code := "wallcode" + uuid.NewString()[:8] + "abcdefghijklmnop"
	err := env.DB.InTenant(context.Background(), fx.A.ID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&courses.Certificate{
			ID: uuid.Must(uuid.NewV7()), OrgID: fx.A.ID, UserID: fx.A.Owner.ID, CourseID: uuid.MustParse(p["id"]),
			Code: code, HolderName: "Holder", CourseTitle: "Wall course", IssuedAt: env.Clock.Now(),
		}).Exec(ctx)
		return err
	})
	mustOK(env.T, err)
	return map[string]string{"code": code}
}

// assignmentParams makes a paid seat of a paid course in organisation A
// and assigns it to a fresh member.
func assignmentParams(env *testkit.Env, fx *wallFixture) map[string]string {
	env.T.Helper()
	p := courseParams(env, fx, 1000)
	courseID := uuid.MustParse(p["id"])
	member := env.NewPerson(fx.A, tenancy.RoleMember)
	now := env.Clock.Now()
	err := env.DB.InTenant(context.Background(), fx.A.ID, func(ctx context.Context, tx bun.Tx) error {
		pay := &billing.Payment{ID: uuid.Must(uuid.NewV7()), OrgID: fx.A.ID, UserID: fx.A.Owner.ID, CourseID: courseID, Kind: billing.KindSeats,
			Quantity: 1, AmountMinor: 1000, Currency: "gbp", Status: billing.PaymentPaid, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(pay).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(&billing.Seat{ID: uuid.Must(uuid.NewV7()), OrgID: fx.A.ID, CourseID: courseID, PaymentID: pay.ID, Quantity: 1, CreatedAt: now}).Exec(ctx)
		return err
	})
	mustOK(env.T, err)
	mustOK(env.T, env.Services.Billing.Assign(context.Background(), fx.A.ID, courseID, member.ID, fx.A.Owner.ID))
	var a billing.SeatAssignment
	mustOK(env.T, env.OwnerDB.NewSelect().Model(&a).Where("org_id = ? AND user_id = ?", fx.A.ID, member.ID).Scan(context.Background()))
	return map[string]string{"assignment": a.ID.String()}
}

func freeCourse(env *testkit.Env, fx *wallFixture) map[string]string { return courseParams(env, fx, 0) }
func paidCourse(env *testkit.Env, fx *wallFixture) map[string]string {
	return courseParams(env, fx, 2500)
}

func mustOK(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
