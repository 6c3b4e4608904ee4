//! Admin calls (admin token needed): tenants and API keys.

use std::ffi::{c_char, CString};

use kimberlite::TenantId;

use crate::cancel::kmb_cancel;
use crate::client::kmb_client;
use crate::error::{c_string, kmb_error};
use crate::guard::{free_box, handle, put, put_box, require_out, run, text};
use crate::status::kmb_status;

/// Tenants listed by `kmb_client_list_tenants`; free with `kmb_tenants_free`.
#[derive(Debug)]
pub struct kmb_tenants {
    items: Vec<(u64, CString)>,
}

/// API keys listed by `kmb_client_list_api_keys`; free with `kmb_api_keys_free`.
#[derive(Debug)]
pub struct kmb_api_keys {
    items: Vec<ApiKey>,
}

#[derive(Debug)]
struct ApiKey {
    key_id: CString,
    label: CString,
    created_ns: u64,
    revoked: bool,
}

/// Creates a tenant; `*out_tenant_id` is its id.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_create_tenant(
    client: *const kmb_client,
    tenant_id: u64,
    name: *const c_char,
    cancel: *const kmb_cancel,
    out_tenant_id: *mut u64,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        let name = text(name, "name")?;
        require_out(out_tenant_id, "out_tenant_id")?;
        let created = client.block(
            cancel,
            client.inner.create_tenant(TenantId(tenant_id), name),
        )?;
        put(out_tenant_id, created.0, "out_tenant_id")
    })
}

/// Lists every tenant.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_list_tenants(
    client: *const kmb_client,
    cancel: *const kmb_cancel,
    out: *mut *mut kmb_tenants,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        require_out(out, "out")?;
        let tenants = client.block(cancel, client.inner.list_tenants())?;
        let items = tenants
            .iter()
            .map(|tenant| (tenant.id.0, c_string(&tenant.name)))
            .collect();
        put_box(out, kmb_tenants { items }, "out")
    })
}

/// How many tenants (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn kmb_tenants_count(tenants: *const kmb_tenants) -> usize {
    // SAFETY: NULL or a live handle (header rule).
    unsafe { tenants.as_ref() }.map_or(0, |tenants| tenants.items.len())
}

/// Tenant `index`'s id (0 when out of range).
#[no_mangle]
pub unsafe extern "C" fn kmb_tenants_id(tenants: *const kmb_tenants, index: usize) -> u64 {
    // SAFETY: NULL or a live handle (header rule).
    let item = unsafe { tenants.as_ref() }.and_then(|tenants| tenants.items.get(index));
    item.map_or(0, |item| item.0)
}

/// Tenant `index`'s name, borrowed until `kmb_tenants_free`; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn kmb_tenants_name(
    tenants: *const kmb_tenants,
    index: usize,
) -> *const c_char {
    // SAFETY: NULL or a live handle (header rule).
    let item = unsafe { tenants.as_ref() }.and_then(|tenants| tenants.items.get(index));
    item.map_or(std::ptr::null(), |item| item.1.as_ptr())
}

/// Releases a tenant list; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kmb_tenants_free(tenants: *mut kmb_tenants) {
    free_box(tenants);
}

/// Creates an API key for the tenant: `*out_key_id` and `*out_secret` (the token to
/// connect with) are strings to release with `kmb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_create_api_key(
    client: *const kmb_client,
    tenant_id: u64,
    label: *const c_char,
    cancel: *const kmb_cancel,
    out_key_id: *mut *mut c_char,
    out_secret: *mut *mut c_char,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        let label = text(label, "label")?;
        require_out(out_key_id, "out_key_id")?;
        require_out(out_secret, "out_secret")?;
        let created = client.inner.create_api_key(TenantId(tenant_id), label);
        let created = client.block(cancel, created)?;
        put(
            out_key_id,
            c_string(&created.key_id).into_raw(),
            "out_key_id",
        )?;
        put(
            out_secret,
            c_string(&created.secret).into_raw(),
            "out_secret",
        )
    })
}

/// Revokes an API key; `*out_revoked` is false when it was already revoked.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_revoke_api_key(
    client: *const kmb_client,
    key_id: *const c_char,
    cancel: *const kmb_cancel,
    out_revoked: *mut bool,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        let key_id = text(key_id, "key_id")?;
        require_out(out_revoked, "out_revoked")?;
        let revoked = client.block(cancel, client.inner.revoke_api_key(key_id))?;
        put(out_revoked, revoked, "out_revoked")
    })
}

/// Lists the tenant's API keys (never their secrets).
#[no_mangle]
pub unsafe extern "C" fn kmb_client_list_api_keys(
    client: *const kmb_client,
    tenant_id: u64,
    cancel: *const kmb_cancel,
    out: *mut *mut kmb_api_keys,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        require_out(out, "out")?;
        let keys = client.block(cancel, client.inner.list_api_keys(TenantId(tenant_id)))?;
        let items = keys
            .iter()
            .map(|key| ApiKey {
                key_id: c_string(&key.key_id),
                label: c_string(&key.label),
                created_ns: key.created_ns,
                revoked: key.revoked,
            })
            .collect();
        put_box(out, kmb_api_keys { items }, "out")
    })
}

fn key<'a>(keys: *const kmb_api_keys, index: usize) -> Option<&'a ApiKey> {
    // SAFETY: NULL or a live handle (header rule); the borrow ends with the caller's
    // accessor call, well before `kmb_api_keys_free`.
    unsafe { keys.as_ref() }.and_then(|keys| keys.items.get(index))
}

/// How many keys (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn kmb_api_keys_count(keys: *const kmb_api_keys) -> usize {
    // SAFETY: NULL or a live handle (header rule).
    unsafe { keys.as_ref() }.map_or(0, |keys| keys.items.len())
}

/// Key `index`'s id, borrowed until `kmb_api_keys_free`; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn kmb_api_keys_key_id(
    keys: *const kmb_api_keys,
    index: usize,
) -> *const c_char {
    key(keys, index).map_or(std::ptr::null(), |key| key.key_id.as_ptr())
}

/// Key `index`'s label, borrowed until `kmb_api_keys_free`; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn kmb_api_keys_label(
    keys: *const kmb_api_keys,
    index: usize,
) -> *const c_char {
    key(keys, index).map_or(std::ptr::null(), |key| key.label.as_ptr())
}

/// When key `index` was created, in nanoseconds since the Unix epoch.
#[no_mangle]
pub unsafe extern "C" fn kmb_api_keys_created_ns(keys: *const kmb_api_keys, index: usize) -> u64 {
    key(keys, index).map_or(0, |key| key.created_ns)
}

/// Whether key `index` has been revoked.
#[no_mangle]
pub unsafe extern "C" fn kmb_api_keys_revoked(keys: *const kmb_api_keys, index: usize) -> bool {
    key(keys, index).is_some_and(|key| key.revoked)
}

/// Releases a key list; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kmb_api_keys_free(keys: *mut kmb_api_keys) {
    free_box(keys);
}
