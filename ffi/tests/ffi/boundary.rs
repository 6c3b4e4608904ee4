//! Calls at the boundary without a server: NULL and UTF-8 rules, the error object,
//! cancellation of a connect, and the pure verification functions.

use std::ffi::{c_char, CStr};
use std::ptr::{null, null_mut};

use kimberlite_ffi::*;

fn message(error: *const kmb_error) -> String {
    // SAFETY: a live error from the library.
    unsafe { CStr::from_ptr(kmb_error_message(error)) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn null_arguments_give_a_status_and_an_error() {
    let mut error = null_mut();
    let mut length = 0_u64;
    // SAFETY: NULL client on purpose; the error out-pointer is valid.
    let status = unsafe { kmb_client_stream_length(null(), 1, null(), &mut length, &mut error) };
    assert_eq!(status, kmb_status::KMB_NULL_ARGUMENT);
    // SAFETY: `error` was set by the failed call.
    unsafe {
        assert_eq!(kmb_error_code(error), KMB_CODE_INVALID_ARGUMENT);
        assert!(message(error).contains("client"));
        assert!(!kmb_error_is_retryable(error));
        kmb_error_free(error);
    }
}

#[test]
fn a_null_error_pointer_is_allowed() {
    // SAFETY: NULL everywhere on purpose.
    let status = unsafe { kmb_client_sync(null(), null(), null_mut()) };
    assert_eq!(status, kmb_status::KMB_NULL_ARGUMENT);
}

#[test]
fn strings_must_be_utf8() {
    let options = kmb_options_new(1);
    let bad = [0xff_u8, 0xfe, 0];
    let mut error = null_mut();
    // SAFETY: live options, a NUL-terminated (invalid UTF-8) string.
    let status =
        unsafe { kmb_options_set_auth_token(options, bad.as_ptr().cast::<c_char>(), &mut error) };
    assert_eq!(status, kmb_status::KMB_INVALID_UTF8);
    // SAFETY: handles from the library, freed once.
    unsafe {
        assert_eq!(kmb_error_code(error), KMB_CODE_INVALID_ARGUMENT);
        kmb_error_free(error);
        kmb_options_free(options);
    }
}

#[test]
fn a_refused_connection_is_a_retryable_client_error() {
    // A port that was free a moment ago: nothing listens there.
    let address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("{}\0", listener.local_addr().unwrap())
    };
    let options = kmb_options_new(1);
    let (mut client, mut error) = (null_mut(), null_mut());
    // SAFETY: live options, a NUL-terminated address, valid out-pointers.
    unsafe {
        kmb_options_set_reconnect(options, 1, 1, null_mut());
        let status = kmb_client_connect(
            address.as_ptr().cast(),
            options,
            null(),
            &mut client,
            &mut error,
        );
        assert_eq!(status, kmb_status::KMB_ERROR);
        assert!(client.is_null());
        assert_eq!(kmb_error_code(error), 1000);
        assert_eq!(
            CStr::from_ptr(kmb_error_name(error)).to_str(),
            Ok("Connection")
        );
        assert!(kmb_error_is_retryable(error));
        kmb_error_free(error);
        kmb_options_free(options);
    }
}

#[test]
fn a_triggered_cancel_ends_a_connect_that_would_hang() {
    // A listener that accepts but never answers the handshake.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("{}\0", listener.local_addr().unwrap());
    let options = kmb_options_new(1);
    let cancel = kmb_cancel_new();
    let cancel_address = cancel as usize;
    let trigger = std::thread::spawn(move || {
        let held = listener.accept();
        // SAFETY: the handle lives until the connect below has returned.
        unsafe { kmb_cancel_trigger(cancel_address as *const kmb_cancel) };
        // Returned, the connection stays open until the join below: closing it here
        // could end the connect with a Connection error before the cancel is seen.
        held
    });
    let (mut client, mut error) = (null_mut(), null_mut());
    // SAFETY: live handles, valid out-pointers.
    unsafe {
        let status = kmb_client_connect(
            address.as_ptr().cast(),
            options,
            cancel,
            &mut client,
            &mut error,
        );
        assert_eq!(status, kmb_status::KMB_CANCELLED);
        assert_eq!(kmb_error_code(error), KMB_CODE_CANCELLED);
        kmb_error_free(error);
        kmb_options_free(options);
    }
    drop(trigger.join().unwrap());
    // SAFETY: no call uses it any more.
    unsafe { kmb_cancel_free(cancel) };
}

#[test]
fn merkle_functions_agree_with_each_other() {
    let leaves: Vec<u8> = (0_u8..3).flat_map(|byte| [byte; 32]).collect();
    let mut root = [0_u8; 32];
    let mut error = null_mut();
    // SAFETY: buffers of the stated sizes.
    unsafe {
        assert_eq!(
            kmb_verify_merkle_root(leaves.as_ptr(), 3, root.as_mut_ptr(), &mut error),
            kmb_status::KMB_OK
        );
        // A one-leaf tree's root is its leaf: the empty proof verifies.
        let mut single = [0_u8; 32];
        kmb_verify_merkle_root(leaves.as_ptr(), 1, single.as_mut_ptr(), null_mut());
        assert_eq!(
            kmb_verify_inclusion(
                single.as_ptr(),
                0,
                1,
                null(),
                0,
                single.as_ptr(),
                null_mut()
            ),
            kmb_status::KMB_OK
        );
        // The three-leaf root is not the root of one leaf.
        let status =
            kmb_verify_inclusion(single.as_ptr(), 0, 1, null(), 0, root.as_ptr(), &mut error);
        assert_eq!(status, kmb_status::KMB_ERROR);
        assert_eq!(
            CStr::from_ptr(kmb_error_name(error)).to_str(),
            Ok("NotIncluded")
        );
        kmb_error_free(error);
    }
}
