//! The state of a connection's session: handshake, identity, extensions, and
//! the checks every later request passes before it is served.

use kimberlite_protocol::capability::request_capability;
use kimberlite_protocol::message::{
    EnableExtensionsRequest, ExtensionsEnabledResponse, HandshakeRequest, HandshakeResponse,
};
use kimberlite_protocol::{
    CapabilitySet, ErrorCode, Request, RequestPayload, ResponsePayload, PROTOCOL_VERSION,
};

use crate::auth::{is_admin_token, parse_api_key_token, verify_api_key, Identity};
use crate::backend::{Backend, BackendError, BackendResult};
use crate::config::AuthMode;
use crate::server::Shared;

/// Where the connection stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum AuthState {
    /// No successful handshake yet.
    AwaitingHandshake,
    /// Handshake without a token while authentication is on: every request is
    /// refused with `AuthenticationFailed`.
    Unauthenticated,
    /// Handshake done; acting as this identity.
    Authenticated(Identity),
}

/// A connection's session.
#[derive(Debug)]
pub(super) struct Session {
    pub(super) state: AuthState,
    pub(super) capabilities: CapabilitySet,
}

impl Session {
    pub(super) const fn new() -> Self {
        Self {
            state: AuthState::AwaitingHandshake,
            capabilities: CapabilitySet::NONE,
        }
    }

    /// Answers a Handshake and moves the session on when it succeeds.
    pub(super) async fn handshake<B: Backend>(
        &mut self,
        shared: &Shared<B>,
        request: HandshakeRequest,
    ) -> BackendResult<ResponsePayload> {
        match self.state {
            AuthState::AwaitingHandshake => {}
            // Every request after a token-less handshake fails, this one too.
            AuthState::Unauthenticated => return Err(unauthenticated()),
            AuthState::Authenticated(_) => {
                return Err(BackendError::new(
                    ErrorCode::InvalidRequest,
                    "the handshake was already done on this connection",
                ))
            }
        }
        if request.client_version != PROTOCOL_VERSION {
            return Err(BackendError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "protocol version {} is not supported; this server speaks version \
                     {PROTOCOL_VERSION}",
                    request.client_version
                ),
            ));
        }
        let state = match (&shared.config.auth, request.auth_token) {
            (AuthMode::Development, _) => AuthState::Authenticated(Identity::Development),
            (AuthMode::Required { .. }, None) => AuthState::Unauthenticated,
            (AuthMode::Required { admin_token }, Some(token)) => {
                let identity = authenticate(shared, admin_token.as_ref(), &token).await?;
                AuthState::Authenticated(identity)
            }
        };
        let authenticated = matches!(state, AuthState::Authenticated(_));
        self.state = state;
        Ok(ResponsePayload::Handshake(HandshakeResponse {
            server_version: PROTOCOL_VERSION,
            authenticated,
            capabilities: shared.config.capabilities.names(),
        }))
    }

    /// Enables the offered capabilities among those asked for.
    pub(super) fn enable_extensions(
        &mut self,
        offered: CapabilitySet,
        request: &EnableExtensionsRequest,
    ) -> ResponsePayload {
        let asked = CapabilitySet::from_names(request.capabilities.iter().map(String::as_str));
        let enabled = asked.intersection(offered);
        self.capabilities = self.capabilities.union(enabled);
        ResponsePayload::ExtensionsEnabled(ExtensionsEnabledResponse {
            capabilities: enabled.names(),
        })
    }

    /// Checks that the session may make `request`; returns its identity.
    pub(super) fn admit(&self, request: &Request) -> BackendResult<Identity> {
        let identity = match &self.state {
            AuthState::AwaitingHandshake => {
                return Err(BackendError::new(
                    ErrorCode::InvalidRequest,
                    "the first request on a connection must be a Handshake",
                ))
            }
            AuthState::Unauthenticated => return Err(unauthenticated()),
            AuthState::Authenticated(identity) => identity,
        };
        let payload = &request.payload;
        if !self.capabilities.allows_request(payload) {
            let capability = request_capability(payload).unwrap_or_default();
            return Err(BackendError::new(
                ErrorCode::ExtensionNotEnabled,
                format!(
                    "{} needs the {capability} extension; enable it first",
                    payload.variant_name()
                ),
            ));
        }
        if is_admin_request(payload) {
            if !identity.is_admin() {
                return Err(BackendError::new(
                    ErrorCode::PermissionDenied,
                    format!("{} needs the admin token", payload.variant_name()),
                ));
            }
        } else if !is_connection_request(payload) && !identity.may_use(request.tenant_id) {
            return Err(BackendError::new(
                ErrorCode::PermissionDenied,
                format!("this API key may not use tenant {}", request.tenant_id),
            ));
        }
        Ok(identity.clone())
    }
}

fn unauthenticated() -> BackendError {
    BackendError::new(
        ErrorCode::AuthenticationFailed,
        "not authenticated: the handshake carried no token; reconnect with one",
    )
}

/// Whether `payload` administers tenants or keys (admin only, any tenant).
pub(super) const fn is_admin_request(payload: &RequestPayload) -> bool {
    matches!(
        payload,
        RequestPayload::CreateTenant(_)
            | RequestPayload::ListTenants
            | RequestPayload::CreateApiKey(_)
            | RequestPayload::RevokeApiKey(_)
            | RequestPayload::ListApiKeys(_)
    )
}

/// Whether `payload` concerns only the connection, not the request's tenant.
const fn is_connection_request(payload: &RequestPayload) -> bool {
    matches!(
        payload,
        RequestPayload::EnableExtensions(_) | RequestPayload::ServerInfo
    )
}

async fn authenticate<B: Backend>(
    shared: &Shared<B>,
    admin_token: Option<&crate::config::AdminToken>,
    token: &str,
) -> BackendResult<Identity> {
    let refused = || BackendError::new(ErrorCode::AuthenticationFailed, "invalid token");
    if admin_token.is_some_and(|admin| is_admin_token(admin, token)) {
        return Ok(Identity::Admin);
    }
    let parsed = parse_api_key_token(token).ok_or_else(refused)?;
    let record = shared
        .backend
        .api_key(parsed.key_id)
        .await?
        .ok_or_else(refused)?;
    if verify_api_key(&record, parsed.secret) {
        Ok(Identity::ApiKey {
            key_id: record.key_id,
            tenant_id: record.tenant_id,
        })
    } else {
        Err(refused())
    }
}
