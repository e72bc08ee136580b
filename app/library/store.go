package library

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds all of the library's SQL. Methods take ctx, then the
// organisation; each runs in its own tenant-scoped transaction (or read),
// unless the Store came from WithTx, when it runs in that transaction,
// which must be scoped to the same organisation.
type Store struct {
	DB *db.DB
	tx bun.IDB
}

// WithTx is the store working inside tx (another domain's transaction,
// such as the sign-up that creates an organisation).
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, tx: tx} }

func (s *Store) write(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error) error {
	if orgID == uuid.Nil {
		return db.ErrNoTenant
	}
	return db.In(ctx, s.DB, s.tx, orgID, fn)
}

func (s *Store) read(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error) error {
	if orgID == uuid.Nil {
		return db.ErrNoTenant
	}
	if s.tx != nil {
		return fn(ctx, s.tx)
	}
	return s.DB.ReadTenant(ctx, orgID, fn)
}

// fail is the one place driver errors become domain errors (not found,
// conflict), with what was being done.
func fail(what string, err error) error { return db.Wrap(err, "library", "%s", what) }

// Articles lists one page of the library, searched and filtered.
func (s *Store) Articles(ctx context.Context, orgID uuid.UUID, lq ListQuery) (Results, error) {
	if lq.PerPage <= 0 {
		lq.PerPage = 12
	}
	if lq.Page < 1 {
		lq.Page = 1
	}
	out := Results{Page: lq.Page}
	err := s.read(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		sel := q.NewSelect().Model(&out.Items).ExcludeColumn("body", "search_text").Where("org_id = ?", orgID)
		if !lq.WithUnpublished {
			sel = sel.Where("status = ?", StatusPublished)
		}
		if lq.Category != "" {
			sel = sel.Where("category = ?", lq.Category)
		}
		if lq.Kind != "" {
			sel = sel.Where("kind = ?", lq.Kind)
		}
		if tag := Fold(lq.Tag); tag != "" {
			// Tags are stored folded and comma-separated, without spaces
			// around the commas: a tag matches whole.
			sel = sel.Where("(',' || tags || ',') LIKE ?", "%,"+tag+",%")
		}
		terms := searchTerms(lq.Search)
		switch {
		case len(terms) > 0 && s.DB.Engine == db.Postgres:
			query := strings.Join(terms, " ")
			sel = sel.Where("search_vector @@ plainto_tsquery('english', ?)", query).
				OrderExpr("ts_rank(search_vector, plainto_tsquery('english', ?)) DESC", query)
		case len(terms) > 0:
			for _, t := range terms {
				sel = sel.Where("search_text LIKE ?", "%"+t+"%")
			}
		}
		// Agenda templates come after what people read.
		n, err := sel.OrderExpr("CASE WHEN kind = ? THEN 1 ELSE 0 END, lower(title), id", KindAgenda).Limit(int64(lq.PerPage)).Offset(int64((lq.Page - 1) * lq.PerPage)).ScanAndCount(ctx)
		out.Total = int(n)
		return err
	})
	if err != nil {
		return out, fail("list articles", err)
	}
	out.Pages = (out.Total + lq.PerPage - 1) / lq.PerPage
	return out, nil
}

// Published lists every published article and tool (not agendas), without
// bodies: what recommendations choose from.
func (s *Store) Published(ctx context.Context, orgID uuid.UUID) ([]Article, error) {
	var out []Article
	err := s.read(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).ExcludeColumn("body", "search_text").
			Where("org_id = ? AND status = ? AND kind <> ?", orgID, StatusPublished, KindAgenda).
			OrderExpr("lower(title), id").Scan(ctx)
	})
	return out, fail("published articles", err)
}

// Article loads one item.
func (s *Store) Article(ctx context.Context, orgID, id uuid.UUID) (*Article, error) {
	a := new(Article)
	err := s.read(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(a).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, fail("article "+id.String(), err)
	}
	return a, nil
}

// CountStarter counts the organisation's starter items, whatever their
// status.
func (s *Store) CountStarter(ctx context.Context, orgID uuid.UUID) (int, error) {
	var n int
	err := s.read(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		c, err := q.NewSelect().Model((*Article)(nil)).Where("org_id = ? AND starter_key IS NOT NULL", orgID).Count(ctx)
		n = int(c)
		return err
	})
	return n, fail("count articles", err)
}

// Create adds an item; a slug already used is db.ErrConflict.
func (s *Store) Create(ctx context.Context, a *Article) error {
	if a.ID == uuid.Nil {
		a.ID = uuid.Must(uuid.NewV7())
	}
	a.index()
	return fail("create article", s.write(ctx, a.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(a).Exec(ctx)
		return err
	}))
}

// Update saves an item's text and classification.
func (s *Store) Update(ctx context.Context, a *Article) error {
	a.index()
	return fail("update article "+a.ID.String(), s.write(ctx, a.OrgID, func(ctx context.Context, q bun.IDB) error {
		res, err := q.NewUpdate().Model(a).
			Column("slug", "kind", "category", "agenda_kind", "title", "summary", "body", "tags", "link_url", "search_text", "updated_by", "updated_at").
			Where("org_id = ? AND id = ?", a.OrgID, a.ID).Exec(ctx)
		return affected(res, err)
	}))
}

// SetStatus publishes, hides or returns an item to draft.
func (s *Store) SetStatus(ctx context.Context, orgID, id, by uuid.UUID, status Status, now time.Time) error {
	return fail("set status of "+id.String(), s.write(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		up := q.NewUpdate().Model((*Article)(nil)).Set("status = ?", status).Set("updated_by = ?", by).Set("updated_at = ?", now).
			Where("org_id = ? AND id = ?", orgID, id)
		if status == StatusPublished {
			up = up.Set("published_at = COALESCE(published_at, ?)", now)
		}
		res, err := up.Exec(ctx)
		return affected(res, err)
	}))
}

func affected(res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// SeedStarter adds the starter items an organisation does not have yet
// (by their starter key) and returns how many it added. Items an admin
// edited or hid are left as they are.
func (s *Store) SeedStarter(ctx context.Context, orgID uuid.UUID, items []Article, now time.Time) (int, error) {
	added := 0
	err := s.write(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var have []string
		if err := q.NewSelect().Model((*Article)(nil)).Column("starter_key").
			Where("org_id = ? AND starter_key IS NOT NULL", orgID).Scan(ctx, &have); err != nil {
			return err
		}
		known := map[string]bool{}
		for _, k := range have {
			known[k] = true
		}
		for _, it := range items {
			if it.StarterKey == nil || known[*it.StarterKey] {
				continue
			}
			a := it
			a.ID, a.OrgID, a.CreatedAt, a.UpdatedAt, a.PublishedAt = uuid.Must(uuid.NewV7()), orgID, now, now, &now
			a.index()
			// A slug an admin already used keeps the admin's item.
			res, err := q.NewInsert().Model(&a).On("CONFLICT DO NOTHING").Exec(ctx)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added++
			}
		}
		return nil
	})
	return added, fail("seed starter content", err)
}

// FileInfo describes an article's file without its bytes; db.ErrNotFound
// when it has none.
func (s *Store) FileInfo(ctx context.Context, orgID, articleID uuid.UUID) (*File, error) {
	f := new(File)
	err := s.read(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(f).ExcludeColumn("data").Where("org_id = ? AND article_id = ?", orgID, articleID).Scan(ctx)
	})
	if err != nil {
		return nil, fail("file of "+articleID.String(), err)
	}
	return f, nil
}

// File loads an article's file with its bytes.
func (s *Store) File(ctx context.Context, orgID, articleID uuid.UUID) (*File, error) {
	f := new(File)
	err := s.read(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(f).Where("org_id = ? AND article_id = ?", orgID, articleID).Scan(ctx)
	})
	if err != nil {
		return nil, fail("file of "+articleID.String(), err)
	}
	return f, nil
}

// PutFile replaces an article's file.
func (s *Store) PutFile(ctx context.Context, f *File) error {
	return fail("store file", s.write(ctx, f.OrgID, func(ctx context.Context, q bun.IDB) error {
		if _, err := q.NewDelete().Model((*File)(nil)).Where("org_id = ? AND article_id = ?", f.OrgID, f.ArticleID).Exec(ctx); err != nil {
			return err
		}
		_, err := q.NewInsert().Model(f).Exec(ctx)
		return err
	}))
}

// RemoveFile deletes an article's file, if any.
func (s *Store) RemoveFile(ctx context.Context, orgID, articleID uuid.UUID) error {
	return fail("remove file", s.write(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewDelete().Model((*File)(nil)).Where("org_id = ? AND article_id = ?", orgID, articleID).Exec(ctx)
		return err
	}))
}

// Vote records or changes a person's vote on an article.
func (s *Store) Vote(ctx context.Context, orgID, articleID, userID uuid.UUID, helpful bool, now time.Time) error {
	v := &Vote{OrgID: orgID, ArticleID: articleID, UserID: userID, Helpful: helpful, VotedAt: now}
	return fail("vote", s.write(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(v).
			On("CONFLICT (org_id, article_id, user_id) DO UPDATE").
			Set("helpful = EXCLUDED.helpful").Set("voted_at = EXCLUDED.voted_at").Exec(ctx)
		return err
	}))
}

// Tally counts an article's votes and finds the viewer's.
func (s *Store) Tally(ctx context.Context, orgID, articleID, viewer uuid.UUID) (Tally, error) {
	var t Tally
	var votes []Vote
	err := s.read(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&votes).Column("user_id", "helpful").Where("org_id = ? AND article_id = ?", orgID, articleID).Scan(ctx)
	})
	for _, v := range votes {
		if v.Helpful {
			t.Helpful++
		} else {
			t.NotHelpful++
		}
		if v.UserID == viewer {
			t.Mine = map[bool]string{true: "yes", false: "no"}[v.Helpful]
		}
	}
	return t, fail("tally votes", err)
}

// ErrAlreadyShared refuses sharing an article twice into a relationship.
var ErrAlreadyShared = errors.New("library: already shared")

// Share shares an article into a relationship.
func (s *Store) Share(ctx context.Context, sh *Share) error {
	sh.ID = uuid.Must(uuid.NewV7())
	err := s.write(ctx, sh.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(sh).Exec(ctx)
		return err
	})
	if db.IsConflict(err) {
		return ErrAlreadyShared
	}
	return fail("share article", err)
}

// Shares lists the published articles shared into a relationship, newest
// first.
func (s *Store) Shares(ctx context.Context, orgID, relID uuid.UUID) ([]SharedArticle, error) {
	var out []SharedArticle
	err := s.read(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewRaw(`SELECT s.*, a.title AS title, a.kind AS kind FROM library_shares AS s
			JOIN library_articles AS a ON a.org_id = s.org_id AND a.id = s.article_id
			WHERE s.org_id = ? AND s.relationship_id = ? AND a.status = ?
			ORDER BY s.shared_at DESC, s.id DESC`, orgID, relID, StatusPublished).Scan(ctx, &out)
	})
	return out, fail("shares of "+relID.String(), err)
}

// SharedInto lists the relationships an article was shared into.
func (s *Store) SharedInto(ctx context.Context, orgID, articleID uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := s.read(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model((*Share)(nil)).Column("relationship_id").Where("org_id = ? AND article_id = ?", orgID, articleID).Scan(ctx, &out)
	})
	return out, fail("relationships of "+articleID.String(), err)
}

// ShareByID loads one share.
func (s *Store) ShareByID(ctx context.Context, orgID, id uuid.UUID) (*Share, error) {
	sh := new(Share)
	err := s.read(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(sh).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, fail("share "+id.String(), err)
	}
	return sh, nil
}

// Unshare removes a share.
func (s *Store) Unshare(ctx context.Context, orgID, id uuid.UUID) error {
	return fail("unshare "+id.String(), s.write(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		res, err := q.NewDelete().Model((*Share)(nil)).Where("org_id = ? AND id = ?", orgID, id).Exec(ctx)
		return affected(res, err)
	}))
}

// Agenda loads a session's agenda; db.ErrNotFound when none is attached.
func (s *Store) Agenda(ctx context.Context, orgID, sessionID uuid.UUID) (*Agenda, error) {
	a := new(Agenda)
	err := s.read(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(a).Where("org_id = ? AND session_id = ?", orgID, sessionID).Scan(ctx)
	})
	if err != nil {
		return nil, fail("agenda of "+sessionID.String(), err)
	}
	return a, nil
}

// SetAgenda attaches (or replaces) a session's agenda.
func (s *Store) SetAgenda(ctx context.Context, a *Agenda) error {
	return fail("attach agenda", s.write(ctx, a.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(a).On("CONFLICT (org_id, session_id) DO UPDATE").
			Set("template_id = EXCLUDED.template_id").Set("title = EXCLUDED.title").Set("body = EXCLUDED.body").
			Set("attached_by = EXCLUDED.attached_by").Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
		return err
	}))
}
