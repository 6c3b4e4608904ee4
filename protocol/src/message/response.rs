//! Response payloads: protocol v5 variants 0 to 10 and our extensions from 64.

use serde::{Deserialize, Serialize};

use super::bytes;
use super::extension::{
    ApiKeyCreatedResponse, ApiKeyRevokedResponse, ApiKeysResponse, CheckpointResponse,
    ConsistencyProofResponse, ExtensionsEnabledResponse, ReadVerifiedResponse, ServerInfoResponse,
    TenantCreatedResponse, TenantsResponse, VerifiedRangeResponse,
};
use super::indexed_enum::indexed_enum;
use crate::error_code::ErrorCode;
use crate::ids::{Offset, StreamId, SubscriptionId};
use crate::value::Value;

indexed_enum! {
    /// What a response carries.
    #[derive(Clone, Debug, PartialEq)]
    pub enum ResponsePayload {
        /// The request failed.
        Error(ErrorResponse) = 0,
        /// Answer to Handshake.
        Handshake(HandshakeResponse) = 1,
        /// Answer to CreateStream.
        CreateStream(CreateStreamResponse) = 2,
        /// Answer to AppendEvents.
        AppendEvents(AppendEventsResponse) = 3,
        /// Answer to Query.
        Query(QueryResponse) = 4,
        /// Answer to QueryAt (same shape as Query).
        QueryAt(QueryResponse) = 5,
        /// Answer to ReadEvents.
        ReadEvents(ReadEventsResponse) = 6,
        /// Answer to StreamInfo.
        StreamInfo(StreamInfoResponse) = 7,
        /// Answer to Subscribe.
        Subscribe(SubscribeResponse) = 8,
        /// Answer to Sync.
        Sync(SyncResponse) = 9,
        /// Answer to SubscribeCredit and to Unsubscribe.
        SubscriptionAck(SubscriptionAckResponse) = 10,
        /// Extension: answer to EnableExtensions.
        ExtensionsEnabled(ExtensionsEnabledResponse) = 64,
        /// Extension: answer to ServerInfo.
        ServerInfo(ServerInfoResponse) = 65,
        /// Extension: answer to ReadVerified.
        ReadVerified(ReadVerifiedResponse) = 66,
        /// Extension: answer to GetCheckpoint.
        Checkpoint(CheckpointResponse) = 67,
        /// Extension: answer to ConsistencyProof.
        ConsistencyProof(ConsistencyProofResponse) = 68,
        /// Extension (admin): answer to CreateTenant.
        TenantCreated(TenantCreatedResponse) = 69,
        /// Extension (admin): answer to ListTenants.
        Tenants(TenantsResponse) = 70,
        /// Extension (admin): answer to CreateApiKey.
        ApiKeyCreated(ApiKeyCreatedResponse) = 71,
        /// Extension (admin): answer to RevokeApiKey.
        ApiKeyRevoked(ApiKeyRevokedResponse) = 72,
        /// Extension (admin): answer to ListApiKeys.
        ApiKeys(ApiKeysResponse) = 73,
        /// Extension (`kmb.verify/2`): answer to ReadVerifiedRange.
        VerifiedRange(VerifiedRangeResponse) = 74,
    }
}

/// Response #0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The numbered reason.
    pub code: ErrorCode,
    /// A human-readable explanation.
    pub message: String,
}

/// Response #1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandshakeResponse {
    /// Always 5; a client rejects anything else.
    pub server_version: u16,
    /// Whether the token was accepted (false when auth is on and none was sent).
    pub authenticated: bool,
    /// What the server supports, including `kmb.*` extension names.
    pub capabilities: Vec<String>,
}

/// Response #2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateStreamResponse {
    /// The new (or existing) stream.
    pub stream_id: StreamId,
}

/// Response #3.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendEventsResponse {
    /// Offset of the first event appended (the request's expected offset).
    pub first_offset: Offset,
    /// How many events were appended.
    pub count: u32,
}

/// Responses #4 and #5.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryResponse {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each with one value per column.
    pub rows: Vec<Vec<Value>>,
}

/// Response #6.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadEventsResponse {
    /// The events read, in order.
    #[serde(with = "bytes::list")]
    pub events: Vec<Vec<u8>>,
    /// `from_offset + events.len()`, or None when no event was read.
    pub next_offset: Option<Offset>,
}

/// Response #7.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamInfoResponse {
    /// The number of events in the stream.
    pub length: u64,
}

/// Response #8.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeResponse {
    /// The new subscription.
    pub subscription_id: SubscriptionId,
    /// The offset of the first event that will be pushed.
    pub start_offset: Offset,
    /// Credits granted.
    pub credits: u32,
}

/// Response #9.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// Whether everything acknowledged is durable.
    pub success: bool,
}

/// Response #10.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionAckResponse {
    /// The subscription.
    pub subscription_id: SubscriptionId,
    /// Credits it has left.
    pub credits_remaining: u32,
}

impl ResponsePayload {
    /// Whether this is one of our extension variants (index 64 or more).
    #[must_use]
    pub const fn is_extension(&self) -> bool {
        self.variant_index() >= super::FIRST_EXTENSION_INDEX
    }
}
