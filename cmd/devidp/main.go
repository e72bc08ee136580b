// Command devidp is a development OpenID Connect provider, for local trials
// and browser tests only: it signs in whoever types an e-mail address,
// with no password, and says the address is verified. Never point a real
// organisation at it.
//
// It wraps mockoidc (discovery, JWKS, authorisation code flow with PKCE,
// RS256-signed ID tokens) and adds one page in front of its authorisation
// endpoint that asks whom to sign in as. It listens on loopback only.
//
//	go run ./cmd/devidp -addr 127.0.0.1:9998 -client-id dev-client -client-secret dev-secret
//
// An organisation's admin then enters, on /o/<slug>/settings/sign-in, the
// issuer it prints (http://127.0.0.1:9998/oidc), that client id and secret.
package main

import (
	"flag"
	"fmt"
	"html/template"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/oauth2-proxy/mockoidc"
)

var askPage = template.Must(template.New("ask").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Development identity provider</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin-top:1rem}input{width:100%;padding:.4rem;font-size:1rem}
button{margin-top:1.2rem;padding:.5rem 1rem;font-size:1rem}.warn{background:#fff4d6;padding:.6rem;border-radius:4px}</style></head>
<body><h1>Development identity provider</h1>
<p class="warn">For local trials and tests only: it signs in any address without a password.</p>
<form method="get" action="">
{{range $k, $vs := .Params}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}
<label for="devidp_email">Sign in as (e-mail address)</label>
<input id="devidp_email" name="devidp_email" type="email" required value="{{.Hint}}">
<label for="devidp_name">Name</label>
<input id="devidp_name" name="devidp_name" value="{{.Name}}">
<button type="submit">Sign in</button>
</form></body></html>`))

func main() {
	addr := flag.String("addr", "127.0.0.1:9998", "listen address (loopback only)")
	clientID := flag.String("client-id", "dev-client", "the client id the application is configured with")
	clientSecret := flag.String("client-secret", "dev-secret", "the client secret the application is configured with")
	flag.Parse()

	host, _, err := net.SplitHostPort(*addr)
	if err != nil || (host != "127.0.0.1" && host != "localhost" && host != "::1") {
		log.Fatalf("devidp: -addr must be a loopback address (it signs anyone in): %q", *addr)
	}
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		log.Fatalf("devidp: %v", err)
	}
	m.ClientID, m.ClientSecret = *clientID, *clientSecret

	// mockoidc keeps its sessions in plain maps: one request at a time.
	var mu sync.Mutex
	_ = m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if r.URL.Path == mockoidc.AuthorizationEndpoint {
				q := r.URL.Query()
				email := strings.TrimSpace(q.Get("devidp_email"))
				if email == "" {
					params := r.URL.Query()
					hint := params.Get("login_hint")
					name, _, _ := strings.Cut(hint, "@")
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					if err := askPage.Execute(w, map[string]any{"Params": params, "Hint": hint, "Name": name}); err != nil {
						log.Printf("devidp: %v", err)
					}
					return
				}
				name := strings.TrimSpace(q.Get("devidp_name"))
				if name == "" {
					name, _, _ = strings.Cut(email, "@")
				}
				m.QueueUser(&mockoidc.MockUser{Subject: "devidp-" + strings.ToLower(email), Email: email, EmailVerified: true, PreferredUsername: name})
			}
			next.ServeHTTP(w, r)
		})
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("devidp: %v", err)
	}
	if err := m.Start(ln, nil); err != nil {
		log.Fatalf("devidp: %v", err)
	}
	fmt.Printf("devidp: issuer %s (client id %s) — for local trials and tests only\n", m.Issuer(), m.ClientID)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	_ = m.Shutdown()
}
