package kimberlite

// Options of Connect, handed to the C ABI's kmb_options.

/*
#include <stdlib.h>
#include "kimberlite.h"
*/
import "C"

import (
	"context"
	"time"
	"unsafe"
)

// Options says where to connect and how.
type Options struct {
	// Address is host:port of the server.
	Address string
	// TenantID is the tenant every request acts for.
	TenantID uint64
	// AuthToken is the API key or admin token ("" for none).
	AuthToken string
	// StateDirectory keeps trusted keys and checkpoints across runs, in the same
	// format as the Rust client and every SDK ("" keeps them in memory).
	StateDirectory string
	// PinnedServerKey accepts only checkpoints signed by this verifier key
	// (name+keyid+base64); "" trusts the first key seen.
	PinnedServerKey string
	// ConnectTimeout bounds connecting and the handshake (0: 10 s).
	ConnectTimeout time.Duration
	// RequestTimeout bounds each request (0: 30 s).
	RequestTimeout time.Duration
	// ReconnectAttempts is the connection attempts per call after a drop (0: 3).
	ReconnectAttempts uint32
	// ReconnectBackoff is the wait before the second attempt (0: 100 ms).
	ReconnectBackoff time.Duration
	// TLS, when not nil, wraps the connection in TLS; plain TCP otherwise.
	TLS *TLSOptions
	// Audit, when not nil, is sent with every request (see Client.WithAudit).
	Audit *Audit
}

// TLSOptions are the TLS settings of a connection (rustls in the Rust core).
type TLSOptions struct {
	// RootCertificatesPEM holds PEM CERTIFICATE blocks trusted as roots.
	RootCertificatesPEM []byte
	// RootCertificatesFile names a PEM file of roots, read when connecting; both
	// sources may be given. At least one root is needed.
	RootCertificatesFile string
	// ServerName is checked against the server's certificate ("": the host of
	// Address).
	ServerName string
}

// toC adds the TLS settings to options.
func (t *TLSOptions) toC(options *C.kmb_options) error {
	if t == nil {
		return nil
	}
	if len(t.RootCertificatesPEM) == 0 && t.RootCertificatesFile == "" {
		return &Error{Code: ErrInvalidArgument.Code, Name: ErrInvalidArgument.Name,
			Message: "TLS needs RootCertificatesPEM or RootCertificatesFile"}
	}
	if len(t.RootCertificatesPEM) > 0 {
		pem := C.CBytes(t.RootCertificatesPEM)
		defer C.free(pem)
		var cError *C.kmb_error
		status := C.kmb_options_add_tls_root_certificates_pem(options, (*C.uint8_t)(pem),
			C.size_t(len(t.RootCertificatesPEM)), &cError)
		if err := takeError(context.Background(), status, cError); err != nil {
			return err
		}
	}
	if err := setText(options, t.RootCertificatesFile, func(p *C.kmb_options, f *C.char, e **C.kmb_error) uint32 {
		return C.kmb_options_add_tls_root_certificates_file(p, f, e)
	}); err != nil {
		return err
	}
	return setText(options, t.ServerName, func(p *C.kmb_options, n *C.char, e **C.kmb_error) uint32 {
		return C.kmb_options_set_tls_server_name(p, n, e)
	})
}

type optionSetter func(options *C.kmb_options, text *C.char, cError **C.kmb_error) uint32

func setText(options *C.kmb_options, value string, set optionSetter) error {
	if value == "" {
		return nil
	}
	text := C.CString(value)
	defer C.free(unsafe.Pointer(text))
	var cError *C.kmb_error
	return takeError(context.Background(), set(options, text, &cError), cError)
}

// toC builds the C options; the caller frees them.
func (o Options) toC() (*C.kmb_options, error) {
	options := C.kmb_options_new(C.uint64_t(o.TenantID))
	setters := []struct {
		value string
		set   optionSetter
	}{
		{o.AuthToken, func(p *C.kmb_options, t *C.char, e **C.kmb_error) uint32 {
			return C.kmb_options_set_auth_token(p, t, e)
		}},
		{o.StateDirectory, func(p *C.kmb_options, t *C.char, e **C.kmb_error) uint32 {
			return C.kmb_options_set_state_directory(p, t, e)
		}},
		{o.PinnedServerKey, func(p *C.kmb_options, t *C.char, e **C.kmb_error) uint32 {
			return C.kmb_options_set_pinned_server_key(p, t, e)
		}},
	}
	for _, setter := range setters {
		if err := setText(options, setter.value, setter.set); err != nil {
			C.kmb_options_free(options)
			return nil, err
		}
	}
	if err := o.Audit.toC(options); err != nil {
		C.kmb_options_free(options)
		return nil, err
	}
	if err := o.TLS.toC(options); err != nil {
		C.kmb_options_free(options)
		return nil, err
	}
	var cError *C.kmb_error
	status := C.kmb_options_set_timeouts(options, C.uint64_t(o.ConnectTimeout.Milliseconds()),
		C.uint64_t(o.RequestTimeout.Milliseconds()), &cError)
	if status == C.KMB_OK && (o.ReconnectAttempts > 0 || o.ReconnectBackoff > 0) {
		attempts, backoff := o.ReconnectAttempts, o.ReconnectBackoff
		if attempts == 0 {
			attempts = 3
		}
		if backoff == 0 {
			backoff = 100 * time.Millisecond
		}
		status = C.kmb_options_set_reconnect(options, C.uint32_t(attempts),
			C.uint64_t(backoff.Milliseconds()), &cError)
	}
	if err := takeError(context.Background(), status, cError); err != nil {
		C.kmb_options_free(options)
		return nil, err
	}
	return options, nil
}
