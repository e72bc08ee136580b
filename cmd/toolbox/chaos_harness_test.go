//go:build chaos

// The chaos tests (scripts/chaos.sh) inject faults into real processes:
// the test binary runs itself as `toolbox worker` or `toolbox web` against
// the package's PostgreSQL database and Redis, and the tests kill,
// stop and restart those processes, flush Redis, or cut the database off.
// CHAOS_ROUNDS repeats each fault (default 1, the short form CI runs).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// chaosRounds is how many times each fault is injected.
func chaosRounds(t *testing.T) int {
	v := os.Getenv("CHAOS_ROUNDS")
	if v == "" {
		return 1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("CHAOS_ROUNDS=%q: want a positive number", v)
	}
	return n
}

// childEnv is the configuration of a production-like process on the
// test package's database and Redis.
func childEnv(t *testing.T) map[string]string {
	return map[string]string{
		"TOOLBOX_DATABASE_URL":       testkit.PostgresURL(t),
		"TOOLBOX_REDIS_URL":          testkit.RedisURL(t),
		"TOOLBOX_SECRET_KEY":         strings.Repeat("chaos-key-", 5),
		"TOOLBOX_BASE_URL":           "http://toolbox.test",
		"TOOLBOX_DATA_DIR":           t.TempDir(),
		"TOOLBOX_LOG_LEVEL":          "warn",
		"TOOLBOX_SHUTDOWN_TIMEOUT":   "5s",
		"TOOLBOX_DRAIN_PERIOD":       "0s",
		"TOOLBOX_DATABASE_MAX_CONNS": "6",
	}
}

// proc is a toolbox process started by a test.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
	code int
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startProc runs the toolbox with args and the given environment (and no
// other TOOLBOX_ variable of the test's own).
func startProc(t *testing.T, name string, env map[string]string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TOOLBOX_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, envChild+"="+strings.Join(args, " "))
	p := &proc{name: name, cmd: cmd, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("output of %s:\n%s", p.name, p.out.String())
		}
	})
	return p
}

func (p *proc) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %s: %v", p.name, err)
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s did not exit; output:\n%s", p.name, p.out.String())
		return 0
	}
}

// waitFor polls cond until it holds, failing after a generous deadline
// (a hang, not slowness).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// queuesIdle reports whether Asynq has nothing pending, running,
// scheduled or waiting to retry.
func queuesIdle(t *testing.T, inspector *asynq.Inspector) bool {
	t.Helper()
	for q := range workers.Queues {
		info, err := inspector.GetQueueInfo(q)
		if err != nil {
			if errors.Is(err, asynq.ErrQueueNotFound) || strings.Contains(err.Error(), "does not exist") {
				continue
			}
			t.Fatalf("queue %s: %v", q, err)
		}
		if info.Pending+info.Active+info.Scheduled+info.Retry > 0 {
			return false
		}
	}
	return true
}

func newInspector(t *testing.T) *asynq.Inspector {
	opt, err := asynq.ParseRedisURI(testkit.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	in := asynq.NewInspector(opt)
	t.Cleanup(func() { in.Close() })
	return in
}

// smtpServer is a small SMTP server that counts what it accepted by
// Message-ID and can be slow to accept, as real ones are. A message whose
// client goes away before the server says 250 is not accepted.
type smtpServer struct {
	ln net.Listener
	// delay is how long the server waits before accepting a message.
	delay atomic.Int64
	// holding receives a Message-ID each time a message starts waiting.
	holding chan string

	mu       sync.Mutex
	accepted map[string]int
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, holding: make(chan string, 1000), accepted: map[string]int{}}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpServer) setDelay(d time.Duration) { s.delay.Store(int64(d)) }

// env points a process at this server.
func (s *smtpServer) env(env map[string]string) map[string]string {
	host, port, _ := net.SplitHostPort(s.ln.Addr().String())
	env["TOOLBOX_SMTP_HOST"], env["TOOLBOX_SMTP_PORT"], env["TOOLBOX_SMTP_TLS"] = host, port, "none"
	return env
}

// Accepted returns how many times each Message-ID was accepted.
func (s *smtpServer) Accepted() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.accepted))
	for k, v := range s.accepted {
		out[k] = v
	}
	return out
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(line string) { _, _ = io.WriteString(conn, line+"\r\n") }
	say("220 chaos.test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(strings.TrimSpace(line) + " x")[0])
		switch verb {
		case "EHLO":
			say("250-chaos.test")
			say("250 8BITMIME")
		case "HELO", "MAIL", "RCPT", "RSET", "NOOP":
			say("250 OK")
		case "QUIT":
			say("221 bye")
			return
		case "DATA":
			say("354 go on")
			id := ""
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				if id == "" && strings.HasPrefix(strings.ToLower(l), "message-id:") {
					id = strings.Trim(strings.TrimSpace(l[len("message-id:"):]), "<>")
				}
			}
			if !s.hold(conn, id) {
				return // the client went away: nothing accepted
			}
			s.mu.Lock()
			s.accepted[id]++
			s.mu.Unlock()
			say("250 accepted")
		default:
			say("502 not here")
		}
	}
}

// hold waits for the server's delay (read again while waiting, so that a
// shorter delay set meanwhile applies), watching for the client to go.
func (s *smtpServer) hold(conn net.Conn, id string) bool {
	start := time.Now()
	if time.Duration(s.delay.Load()) > 0 {
		s.holding <- id
	}
	buf := make([]byte, 1)
	for time.Since(start) < time.Duration(s.delay.Load()) {
		_ = conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := conn.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return false
		}
	}
	_ = conn.SetReadDeadline(time.Time{})
	return true
}

// messageID is the Message-ID the product gives an e-mail row.
func messageID(emailID fmt.Stringer) string { return emailID.String() + "@leadership-toolbox" }
