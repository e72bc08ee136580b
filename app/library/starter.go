package library

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// starterFS holds the starter content: one Markdown file per item, with a
// front matter of "key: value" lines between two "---" lines. The file
// name (without .md) is the item's starter key and slug.
//
//go:embed starter/*.md
var starterFS embed.FS

// Starter parses the embedded starter content. It fails on a file that
// is not well formed, which the tests catch before anyone else could.
func Starter() ([]Article, error) {
	names, err := fs.Glob(starterFS, "starter/*.md")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	out := make([]Article, 0, len(names))
	for _, name := range names {
		raw, err := starterFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		a, err := parseStarter(strings.TrimSuffix(path.Base(name), ".md"), string(raw))
		if err != nil {
			return nil, fmt.Errorf("library: starter %s: %w", name, err)
		}
		out = append(out, a)
	}
	return out, nil
}

func parseStarter(key, raw string) (Article, error) {
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	rest, ok := strings.CutPrefix(raw, "---\n")
	if !ok {
		return Article{}, fmt.Errorf("no front matter")
	}
	head, body, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		return Article{}, fmt.Errorf("front matter not closed")
	}
	k := key
	a := Article{Slug: key, StarterKey: &k, Status: StatusPublished, Body: strings.TrimSpace(body) + "\n"}
	for _, line := range strings.Split(head, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return Article{}, fmt.Errorf("front matter line %q has no colon", line)
		}
		value = strings.TrimSpace(value)
		switch strings.TrimSpace(name) {
		case "title":
			a.Title = value
		case "summary":
			a.Summary = value
		case "kind":
			a.Kind = Kind(value)
		case "category":
			a.Category = value
		case "tags":
			a.Tags = strings.Join(SplitTags(value), ",")
		case "agenda":
			a.AgendaKind = value
		case "link":
			a.LinkURL = value
		default:
			return Article{}, fmt.Errorf("unknown front matter field %q", name)
		}
	}
	switch {
	case a.Title == "" || a.Summary == "":
		return Article{}, fmt.Errorf("title and summary are required")
	case !slices.Contains(Kinds, a.Kind):
		return Article{}, fmt.Errorf("unknown kind %q", a.Kind)
	case !slices.Contains(CategoryKeys(), a.Category):
		return Article{}, fmt.Errorf("unknown category %q", a.Category)
	case (a.Kind == KindAgenda) != (AgendaKindLabel(a.AgendaKind) != ""):
		return Article{}, fmt.Errorf("an agenda names its kind of session, and only an agenda does")
	}
	return a, nil
}
