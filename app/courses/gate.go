package courses

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Gate says whether a lesson or quiz is open to a learner yet. A course
// may enforce its order (each lesson after the one before it is done,
// each module after the previous module's quiz is passed) and may release
// its modules on a schedule: module n (from 0) opens DripDays*n days
// after the place was activated. Both are off unless the course says so.
type Gate struct {
	Open bool
	// OpensAt is when a scheduled module opens (zero when it is not
	// waiting for time).
	OpensAt time.Time
	// After is the step to finish first (when waiting for order).
	After string
}

// released is when module index i of a course opens for an enrolment.
func released(c *Course, e *Enrolment, i int) time.Time {
	base := e.CreatedAt
	if e.ActivatedAt != nil {
		base = *e.ActivatedAt
	}
	return base.AddDate(0, 0, c.DripDays*i)
}

// LessonGate decides whether a lesson is open, given what is done.
func LessonGate(o *Outline, e *Enrolment, p *Progress, lessonID uuid.UUID, now time.Time) Gate {
	c := o.Course
	for i, m := range o.Modules {
		for _, l := range m.Lessons {
			if l.ID == lessonID {
				if c.DripDays > 0 && e != nil {
					if at := released(c, e, i); now.Before(at) {
						return Gate{OpensAt: at}
					}
				}
				return Gate{Open: true}
			}
			if c.EnforceOrder && !p.Done[l.ID] {
				return Gate{After: "“" + l.Title + "”"}
			}
		}
		if c.EnforceOrder && m.Quiz != nil && len(m.Quiz.Questions) > 0 && !p.Passed[m.Quiz.ID] {
			return Gate{After: "the quiz of “" + m.Title + "”"}
		}
	}
	return Gate{Open: true}
}

// QuizGate decides whether a module's quiz is open: its module must be
// released, and in an ordered course its lessons done.
func QuizGate(o *Outline, e *Enrolment, p *Progress, quizID uuid.UUID, now time.Time) Gate {
	for i, m := range o.Modules {
		if m.Quiz == nil || m.Quiz.ID != quizID {
			continue
		}
		if o.Course.DripDays > 0 && e != nil {
			if at := released(o.Course, e, i); now.Before(at) {
				return Gate{OpensAt: at}
			}
		}
		if o.Course.EnforceOrder {
			for _, l := range m.Lessons {
				if !p.Done[l.ID] {
					return Gate{After: "“" + l.Title + "”"}
				}
			}
			if len(m.Lessons) > 0 {
				return LessonGate(o, e, p, m.Lessons[0].ID, now)
			}
		}
	}
	return Gate{Open: true}
}

// Message says why a closed step is closed, in the viewer's zone.
func (g Gate) Message(loc *time.Location) string {
	switch {
	case g.Open:
		return ""
	case !g.OpensAt.IsZero():
		return "This part of the course opens on " + g.OpensAt.In(loc).Format("Mon 2 Jan 2006, 15:04") + "."
	default:
		return "This course is taken in order: finish " + g.After + " first."
	}
}

// RecordLine is one completed step of a course, for the certificate.
type RecordLine struct {
	Module      string
	Title       string
	CompletedAt time.Time
	Minutes     int
	// Score is "4 of 5" for a quiz.
	Score string
}

// Record lists what a person completed in a course, in course order.
func Record(o *Outline, lessons []LessonProgress, attempts []QuizAttempt) []RecordLine {
	done := map[uuid.UUID]LessonProgress{}
	for _, lp := range lessons {
		done[lp.LessonID] = lp
	}
	best := map[uuid.UUID]QuizAttempt{}
	for _, a := range attempts {
		if b, ok := best[a.QuizID]; a.Passed && (!ok || a.Correct > b.Correct) {
			best[a.QuizID] = a
		}
	}
	var out []RecordLine
	for _, m := range o.Modules {
		for _, l := range m.Lessons {
			if lp, ok := done[l.ID]; ok {
				out = append(out, RecordLine{Module: m.Title, Title: l.Title, CompletedAt: lp.CompletedAt, Minutes: (lp.Seconds + 59) / 60})
			}
		}
		if m.Quiz != nil {
			if a, ok := best[m.Quiz.ID]; ok {
				out = append(out, RecordLine{Module: m.Title, Title: "Quiz", CompletedAt: a.CreatedAt,
					Score: fmt.Sprintf("%d of %d", a.Correct, a.Total)})
			}
		}
	}
	return out
}
