// Package static embeds the browser assets (vendored htmx, CSS, JS, images)
// so that the binary serves them with no files beside it and no CDN.
package static

import "embed"

// FS holds every asset below this folder.
//
//go:embed *
var FS embed.FS
