package busy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// MaxBytes is the most a calendar's answer may weigh: reading stops, and
// the refresh fails, past 10 MB.
const MaxBytes = 10 << 20

// DefaultTimeout bounds one refresh (every request of it together).
const DefaultTimeout = 30 * time.Second

// Fetcher makes the requests of refreshes: it refuses addresses on
// loopback, private, link-local and other non-public networks (unless
// AllowPrivate: tests and the embedded mode on this machine), reads no
// answer past MaxBytes and gives up after Timeout.
type Fetcher struct {
	AllowPrivate bool
	Timeout      time.Duration
	// MaxBytes, when set, replaces the package's MaxBytes (tests).
	MaxBytes int64
}

func (f *Fetcher) limit() int64 {
	if f.MaxBytes > 0 {
		return f.MaxBytes
	}
	return MaxBytes
}

func (f *Fetcher) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return DefaultTimeout
}

// client is an HTTP client that dials only the addresses f allows (the
// check is made on the address actually dialled, after name resolution
// and on every redirect, so that a name cannot be pointed inwards later),
// ignores proxy settings, and caps what it reads.
func (f *Fetcher) client() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, ControlContext: f.control}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: f.timeout(),
		MaxIdleConns:          2,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{
		Transport: &limitedTransport{next: transport, max: f.limit()},
		Timeout:   f.timeout(),
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return &FetchError{Kind: FailAddress, Detail: "too many redirects"}
			}
			return f.checkScheme(req.URL)
		},
	}
}

// control refuses a connection to an address that is not public.
func (f *Fetcher) control(_ context.Context, _, address string, _ syscall.RawConn) error {
	if f.AllowPrivate {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return &FetchError{Kind: FailRefused, Detail: address}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !Public(ip) {
		return &FetchError{Kind: FailRefused, Detail: address}
	}
	return nil
}

// Public reports whether ip is an address on the public internet: not
// loopback, private (RFC 1918, unique local), link-local, shared
// (carrier-grade NAT), multicast, unspecified or reserved.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// checkScheme allows https, and http only where private addresses are
// allowed (tests, the embedded mode): a secret address must not travel
// in the clear.
func (f *Fetcher) checkScheme(u *url.URL) error {
	switch {
	case u.Scheme == "https", u.Scheme == "http" && f.AllowPrivate:
		return nil
	}
	return &FetchError{Kind: FailAddress, Detail: "the address must start with https://"}
}

// NormaliseURL checks an address a practitioner gave: webcal:// (Apple's
// and Outlook's links) is read as https://; it must be https (or http
// where private addresses are allowed), name a host and carry no user
// name. The returned error is for the person.
func (f *Fetcher) NormaliseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if rest, ok := strings.CutPrefix(raw, "webcal://"); ok {
		raw = "https://" + rest
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return "", errors.New("Paste the whole address, starting with https://.")
	}
	if f.checkScheme(u) != nil {
		return "", errors.New("The address must start with https://.")
	}
	if !f.AllowPrivate {
		if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !Public(ip) {
			return "", errors.New("This address points to a private or local network, which may not be used.")
		}
		if h := strings.ToLower(u.Hostname()); h == "localhost" || strings.HasSuffix(h, ".localhost") {
			return "", errors.New("This address points to this machine, which may not be used.")
		}
	}
	return u.String(), nil
}

// limitedTransport fails an answer that announces, or turns out while
// read, to be larger than max; it also turns the statuses that mean
// "wrong address" or "not allowed" into a FetchError, for the iCalendar
// feed and the CalDAV client alike.
type limitedTransport struct {
	next http.RoundTripper
	max  int64
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, &FetchError{Kind: FailTooLarge, Detail: fmt.Sprintf("%d bytes announced", resp.ContentLength)}
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		resp.Body.Close()
		return nil, &FetchError{Kind: FailUnauthorised, Detail: resp.Status}
	case http.StatusNotFound, http.StatusGone:
		resp.Body.Close()
		return nil, &FetchError{Kind: FailAddress, Detail: resp.Status}
	}
	resp.Body = &limitedBody{r: resp.Body, left: t.max}
	return resp, nil
}

type limitedBody struct {
	r    io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &FetchError{Kind: FailTooLarge, Detail: "more than the limit read"}
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, &FetchError{Kind: FailTooLarge, Detail: "more than the limit read"}
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.r.Close() }

// get reads the whole answer to a GET of address.
func (f *Fetcher) get(ctx context.Context, address string) ([]byte, error) {
	u, err := url.Parse(address)
	if err != nil {
		return nil, &FetchError{Kind: FailAddress, Detail: "unreadable address"}
	}
	if err := f.checkScheme(u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
	if err != nil {
		return nil, &FetchError{Kind: FailAddress, Detail: "unreadable address"}
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	req.Header.Set("User-Agent", "LeadershipToolbox-busy-times/1")
	resp, err := f.client().Do(req)
	if err != nil {
		return nil, classify(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, &FetchError{Kind: FailServer, Detail: resp.Status}
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, resp.Body); err != nil {
		return nil, classify(err)
	}
	return buf.Bytes(), nil
}

// classify turns a transport error into a FetchError of the right kind.
func classify(err error) error {
	var fe *FetchError
	var dns *net.DNSError
	var nerr net.Error
	switch {
	case errors.As(err, &fe):
		return fe
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		return &FetchError{Kind: FailTimeout, Detail: "no answer in time"}
	case errors.As(err, &dns):
		return &FetchError{Kind: FailAddress, Detail: "unknown host " + dns.Name}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &FetchError{Kind: FailAddress, Detail: "connection refused"}
	}
	// The client's errors name the address, which may be the secret:
	// keep only what went wrong.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return &FetchError{Kind: FailServer, Detail: err.Error()}
}
