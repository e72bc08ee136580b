package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// PurposeChangeEmail is the link that confirms a new e-mail address.
const PurposeChangeEmail = "change_email"

// ChangeEmailLinkTTL is how long the link to a new address works.
const ChangeEmailLinkTTL = 48 * time.Hour

// ErrEmailTaken refuses a new address that another account uses.
var ErrEmailTaken = fmt.Errorf("auth: that address has an account: %w", db.ErrConflict)

// RequestEmailChange checks the person's password and e-mails a link to
// the new address; the account keeps its address until the link is used.
func (s *Service) RequestEmailChange(ctx context.Context, userID uuid.UUID, password, newEmail string) error {
	newEmail = normaliseEmail(newEmail)
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		u, err := UserByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		ok, err := CheckPassword(u.PasswordHash, password)
		if err != nil {
			return err
		}
		if !ok {
			return ErrBadCredentials
		}
		if _, err := UserByEmail(ctx, tx, newEmail); err == nil {
			return ErrEmailTaken
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		token, err := IssueToken(ctx, tx, s.Clock.Now(), u.ID, PurposeChangeEmail, ChangeEmailLinkTTL)
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*userToken)(nil)).Set("new_email = ?", newEmail).
			Where("token_hash = ?", HashToken(token)).Exec(ctx); err != nil {
			return fmt.Errorf("auth: record the new address: %w", err)
		}
		_, err = s.Mail.Queue(ctx, tx, mail.Message{
			To: newEmail, Template: "change_email",
			Data: map[string]any{"Name": u.Name, "Email": newEmail, "Link": s.BaseURL + "/account/email/" + token},
		})
		return err
	})
}

// pendingEmail is the new address a live change link confirms.
func pendingEmail(ctx context.Context, idb bun.IDB, now time.Time, token string) (string, error) {
	var emails []string
	err := idb.NewSelect().Model((*userToken)(nil)).Column("new_email").
		Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", HashToken(token), PurposeChangeEmail, now).
		Scan(ctx, &emails)
	if err != nil {
		return "", fmt.Errorf("auth: change link: %w", err)
	}
	if len(emails) == 0 || emails[0] == "" {
		return "", fmt.Errorf("auth: change link: %w", db.ErrNotFound)
	}
	return emails[0], nil
}

// ConfirmEmailChange spends a change link: the account takes the new
// address (confirmed, since the link reached it) and the old address is
// told, so that a change nobody asked for is noticed.
func (s *Service) ConfirmEmailChange(ctx context.Context, token string) (*User, error) {
	var u *User
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		newEmail, err := pendingEmail(ctx, tx, now, token)
		if err != nil {
			return err
		}
		id, err := UseToken(ctx, tx, now, token, PurposeChangeEmail)
		if err != nil {
			return err
		}
		if other, err := UserByEmail(ctx, tx, newEmail); err == nil && other.ID != id {
			return ErrEmailTaken
		} else if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		old, err := UserByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*User)(nil)).Set("email = ?", newEmail).Set("verified_at = ?", now).
			Where("id = ?", id).Exec(ctx); err != nil {
			return fail(err, "change the address of %s", id)
		}
		if _, err := s.Mail.Queue(ctx, tx, mail.Message{
			To: old.Email, Template: "email_changed",
			Data: map[string]any{"Name": old.Name, "Email": newEmail},
		}); err != nil {
			return err
		}
		u, err = UserByID(ctx, tx, id)
		return err
	})
	return u, err
}

// ChangeEmail asks for a new address (the account page's form).
func (h *Handlers) ChangeEmail(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("new_email", "password")
	email := f.Email("new_email")
	if f.Valid() && email == normaliseEmail(v.Email) {
		f.Add("new_email", "That is your address already.")
	}
	if f.Valid() {
		err := h.Service.RequestEmailChange(c.Request.Context(), v.UserID, f.Values.Get("password"), email)
		switch {
		case errors.Is(err, ErrBadCredentials):
			f.Add("password", "That is not your password.")
		case errors.Is(err, ErrEmailTaken):
			f.Add("new_email", "Another account uses that address.")
		case err != nil:
			return err
		default:
			web.AddFlash(c, "success", "We sent a link to "+email+". Your address changes when you open it; until then, keep using "+v.Email+".")
			web.Redirect(c, "/account")
			return nil
		}
	}
	return h.renderAccountWith(c, http.StatusUnprocessableEntity, nil, nil, f)
}

// ShowChangeEmailPage asks the holder of the new address to confirm it
// (a button: mail scanners that open links change nothing).
func (h *Handlers) ShowChangeEmailPage(c *gin.Context) error {
	token := c.Param("token")
	email, err := pendingEmail(c.Request.Context(), h.Service.DB, h.Service.Clock.Now(), token)
	if errors.Is(err, db.ErrNotFound) {
		return h.linkInvalid(c)
	}
	if err != nil {
		return err
	}
	return h.Renderer.Render(c, http.StatusOK, PageChangeEmail, web.NewPage(c, "Confirm your new e-mail address", gin.H{"Token": token, "Email": email}))
}

// ConfirmChangeEmail changes the address.
func (h *Handlers) ConfirmChangeEmail(c *gin.Context) error {
	u, err := h.Service.ConfirmEmailChange(c.Request.Context(), c.Param("token"))
	switch {
	case errors.Is(err, db.ErrNotFound):
		return h.linkInvalid(c)
	case errors.Is(err, ErrEmailTaken):
		return web.Errorf(http.StatusConflict, "Another account took that address in the meantime.")
	case err != nil:
		return err
	}
	if v := web.CurrentViewer(c); v != nil && v.UserID == u.ID {
		if err := h.Service.Sessions.Rotate(c, u); err != nil {
			return err
		}
	}
	web.AddFlash(c, "success", "Your e-mail address is now "+u.Email+". We told your old address.")
	web.Redirect(c, "/account")
	return nil
}
