package courses

import "github.com/leadershiptoolbox/toolbox/app/web"

// The courses' pages.
const (
	PageCatalogue   web.PageName = "courses/catalogue"
	PageCourse      web.PageName = "courses/course"
	PageLesson      web.PageName = "courses/lesson"
	PageQuiz        web.PageName = "courses/quiz"
	PageCertificate web.PageName = "courses/certificate"
	PageVerify      web.PageName = "courses/verify"
	PageCourseForm  web.PageName = "courses/course_form"
	PageLessonForm  web.PageName = "courses/lesson_form"
	PageQuizForm    web.PageName = "courses/quiz_form"
)
