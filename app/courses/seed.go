package courses

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// exampleSeedKey marks the example course, so that it is created once per
// organisation even when two first visits race.
const exampleSeedKey = "foundations-of-mentoring-v1"

type seedQuestion struct {
	prompt, explanation string
	options             []string
	correct             int
}

type seedModule struct {
	title     string
	lessons   [][2]string // title, Markdown body
	passMark  int
	questions []seedQuestion
}

// exampleCourse is "Foundations of mentoring", written for this product.
var exampleCourse = struct {
	title, summary string
	modules        []seedModule
}{
	title: "Foundations of mentoring",
	summary: "A short introduction for people who are about to mentor a colleague: what mentoring is and is not, " +
		"how to start a mentoring relationship well, and how to keep it useful. Edit it, or use it as a model for your own courses.",
	modules: []seedModule{
		{
			title: "What mentoring is",
			lessons: [][2]string{
				{"Mentoring in one sentence", `A mentor is someone with more experience in an area who **shares what they know** —
knowledge, skills, contacts and the lessons of their own mistakes — so that another person
can find their way faster.

Mentoring tends to be *directive*: the mentor may give advice, point to resources and say
plainly what they would do. That is its strength, and it is also why it needs care.

### Typical reasons people ask for a mentor

- joining the organisation and learning "how things are done here";
- moving into a new role, such as a first management post;
- preparing for a career step, a qualification or a project they have not led before.`},
				{"Mentoring, coaching and supervision", `The three are often confused. A quick way to tell them apart:

| | Mentoring | Coaching | Supervision |
| --- | --- | --- | --- |
| Stance | shares experience and advice | asks, listens, helps the person find their own answers | reflects on a practitioner's own practice |
| Whose agenda | often the organisation's and the mentee's | the client's | the practitioner's development |

A good mentor can borrow coaching skills — open questions, careful listening — and should know
when to suggest that someone would be better served by a coach, or by a supervisor.`},
			},
			passMark: 50,
			questions: []seedQuestion{
				{"Which of these is closest to mentoring?", "Mentoring is about sharing experience; helping someone find their own answers without advice is closer to coaching.",
					[]string{"Passing on experience, advice and contacts to a less experienced colleague", "Helping someone find their own answers without giving advice", "Reviewing a coach's casework with them"}, 0},
				{"A mentee mostly wants help to reflect on their own coaching practice. What would you suggest?", "Reflecting on one's own practice is what supervision is for.",
					[]string{"Carry on mentoring as usual", "Supervision with an experienced practitioner", "A performance review"}, 1},
			},
		},
		{
			title: "Starting well",
			lessons: [][2]string{
				{"The first conversation", `The first meeting sets the tone. Use it to agree:

1. **Purpose** — what the mentee hopes to get from the relationship, in their words.
2. **Rhythm** — how often you meet, for how long, and how to get in touch between meetings.
3. **Boundaries** — what is confidential, and what you would have to pass on.
4. **An end** — when you will review whether it is still useful.

Write these down together. A short agreement both of you can see avoids most later misunderstandings.`},
				{"Power and safety", `There is usually a difference in seniority between mentor and mentee. That makes advice
carry weight, and it can make it hard for the mentee to say "this is not working".

- Ask for feedback regularly, and thank people for it.
- Make it explicit that the mentee can pause or end the relationship without needing a reason.
- Keep what you hear confidential within the limits you agreed; never use it in decisions about the person.`},
			},
			passMark: 50,
			questions: []seedQuestion{
				{"Which of these belongs in a first mentoring agreement?", "Purpose, rhythm, boundaries and an end date or review point are the core of an agreement.",
					[]string{"The mentee's salary", "How often you will meet and what stays confidential", "A list of the mentor's achievements"}, 1},
				{"Why should a mentee be told they may end the relationship at any time?", "Seniority can make it hard to say no; saying it out loud makes it safe.",
					[]string{"Because of the power difference between mentor and mentee", "To save the mentor time", "It is a legal requirement"}, 0},
			},
		},
		{
			title: "Keeping it useful",
			lessons: [][2]string{
				{"Listening before advising", `Advice lands better when the mentee feels understood. Before offering your view:

- ask what they have already tried;
- summarise what you heard and check you got it right;
- ask what kind of help they want today — ideas, a sounding board, or an introduction.

Then share your experience as *one* way of seeing things, not the answer.`},
				{"Reviewing and ending", `Relationships that drift stop helping. Every few meetings, ask together:

- Is this still about what we agreed?
- What has changed since we started?
- Should we carry on, change the focus, or close?

Ending well matters: name what the mentee has achieved, and agree how they can reach you afterwards.`},
			},
			passMark: 50,
			questions: []seedQuestion{
				{"What is a good first step before giving advice?", "Understanding what the person has tried and wants makes advice relevant.",
					[]string{"Tell a story about your own career", "Ask what they have already tried", "Give a list of books"}, 1},
			},
		},
	},
}

// SeedExample creates the example course in an organisation that has no
// courses yet. It reports whether it created it.
func (s *Store) SeedExample(ctx context.Context, orgID uuid.UUID, now time.Time) (bool, error) {
	created := false
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		n, err := tx.NewSelect().Model((*Course)(nil)).Where("org_id = ?", orgID).Count(ctx)
		if err != nil || n > 0 {
			return err
		}
		key := exampleSeedKey
		c := &Course{
			ID: uuid.Must(uuid.NewV7()), OrgID: orgID, Title: exampleCourse.title, Summary: exampleCourse.summary,
			Currency: "gbp", Status: StatusPublished, SeedKey: &key, CreatedAt: now, UpdatedAt: now,
		}
		if err := insertCourse(ctx, tx, c); err != nil {
			return err
		}
		for _, sm := range exampleCourse.modules {
			m := &Module{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, CourseID: c.ID, Title: sm.title, CreatedAt: now}
			if err := insertModule(ctx, tx, m); err != nil {
				return err
			}
			for _, sl := range sm.lessons {
				l := &Lesson{OrgID: orgID, CourseID: c.ID, ModuleID: m.ID, Title: sl[0], Body: sl[1], CreatedAt: now, UpdatedAt: now}
				if err := insertLesson(ctx, tx, l); err != nil {
					return err
				}
			}
			if len(sm.questions) > 0 {
				q, err := s.ensureQuiz(ctx, tx, orgID, c.ID, m.ID, now)
				if err != nil {
					return err
				}
				q.PassMark = sm.passMark
				if _, err := tx.NewUpdate().Model(q).Column("pass_mark").Where("org_id = ? AND id = ?", orgID, q.ID).Exec(ctx); err != nil {
					return err
				}
				for _, sq := range sm.questions {
					if err := insertQuestion(ctx, tx, q, sq.prompt, sq.explanation, sq.options, sq.correct); err != nil {
						return err
					}
				}
			}
		}
		created = true
		return nil
	})
	if db.IsConflict(err) {
		return false, nil // seeded by a concurrent first visit
	}
	if err != nil {
		return false, fmt.Errorf("courses: seed example course: %w", err)
	}
	return created, nil
}
