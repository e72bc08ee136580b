// Package library owns an organisation's resource library: articles,
// practical tools and session agenda templates (Markdown, rendered as
// lessons are), their categories, tags, search, files and "helpful?"
// votes; the starter content every organisation begins with; what is
// recommended to a person from their needs assessment and goals; articles
// a practitioner shares into a relationship; the agenda attached to a
// calendar session; and the goal frameworks (GROW, SMART) a goal can start
// from.
//
// It reads other domains only through the small interfaces in service.go,
// which app wires to their stores.
package library

import (
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Kind says what an item of the library is.
type Kind string

// Kinds of library item.
const (
	KindArticle Kind = "article" // something to read
	KindTool    Kind = "tool"    // a worksheet, checklist, template or planner to use
	KindAgenda  Kind = "agenda"  // a session agenda template, attached to calendar sessions
)

// Kinds lists the kinds in form order.
var Kinds = []Kind{KindArticle, KindTool, KindAgenda}

// Label is the word shown for a kind.
func (k Kind) Label() string {
	switch k {
	case KindTool:
		return "Tool"
	case KindAgenda:
		return "Session agenda"
	}
	return "Article"
}

// Category is a shelf of the library.
type Category struct {
	Key   string
	Label string
	About string
}

// Category keys.
const (
	CatLeadership    = "leadership"
	CatTrust         = "trust"
	CatTeamwork      = "teamwork"
	CatConversations = "conversations"
	CatSupport       = "support"
	CatPractice      = "practice"
)

// Categories are the library's shelves, in the order they are shown.
var Categories = []Category{
	{CatLeadership, "Models of leadership", "Ways of thinking about leading people, and when each one helps."},
	{CatTrust, "Trust and confidence", "How trust is built, lost and repaired, and how to talk about it."},
	{CatTeamwork, "Teamwork", "Getting a group of people to work as a team."},
	{CatConversations, "Challenging conversations", "Preparing for, holding and following up the conversations people put off."},
	{CatSupport, "Mentoring, coaching and supervision", "What each kind of support is, and when to use which."},
	{CatPractice, "For practitioners", "Contracting, confidentiality, using a coaching approach, and session agendas."},
}

// CategoryKeys lists the category keys in order.
func CategoryKeys() []string {
	out := make([]string, len(Categories))
	for i, c := range Categories {
		out[i] = c.Key
	}
	return out
}

// CategoryLabel is the label of a category key.
func CategoryLabel(key string) string {
	for _, c := range Categories {
		if c.Key == key {
			return c.Label
		}
	}
	return key
}

// Status of an item: admins write drafts, publish them, and hide what
// should no longer be shown (hidden items keep their votes and shares).
type Status string

// Statuses.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusHidden    Status = "hidden"
)

// AgendaKind is the kind of session an agenda template is for.
type AgendaKind struct {
	Key   string
	Label string
}

// AgendaKinds are the sessions agenda templates exist for.
var AgendaKinds = []AgendaKind{
	{"first_meeting", "First meeting and contracting"},
	{"coaching", "A regular coaching session"},
	{"mentoring", "A mentoring conversation"},
	{"supervision_group", "A supervision group"},
	{"review", "A review"},
	{"closing", "A closing session"},
}

// AgendaKindLabel is the label of an agenda kind key.
func AgendaKindLabel(key string) string {
	for _, k := range AgendaKinds {
		if k.Key == key {
			return k.Label
		}
	}
	return ""
}

// Article is one item of the library: an article, a tool or an agenda
// template.
type Article struct {
	bun.BaseModel `bun:"table:library_articles"`

	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID       uuid.UUID  `bun:"org_id,type:uuid"`
	Slug        string     `bun:"slug"`
	Kind        Kind       `bun:"kind"`
	Category    string     `bun:"category"`
	AgendaKind  string     `bun:"agenda_kind"`
	Title       string     `bun:"title"`
	Summary     string     `bun:"summary"`
	Body        string     `bun:"body"`
	Tags        string     `bun:"tags"` // comma-separated, folded
	LinkURL     string     `bun:"link_url"`
	Status      Status     `bun:"status"`
	StarterKey  *string    `bun:"starter_key"`
	SearchText  string     `bun:"search_text"`
	CreatedBy   *uuid.UUID `bun:"created_by,type:uuid"`
	UpdatedBy   *uuid.UUID `bun:"updated_by,type:uuid"`
	CreatedAt   time.Time  `bun:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at"`
	PublishedAt *time.Time `bun:"published_at"`
}

// TagList is the article's tags.
func (a *Article) TagList() []string { return SplitTags(a.Tags) }

// CategoryLabel is the label of the article's category.
func (a *Article) CategoryLabel() string { return CategoryLabel(a.Category) }

// Published reports whether everyone in the organisation can read it.
func (a *Article) Published() bool { return a.Status == StatusPublished }

// Starter reports whether the item came with the product.
func (a *Article) Starter() bool { return a.StarterKey != nil }

// index fills the derived search column from the item's text.
func (a *Article) index() {
	a.SearchText = Fold(strings.Join([]string{a.Title, a.Summary, strings.ReplaceAll(a.Tags, ",", " "), a.Body}, " "))
}

// SplitTags turns "Trust, Team work,trust" into ["trust", "team work"]:
// folded, trimmed, without duplicates or empties.
func SplitTags(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.Split(s, ",") {
		t = Fold(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// File is a downloadable file of an article.
type File struct {
	bun.BaseModel `bun:"table:library_files"`

	OrgID       uuid.UUID `bun:"org_id,type:uuid"`
	ArticleID   uuid.UUID `bun:"article_id,type:uuid"`
	Name        string    `bun:"name"`
	ContentType string    `bun:"content_type"`
	Size        int       `bun:"size"`
	Data        []byte    `bun:"data"`
	CreatedAt   time.Time `bun:"created_at"`
}

// MaxFileBytes bounds an uploaded file.
const MaxFileBytes = 2 << 20

// Vote is one person's answer to "was this helpful?".
type Vote struct {
	bun.BaseModel `bun:"table:library_votes"`

	OrgID     uuid.UUID `bun:"org_id,type:uuid"`
	ArticleID uuid.UUID `bun:"article_id,type:uuid"`
	UserID    uuid.UUID `bun:"user_id,type:uuid"`
	Helpful   bool      `bun:"helpful"`
	VotedAt   time.Time `bun:"voted_at"`
}

// Tally counts an article's votes, with the viewer's own.
type Tally struct {
	Helpful, NotHelpful int
	// Mine is the viewer's vote: "yes", "no" or "".
	Mine string
}

// Share is an article a practitioner shared into a relationship.
type Share struct {
	bun.BaseModel `bun:"table:library_shares"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID `bun:"org_id,type:uuid"`
	RelationshipID uuid.UUID `bun:"relationship_id,type:uuid"`
	ArticleID      uuid.UUID `bun:"article_id,type:uuid"`
	SharedBy       uuid.UUID `bun:"shared_by,type:uuid"`
	Note           string    `bun:"note"`
	SharedAt       time.Time `bun:"shared_at"`
}

// SharedArticle is a share with its article's title, for lists.
type SharedArticle struct {
	Share
	Title string
	Kind  Kind
}

// Agenda is the agenda attached to a calendar session.
type Agenda struct {
	bun.BaseModel `bun:"table:session_agendas"`

	OrgID      uuid.UUID  `bun:"org_id,type:uuid"`
	SessionID  uuid.UUID  `bun:"session_id,type:uuid"`
	TemplateID *uuid.UUID `bun:"template_id,type:uuid"`
	Title      string     `bun:"title"`
	Body       string     `bun:"body"`
	AttachedBy uuid.UUID  `bun:"attached_by,type:uuid"`
	UpdatedAt  time.Time  `bun:"updated_at"`
}

// ListQuery selects a page of the library.
type ListQuery struct {
	// Search is what the person typed; folded before use.
	Search   string
	Category string
	Tag      string
	Kind     Kind
	// WithUnpublished includes drafts and hidden items (admins).
	WithUnpublished bool
	Page            int // from 1
	PerPage         int
}

// Results is one page of a list.
type Results struct {
	Items []Article
	Total int
	Page  int
	Pages int
}
