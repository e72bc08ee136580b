package billing_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/build"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const webhookSecret = "whsec_test_secret"

// stripeCall is one request the app sent to Stripe.
type stripeCall struct {
	Method, Path   string
	IdempotencyKey string
	Form           url.Values
}

// fakeStripe is stripe-mock behind a recording proxy. stripe-mock is
// stateless and answers every create with the same fixture id; the proxy
// makes ids unique (as Stripe's are) and keeps what the app sent.
type fakeStripe struct {
	URL   string
	mu    sync.Mutex
	calls []stripeCall
	n     int
}

// Calls returns the recorded requests to a path.
func (f *fakeStripe) Calls(path string) []stripeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []stripeCall
	for _, c := range f.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// stripeMockBinary finds stripe-mock on PATH or in $(go env GOPATH)/bin.
func stripeMockBinary(t testing.TB) string {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		gopath = build.Default.GOPATH
	}
	p := filepath.Join(strings.Split(gopath, string(os.PathListSeparator))[0], "bin", "stripe-mock")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("stripe-mock is required for the billing tests and was not found on PATH or at %s: run scripts/install-test-deps.sh", p)
	}
	return p
}

// startStripe starts stripe-mock on free loopback ports (HTTP and HTTPS)
// and a recording proxy in front of it. It fails the test, never skips,
// when stripe-mock cannot run.
func startStripe(t testing.TB) *fakeStripe {
	t.Helper()
	cmd := exec.Command(stripeMockBinary(t), "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "Listening for HTTP at address: "); ok {
				addr <- a
			}
		}
	}()
	var target string
	select {
	case target = <-addr:
	case <-time.After(60 * time.Second):
		t.Fatal("stripe-mock did not report its HTTP address within 60s")
	}
	upstream, _ := url.Parse("http://" + target)
	f := &fakeStripe{}
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method != http.MethodPost || resp.StatusCode != http.StatusOK {
			return nil
		}
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		var obj map[string]any
		if json.Unmarshal(raw, &obj) == nil {
			f.mu.Lock()
			f.n++
			n := f.n
			f.mu.Unlock()
			if id, ok := obj["id"].(string); ok {
				obj["id"] = fmt.Sprintf("%s_%d", id, n)
			}
			if u, ok := obj["url"].(string); ok {
				obj["url"] = fmt.Sprintf("%s_%d", u, n)
			}
			raw, _ = json.Marshal(obj)
		}
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		resp.ContentLength = int64(len(raw))
		resp.Header.Del("Content-Length")
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		f.mu.Lock()
		f.calls = append(f.calls, stripeCall{Method: r.Method, Path: r.URL.Path, IdempotencyKey: r.Header.Get("Idempotency-Key"), Form: form})
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// withStripe configures the app with test keys pointing at f.
func withStripe(f *fakeStripe) testkit.Option {
	return testkit.WithConfig(func(c *config.Config) {
		c.StripeSecretKey = "sk_test_123"
		c.StripeWebhookSecret = webhookSecret
		c.StripeAPIBase = f.URL
	})
}

// newPaidCourse makes a published paid course with one module, a lesson
// and a one-question quiz.
func newPaidCourse(t testing.TB, env *testkit.Env, org *testkit.Org, price int64) *courses.Course {
	t.Helper()
	ctx := context.Background()
	st := env.Services.Courses.Store
	now := env.Clock.Now()
	c := &courses.Course{OrgID: org.ID, Title: "Mentor training " + uuid.NewString()[:4], Currency: "gbp", PriceMinor: price,
		QualifiesMentor: true, Status: courses.StatusPublished, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	m, err := st.AddModule(ctx, org.ID, c.ID, "Basics", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddLesson(ctx, &courses.Lesson{OrgID: org.ID, CourseID: c.ID, ModuleID: m.ID, Title: "Welcome", Body: "Hello", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return c
}

// event builds a Stripe event payload around an object.
func event(id, typ string, object map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": typ, "api_version": "2023-10-16", "created": time.Now().Unix(),
		"livemode": false, "data": map[string]any{"object": object},
	})
	return b
}

// sessionObject is a checkout.session as Stripe would send it for the
// session the app created (metadata as the app sent it).
func sessionObject(call stripeCall, sessionID, paymentStatus, intent string, amount int64) map[string]any {
	meta := map[string]string{}
	for k, v := range call.Form {
		if name, ok := strings.CutPrefix(k, "metadata["); ok {
			meta[strings.TrimSuffix(name, "]")] = v[0]
		}
	}
	return map[string]any{
		"id": sessionID, "object": "checkout.session", "mode": "payment", "payment_status": paymentStatus,
		"payment_intent": intent, "amount_total": amount, "currency": "gbp", "metadata": meta,
	}
}

// deliver posts a payload to the webhook signed at ts (the zero time
// means now); header "" sends no signature at all.
func deliver(t testing.TB, env *testkit.Env, payload []byte, header string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/webhooks/stripe", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	if header != "" {
		req.Header.Set("Stripe-Signature", header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("deliver webhook: %v", err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sign returns the Stripe-Signature header for payload at ts.
func sign(payload []byte, ts time.Time, secret string) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: ts}).Header
}

// send delivers a correctly signed event and expects 200.
func send(t testing.TB, env *testkit.Env, payload []byte) string {
	t.Helper()
	status, body := deliver(t, env, payload, sign(payload, time.Now(), webhookSecret))
	if status != http.StatusOK {
		t.Fatalf("webhook = %d %s", status, body)
	}
	return body
}
