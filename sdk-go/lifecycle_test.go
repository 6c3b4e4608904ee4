package kimberlite

// The lifetime of calls and clients: a context cancelled or past its deadline
// while the call waits on the network ends it with ctx.Err() (not the client's own
// timeout, set far away here), and a client dropped without Close is closed by its
// finalizer.

import (
	"context"
	"errors"
	"net"
	"runtime"
	"testing"
	"time"
)

// silentListener accepts connections and never answers; accepted reports each one.
func silentListener(t *testing.T) (string, chan struct{}) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{}, 16)
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			held = append(held, conn)
			accepted <- struct{}{}
		}
	}()
	t.Cleanup(func() {
		listener.Close()
		<-done
		for _, conn := range held {
			conn.Close()
		}
	})
	return listener.Addr().String(), accepted
}

func TestContextsEndAConnectThatWaitsOnTheServer(t *testing.T) {
	address, accepted := silentListener(t)
	options := Options{Address: address, TenantID: 1, ConnectTimeout: 10 * time.Minute}

	deadline, stop := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer stop()
	if _, err := Connect(deadline, options); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded from a deadline during the handshake, got %v", err)
	}
	<-accepted

	cancelled, cancel := context.WithCancel(context.Background())
	go func() {
		<-accepted // the TCP connection is up: the handshake is in flight
		cancel()
	}()
	if _, err := Connect(cancelled, options); !errors.Is(err, context.Canceled) {
		t.Fatalf("want Canceled from a cancel during the handshake, got %v", err)
	}
}

func TestContextsEndARequestInFlight(t *testing.T) {
	ctx := testContext(t)
	p := startProxy(t, devAddress)
	client, err := Connect(ctx, Options{Address: p.address, TenantID: 11,
		RequestTimeout: 10 * time.Minute, ReconnectAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	stream, err := client.CreateStream(ctx, "in-flight", Public, "")
	if err != nil {
		t.Fatal(err)
	}
	p.stall()

	cancelled, cancel := context.WithCancel(ctx)
	go func() {
		<-p.held // the request reached the proxy and is held there
		cancel()
	}()
	if _, err := client.StreamLength(cancelled, stream); !errors.Is(err, context.Canceled) {
		t.Fatalf("want Canceled for a request in flight, got %v", err)
	}
	deadline, stop := context.WithTimeout(ctx, 200*time.Millisecond)
	defer stop()
	if _, err := client.Append(deadline, stream, [][]byte{[]byte("late")}, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded for a request in flight, got %v", err)
	}
}

func TestAClientDroppedWithoutCloseIsClosedByItsFinalizer(t *testing.T) {
	ctx := testContext(t)
	p := startProxy(t, devAddress)
	func() {
		client, err := Connect(ctx, Options{Address: p.address, TenantID: 11})
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		// No Close: the last reference goes here.
	}()
	for attempt := 0; attempt < 100; attempt++ {
		runtime.GC()
		select {
		case <-p.closed:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatal("the connection of an unreachable client was never closed")
}
