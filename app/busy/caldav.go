package busy

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
)

// fetchCalDAV reads, with go-webdav's CalDAV client, the events of a
// CalDAV account that overlap [from, to): of the one calendar the address
// names, or else of every calendar of the account that holds events. Only
// the time properties are asked for (servers that ignore the request send
// more, which is read no further).
func (f *Fetcher) fetchCalDAV(ctx context.Context, cr Credentials, from, to time.Time) ([]*ical.Calendar, error) {
	u, err := url.Parse(cr.URL)
	if err != nil {
		return nil, &FetchError{Kind: FailAddress, Detail: "unreadable address"}
	}
	if err := f.checkScheme(u); err != nil {
		return nil, err
	}
	hc := webdav.HTTPClientWithBasicAuth(f.client(), cr.Username, cr.Password)
	client, err := caldav.NewClient(hc, cr.URL)
	if err != nil {
		return nil, &FetchError{Kind: FailAddress, Detail: err.Error()}
	}
	principal, err := client.FindCurrentUserPrincipal(ctx)
	if err != nil {
		return nil, caldavError(err)
	}
	home, err := client.FindCalendarHomeSet(ctx, principal)
	if err != nil {
		return nil, caldavError(err)
	}
	all, err := client.FindCalendars(ctx, home)
	if err != nil {
		return nil, caldavError(err)
	}
	var paths []string
	want := strings.TrimSuffix(u.Path, "/")
	for _, c := range all {
		if strings.TrimSuffix(c.Path, "/") == want {
			paths = []string{c.Path}
			break
		}
		if len(c.SupportedComponentSet) == 0 || containsFold(c.SupportedComponentSet, ical.CompEvent) {
			paths = append(paths, c.Path)
		}
	}
	query := &caldav.CalendarQuery{
		CompRequest: caldav.CalendarCompRequest{
			Name:  ical.CompCalendar,
			Props: []string{ical.PropVersion, ical.PropProductID},
			Comps: []caldav.CalendarCompRequest{{
				Name: ical.CompEvent,
				Props: []string{ical.PropUID, ical.PropDateTimeStamp, ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDuration,
					ical.PropRecurrenceRule, ical.PropExceptionDates, ical.PropRecurrenceDates, ical.PropRecurrenceID,
					ical.PropStatus, ical.PropTransparency},
			}, {Name: ical.CompTimezone, AllProps: true}},
		},
		CompFilter: caldav.CompFilter{
			Name:  ical.CompCalendar,
			Comps: []caldav.CompFilter{{Name: ical.CompEvent, Start: from.UTC(), End: to.UTC()}},
		},
	}
	var out []*ical.Calendar
	for _, p := range paths {
		objs, err := client.QueryCalendar(ctx, p, query)
		if err != nil {
			return nil, caldavError(err)
		}
		for _, o := range objs {
			if o.Data != nil {
				out = append(out, o.Data)
			}
		}
	}
	return out, nil
}

// caldavError classifies what the CalDAV client returned: our transport's
// own FetchError comes back through it; a status it met is in its text.
func caldavError(err error) error {
	c := classify(err)
	if fe, ok := c.(*FetchError); ok && fe.Kind == FailServer {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "401"), strings.Contains(msg, "403"):
			return &FetchError{Kind: FailUnauthorised, Detail: msg}
		case strings.Contains(msg, "404"):
			return &FetchError{Kind: FailAddress, Detail: msg}
		case strings.Contains(msg, "XML"), strings.Contains(msg, "xml"), strings.Contains(msg, "multistatus"):
			return &FetchError{Kind: FailContent, Detail: msg}
		}
	}
	return c
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// Fetch reads a calendar's events as iCalendar objects.
func (f *Fetcher) Fetch(ctx context.Context, kind string, cr Credentials, from, to time.Time) ([]*ical.Calendar, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()
	if kind == KindCalDAV {
		return f.fetchCalDAV(ctx, cr, from, to)
	}
	body, err := f.get(ctx, cr.URL)
	if err != nil {
		return nil, err
	}
	cal, err := ParseICS(body)
	if err != nil {
		return nil, err
	}
	return []*ical.Calendar{cal}, nil
}
