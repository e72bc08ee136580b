package testkit

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP to a server while up; cut (SetUp(false)), it refuses
// new connections and closes open ones, as a server that stopped or
// became unreachable would look.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	up     bool
	conns  []net.Conn
}

// NewProxy starts a proxy to target (host:port), up.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, up: true}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.SetUp(false) })
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		var r net.Conn
		if p.up {
			r, err = net.Dial("tcp", p.target)
		}
		if r == nil || err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, r)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(r, c); r.Close() }()
		go func() { _, _ = io.Copy(c, r); c.Close() }()
	}
}

// SetUp restores (true) or cuts (false) the connection.
func (p *Proxy) SetUp(up bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = up
	if !up {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}
