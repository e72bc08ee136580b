package calendar

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Meeting modes: how a practitioner's sessions are joined remotely.
const (
	// MeetingNone: no link (sessions in person, or a link written in the place).
	MeetingNone = "none"
	// MeetingRoom: the practitioner's own video room, the same for every session.
	MeetingRoom = "room"
	// MeetingGenerated: a fresh room for each session at the
	// organisation's meeting service (tenancy.Settings.MeetingService).
	MeetingGenerated = "generated"
)

// roomNameEncoding writes room names in lower-case letters and digits,
// which every meeting service accepts in a path.
var roomNameEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewRoomURL is a fresh, unguessable room at a meeting service: its
// address, a slash and a name carrying 128 random bits. Services such as
// Jitsi Meet open a room by its address alone, so the name is the only
// key to it: only the session's people are shown it.
func NewRoomURL(service string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return strings.TrimRight(service, "/") + "/LeadershipToolbox-" + roomNameEncoding.EncodeToString(b)
}

// meetingLink is the link a new session of the practitioner gets.
func meetingLink(bs BookingSettings, org *tenancy.Organisation) string {
	switch bs.MeetingMode {
	case MeetingRoom:
		return bs.MeetingRoomURL
	case MeetingGenerated:
		return NewRoomURL(org.Settings.MeetingService())
	}
	return ""
}

// MeetingSettings is a practitioner's choice of meeting link, and the
// organisation's meeting service that MeetingGenerated uses.
type MeetingSettings struct {
	Mode, RoomURL, Service string
}

// MeetingSettingsOf loads a practitioner's choice.
func (s *Service) MeetingSettingsOf(ctx context.Context, orgID, practitionerID uuid.UUID) (MeetingSettings, error) {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return MeetingSettings{}, err
	}
	var out MeetingSettings
	err = s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		bs, err := s.Store.WithTx(q).BookingSettings(ctx, orgID, practitionerID)
		out = MeetingSettings{Mode: bs.MeetingMode, RoomURL: bs.MeetingRoomURL, Service: org.Settings.MeetingService()}
		return err
	})
	return out, err
}

// SaveMeetingSettings stores a practitioner's choice; sessions already
// booked keep the link they were given.
func (s *Service) SaveMeetingSettings(ctx context.Context, orgID, practitionerID uuid.UUID, mode, roomURL string) error {
	b := DefaultBookingSettings(orgID, practitionerID)
	b.MeetingMode, b.MeetingRoomURL, b.UpdatedAt = mode, roomURL, s.Clock.Now()
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error { return s.Store.WithTx(tx).SaveMeetingSettings(ctx, &b) })
	if err != nil {
		return fmt.Errorf("calendar: save meeting link of %s: %w", practitionerID, err)
	}
	return nil
}

// meetingPage is what pages/calendar/meeting.html shows.
type meetingPage struct {
	Form *web.Form
	// Service is the organisation's meeting service, where new rooms are made.
	Service, Base string
}

// ShowMeetingPage shows the practitioner's choice of meeting link.
func (h *Handlers) ShowMeetingPage(c *gin.Context) error {
	return h.renderMeeting(c, http.StatusOK, nil)
}

func (h *Handlers) renderMeeting(c *gin.Context, status int, f *web.Form) error {
	v := web.CurrentViewer(c)
	ms, err := h.Service.MeetingSettingsOf(c.Request.Context(), v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	if f == nil {
		f = web.NewForm(nil)
		f.Set("mode", ms.Mode)
		f.Set("room_url", ms.RoomURL)
	}
	return h.Renderer.Render(c, status, PageMeeting, web.NewPage(c, "Meeting link", meetingPage{Form: f, Service: ms.Service, Base: base(v)}))
}

// SaveMeeting stores the practitioner's choice of meeting link.
func (h *Handlers) SaveMeeting(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("mode")
	f.OneOf("mode", MeetingNone, MeetingRoom, MeetingGenerated)
	room := f.WebURL("room_url", false)
	if f.Get("mode") == MeetingRoom && f.Get("room_url") == "" {
		f.Add("room_url", "Enter the address of your video room, or choose another option.")
	}
	if !f.Valid() {
		return h.renderMeeting(c, http.StatusUnprocessableEntity, f)
	}
	if err := h.Service.SaveMeetingSettings(c.Request.Context(), v.Org.ID, v.UserID, f.Get("mode"), room); err != nil {
		return err
	}
	return web.Done(c, base(v)+"/meeting", web.Flash{Kind: "success", Message: "Meeting link saved. Sessions booked from now on get it."}, func() error {
		return h.renderMeeting(c, http.StatusOK, nil)
	})
}
