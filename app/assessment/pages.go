package assessment

import "github.com/leadershiptoolbox/toolbox/app/web"

// The needs assessment's pages.
const (
	PageTake          web.PageName = "assessment/take"
	PageReview        web.PageName = "assessment/show"
	PageNew           web.PageName = "assessment/new"
	PageQuestionnaire web.PageName = "assessment/questionnaire"
)
