//! What the server says about itself: version, protocol, signing key, capabilities.

use std::ffi::{c_char, CString};

use crate::cancel::kmb_cancel;
use crate::client::kmb_client;
use crate::error::{c_string, kmb_error};
use crate::guard::{free_box, handle, put_box, require_out, run};
use crate::status::kmb_status;

/// The server's description; free with `kmb_server_info_free`.
#[derive(Debug)]
pub struct kmb_server_info {
    server_version: CString,
    protocol_version: u16,
    signing_key: CString,
    capabilities: Vec<CString>,
}

/// Asks the server to describe itself.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_server_info(
    client: *const kmb_client,
    cancel: *const kmb_cancel,
    out: *mut *mut kmb_server_info,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        require_out(out, "out")?;
        let info = client.block(cancel, client.inner.server_info())?;
        let info = kmb_server_info {
            server_version: c_string(&info.server_version),
            protocol_version: info.protocol_version,
            signing_key: c_string(&info.signing_key),
            capabilities: info
                .capabilities
                .iter()
                .map(|name| c_string(name))
                .collect(),
        };
        put_box(out, info, "out")
    })
}

fn info<'a>(info: *const kmb_server_info) -> Option<&'a kmb_server_info> {
    // SAFETY: NULL or a live handle (header rule).
    unsafe { info.as_ref() }
}

/// The server software's version; borrowed until `kmb_server_info_free`.
#[no_mangle]
pub unsafe extern "C" fn kmb_server_info_server_version(
    server: *const kmb_server_info,
) -> *const c_char {
    info(server).map_or(std::ptr::null(), |info| info.server_version.as_ptr())
}

/// The wire protocol version (5).
#[no_mangle]
pub unsafe extern "C" fn kmb_server_info_protocol_version(server: *const kmb_server_info) -> u16 {
    info(server).map_or(0, |info| info.protocol_version)
}

/// The checkpoint signer's verifier key; borrowed until `kmb_server_info_free`.
#[no_mangle]
pub unsafe extern "C" fn kmb_server_info_signing_key(
    server: *const kmb_server_info,
) -> *const c_char {
    info(server).map_or(std::ptr::null(), |info| info.signing_key.as_ptr())
}

/// How many capabilities the server announces.
#[no_mangle]
pub unsafe extern "C" fn kmb_server_info_capability_count(server: *const kmb_server_info) -> usize {
    info(server).map_or(0, |info| info.capabilities.len())
}

/// Capability `index`; borrowed until `kmb_server_info_free`, NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn kmb_server_info_capability(
    server: *const kmb_server_info,
    index: usize,
) -> *const c_char {
    let name = info(server).and_then(|info| info.capabilities.get(index));
    name.map_or(std::ptr::null(), |name| name.as_ptr())
}

/// Releases server info; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kmb_server_info_free(server: *mut kmb_server_info) {
    free_box(server);
}
