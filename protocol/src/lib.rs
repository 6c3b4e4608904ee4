//! Kimberlite's wire protocol (version 5) and verification formats, sans-IO.
//!
//! Modules are filled in by the foundation issue; see docs/protocol.md and
//! docs/format.md for the byte-level specification.

pub mod attributes;
pub mod capability;
pub mod checkpoint;
pub mod codec;
pub mod error_code;
pub mod frame;
pub mod hash;
pub mod ids;
pub mod merkle;
pub mod message;
pub mod note;
pub mod prefix;
pub mod record;
pub mod value;

pub use attributes::{DataClass, Placement, Region};
pub use capability::CapabilitySet;
pub use codec::{
    decode_message, encode_message, encode_message_frame, encode_message_into, frame_message,
    DecodeError,
};
pub use error_code::ErrorCode;
pub use frame::{
    decode_frame, decode_frame_with_limit, encode_frame, DecodedFrame, FrameDecoder, FrameError,
    FRAME_HEADER_LEN, FRAME_MAGIC, MAX_PAYLOAD_LEN, PROTOCOL_VERSION,
};
pub use hash::{Hash, HASH_LEN};
pub use ids::{Offset, RequestId, StreamId, SubscriptionId, TenantId};
pub use message::{
    Audit, Message, Push, PushPayload, Request, RequestPayload, Response, ResponsePayload,
};
pub use prefix::{decode_prefix, decode_request_prefix, MessagePrefix, PrefixError, RequestPrefix};
pub use value::Value;
