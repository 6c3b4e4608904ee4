package kimberlite

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestAdminTenantsAndAPIKeys(t *testing.T) {
	s, err := startServer(filepath.Join(t.TempDir(), "data"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	ctx := testContext(t)
	if _, err := Connect(ctx, Options{Address: s.address, TenantID: 1, AuthToken: "kmb-wrong"}); !errors.Is(err, ErrAuthenticationFailed) {
		t.Fatalf("want AuthenticationFailed with a wrong token, got %v", err)
	}
	admin, err := Connect(ctx, Options{Address: s.address, TenantID: 1, AuthToken: s.adminToken})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if id, err := admin.CreateTenant(ctx, 21, "acme"); err != nil || id != 21 {
		t.Fatalf("create tenant: %v %v", id, err)
	}
	if _, err := admin.CreateTenant(ctx, 21, "acme again"); !errors.Is(err, ErrTenantAlreadyExists) {
		t.Fatalf("want TenantAlreadyExists, got %v", err)
	}
	tenants, err := admin.ListTenants(ctx)
	if err != nil || !containsTenant(tenants, Tenant{ID: 21, Name: "acme"}) {
		t.Fatalf("tenants: %+v %v", tenants, err)
	}
	created, err := admin.CreateAPIKey(ctx, 21, "app")
	if err != nil || created.KeyID == "" || created.Secret == "" {
		t.Fatalf("create key: %+v %v", created, err)
	}
	app, err := Connect(ctx, Options{Address: s.address, TenantID: 21, AuthToken: created.Secret})
	if err != nil {
		t.Fatalf("connect with the new key: %v", err)
	}
	if _, err := app.CreateStream(ctx, "app-events", Public, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := app.ListTenants(ctx); !errors.Is(err, ErrPermissionDenied) && !errors.Is(err, ErrAuthenticationFailed) {
		t.Fatalf("an app key listed tenants: %v", err)
	}
	app.Close()
	keys, err := admin.ListAPIKeys(ctx, 21)
	if err != nil || len(keys) != 1 || keys[0].KeyID != created.KeyID || keys[0].Label != "app" || keys[0].Revoked || keys[0].CreatedNs == 0 {
		t.Fatalf("keys: %+v %v", keys, err)
	}
	if revoked, err := admin.RevokeAPIKey(ctx, created.KeyID); err != nil || !revoked {
		t.Fatalf("revoke: %v %v", revoked, err)
	}
	keys, err = admin.ListAPIKeys(ctx, 21)
	if err != nil || len(keys) != 1 || !keys[0].Revoked {
		t.Fatalf("keys after revoking: %+v %v", keys, err)
	}
}

func containsTenant(tenants []Tenant, wanted Tenant) bool {
	for _, tenant := range tenants {
		if tenant == wanted {
			return true
		}
	}
	return false
}
