package kimberlite

// Admin calls (an admin token is needed): tenants and API keys.

/*
#include <stdlib.h>
#include "kimberlite.h"
*/
import "C"

import (
	"context"
	"unsafe"
)

// Tenant is one tenant of the server.
type Tenant struct {
	// ID is the tenant's id.
	ID uint64
	// Name is its display name.
	Name string
}

// APIKey describes an API key (never its secret).
type APIKey struct {
	// KeyID is the key's public id.
	KeyID string
	// Label is its label.
	Label string
	// CreatedNs is when it was created (ns since the Unix epoch).
	CreatedNs uint64
	// Revoked says whether it was revoked.
	Revoked bool
}

// CreatedAPIKey is a new key: its id and the secret token to connect with.
type CreatedAPIKey struct {
	// KeyID is the key's public id.
	KeyID string
	// Secret is the token for Options.AuthToken; it is shown only once.
	Secret string
}

// CreateTenant creates a tenant.
func (c *Client) CreateTenant(ctx context.Context, id uint64, name string) (uint64, error) {
	cName := C.CString(name)
	defer C.free(unsafe.Pointer(cName))
	var created C.uint64_t
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_create_tenant(h, C.uint64_t(id), cName, cancel, &created, e)
	})
	return uint64(created), err
}

// ListTenants lists every tenant.
func (c *Client) ListTenants(ctx context.Context) ([]Tenant, error) {
	var list *C.kmb_tenants
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_list_tenants(h, cancel, &list, e)
	})
	if err != nil {
		return nil, err
	}
	defer C.kmb_tenants_free(list)
	tenants := make([]Tenant, int(C.kmb_tenants_count(list)))
	for i := range tenants {
		index := C.size_t(i)
		tenants[i] = Tenant{ID: uint64(C.kmb_tenants_id(list, index)), Name: C.GoString(C.kmb_tenants_name(list, index))}
	}
	return tenants, nil
}

// CreateAPIKey creates an API key for the tenant.
func (c *Client) CreateAPIKey(ctx context.Context, tenant uint64, label string) (CreatedAPIKey, error) {
	cLabel := C.CString(label)
	defer C.free(unsafe.Pointer(cLabel))
	var keyID, secret *C.char
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_create_api_key(h, C.uint64_t(tenant), cLabel, cancel, &keyID, &secret, e)
	})
	if err != nil {
		return CreatedAPIKey{}, err
	}
	defer C.kmb_string_free(keyID)
	defer C.kmb_string_free(secret)
	return CreatedAPIKey{KeyID: C.GoString(keyID), Secret: C.GoString(secret)}, nil
}

// RevokeAPIKey revokes a key; false when it was already revoked.
func (c *Client) RevokeAPIKey(ctx context.Context, keyID string) (bool, error) {
	cKey := C.CString(keyID)
	defer C.free(unsafe.Pointer(cKey))
	var revoked C.bool
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_revoke_api_key(h, cKey, cancel, &revoked, e)
	})
	return bool(revoked), err
}

// ListAPIKeys lists the tenant's API keys.
func (c *Client) ListAPIKeys(ctx context.Context, tenant uint64) ([]APIKey, error) {
	var list *C.kmb_api_keys
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_list_api_keys(h, C.uint64_t(tenant), cancel, &list, e)
	})
	if err != nil {
		return nil, err
	}
	defer C.kmb_api_keys_free(list)
	keys := make([]APIKey, int(C.kmb_api_keys_count(list)))
	for i := range keys {
		index := C.size_t(i)
		keys[i] = APIKey{
			KeyID:     C.GoString(C.kmb_api_keys_key_id(list, index)),
			Label:     C.GoString(C.kmb_api_keys_label(list, index)),
			CreatedNs: uint64(C.kmb_api_keys_created_ns(list, index)),
			Revoked:   bool(C.kmb_api_keys_revoked(list, index)),
		}
	}
	return keys, nil
}
