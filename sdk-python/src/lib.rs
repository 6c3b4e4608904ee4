//! The native part of the `kimberlite` Python package: thin bindings over the Rust
//! client (`kimberlite` crate), built by maturin as one abi3 module for Python 3.9+.
//!
//! ```python
//! import kimberlite
//!
//! with kimberlite.Client("127.0.0.1:5432", tenant=1) as client:
//!     stream = client.create_stream("events")
//!     client.append(stream, [b"hello"], expected_offset=client.stream_length(stream))
//!     for event in client.read_verified(stream).events:
//!         print(event.offset, event.payload)
//! ```
//!
//! Every call is core's: this crate converts arguments and results, releases the GIL
//! around blocking calls ([`blocking`]), turns async calls into asyncio awaitables
//! ([`client`]), and raises the exception class of each error code ([`error`]).
//! Verification is never re-implemented here ([`verify`] only exposes core's and the
//! protocol crate's checks).

mod audit;
mod blocking;
mod bridge;
mod calls;
mod client;
mod error;
mod handle;
mod options;
mod types;
mod values;
mod verify;

use pyo3::prelude::*;

/// The module `kimberlite._native`.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<audit::Audit>()?;
    module.add_class::<blocking::Client>()?;
    module.add_class::<blocking::Subscription>()?;
    module.add_class::<client::AsyncClient>()?;
    module.add_class::<client::AsyncSubscription>()?;
    module.add_class::<types::ReadResult>()?;
    module.add_class::<types::VerifiedEvent>()?;
    module.add_class::<types::VerifiedRead>()?;
    module.add_class::<types::Checkpoint>()?;
    module.add_class::<types::QueryResult>()?;
    module.add_class::<types::ExecuteResult>()?;
    module.add_class::<types::ServerInfoResult>()?;
    module.add_class::<types::Tenant>()?;
    module.add_class::<types::ApiKey>()?;
    module.add_class::<types::CreatedApiKey>()?;
    module.add_class::<types::SubscriptionEvent>()?;
    module.add_function(wrap_pyfunction!(error::error_codes, module)?)?;
    module.add_function(wrap_pyfunction!(verify::record_hash, module)?)?;
    module.add_function(wrap_pyfunction!(verify::decode_record_hash, module)?)?;
    module.add_function(wrap_pyfunction!(verify::genesis_hash, module)?)?;
    module.add_function(wrap_pyfunction!(verify::merkle_root, module)?)?;
    module.add_function(wrap_pyfunction!(verify::verify_inclusion, module)?)?;
    module.add_function(wrap_pyfunction!(verify::verify_consistency, module)?)?;
    module.add_function(wrap_pyfunction!(verify::open_signed_note, module)?)?;
    module.add_function(wrap_pyfunction!(verify::parse_verifier_key, module)?)?;
    module.add_function(wrap_pyfunction!(verify::open_checkpoint, module)?)?;
    module.add_function(wrap_pyfunction!(verify::stream_origin, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
