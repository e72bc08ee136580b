// Command openloop sends GET requests at a constant rate, whatever the
// server's answers (an open loop, as real visitors arrive), and reports
// the latency percentiles and errors. Each request's latency is measured
// from the moment it was due, not from when a connection became free, so
// a server that falls behind shows it in the percentiles (wrk measures a
// closed loop and hides that; wrk2 is not packaged for Debian).
//
//	openloop -url http://127.0.0.1:18080/o/bench -H "Cookie: …" -rate 2000 -duration 10s
//
// It talks to loopback addresses only, and is bounded in count (-max) and
// in time (-duration, plus a grace period for answers in flight).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

func main() {
	var hs headers
	target := flag.String("url", "", "the page to load (loopback only)")
	flag.Var(&hs, "H", `a request header "Name: value" (repeatable)`)
	rate := flag.Int("rate", 1000, "requests a second")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	warmup := flag.Duration("warmup", time.Second, "sent at the same rate first, not counted")
	conns := flag.Int("conns", 128, "connections at most (requests beyond them wait, and that wait counts)")
	max := flag.Int("max", 200_000, "requests at most, warm-up included")
	timeout := flag.Duration("timeout", 5*time.Second, "a request slower than this is an error")
	flag.Parse()
	if err := run(*target, hs, *rate, *duration, *warmup, *conns, *max, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "openloop:", err)
		os.Exit(1)
	}
}

type result struct {
	latency time.Duration
	err     bool
	done    bool
}

func run(target string, hs headers, rate int, duration, warmup time.Duration, conns, max int, timeout time.Duration) error {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("-url %q: want an http:// address", target)
	}
	if !loopback(u.Hostname()) {
		return fmt.Errorf("-url %q: only loopback addresses are allowed", target)
	}
	if rate < 1 || conns < 1 || duration <= 0 {
		return errors.New("-rate, -conns and -duration must be positive")
	}
	header := http.Header{}
	for _, h := range hs {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			return fmt.Errorf("-H %q: want \"Name: value\"", h)
		}
		header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	interval := time.Second / time.Duration(rate)
	warm := int(warmup / interval)
	total := warm + int(duration/interval)
	if total > max {
		return fmt.Errorf("%d requests planned, more than -max %d", total, max)
	}
	client := &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
			DisableCompression: true, IdleConnTimeout: time.Minute,
		},
	}
	// Every request is due at start + i*interval; the workers take them
	// in order, and a request waits for a free worker on the clock.
	due := make(chan int, total)
	results := make([]result, total)
	var mu sync.Mutex // results, read at the end while late answers may still arrive
	start := time.Now().Add(50 * time.Millisecond)
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range due {
				at := start.Add(time.Duration(i) * interval)
				r := result{err: get(client, u.String(), header) != nil, latency: time.Since(at), done: true}
				mu.Lock()
				results[i] = r
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < total; {
		now := time.Since(start)
		for ; i < total && time.Duration(i)*interval <= now; i++ {
			due <- i
		}
		if i < total {
			time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		}
	}
	close(due)
	ctx, cancel := context.WithTimeout(context.Background(), timeout+5*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		// Requests never answered count as errors, with the grace period
		// as their latency (a lower bound); the client's timeout ends them.
	}
	elapsed := time.Since(start.Add(warmup))

	var lat []time.Duration
	errs, unanswered := 0, 0
	mu.Lock()
	for i, r := range results {
		if i < warm {
			continue
		}
		if !r.done {
			unanswered++
			r = result{err: true, latency: time.Since(start.Add(time.Duration(i) * interval))}
		}
		if r.err {
			errs++
		}
		lat = append(lat, r.latency)
	}
	mu.Unlock()
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("rate %d/s for %s: %d requests (%.0f/s answered), %d errors (%d unanswered), p50 %s, p90 %s, p99 %s, max %s\n",
		rate, duration, len(lat), float64(len(lat)-unanswered)/elapsed.Seconds(), errs, unanswered,
		ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(lat[len(lat)-1]))
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// get fetches the page and reads the answer to the end (so that the
// connection is reused); anything but a 2xx is an error.
func get(client *http.Client, target string, header http.Header) error {
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	req.Header = header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
