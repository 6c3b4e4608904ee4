package kimberlite

// Audit metadata: who acts, why, and which operation, sent with requests. The
// server records actor, reason and correlation id with every SQL change, in the
// kimberlite_audit view.

/*
#include <stdlib.h>
#include "kimberlite.h"
*/
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// Audit is the metadata sent with requests; empty fields are not sent.
type Audit struct {
	// Actor is who acts (a user or service name).
	Actor string
	// Reason says why.
	Reason string
	// CorrelationID ties several requests to one operation.
	CorrelationID string
	// IdempotencyKey lets a retried request be recognised.
	IdempotencyKey string
}

// cStrings gives the four fields as C strings (NULL when empty) and their release.
func (a Audit) cStrings() (fields [4]*C.char, free func()) {
	for i, value := range []string{a.Actor, a.Reason, a.CorrelationID, a.IdempotencyKey} {
		if value != "" {
			fields[i] = C.CString(value)
		}
	}
	return fields, func() {
		for _, field := range fields {
			C.free(unsafe.Pointer(field))
		}
	}
}

// toC sets the audit metadata of options.
func (a *Audit) toC(options *C.kmb_options) error {
	if a == nil {
		return nil
	}
	f, free := a.cStrings()
	defer free()
	var cError *C.kmb_error
	status := C.kmb_options_set_audit(options, f[0], f[1], f[2], f[3], &cError)
	return takeError(context.Background(), status, cError)
}

// WithAudit gives a client on the same connection whose requests carry audit
// instead of this client's metadata (Options.Audit). Close each client; the
// connection closes with the last one.
func (c *Client) WithAudit(audit Audit) (*Client, error) {
	f, free := audit.cStrings()
	defer free()
	var handle *C.kmb_client
	err := c.call(context.Background(), func(h *C.kmb_client, _ *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_with_audit(h, f[0], f[1], f[2], f[3], &handle, e)
	})
	if err != nil {
		return nil, err
	}
	derived := &Client{handle: handle}
	runtime.SetFinalizer(derived, (*Client).Close)
	return derived, nil
}
