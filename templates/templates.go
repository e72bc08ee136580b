// Package templates embeds the HTML page and e-mail templates.
package templates

import "embed"

// FS holds layouts/, partials/, pages/ and emails/.
//
//go:embed layouts partials pages emails
var FS embed.FS
