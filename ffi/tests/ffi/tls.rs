//! The TLS options: PEM roots from memory or a file, refused when they hold no
//! certificate, with InvalidArgument and a message naming the source.

use std::ffi::{CStr, CString};
use std::ptr::null_mut;

use kimberlite_ffi::*;

fn failure(status: kmb_status, error: *mut kmb_error) -> (kmb_status, u32, String) {
    assert!(!error.is_null(), "a failed call gives an error");
    // SAFETY: a live error from the library, freed once.
    unsafe {
        let message = CStr::from_ptr(kmb_error_message(error))
            .to_string_lossy()
            .into_owned();
        let code = kmb_error_code(error);
        kmb_error_free(error);
        (status, code, message)
    }
}

#[test]
fn pem_roots_are_read_from_memory_and_files() {
    let options = kmb_options_new(1);
    let pem = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .unwrap()
        .cert
        .pem();
    let mut error = null_mut();
    // SAFETY: live options; the buffer is valid for the call.
    let status = unsafe {
        kmb_options_add_tls_root_certificates_pem(options, pem.as_ptr(), pem.len(), &mut error)
    };
    assert_eq!(status, kmb_status::KMB_OK);
    let dir = std::env::temp_dir().join(format!("kimberlite-ffi-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("root.pem");
    std::fs::write(&file, &pem).unwrap();
    let path = CString::new(file.to_str().unwrap()).unwrap();
    let name = CString::new("localhost").unwrap();
    // SAFETY: live options and NUL-terminated strings.
    unsafe {
        let status = kmb_options_add_tls_root_certificates_file(options, path.as_ptr(), &mut error);
        assert_eq!(status, kmb_status::KMB_OK);
        let status = kmb_options_set_tls_server_name(options, name.as_ptr(), &mut error);
        assert_eq!(status, kmb_status::KMB_OK);
        kmb_options_free(options);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn roots_without_a_certificate_are_refused() {
    let options = kmb_options_new(1);
    let text = b"not a certificate";
    let mut error = null_mut();
    // SAFETY: live options; the buffer is valid for the call.
    let status = unsafe {
        kmb_options_add_tls_root_certificates_pem(options, text.as_ptr(), text.len(), &mut error)
    };
    let (status, code, message) = failure(status, error);
    assert_eq!(status, kmb_status::KMB_ERROR);
    assert_eq!(code, KMB_CODE_INVALID_ARGUMENT);
    assert!(message.contains("no PEM CERTIFICATE"), "{message}");

    let missing = CString::new("/nonexistent/kimberlite/root.pem").unwrap();
    let mut error = null_mut();
    // SAFETY: live options and a NUL-terminated path.
    let status = unsafe {
        kmb_options_add_tls_root_certificates_file(options, missing.as_ptr(), &mut error)
    };
    let (status, code, message) = failure(status, error);
    assert_eq!(
        (status, code),
        (kmb_status::KMB_ERROR, KMB_CODE_INVALID_ARGUMENT)
    );
    assert!(
        message.contains("/nonexistent/kimberlite/root.pem"),
        "{message}"
    );
    // SAFETY: freed once.
    unsafe { kmb_options_free(options) };
}
