//! Classifies a received frame payload: a request, an unsupported request
//! variant (answered with `InvalidRequest`), or a protocol error (closes).

use kimberlite_protocol::{
    decode_message, decode_request_prefix, DecodeError, Message, Request, RequestId, RequestPayload,
};

/// What a frame payload holds.
pub(super) enum Inbound {
    /// A request this server decodes.
    Request(Box<Request>),
    /// A request whose variant (or a nested variant) this server does not know.
    Unsupported {
        /// Its id, read by the prefix decoder.
        id: RequestId,
        /// Why it is refused.
        message: String,
    },
    /// Not a valid request: the connection is closed.
    Malformed(String),
}

pub(super) fn classify(payload: &[u8]) -> Inbound {
    match decode_message(payload) {
        Ok(Message::Request(request)) => Inbound::Request(Box::new(request)),
        Ok(Message::Response(_)) => Inbound::Malformed("client sent a Response message".into()),
        Ok(Message::Push(_)) => Inbound::Malformed("client sent a Push message".into()),
        Err(DecodeError::UnknownVariant) => match decode_request_prefix(payload) {
            Ok(prefix) => {
                let index = prefix.payload_index;
                let message = match RequestPayload::name_of_index(index) {
                    None => format!("request variant {index} is not supported by this server"),
                    Some(name) => format!("{name} request holds an unknown enum variant"),
                };
                Inbound::Unsupported {
                    id: prefix.id,
                    message,
                }
            }
            Err(error) => Inbound::Malformed(format!("undecodable message: {error}")),
        },
        Err(error) => Inbound::Malformed(format!("undecodable message: {error}")),
    }
}
