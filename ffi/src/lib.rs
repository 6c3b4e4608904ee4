//! C ABI over the Kimberlite client, for Go, C and C++.
//!
//! ```c
//! kmb_options *options = kmb_options_new(1);
//! kmb_client *client = NULL;
//! kmb_error *error = NULL;
//! if (kmb_client_connect("127.0.0.1:5432", options, NULL, &client, &error) != KMB_OK) {
//!     fprintf(stderr, "%s\n", kmb_error_message(error));
//!     kmb_error_free(error);
//! }
//! kmb_options_free(options);
//! ```
//!
//! Every function is `kmb_<object>_<verb>`. Calls that can fail return a
//! [`kmb_status`] and, when it is not `KMB_OK`, store a [`kmb_error`] through their
//! last argument (when that is not NULL); the error carries the client's stable
//! numbered code. Every body runs inside `catch_unwind`, so a bug is reported as
//! `KMB_PANIC` and never unwinds into C. Each owned handle has one `_free`.
//!
//! A [`kmb_client`] owns a tokio runtime and one connection (shared with the handles
//! `kmb_client_with_audit` derives from it); its blocking calls may be made from
//! many threads at once (they are pipelined on the connection). Every
//! blocking call takes an optional [`kmb_cancel`]: triggering it from another thread
//! makes the call return `KMB_CANCELLED` at once.
//!
//! The rules of the whole ABI are written once, in the header comment
//! (`include/kimberlite.h`, from `cbindgen.toml`).

#![allow(
    unsafe_code,
    reason = "a C ABI reads raw pointers; each unsafe block has a SAFETY comment"
)]
#![allow(
    non_camel_case_types,
    reason = "C type names are snake_case (kmb_client), as the header shows them"
)]
#![allow(
    clippy::missing_safety_doc,
    reason = "the pointer rules are the same for every function, stated once in the header"
)]

mod admin;
mod audit;
mod cancel;
mod client;
mod completions;
mod error;
mod events;
mod guard;
mod options;
mod rows;
mod server_info;
mod sql;
mod status;
mod subscription;
mod tls;
mod verify;

pub use admin::*;
pub use audit::*;
pub use cancel::*;
pub use client::*;
pub use completions::*;
pub use error::*;
pub use events::*;
pub use options::*;
pub use rows::*;
pub use server_info::*;
pub use sql::*;
pub use status::*;
pub use subscription::*;
pub use tls::*;
pub use verify::*;
