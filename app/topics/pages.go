package topics

import "github.com/leadershiptoolbox/toolbox/app/web"

// PageSettings is the admins' page of the vocabulary.
const PageSettings web.PageName = "topics/settings"
