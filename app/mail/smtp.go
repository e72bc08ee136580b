package mail

import (
	"context"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig says how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is none, starttls or tls.
	TLS  string
	From string
}

// SMTPSender delivers through an SMTP server with go-mail.
type SMTPSender struct {
	cfg SMTPConfig
}

// NewSMTPSender checks the configuration and returns a sender.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if _, err := clientFor(cfg); err != nil {
		return nil, err
	}
	return &SMTPSender{cfg: cfg}, nil
}

func clientFor(cfg SMTPConfig) (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(20 * time.Second)}
	switch cfg.TLS {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client for %s: %w", cfg.Host, err)
	}
	return c, nil
}

// Send delivers one message.
func (s *SMTPSender) Send(ctx context.Context, e *Email) error {
	m := gomail.NewMsg()
	if err := m.From(s.cfg.From); err != nil {
		return fmt.Errorf("mail: from %q: %w", s.cfg.From, err)
	}
	if err := m.To(e.To); err != nil {
		return fmt.Errorf("mail: to %q: %w", e.To, err)
	}
	m.Subject(e.Subject)
	// A stable Message-ID lets receiving servers drop a duplicate should a
	// crash make us send twice.
	m.SetMessageIDWithValue(e.ID.String() + "@leadership-toolbox")
	m.SetBodyString(gomail.TypeTextPlain, e.TextBody)
	if e.HTMLBody != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTMLBody)
	}
	if e.ICS != "" {
		method := strings.ToUpper(e.ICSMethod)
		if method == "" {
			method = "PUBLISH"
		}
		if err := m.AttachReader("invite.ics", strings.NewReader(e.ICS),
			gomail.WithFileContentType(gomail.ContentType("text/calendar; charset=utf-8; method="+method))); err != nil {
			return fmt.Errorf("mail: attach calendar: %w", err)
		}
	}
	c, err := clientFor(s.cfg)
	if err != nil {
		return err
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("mail: SMTP delivery: %w", err)
	}
	return nil
}
