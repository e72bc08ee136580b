// Command seed gives an organisation a practitioner with a year of
// sessions, for bench/week.sh and bench/pages.sh. Everything goes through the application's
// own services: the practitioner and the members are invited by the owner
// and accept their invitations (tenancy), relationships are created by
// the relationships package, and the sessions are scheduled directly by
// the practitioner through the calendar (weekly series, as a person would
// on the "Schedule a session" page).
//
// With -members it also invites that many more members (the people list
// and the audit log then have rows), and with -availability the
// practitioner opens weekdays 09:00–17:00 for booking. It prints the first
// relationship's id ("relationship <id>") for the scripts.
//
//	seed -slug bench -owner bench@example.test -practitioner coach@example.test -password …
//
// It reads the same TOOLBOX_* environment as the server.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

func main() {
	slug := flag.String("slug", "bench", "the organisation's slug")
	ownerEmail := flag.String("owner", "bench@example.test", "the owner who invites")
	coachEmail := flag.String("practitioner", "coach@example.test", "the practitioner to create")
	password := flag.String("password", "bench-password-long", "the practitioner's password")
	perDay := flag.Int("per-day", 2, "sessions a weekday (10:00, 14:00, … in the organisation's zone)")
	members := flag.Int("members", 0, "members to invite besides those with sessions")
	availability := flag.Bool("availability", false, "open the practitioner's weekdays 09:00-17:00 for booking")
	flag.Parse()
	extra := extras{members: *members, availability: *availability}
	if err := run(context.Background(), *slug, *ownerEmail, *coachEmail, *password, *perDay, extra); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

// weeks is how far the series run: a year (the calendar's longest series).
const weeks = 52

// extras are what bench/pages.sh needs beyond the week view's sessions.
type extras struct {
	members      int
	availability bool
}

func run(ctx context.Context, slug, ownerEmail, coachEmail, password string, perDay int, extra extras) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	role := ""
	if cfg.Postgres() {
		role = cfg.DatabaseRole
	}
	d, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, Role: role, MaxConns: 4})
	if err != nil {
		return err
	}
	defer d.Close()
	s, err := app.Build(cfg, d, nil, clock.System{}, log)
	if err != nil {
		return err
	}

	org, err := s.Tenancy.Store.OrgBySlug(ctx, slug)
	if err != nil {
		return err
	}
	owner, err := auth.UserByEmail(ctx, d, ownerEmail)
	if err != nil {
		return fmt.Errorf("owner %s: %w", ownerEmail, err)
	}
	// The owner confirms their address with the link they were sent (an
	// unconfirmed owner may not invite).
	if owner.VerifiedAt == nil {
		token, err := mailedToken(ctx, s.Mail, ownerEmail, "verify_email", verificationLink)
		if err != nil {
			return err
		}
		if _, err := s.Auth.Verify(ctx, token); err != nil {
			return fmt.Errorf("confirm %s: %w", ownerEmail, err)
		}
	}
	invite := func(email, name string, role tenancy.Role, kinds ...string) (*auth.User, error) {
		_, err := s.Tenancy.Invite(ctx, org.ID, tenancy.Actor{UserID: owner.ID, Role: tenancy.RoleOwner, IP: "127.0.0.1"},
			tenancy.InviteRow{Email: email, Name: name, Role: role, Kinds: kinds})
		if err != nil {
			return nil, fmt.Errorf("invite %s: %w", email, err)
		}
		token, err := mailedToken(ctx, s.Mail, email, "invitation", invitationLink)
		if err != nil {
			return nil, err
		}
		u, _, err := s.Tenancy.AcceptInvitation(ctx, token, uuid.Nil, &tenancy.NewAccount{Name: name, Password: password}, "127.0.0.1")
		if err != nil {
			return nil, fmt.Errorf("accept the invitation of %s: %w", email, err)
		}
		return u, nil
	}
	coach, err := invite(coachEmail, "Bench Coach", tenancy.RolePractitioner, tenancy.KindCoach)
	if err != nil {
		return err
	}

	if extra.availability {
		for wd := time.Monday; wd <= time.Friday; wd++ {
			if err := s.Calendar.AddRule(ctx, org.ID, coach.ID, wd, 9*60, 17*60); err != nil {
				return fmt.Errorf("availability on %s: %w", wd, err)
			}
		}
	}
	for n := 0; n < extra.members; n++ {
		if _, err := invite(fmt.Sprintf("person%03d@example.test", n), fmt.Sprintf("Bench Person %03d", n), tenancy.RoleMember); err != nil {
			return err
		}
	}

	// One member and one weekly series per weekday and hour: perDay × 5
	// series of 52 weeks, starting next Monday.
	zone, err := time.LoadLocation(org.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	now := time.Now().In(zone)
	monday := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
	monday = monday.AddDate(0, 0, 7-int((monday.Weekday()+6)%7))
	total := 0
	for wd := 0; wd < 5; wd++ {
		for h := 0; h < perDay; h++ {
			n := wd*perDay + h
			member, err := invite(fmt.Sprintf("member%02d@example.test", n), fmt.Sprintf("Bench Member %02d", n), tenancy.RoleMember)
			if err != nil {
				return err
			}
			var rel *relationships.Relationship
			at := time.Now()
			err = d.InTenant(ctx, org.ID, func(ctx context.Context, tx bun.Tx) error {
				rel, err = relationships.Create(ctx, tx, org.ID, at, relationships.New{
					Kind: relationships.Coaching, Format: relationships.OneToOne, Status: relationships.StatusActive,
					Practitioners: []uuid.UUID{coach.ID}, Members: []uuid.UUID{member.ID},
					Agreement: &relationships.Agreement{
						Purpose: "Bench", CadenceDays: 7, SessionMinutes: 60, Place: "Room 1",
						PractitionerAcceptedAt: &at, MemberAcceptedAt: &at,
					},
				})
				return err
			})
			if err != nil {
				return fmt.Errorf("relationship with %s: %w", member.Email, err)
			}
			if n == 0 {
				fmt.Printf("relationship %s\n", rel.ID)
			}
			day := monday.AddDate(0, 0, wd)
			start := time.Date(day.Year(), day.Month(), day.Day(), 10+4*h, 0, 0, 0, zone)
			ss, err := s.Calendar.Book(ctx, org.ID, calendar.BookInput{
				RelationshipID: rel.ID, ActorID: coach.ID, Start: start, Direct: true, IntervalDays: 7, Count: weeks,
			})
			if err != nil {
				return fmt.Errorf("schedule %s weekly: %w", start.Format(time.RFC3339), err)
			}
			total += len(ss)
		}
	}
	fmt.Printf("%s has %d sessions from %s on\n", coachEmail, total, monday.Format(time.DateOnly))
	return nil
}

var (
	invitationLink   = regexp.MustCompile(`/invitations/([A-Za-z0-9_-]+)`)
	verificationLink = regexp.MustCompile(`/verify/([A-Za-z0-9_-]+)`)
)

// mailedToken reads the token of the newest link of a kind sent to email
// from the mail the application queued (no SMTP server here).
func mailedToken(ctx context.Context, m *mail.Service, email, template string, link *regexp.Regexp) (string, error) {
	recent, err := m.Recent(ctx, 50)
	if err != nil {
		return "", err
	}
	for _, e := range recent {
		if e.To != email || e.Template != template {
			continue
		}
		full, err := m.Get(ctx, e.ID)
		if err != nil {
			return "", err
		}
		if match := link.FindStringSubmatch(full.TextBody); match != nil {
			return match[1], nil
		}
	}
	return "", fmt.Errorf("no %s e-mail to %s", template, email)
}
