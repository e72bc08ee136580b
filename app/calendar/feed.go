package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// RegenerateFeed gives a person a new private subscription URL token;
// the old one stops working at once. Only the token's hash is stored, so
// the token is shown this once.
func (s *Service) RegenerateFeed(ctx context.Context, userID uuid.UUID) (string, error) {
	token, hash := auth.NewToken()
	f := &Feed{ID: uuid.Must(uuid.NewV7()), UserID: userID, TokenHash: hash, CreatedAt: s.Clock.Now()}
	if err := s.Store.ReplaceFeed(ctx, f); err != nil {
		return "", err
	}
	return token, nil
}

// EndFeed ends a person's subscription address (auth.FeedRevoker): after
// a password reset or signing out everywhere, whoever held the old
// address reads nothing more. The person makes a new one when they wish.
func (s *Service) EndFeed(ctx context.Context, idb bun.IDB, userID uuid.UUID) error {
	return s.Store.WithTx(idb).DeleteFeed(ctx, userID)
}

// FeedOf returns a person's subscription, or db.ErrNotFound.
func (s *Service) FeedOf(ctx context.Context, userID uuid.UUID) (*Feed, error) {
	return s.Store.FeedOf(ctx, userID)
}

// FeedURL is the subscription address for a token.
func (s *Service) FeedURL(token string) string { return s.BaseURL + "/calendar/feed/" + token + ".ics" }

// FeedICS renders the sessions of the person a token belongs to, in
// every organisation they are active in, from 90 days ago to a year on.
func (s *Service) FeedICS(ctx context.Context, token string) (string, error) {
	f, err := s.Store.FeedByHash(ctx, auth.HashToken(token))
	if err != nil {
		return "", err
	}
	ms, err := s.Tenancy.Memberships(ctx, f.UserID)
	if err != nil {
		return "", err
	}
	now := s.Clock.Now()
	var events []icsEvent
	for _, m := range ms {
		if m.Status != tenancy.StatusActive {
			continue
		}
		org := &tenancy.Organisation{ID: m.OrgID, Slug: m.Slug, Name: m.Name, TimeZone: m.TimeZone}
		sessions, err := s.SessionsOf(ctx, m.OrgID, f.UserID, now.AddDate(0, 0, -90), now.AddDate(1, 0, 0))
		if err != nil {
			return "", fmt.Errorf("calendar: feed of %s: %w", f.UserID, err)
		}
		names, err := s.SessionNames(ctx, m.OrgID, f.UserID, sessions)
		if err != nil {
			return "", fmt.Errorf("calendar: feed of %s: %w", f.UserID, err)
		}
		for _, sess := range sessions {
			ev := icsEvent{Session: sess, Name: nameOr(names, sess), URL: s.sessionURL(org, &sess)}
			// The meeting link for the practitioner and one-to-one
			// attendees; a group's seat holders find it on the session
			// page and in their e-mails (the feed lists the waitlisted too).
			if sess.Status == StatusScheduled && (sess.PractitionerID == f.UserID || !sess.IsGroup()) {
				ev.Meeting = sess.MeetingURL
			}
			events = append(events, ev)
		}
	}
	return buildICS("", "Leadership Toolbox", events, now), nil
}

// Feed tokens are never shown again; FeedCreated says since when one works.
func (f *Feed) Since() time.Time { return f.CreatedAt }

// feedPage is what pages/calendar/feed.html shows; URL is set only
// right after a new one was made.
type feedPage struct {
	Feed      *Feed
	URL, Base string
}

func (h *Handlers) renderFeed(c *gin.Context, url string) error {
	v := web.CurrentViewer(c)
	feed, err := h.Service.FeedOf(c.Request.Context(), v.UserID)
	if errors.Is(err, db.ErrNotFound) {
		feed = nil // none yet: the page offers to make one
	} else if err != nil {
		return err
	}
	page := web.NewPage(c, "Calendar subscription", feedPage{Feed: feed, URL: url, Base: base(v)})
	page.Nav = "calendar"
	return h.Renderer.Render(c, http.StatusOK, PageFeed, page)
}

func (h *Handlers) ShowFeedPage(c *gin.Context) error { return h.renderFeed(c, "") }

// regenerateFeed makes a new subscription URL and shows it this once
// (only its hash is kept); the old URL stops working.
func (h *Handlers) RegenerateFeed(c *gin.Context) error {
	v := web.CurrentViewer(c)
	token, err := h.Service.RegenerateFeed(c.Request.Context(), v.UserID)
	if err != nil {
		return err
	}
	return h.renderFeed(c, h.Service.FeedURL(token))
}

func (h *Handlers) ServeFeed(c *gin.Context) error {
	token, ok := strings.CutSuffix(c.Param("file"), ".ics")
	if !ok || token == "" || len(token) > 100 {
		return db.ErrNotFound
	}
	body, err := h.Service.FeedICS(c.Request.Context(), token)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Header("X-Robots-Tag", "noindex")
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
	return nil
}
