// Package markdown renders text that people in an organisation write
// (course lessons, library articles, session agendas) into safe HTML.
package markdown

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// goldmark leaves raw HTML out unless told otherwise (it is not), and
// bluemonday's UGC policy cleans what is left (links with javascript:
// URLs, odd attributes): an author's text never reaches the page as HTML
// they typed.
var (
	converter = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	sanitise  = bluemonday.UGCPolicy()
)

// Render turns Markdown into safe HTML.
func Render(src string) template.HTML {
	var buf bytes.Buffer
	if err := converter.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	// The sanitised output is safe to show as HTML; this is the one place
	// it becomes template.HTML.
	return template.HTML(sanitise.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised above
}
