//! The message envelope: `Message = Request #0 | Response #1 | Push #2`.
//!
//! Every type here encodes with postcard exactly as protocol v5 lays it out:
//! struct fields in declaration order, enums as their variant index. The
//! variant payloads live in [`request`], [`response`], [`push`] and
//! [`extension`].

mod bytes;
pub mod extension;
pub(crate) mod indexed_enum;
pub mod push;
pub mod request;
pub mod response;

use serde::{Deserialize, Serialize};

use crate::ids::{RequestId, TenantId};

pub use extension::*;
pub use push::*;
pub use request::*;
pub use response::*;

/// The first request and response variant index of Kimberlite's extensions.
pub const FIRST_EXTENSION_INDEX: u32 = 64;

/// Everything that travels in a frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Message {
    /// Client to server.
    Request(Request),
    /// Server to client, answering one request.
    Response(Response),
    /// Server to client, unprompted (subscriptions).
    Push(Push),
}

/// A request: its id, the tenant it acts for, optional audit data, the call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Chosen by the client; the response carries it back.
    pub id: RequestId,
    /// The tenant the request acts for.
    pub tenant_id: TenantId,
    /// Who asks and why, for the audit trail.
    pub audit: Option<Audit>,
    /// The call itself.
    pub payload: RequestPayload,
}

/// Audit context attached to a request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    /// Who acts (a user or service name).
    pub actor: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// Ties several requests to one operation.
    pub correlation_id: Option<String>,
    /// Lets a retried request be recognised.
    pub idempotency_key: Option<String>,
}

/// A response to the request with id `request_id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The id of the request answered.
    pub request_id: RequestId,
    /// The answer.
    pub payload: ResponsePayload,
}

/// A message the server sends on its own, for a subscription.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Push {
    /// What happened.
    pub payload: PushPayload,
}

impl Message {
    /// A request without audit data.
    #[must_use]
    pub fn request(id: RequestId, tenant_id: TenantId, payload: RequestPayload) -> Self {
        Self::Request(Request {
            id,
            tenant_id,
            audit: None,
            payload,
        })
    }

    /// A response to request `request_id`.
    #[must_use]
    pub fn response(request_id: RequestId, payload: ResponsePayload) -> Self {
        Self::Response(Response {
            request_id,
            payload,
        })
    }

    /// An error response to request `request_id`.
    #[must_use]
    pub fn error(
        request_id: RequestId,
        code: crate::ErrorCode,
        message: impl Into<String>,
    ) -> Self {
        Self::response(
            request_id,
            ResponsePayload::Error(ErrorResponse {
                code,
                message: message.into(),
            }),
        )
    }

    /// A push message.
    #[must_use]
    pub fn push(payload: PushPayload) -> Self {
        Self::Push(Push { payload })
    }
}
