package kimberlite

// The tests' real server: TestMain starts `kimberlite start` on a development data
// directory (auth off, tenants made on first use) and stops it with SIGTERM after
// the tests. startServer also serves tests that need an authenticating server.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var devAddress string

type server struct {
	address    string
	adminToken string
	command    *exec.Cmd
}

func serverBinary() string {
	if binary := os.Getenv("KIMBERLITE_BIN"); binary != "" {
		return binary
	}
	return filepath.Join("..", "target", "debug", "kimberlite")
}

// startServer initialises dir and serves it on a free port.
func startServer(dir string, development bool) (*server, error) {
	return startServerWith(dir, development, nil)
}

// startServerWith is startServer with prepare run on the initialised data
// directory before the server starts (to add files or configuration).
func startServerWith(dir string, development bool, prepare func(dir string) error) (*server, error) {
	args := []string{"init", dir}
	if development {
		args = append(args, "--development")
	}
	if out, err := exec.Command(serverBinary(), args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("init: %v: %s", err, out)
	}
	if prepare != nil {
		if err := prepare(dir); err != nil {
			return nil, err
		}
	}
	s := &server{}
	if !development {
		token, err := os.ReadFile(filepath.Join(dir, "keys", "admin.token"))
		if err != nil {
			return nil, err
		}
		s.adminToken = strings.TrimSpace(string(token))
	}
	s.command = exec.Command(serverBinary(), "start", "--address", "127.0.0.1:0", dir)
	stdout, err := s.command.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s.command.Stderr = os.Stderr
	if err := s.command.Start(); err != nil {
		return nil, err
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "kimberlite listening on "); ok {
			s.address = strings.TrimSpace(rest)
			go func() {
				for lines.Scan() {
				}
			}()
			return s, nil
		}
	}
	s.stop()
	return nil, fmt.Errorf("the server exited before listening")
}

func (s *server) stop() {
	_ = s.command.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.command.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = s.command.Process.Kill()
		<-done
	}
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kimberlite-go-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s, err := startServer(filepath.Join(dir, "data"), true)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot start the server:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	devAddress = s.address
	code := m.Run()
	s.stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// connect gives a client of tenant to the development server, closed by cleanup.
func connect(t testing.TB, tenant uint64) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := Connect(ctx, Options{Address: devAddress, TenantID: tenant})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
