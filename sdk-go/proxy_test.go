package kimberlite

// A TCP proxy in front of a server, for tests that must see or hold what a client
// sends: stall() holds every later byte from clients (so a request stays in
// flight), and closed reports each client connection that ended.

import (
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

var uniqueNames atomic.Uint64

// unique gives a stream or table name not used before in this test process, so
// tests may run again (-count) against the same server.
func unique(prefix string) string {
	return fmt.Sprintf("%s_%d", prefix, uniqueNames.Add(1))
}

type proxy struct {
	address  string
	listener net.Listener
	mu       sync.Mutex
	stalled  bool
	release  chan struct{}
	// held receives a value each time bytes from a client are held by stall.
	held chan struct{}
	// closed receives a value each time a client connection reaches EOF.
	closed chan struct{}
}

// startProxy forwards a free loopback port to upstream until the test ends.
func startProxy(t *testing.T, upstream string) *proxy {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{
		address: listener.Addr().String(), listener: listener,
		release: make(chan struct{}), held: make(chan struct{}, 64), closed: make(chan struct{}, 64),
	}
	t.Cleanup(func() {
		listener.Close()
		p.mu.Lock()
		if p.stalled {
			close(p.release)
			p.stalled = false
		}
		p.mu.Unlock()
	})
	go func() {
		for {
			client, err := listener.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", upstream)
			if err != nil {
				client.Close()
				continue
			}
			go func() { _, _ = io.Copy(client, server); client.Close() }()
			go p.forward(client, server)
		}
	}()
	return p
}

// stall holds every byte clients send from now on.
func (p *proxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = true
}

func (p *proxy) forward(client, server net.Conn) {
	defer server.Close()
	buffer := make([]byte, 64<<10)
	for {
		n, err := client.Read(buffer)
		if n > 0 {
			p.mu.Lock()
			stalled, release := p.stalled, p.release
			p.mu.Unlock()
			if stalled {
				select {
				case p.held <- struct{}{}:
				default:
				}
				<-release
			}
			if _, err := server.Write(buffer[:n]); err != nil {
				return
			}
		}
		if err != nil {
			p.closed <- struct{}{}
			return
		}
	}
}
