//! Opening a session on a fresh connection: the v5 handshake, then, if the server
//! advertises extensions, the opt-in and the server's identity.
//!
//! Against a plain v5 server only the handshake is sent, exactly as existing clients
//! do, so such a server sees nothing it does not know.

use std::time::{Duration, Instant};

use kimberlite_protocol::capability::{self, CapabilitySet};
use kimberlite_protocol::message::{
    EnableExtensionsRequest, HandshakeRequest, RequestPayload, ResponsePayload, ServerInfoResponse,
};
use kimberlite_protocol::PROTOCOL_VERSION;

use crate::connection::Connection;
use crate::error::{Error, ErrorCode, Result, VerificationFailure};
use crate::options::ConnectOptions;

/// The extensions this client understands and asks for.
const WANTED: [&str; 6] = [
    capability::EXT,
    capability::VERIFY,
    capability::VERIFY_RANGE,
    capability::ADMIN,
    capability::VALUES,
    capability::ERRORS,
];

/// What the handshake established for one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Session {
    /// The capability strings the server advertised, as sent.
    pub(crate) advertised: Vec<String>,
    /// The extensions enabled on this connection.
    pub(crate) enabled: CapabilitySet,
    /// The server's answer to ServerInfo, when it speaks the extensions.
    pub(crate) server_info: Option<ServerInfoResponse>,
    /// How long the quickest request of the session's opening took to be
    /// answered (the handshake's authentication excluded): about one round trip
    /// to the server, which decides whether a big verified read is asked for in
    /// parts (see `client::read_in_parts`). None before extensions are enabled.
    pub(crate) round_trip: Option<Duration>,
}

impl Session {
    /// Fails with `Unsupported` unless `name` is enabled on this connection.
    pub(crate) fn require(&self, name: &str) -> Result<()> {
        if self.enabled.contains(name) {
            return Ok(());
        }
        // Say `kmb.verify/2` without `/1`: the server's proofs are in a format
        // this client does not know.
        let other_version = self
            .advertised
            .iter()
            .find(|offered| name == capability::VERIFY && offered.starts_with("kmb.verify/"));
        if let Some(other) = other_version {
            return Err(Error::new(
                ErrorCode::Verification(VerificationFailure::UnsupportedVersion),
                format!("the server offers {other}; this client understands {name}"),
            ));
        }
        Err(Error::new(
            ErrorCode::Unsupported,
            format!("the server does not offer the {name} extension (a plain protocol v5 server?)"),
        ))
    }
}

/// Handshakes on `connection` and opts in to the extensions both sides know.
pub(crate) async fn establish(
    connection: &Connection,
    options: &ConnectOptions,
) -> Result<Session> {
    let handshake = RequestPayload::Handshake(HandshakeRequest {
        client_version: PROTOCOL_VERSION,
        auth_token: options.auth_token.clone(),
    });
    let timeout = options.request_timeout;
    let ResponsePayload::Handshake(answer) = connection.call(handshake, timeout).await? else {
        return Err(Error::protocol(
            "the server answered the handshake with another response",
        ));
    };
    if answer.server_version != PROTOCOL_VERSION {
        return Err(Error::protocol(format!(
            "the server speaks protocol version {}, this client speaks {PROTOCOL_VERSION}",
            answer.server_version
        )));
    }
    let advertised = CapabilitySet::from_names(answer.capabilities.iter().map(String::as_str));
    let mut session = Session {
        advertised: answer.capabilities,
        enabled: CapabilitySet::NONE,
        server_info: None,
        round_trip: None,
    };
    if !advertised.contains(capability::EXT) {
        return Ok(session);
    }
    let wanted = advertised.intersection(CapabilitySet::from_names(WANTED));
    let request = RequestPayload::EnableExtensions(EnableExtensionsRequest {
        capabilities: wanted.names(),
    });
    let asked = Instant::now();
    let ResponsePayload::ExtensionsEnabled(enabled) = connection.call(request, timeout).await?
    else {
        return Err(Error::protocol("unexpected answer to EnableExtensions"));
    };
    // Only what was asked for counts, whatever the server claims.
    session.enabled = wanted.intersection(CapabilitySet::from_names(
        enabled.capabilities.iter().map(String::as_str),
    ));
    let enabling = asked.elapsed();
    let asked = Instant::now();
    let ResponsePayload::ServerInfo(info) =
        connection.call(RequestPayload::ServerInfo, timeout).await?
    else {
        return Err(Error::protocol("unexpected answer to ServerInfo"));
    };
    session.round_trip = Some(enabling.min(asked.elapsed()));
    session.server_info = Some(info);
    Ok(session)
}
