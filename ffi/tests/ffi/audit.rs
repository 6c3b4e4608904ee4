//! The audit setters at the boundary: absent (NULL) fields are allowed, text must be
//! UTF-8, and a derived client needs a client.

use std::ffi::c_char;
use std::ptr::{null, null_mut};

use kimberlite_ffi::*;

#[test]
fn audit_fields_may_be_null_but_not_invalid_utf8() {
    let options = kmb_options_new(1);
    let actor = c"svc.intake";
    let bad = [0xff_u8, 0];
    let mut error = null_mut();
    // SAFETY: live options; NUL-terminated strings or NULL.
    unsafe {
        let status =
            kmb_options_set_audit(options, actor.as_ptr(), null(), null(), null(), &mut error);
        assert_eq!(status, kmb_status::KMB_OK);
        let status = kmb_options_set_audit(
            options,
            null(),
            bad.as_ptr().cast::<c_char>(),
            null(),
            null(),
            &mut error,
        );
        assert_eq!(status, kmb_status::KMB_INVALID_UTF8);
        assert_eq!(kmb_error_code(error), KMB_CODE_INVALID_ARGUMENT);
        kmb_error_free(error);
        kmb_options_free(options);
    }
}

#[test]
fn a_derived_client_needs_a_client() {
    let mut out = null_mut();
    let mut error = null_mut();
    // SAFETY: NULL client on purpose; valid out-pointers.
    let status = unsafe {
        kmb_client_with_audit(null(), null(), null(), null(), null(), &mut out, &mut error)
    };
    assert_eq!(status, kmb_status::KMB_NULL_ARGUMENT);
    assert!(out.is_null());
    // SAFETY: set by the failed call; freed once.
    unsafe { kmb_error_free(error) };
}
