package kimberlite

// TLS: a server configured with a [tls] section (certificate and key made here
// with crypto/x509) is reached with roots given as PEM bytes or a PEM file, with
// or without a server name; a wrong root or name fails with a clear Connection
// error, and TLS without any root is refused before connecting.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned gives a certificate for localhost and 127.0.0.1 and its key, in PEM.
func selfSigned(t *testing.T, name string) (certificate, key []byte) {
	t.Helper()
	private, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &private.PublicKey, private)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(private)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
}

// startTLSServer serves a development data directory over TLS with a fresh
// certificate, returned as PEM.
func startTLSServer(t *testing.T) (*server, []byte) {
	t.Helper()
	certificate, key := selfSigned(t, "kimberlite test server")
	s, err := startServerWith(filepath.Join(t.TempDir(), "data"), true, func(dir string) error {
		if err := os.MkdirAll(filepath.Join(dir, "tls"), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "tls", "cert.pem"), certificate, 0o600); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "tls", "key.pem"), key, 0o600); err != nil {
			return err
		}
		config, err := os.OpenFile(filepath.Join(dir, "kimberlite.toml"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		_, err = config.WriteString("\n[tls]\ncert = \"tls/cert.pem\"\nkey = \"tls/key.pem\"\n")
		if closeErr := config.Close(); err == nil {
			err = closeErr
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	return s, certificate
}

func TestTLSConnectionsVerifyTheServerCertificate(t *testing.T) {
	s, certificate := startTLSServer(t)
	ctx := testContext(t)
	rootFile := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(rootFile, certificate, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tls := range map[string]*TLSOptions{
		"pem bytes, address host": {RootCertificatesPEM: certificate},
		"pem file, server name":   {RootCertificatesFile: rootFile, ServerName: "localhost"},
	} {
		client, err := Connect(ctx, Options{Address: s.address, TenantID: 1, TLS: tls})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		stream, err := client.CreateStream(ctx, "over-tls", Public, "")
		if err == nil {
			_, err = client.Append(ctx, stream, [][]byte{[]byte("sealed")}, Offset(0))
			if errors.Is(err, ErrOffsetMismatch) {
				err = nil // the second case appends to the first one's stream
			}
		}
		var read *VerifiedRead
		if err == nil {
			read, err = client.ReadVerified(ctx, stream, 0, 1<<20)
		}
		client.Close()
		if err != nil || len(read.Events) == 0 || string(read.Events[0].Payload) != "sealed" {
			t.Fatalf("%s: verified read over TLS: %+v %v", name, read, err)
		}
	}
}

func TestTLSWithAWrongRootOrNameFailsClearly(t *testing.T) {
	s, certificate := startTLSServer(t)
	ctx := testContext(t)
	other, _ := selfSigned(t, "someone else")
	for name, tls := range map[string]*TLSOptions{
		"wrong root": {RootCertificatesPEM: other},
		"wrong name": {RootCertificatesPEM: certificate, ServerName: "db.example.org"},
	} {
		client, err := Connect(ctx, Options{Address: s.address, TenantID: 1, TLS: tls, ReconnectAttempts: 1})
		if err == nil {
			client.Close()
			t.Fatalf("%s: connected", name)
		}
		var kmbErr *Error
		if !errors.As(err, &kmbErr) || !errors.Is(err, ErrConnection) ||
			!strings.Contains(kmbErr.Message, "TLS") || !strings.Contains(kmbErr.Message, "certificate") {
			t.Fatalf("%s: want a Connection error naming TLS and the certificate, got %v", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
	// Plain TCP against the TLS server is refused too.
	if client, err := Connect(ctx, Options{Address: s.address, TenantID: 1, ConnectTimeout: 5 * time.Second}); err == nil {
		client.Close()
		t.Fatal("a plain connection to a TLS server succeeded")
	}
}

func TestTLSOptionsAreCheckedBeforeConnecting(t *testing.T) {
	ctx := testContext(t)
	cases := map[string]*TLSOptions{
		"no root":      {ServerName: "localhost"},
		"not pem":      {RootCertificatesPEM: []byte("not a certificate")},
		"missing file": {RootCertificatesFile: filepath.Join(t.TempDir(), "absent.pem")},
	}
	for name, tls := range cases {
		// Nothing listens at this address: only an options error can come first.
		client, err := Connect(ctx, Options{Address: "127.0.0.1:1", TenantID: 1, TLS: tls})
		if err == nil {
			client.Close()
		}
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: want ErrInvalidArgument, got %v", name, err)
		}
	}
}
