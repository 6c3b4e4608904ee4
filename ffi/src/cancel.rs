//! A cancel handle: triggered from any thread, it ends the blocking calls given it.

use tokio::sync::watch;

use crate::guard::{run_plain, Failure};

/// Ends the calls it is passed to once triggered; triggered stays triggered.
#[derive(Debug)]
pub struct kmb_cancel {
    sender: watch::Sender<bool>,
}

impl kmb_cancel {
    /// Waits until triggered.
    pub(crate) async fn triggered(&self) {
        let mut receiver = self.sender.subscribe();
        // An error means the sender is gone, which cannot happen while `self` lives.
        let _ = receiver.wait_for(|triggered| *triggered).await;
    }
}

/// A new, untriggered cancel handle; free it with `kmb_cancel_free`.
#[no_mangle]
pub extern "C" fn kmb_cancel_new() -> *mut kmb_cancel {
    run_plain(std::ptr::null_mut(), || {
        let (sender, _) = watch::channel(false);
        Box::into_raw(Box::new(kmb_cancel { sender }))
    })
}

/// Triggers the handle: calls using it return `KMB_CANCELLED`. Safe from any thread,
/// also while calls using it run; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kmb_cancel_trigger(cancel: *const kmb_cancel) {
    run_plain((), || {
        // SAFETY: NULL or a live handle (header rule).
        if let Some(cancel) = unsafe { cancel.as_ref() } {
            cancel.sender.send_replace(true);
        }
    });
}

/// Releases the handle once no call uses it; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kmb_cancel_free(cancel: *mut kmb_cancel) {
    crate::guard::free_box(cancel);
}

/// Runs `future` on `runtime` until it ends or `cancel` (when given) fires.
pub(crate) fn block_on<T>(
    runtime: &tokio::runtime::Handle,
    cancel: *const kmb_cancel,
    future: impl std::future::Future<Output = kimberlite::Result<T>>,
) -> Result<T, Failure> {
    // SAFETY: NULL or a live handle that outlives the call (header rule).
    let Some(cancel) = (unsafe { cancel.as_ref() }) else {
        return runtime.block_on(future).map_err(Failure::Client);
    };
    runtime.block_on(async {
        tokio::select! {
            biased;
            () = cancel.triggered() => Err(Failure::Cancelled),
            result = future => result.map_err(Failure::Client),
        }
    })
}
