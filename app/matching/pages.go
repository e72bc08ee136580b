package matching

import "github.com/leadershiptoolbox/toolbox/app/web"

// Matching's pages.
const (
	PageRequest  web.PageName = "matching/request"
	PageChoose   web.PageName = "matching/choose"
	PageProposal web.PageName = "matching/proposal"
	PagePipeline web.PageName = "matching/pipeline"
	PageMy       web.PageName = "matching/my"
)
