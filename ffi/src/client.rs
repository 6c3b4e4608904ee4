//! The client handle: connect, free, and the stream calls of protocol v5.

use std::ffi::c_char;
use std::sync::Arc;

use kimberlite::{DataClass, Offset, Placement, Region, StreamId};
use tokio::runtime::Runtime;

use crate::cancel::{block_on, kmb_cancel};
use crate::completions::kmb_completions;
use crate::error::kmb_error;
use crate::events::kmb_events;
use crate::guard::{
    free_box, handle, invalid, optional_text, put, put_box, put_hash, require_out, run, slice,
    text, Failure,
};
use crate::options::kmb_options;
use crate::status::kmb_status;
use crate::verify::kmb_bytes;

/// A connected client; its calls may be made from many threads at once. Free it
/// with `kmb_client_free` once no call is running.
#[derive(Debug)]
pub struct kmb_client {
    pub(crate) runtime: Arc<Runtime>,
    pub(crate) inner: kimberlite::Client,
}

impl kmb_client {
    /// Runs `future` to its end or until `cancel` fires.
    pub(crate) fn block<T>(
        &self,
        cancel: *const kmb_cancel,
        future: impl std::future::Future<Output = kimberlite::Result<T>>,
    ) -> Result<T, Failure> {
        block_on(self.runtime.handle(), cancel, future)
    }
}

fn runtime() -> Result<Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kimberlite-ffi")
        .enable_all()
        .build()
        .map_err(|error| {
            let code = kimberlite::ErrorCode::Connection;
            Failure::Client(
                kimberlite::Error::new(code, "cannot start a runtime").with_source(error),
            )
        })
}

/// Connects to `address` (`host:port`) and handshakes; `*out` is the new client.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_connect(
    address: *const c_char,
    options: *const kmb_options,
    cancel: *const kmb_cancel,
    out: *mut *mut kmb_client,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let address = text(address, "address")?.to_owned();
        let options = handle(options, "options")?.inner.clone();
        require_out(out, "out")?;
        let runtime = runtime()?;
        let inner = block_on(
            runtime.handle(),
            cancel,
            kimberlite::Client::connect(address, options),
        )?;
        let runtime = Arc::new(runtime);
        put_box(out, kmb_client { runtime, inner }, "out")
    })
}

/// Releases the client handle, closing the connection with its last handle (see
/// `kmb_client_with_audit`); NULL is ignored. No call on it may be running.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_free(client: *mut kmb_client) {
    free_box(client);
}

fn data_class(number: u8) -> Result<DataClass, Failure> {
    DataClass::ALL
        .get(usize::from(number))
        .copied()
        .ok_or_else(|| invalid(format!("data class {number} does not exist (0 to 7)")))
}

fn placement(region: Option<&str>) -> Placement {
    match region {
        None => Placement::Global,
        Some("USEast1") => Placement::Region(Region::USEast1),
        Some("APSoutheast2") => Placement::Region(Region::APSoutheast2),
        Some(other) => Placement::Region(Region::Custom(other.to_owned())),
    }
}

/// Creates a stream (or finds the tenant's stream of that name). `data_class` is the
/// wire index (0 PHI .. 7 Public); `region` NULL means global placement, else
/// `"USEast1"`, `"APSoutheast2"` or any other name.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_create_stream(
    client: *const kmb_client,
    name: *const c_char,
    data_class_index: u8,
    region: *const c_char,
    cancel: *const kmb_cancel,
    out_stream_id: *mut u64,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        let name = text(name, "name")?;
        let class = data_class(data_class_index)?;
        let place = placement(optional_text(region, "region")?);
        require_out(out_stream_id, "out_stream_id")?;
        let id = client.block(cancel, client.inner.create_stream(name, class, place))?;
        put(out_stream_id, id.0, "out_stream_id")
    })
}

/// Appends `count` events (buffers the caller owns, read during the call only) if
/// the stream's length is `expected_offset`; `*out_first_offset` is the first's.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_append(
    client: *const kmb_client,
    stream_id: u64,
    events: *const kmb_bytes,
    count: usize,
    expected_offset: u64,
    cancel: *const kmb_cancel,
    out_first_offset: *mut u64,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        let payloads = payloads(events, count)?;
        require_out(out_first_offset, "out_first_offset")?;
        let append = client
            .inner
            .append(StreamId(stream_id), payloads, Offset(expected_offset));
        let first = client.block(cancel, append)?;
        put(out_first_offset, first.0, "out_first_offset")
    })
}

/// As `kmb_client_append`, but returns at once: the events are copied before it
/// returns, and the outcome arrives in `queue` as one `kmb_completion` with this
/// `context` (on KMB_OK its value is the first event's offset), whether the call
/// succeeds, fails or is ended by `kmb_completions_cancel(queue, context)`. No two
/// running calls on one queue may share a context (KMB_ERROR, code
/// KMB_CODE_INVALID_ARGUMENT). A status other than KMB_OK means the call did not
/// start and no outcome will arrive. The client must stay alive until the outcome
/// arrived; the queue may be freed earlier (the outcome is then dropped).
#[no_mangle]
pub unsafe extern "C" fn kmb_client_append_async(
    client: *const kmb_client,
    stream_id: u64,
    events: *const kmb_bytes,
    count: usize,
    expected_offset: u64,
    queue: *const kmb_completions,
    context: usize,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        let queue = handle(queue, "queue")?;
        let payloads = payloads(events, count)?;
        let (call, cancelled) = queue.start(context)?;
        let inner = client.inner.clone();
        client.runtime.spawn(async move {
            let append = inner.append(StreamId(stream_id), payloads, Offset(expected_offset));
            // The receiver only resolves through kmb_completions_cancel: the sender
            // lives in the queue until this call finishes.
            let outcome = tokio::select! {
                biased;
                _ = cancelled => Err(Failure::Cancelled),
                first = append => first.map(|first| first.0).map_err(Failure::Client),
            };
            call.finish(outcome);
        });
        Ok(())
    })
}

/// Copies the caller's events.
fn payloads(events: *const kmb_bytes, count: usize) -> Result<Vec<Vec<u8>>, Failure> {
    let items = slice(events, count, "events")?;
    let mut payloads = Vec::with_capacity(items.len());
    for item in items {
        payloads.push(item.as_slice("events[i].data")?.to_vec());
    }
    Ok(payloads)
}

/// Reads events from `from_offset`, up to about `max_bytes`, without verification.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_read(
    client: *const kmb_client,
    stream_id: u64,
    from_offset: u64,
    max_bytes: u64,
    cancel: *const kmb_cancel,
    out: *mut *mut kmb_events,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        require_out(out, "out")?;
        let read = client
            .inner
            .read(StreamId(stream_id), Offset(from_offset), max_bytes);
        let read = client.block(cancel, read)?;
        put_box(out, kmb_events::from_read(from_offset, read), "out")
    })
}

/// Reads like `kmb_client_read`, verifying every record against a signed checkpoint
/// that extends the trusted one (then trusted); see `kmb_events_checkpoint`.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_read_verified(
    client: *const kmb_client,
    stream_id: u64,
    from_offset: u64,
    max_bytes: u64,
    cancel: *const kmb_cancel,
    out: *mut *mut kmb_events,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        require_out(out, "out")?;
        let stream = StreamId(stream_id);
        let read = client
            .inner
            .read_verified(stream, Offset(from_offset), max_bytes);
        let read = client.block(cancel, read)?;
        put_box(out, kmb_events::from_verified(read), "out")
    })
}

/// The number of events in the stream.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_stream_length(
    client: *const kmb_client,
    stream_id: u64,
    cancel: *const kmb_cancel,
    out_length: *mut u64,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        require_out(out_length, "out_length")?;
        let length = client.block(cancel, client.inner.stream_length(StreamId(stream_id)))?;
        put(out_length, length, "out_length")
    })
}

/// Waits until everything acknowledged so far is durable on the server.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_sync(
    client: *const kmb_client,
    cancel: *const kmb_cancel,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        client.block(cancel, client.inner.sync())
    })
}

/// The stream's latest signed checkpoint, verified under the trusted key (it does
/// not advance the trusted state): its tree size and 32-byte root.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_checkpoint(
    client: *const kmb_client,
    stream_id: u64,
    cancel: *const kmb_cancel,
    out_size: *mut u64,
    out_root: *mut u8,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        require_out(out_size, "out_size")?;
        require_out(out_root, "out_root")?;
        let checkpoint = client.block(cancel, client.inner.checkpoint(StreamId(stream_id)))?;
        put(out_size, checkpoint.size, "out_size")?;
        put_hash(out_root, &checkpoint.root, "out_root")
    })
}

/// A consistency proof between two tree sizes of the stream, written as 32-byte
/// hashes into `out_hashes` (room for `capacity` hashes, owned by the caller);
/// `*out_count` is the number of hashes. A proof longer than `capacity` fails with
/// `InvalidArgument` and sets `*out_count` to the room needed (64 always suffices).
#[no_mangle]
pub unsafe extern "C" fn kmb_client_consistency_proof(
    client: *const kmb_client,
    stream_id: u64,
    from_size: u64,
    to_size: u64,
    cancel: *const kmb_cancel,
    out_hashes: *mut u8,
    capacity: usize,
    out_count: *mut usize,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        require_out(out_count, "out_count")?;
        let proof = client
            .inner
            .consistency_proof(StreamId(stream_id), from_size, to_size);
        let proof = client.block(cancel, proof)?;
        put(out_count, proof.len(), "out_count")?;
        if proof.len() > capacity {
            return Err(invalid(format!(
                "the proof has {} hashes, room for {capacity}",
                proof.len()
            )));
        }
        for (index, hash) in proof.iter().enumerate() {
            // `out_hashes` has room for `capacity` hashes, so this offset is inside it.
            put_hash(out_hashes.wrapping_add(index * 32), hash, "out_hashes")?;
        }
        Ok(())
    })
}
