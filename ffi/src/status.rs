//! The numbered status every fallible call returns, and the codes the ABI adds to the
//! client's own error codes.

/// What a call returned. Anything but `KMB_OK` comes with a [`crate::kmb_error`].
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kmb_status {
    /// The call succeeded; its out-values are set.
    KMB_OK = 0,
    /// The client failed; the error's code says why.
    KMB_ERROR = 1,
    /// A required pointer was NULL (error code `KMB_CODE_INVALID_ARGUMENT`).
    KMB_NULL_ARGUMENT = 2,
    /// A string was not valid UTF-8 (error code `KMB_CODE_INVALID_ARGUMENT`).
    KMB_INVALID_UTF8 = 3,
    /// The call's `kmb_cancel` was triggered (error code `KMB_CODE_CANCELLED`).
    KMB_CANCELLED = 4,
    /// A bug inside the library was caught (error code `KMB_CODE_PANIC`).
    KMB_PANIC = 5,
}

/// The client's code for an argument refused before anything was sent.
pub const KMB_CODE_INVALID_ARGUMENT: u32 = 1004;
/// The code of a call ended through its `kmb_cancel`.
pub const KMB_CODE_CANCELLED: u32 = 1200;
/// The code of a caught panic.
pub const KMB_CODE_PANIC: u32 = 1201;
