package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// FormKeyField is the hidden field that makes a form's post happen once.
// The "csrf" partial, which every form that posts includes, adds it with
// a fresh key each time the form is rendered.
const FormKeyField = "form_key"

// NewFormKey is a fresh, unguessable form key.
func NewFormKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// formKeyShape reports whether key looks like one NewFormKey made.
func formKeyShape(key string) bool {
	if len(key) != 32 {
		return false
	}
	_, err := hex.DecodeString(key)
	return err == nil
}

// Once makes a form post to an organisation's pages happen once: the
// first post of a form key claims it; if that post ends in a redirect
// (it did what it was asked), the key keeps the redirect and its flash
// messages for a day, and a second post of the same key (a double click,
// a resent form, the back button) does nothing and shows the same page
// again. A post that ends otherwise (refused with 422, answered in place)
// frees its key, so that the corrected form can be sent. A second post
// that arrives while the first still runs waits for it.
//
// It is one table, form_submissions, keyed by organisation and key; the
// person must be the one who sent the first post.
type Once struct {
	DB  *db.DB
	Now func() time.Time
	// Wait bounds how long a second post waits for the first.
	Wait time.Duration
}

// onceTTL is how long a key keeps its answer.
const onceTTL = 24 * time.Hour

// submission is one claimed form key.
type submission struct {
	bun.BaseModel `bun:"table:form_submissions"`

	OrgID     uuid.UUID `bun:"org_id,pk,type:uuid"`
	Key       string    `bun:"key,pk"`
	UserID    uuid.UUID `bun:"user_id,type:uuid"`
	Location  string    `bun:"location"`
	Flashes   string    `bun:"flashes"`
	CreatedAt time.Time `bun:"created_at"`
	ExpiresAt time.Time `bun:"expires_at"`
}

// errKeyInUse: the form key is another person's.
var errKeyInUse = errors.New("web: form key in use")

// Guard is the middleware (it runs the rest of the chain itself).
func (o *Once) Guard(c *gin.Context) error {
	v := CurrentViewer(c)
	if c.Request.Method != http.MethodPost || v == nil || v.Org == nil {
		return nil
	}
	key := c.Request.PostFormValue(FormKeyField)
	if !formKeyShape(key) {
		return nil // no key, or one no form was given: unguarded
	}
	ctx := c.Request.Context()
	first, err := o.claim(ctx, v, key)
	if errors.Is(err, errKeyInUse) {
		return nil // not this person's key: the post runs unguarded
	}
	if err != nil {
		return err
	}
	if first == nil {
		// A second post of the key: show what the first one showed.
		done, err := o.await(ctx, v.Org.ID, key)
		if err != nil {
			return err
		}
		var flashes []Flash
		_ = json.Unmarshal([]byte(done.Flashes), &flashes)
		for _, f := range flashes {
			AddFlash(c, f.Kind, f.Message)
		}
		Redirect(c, done.Location)
		c.Abort()
		return nil
	}
	// Detached: the answer is written even if the browser has gone.
	ctx = context.WithoutCancel(ctx)
	answered := false
	defer func() {
		if !answered { // the handler panicked: free the key
			_ = o.release(ctx, v.Org.ID, key)
		}
	}()
	c.Next()
	answered = true
	to := c.Writer.Header().Get("HX-Redirect")
	if s := c.Writer.Status(); to == "" && s >= 300 && s < 400 {
		to = c.Writer.Header().Get("Location")
	}
	if to == "" || !LocalPath(to) {
		return o.release(ctx, v.Org.ID, key)
	}
	return db.In(ctx, o.DB, nil, v.Org.ID, func(ctx context.Context, q bun.IDB) error {
		flashes, _ := c.Get(addedFlashesKey)
		b, _ := json.Marshal(flashes)
		_, err := q.NewUpdate().Model((*submission)(nil)).Set("location = ?", to).Set("flashes = ?", string(b)).
			Where("org_id = ? AND key = ?", v.Org.ID, key).Exec(ctx)
		return err
	})
}

// release frees a key whose post did not end in a redirect.
func (o *Once) release(ctx context.Context, orgID uuid.UUID, key string) error {
	return db.In(ctx, o.DB, nil, orgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewDelete().Model((*submission)(nil)).Where("org_id = ? AND key = ?", orgID, key).Exec(ctx)
		return err
	})
}

// claim records the key for the viewer; the first post gets its new
// row, a second one nil.
func (o *Once) claim(ctx context.Context, v *Viewer, key string) (*submission, error) {
	now := o.Now()
	row := &submission{OrgID: v.Org.ID, Key: key, UserID: v.UserID, CreatedAt: now, ExpiresAt: now.Add(onceTTL)}
	err := o.DB.InTenant(ctx, v.Org.ID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*submission)(nil)).Where("org_id = ? AND expires_at < ?", v.Org.ID, now).Exec(ctx); err != nil {
			return err
		}
		res, err := tx.NewInsert().Model(row).On("CONFLICT (org_id, key) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		row = nil
		var prior submission
		if err := tx.NewSelect().Model(&prior).Where("org_id = ? AND key = ?", v.Org.ID, key).Scan(ctx); err != nil {
			return err
		}
		if prior.UserID != v.UserID {
			return errKeyInUse
		}
		if prior.Location == "" && now.Sub(prior.CreatedAt) > o.Wait {
			// Its first post never answered (the process stopped): this
			// one takes the key over.
			row = &prior
			_, err := tx.NewUpdate().Model(row).Set("created_at = ?", now).WherePK().Exec(ctx)
			return err
		}
		return nil
	})
	if err != nil && !errors.Is(err, errKeyInUse) {
		return nil, fmt.Errorf("web: claim form key: %w", err)
	}
	return row, err
}

// await waits for the first post of the key to finish and returns its
// row with the answer. A first post still running after o.Wait, or one
// that was refused meanwhile (its row gone), is a 409 that says so.
func (o *Once) await(ctx context.Context, orgID uuid.UUID, key string) (*submission, error) {
	deadline := time.Now().Add(o.Wait)
	for {
		var rows []submission
		err := o.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
			return q.NewSelect().Model(&rows).Where("org_id = ? AND key = ?", orgID, key).Scan(ctx)
		})
		if err != nil {
			return nil, fmt.Errorf("web: read form key: %w", err)
		}
		switch {
		case len(rows) == 0:
			return nil, Errorf(http.StatusConflict, "This form was refused the first time it was sent. Please reload the page and send it again.")
		case rows[0].Location != "":
			return &rows[0], nil
		case !time.Now().Before(deadline):
			return nil, Errorf(http.StatusConflict, "This form is still being sent. Please wait a moment and reload the page.")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
