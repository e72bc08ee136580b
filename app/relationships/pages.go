package relationships

import "github.com/leadershiptoolbox/toolbox/app/web"

// The relationships' pages.
const (
	PageRelationship web.PageName = "relationships/show"
	PageProfile      web.PageName = "relationships/profile"
	PageNewGroup     web.PageName = "relationships/new"
)
