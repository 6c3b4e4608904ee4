//! Which server answers a request: always the upstream, except in
//! [`Mode::ForkedCheckpoint`], where a stream's verified calls go to the fork
//! once the client trusts a checkpoint of that stream.

use std::collections::HashSet;
use std::sync::Mutex;

use kimberlite_protocol::message::{Request, RequestPayload};

use crate::Mode;

/// Where a request goes, and whose answer the client gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// The upstream answers.
    Main,
    /// The fork answers.
    Fork,
    /// Both get it (session set-up); the upstream's answer is forwarded.
    Both,
}

/// Routes the requests of every connection of a proxy.
pub(crate) struct Router {
    forked: bool,
    /// (tenant, stream) pairs whose first verified answer came from upstream.
    answered: Mutex<HashSet<(u64, u64)>>,
}

impl Router {
    pub(crate) fn new(mode: Mode) -> Self {
        Self {
            forked: mode == Mode::ForkedCheckpoint,
            answered: Mutex::new(HashSet::new()),
        }
    }

    pub(crate) fn route(&self, request: &Request) -> Route {
        if !self.forked {
            return Route::Main;
        }
        let tenant = request.tenant_id.0;
        match &request.payload {
            RequestPayload::Handshake(_) | RequestPayload::EnableExtensions(_) => Route::Both,
            RequestPayload::ConsistencyProof(_) => Route::Fork,
            RequestPayload::ReadVerified(read) | RequestPayload::ReadVerifiedRange(read) => {
                if read.trusted_size.is_some() {
                    Route::Fork
                } else {
                    self.first_answer(tenant, read.stream_id.0);
                    Route::Main
                }
            }
            RequestPayload::GetCheckpoint(get) => {
                if self.first_answer(tenant, get.stream_id.0) {
                    Route::Main
                } else {
                    Route::Fork
                }
            }
            _ => Route::Main,
        }
    }

    /// Records that the stream got a verified answer; true the first time.
    fn first_answer(&self, tenant: u64, stream: u64) -> bool {
        match self.answered.lock() {
            Ok(mut answered) => answered.insert((tenant, stream)),
            Err(_) => false,
        }
    }
}
