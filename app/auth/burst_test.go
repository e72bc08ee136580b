package auth_test

import (
	"net/http"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestSignInWhenEveryCPUIsHashingSaysTryAgain: a sign-in that finds every
// CPU busy hashing passwords waits briefly, then gets a calm 503 with
// Retry-After rather than a 19 MiB hash of its own on top of the others.
func TestSignInWhenEveryCPUIsHashingSaysTryAgain(t *testing.T) {
	env := testkit.New(t)
	clearFailures(env)
	org := env.NewOrg()
	b := env.Browser()
	b.Get("/login")
	release := auth.OccupyHashing()
	p := b.Post("/login", map[string]string{"email": org.Owner.Email, "password": testkit.Password})
	release()
	if p.Status != http.StatusServiceUnavailable || p.Header.Get("Retry-After") == "" || !strings.Contains(p.Body, "try again") {
		t.Fatalf("sign-in with every CPU hashing: %d, Retry-After %q", p.Status, p.Header.Get("Retry-After"))
	}
	if p := b.Post("/login", map[string]string{"email": org.Owner.Email, "password": testkit.Password}); p.Status != http.StatusOK || p.URL == "/login" {
		t.Fatalf("sign-in once a CPU is free: %d at %s", p.Status, p.URL)
	}
}

// BenchmarkSignInBurst: fifty people press "sign in" at the same moment.
// It reports the process's peak resident memory and peak heap during the
// bursts (the goal is under 256 MB), and how many were asked to try
// again. The process runs as the binary does: GOGC=400 and the default
// soft memory limit.
func BenchmarkSignInBurst(b *testing.B) {
	const burst = 50
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	limit, _ := config.Default().SoftMemoryLimit(config.RootFS())
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))
	env := testkit.New(b)
	org := env.NewOrg()
	clearFailures(env)

	var peakRSS, peakHeap atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			raise(&peakRSS, residentBytes())
			metrics.Read(sample)
			raise(&peakHeap, sample[0].Value.Uint64())
		}
	}()
	refused := 0
	for b.Loop() {
		b.StopTimer()
		browsers := make([]*testkit.Browser, burst)
		for i := range browsers {
			browsers[i] = env.Browser()
			browsers[i].Get("/login")
		}
		start := make(chan struct{})
		statuses := make([]int, burst)
		var wg sync.WaitGroup
		for i, br := range browsers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				statuses[i] = br.Post("/login", map[string]string{"email": org.Owner.Email, "password": testkit.Password}).Status
			}()
		}
		b.StartTimer()
		close(start)
		wg.Wait()
		for _, s := range statuses {
			if s == http.StatusServiceUnavailable {
				refused++
			} else if s != http.StatusOK {
				b.Fatalf("sign-in answered %d", s)
			}
		}
	}
	close(stop)
	<-sampled
	b.ReportMetric(float64(peakRSS.Load())/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(peakHeap.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(refused)/float64(b.N), "refused/burst")
}

func raise(peak *atomic.Uint64, v uint64) {
	for {
		old := peak.Load()
		if v <= old || peak.CompareAndSwap(old, v) {
			return
		}
	}
}

// residentBytes is the process's resident set size (Linux).
func residentBytes() uint64 {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(raw))
	if len(fields) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(fields[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}
