//! Request payloads: protocol v5 variants 0 to 10 and our extensions from 64.
//!
//! Each variant with fields holds a struct whose fields are the variant's
//! fields in wire order. Indices 11 to 63 belong to other implementations; a
//! server answers them with `InvalidRequest` after decoding the prefix
//! (see [`crate::prefix`]).

use serde::{Deserialize, Serialize};

use super::bytes;
use super::extension::{
    ConsistencyProofRequest, CreateApiKeyRequest, CreateTenantRequest, EnableExtensionsRequest,
    GetCheckpointRequest, ListApiKeysRequest, ReadVerifiedRequest, RevokeApiKeyRequest,
};
use super::indexed_enum::indexed_enum;
use crate::attributes::{DataClass, Placement};
use crate::ids::{Offset, StreamId, SubscriptionId};
use crate::value::Value;

indexed_enum! {
    /// What a request asks for.
    #[derive(Clone, Debug, PartialEq)]
    pub enum RequestPayload {
        /// Opens the session; must come first.
        Handshake(HandshakeRequest) = 0,
        /// Creates a stream, or returns the existing one of that name.
        CreateStream(CreateStreamRequest) = 1,
        /// Appends events at an expected offset.
        AppendEvents(AppendEventsRequest) = 2,
        /// Runs SQL on the current state.
        Query(QueryRequest) = 3,
        /// Runs SQL on the state at a log position.
        QueryAt(QueryAtRequest) = 4,
        /// Reads events from an offset.
        ReadEvents(ReadEventsRequest) = 5,
        /// Asks for a stream's length.
        StreamInfo(StreamInfoRequest) = 6,
        /// Starts a subscription.
        Subscribe(SubscribeRequest) = 7,
        /// Waits until everything acknowledged is durable.
        Sync = 8,
        /// Grants a subscription more credits.
        SubscribeCredit(SubscribeCreditRequest) = 9,
        /// Ends a subscription.
        Unsubscribe(UnsubscribeRequest) = 10,
        /// Extension: opts in to extensions for this connection.
        EnableExtensions(EnableExtensionsRequest) = 64,
        /// Extension: asks for the server's version, key and capabilities.
        ServerInfo = 65,
        /// Extension: reads records with inclusion and consistency proofs.
        ReadVerified(ReadVerifiedRequest) = 66,
        /// Extension: asks for a stream's latest signed checkpoint.
        GetCheckpoint(GetCheckpointRequest) = 67,
        /// Extension: asks for a consistency proof between two tree sizes.
        ConsistencyProof(ConsistencyProofRequest) = 68,
        /// Extension (admin): creates a tenant.
        CreateTenant(CreateTenantRequest) = 69,
        /// Extension (admin): lists tenants.
        ListTenants = 70,
        /// Extension (admin): creates an API key for a tenant.
        CreateApiKey(CreateApiKeyRequest) = 71,
        /// Extension (admin): revokes an API key.
        RevokeApiKey(RevokeApiKeyRequest) = 72,
        /// Extension (admin): lists a tenant's API keys.
        ListApiKeys(ListApiKeysRequest) = 73,
        /// Extension (`kmb.verify/2`): reads records with one range proof for all
        /// of them and a consistency proof.
        ReadVerifiedRange(ReadVerifiedRequest) = 74,
    }
}

/// Request #0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandshakeRequest {
    /// Must be 5.
    pub client_version: u16,
    /// The API key, if the server requires one.
    pub auth_token: Option<String>,
}

/// Request #1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateStreamRequest {
    /// Unique within the tenant.
    pub name: String,
    /// The kind of data the stream holds.
    pub data_class: DataClass,
    /// Where the data may live.
    pub placement: Placement,
}

/// Request #2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendEventsRequest {
    /// The stream appended to.
    pub stream_id: StreamId,
    /// The events, in order; must not be empty.
    #[serde(with = "bytes::list")]
    pub events: Vec<Vec<u8>>,
    /// Must equal the stream's current length.
    pub expected_offset: Offset,
}

/// Request #3.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueryRequest {
    /// The SQL text.
    pub sql: String,
    /// Values for `$1`, `$2`, ...
    pub params: Vec<Value>,
    /// Why protected data is read, when a policy asks for a reason.
    pub break_glass_reason: Option<String>,
}

/// Request #4.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueryAtRequest {
    /// The SQL text.
    pub sql: String,
    /// Values for `$1`, `$2`, ...
    pub params: Vec<Value>,
    /// The SQL log position whose state is queried (inclusive).
    pub position: Offset,
    /// Why protected data is read, when a policy asks for a reason.
    pub break_glass_reason: Option<String>,
}

/// Request #5.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadEventsRequest {
    /// The stream read.
    pub stream_id: StreamId,
    /// The first offset returned.
    pub from_offset: Offset,
    /// Events are added while the bytes so far are below this.
    pub max_bytes: u64,
}

/// Request #6.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamInfoRequest {
    /// The stream asked about.
    pub stream_id: StreamId,
}

/// Request #7.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeRequest {
    /// The stream followed.
    pub stream_id: StreamId,
    /// The first offset delivered.
    pub from_offset: Offset,
    /// How many events may be pushed before more credits are granted.
    pub initial_credits: u32,
    /// Subscribers of one group share the events.
    pub consumer_group: Option<String>,
}

/// Request #9.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeCreditRequest {
    /// The subscription.
    pub subscription_id: SubscriptionId,
    /// Credits added.
    pub additional_credits: u32,
}

/// Request #10.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeRequest {
    /// The subscription ended.
    pub subscription_id: SubscriptionId,
}

impl RequestPayload {
    /// Whether this is one of our extension variants (index 64 or more).
    #[must_use]
    pub const fn is_extension(&self) -> bool {
        self.variant_index() >= super::FIRST_EXTENSION_INDEX
    }
}
