//! The proxy: accepts clients on a loopback port, opens one connection to the
//! upstream server per client (and one to the fork in
//! [`Mode::ForkedCheckpoint`]), forwards frames both ways and rewrites answers.
//! Frames it leaves alone are forwarded byte for byte; frames it rewrites are
//! encoded again with a correct CRC32, so the client sees the lie, not a
//! damaged frame.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use kimberlite_protocol::message::Message;
use kimberlite_protocol::{decode_message, encode_frame, frame_message, FrameDecoder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::{JoinHandle, JoinSet};

use crate::rewrite::Rewriter;
use crate::route::{Route, Router};
use crate::Mode;

/// Where the proxy listens, what it forwards to and how it lies.
#[derive(Clone, Debug)]
pub struct ProxyConfig {
    /// The real server, `host:port`.
    pub upstream: String,
    /// The second server of [`Mode::ForkedCheckpoint`].
    pub fork_upstream: Option<String>,
    /// The tampering mode.
    pub mode: Mode,
    /// The address to listen on (default `127.0.0.1:0`, a free port).
    pub listen: String,
}

impl ProxyConfig {
    /// A proxy to `upstream` in `mode`, on a free loopback port.
    #[must_use]
    pub fn new(upstream: impl Into<String>, mode: Mode) -> Self {
        Self {
            upstream: upstream.into(),
            fork_upstream: None,
            mode,
            listen: "127.0.0.1:0".to_owned(),
        }
    }

    /// Sets the fork server of [`Mode::ForkedCheckpoint`].
    #[must_use]
    pub fn fork_upstream(mut self, address: impl Into<String>) -> Self {
        self.fork_upstream = Some(address.into());
        self
    }
}

/// What every connection of one proxy shares.
struct Shared {
    config: ProxyConfig,
    rewriter: Rewriter,
    router: Router,
}

/// A running proxy; it stops (with its connections) when dropped.
pub struct TamperProxy {
    address: SocketAddr,
    accept: JoinHandle<()>,
}

impl TamperProxy {
    /// Binds and starts serving in the background of the current tokio runtime.
    ///
    /// # Errors
    /// When the listen address cannot be bound, or `InvalidInput` for
    /// [`Mode::ForkedCheckpoint`] without a fork server.
    pub async fn start(config: ProxyConfig) -> io::Result<Self> {
        if config.mode == Mode::ForkedCheckpoint && config.fork_upstream.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "mode forked-checkpoint needs a fork server (--fork-upstream)",
            ));
        }
        let listener = TcpListener::bind(config.listen.as_str()).await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            rewriter: Rewriter::new(config.mode),
            router: Router::new(config.mode),
            config,
        });
        let accept = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((client, _)) = listener.accept().await {
                connections.spawn(serve(client, Arc::clone(&shared)));
                while connections.try_join_next().is_some() {}
            }
        });
        Ok(Self { address, accept })
    }

    /// The address clients connect to.
    #[must_use]
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for TamperProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Requests in flight on one connection: where each went.
type InFlight = Mutex<HashMap<u64, Route>>;

/// Serves one client until it or the upstream closes; errors just end it.
async fn serve(client: TcpStream, shared: Arc<Shared>) {
    let Ok(main) = TcpStream::connect(shared.config.upstream.as_str()).await else {
        return;
    };
    let fork = match (&shared.config.fork_upstream, shared.config.mode) {
        (Some(address), Mode::ForkedCheckpoint) => match TcpStream::connect(address.as_str()).await
        {
            Ok(stream) => Some(stream.into_split()),
            Err(_) => return,
        },
        _ => None,
    };
    let (client_read, client_write) = client.into_split();
    let (main_read, main_write) = main.into_split();
    let (fork_read, fork_write) = fork.unzip();
    let (to_client, outgoing) = unbounded_channel();
    let in_flight = InFlight::default();
    let shared = &*shared;
    tokio::select! {
        () = requests(client_read, main_write, fork_write, shared, &in_flight) => {}
        () = answers(main_read, Route::Main, to_client.clone(), shared, &in_flight) => {}
        () = maybe_answers(fork_read, to_client, shared, &in_flight) => {}
        () = write_out(outgoing, client_write) => {}
    }
}

async fn maybe_answers(
    fork: Option<OwnedReadHalf>,
    to_client: UnboundedSender<Vec<u8>>,
    shared: &Shared,
    in_flight: &InFlight,
) {
    match fork {
        Some(fork) => answers(fork, Route::Fork, to_client, shared, in_flight).await,
        None => std::future::pending().await,
    }
}

async fn write_out(mut outgoing: UnboundedReceiver<Vec<u8>>, mut client: OwnedWriteHalf) {
    while let Some(bytes) = outgoing.recv().await {
        if client.write_all(&bytes).await.is_err() {
            return;
        }
    }
}

/// Forwards the client's frames to the server(s) their route names.
async fn requests(
    mut client: OwnedReadHalf,
    mut main: OwnedWriteHalf,
    mut fork: Option<OwnedWriteHalf>,
    shared: &Shared,
    in_flight: &InFlight,
) {
    let mut decoder = FrameDecoder::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let count = match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(count) => count,
        };
        decoder.extend(&chunk[..count]);
        let (mut to_main, mut to_fork) = (Vec::new(), Vec::new());
        loop {
            let payload = match decoder.next_frame() {
                Ok(Some(payload)) => payload,
                Ok(None) => break,
                Err(_) => return,
            };
            let route = match decode_message(payload) {
                Ok(Message::Request(request)) => {
                    let route = shared.router.route(&request);
                    if let Ok(mut in_flight) = in_flight.lock() {
                        in_flight.insert(request.id.0, route);
                    }
                    route
                }
                _ => Route::Main,
            };
            if route != Route::Fork && encode_frame(payload, &mut to_main).is_err() {
                return;
            }
            if route != Route::Main && encode_frame(payload, &mut to_fork).is_err() {
                return;
            }
        }
        if !to_main.is_empty() && main.write_all(&to_main).await.is_err() {
            return;
        }
        if let Some(fork) = fork.as_mut().filter(|_| !to_fork.is_empty()) {
            if fork.write_all(&to_fork).await.is_err() {
                return;
            }
        }
    }
}

/// Forwards one server's frames to the client, rewritten by the mode; the
/// fork's answers reach the client only for requests routed to the fork alone.
async fn answers(
    mut server: OwnedReadHalf,
    side: Route,
    to_client: UnboundedSender<Vec<u8>>,
    shared: &Shared,
    in_flight: &InFlight,
) {
    let mut decoder = FrameDecoder::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let count = match server.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(count) => count,
        };
        decoder.extend(&chunk[..count]);
        let mut out = Vec::new();
        loop {
            let payload = match decoder.next_frame() {
                Ok(Some(payload)) => payload,
                Ok(None) => break,
                Err(_) => return,
            };
            let Some(frame) = answer_frame(payload, side, shared, in_flight) else {
                continue;
            };
            out.extend(frame);
        }
        if !out.is_empty() && to_client.send(out).is_err() {
            return;
        }
    }
}

/// The frame the client gets for one frame of `side`, if any.
fn answer_frame(
    payload: &[u8],
    side: Route,
    shared: &Shared,
    in_flight: &InFlight,
) -> Option<Vec<u8>> {
    let message = decode_message(payload).ok();
    if let Some(Message::Response(response)) = &message {
        let id = response.request_id.0;
        let mut in_flight = in_flight.lock().ok()?;
        let route = in_flight.get(&id).copied();
        let wanted = match side {
            Route::Fork => route == Some(Route::Fork),
            _ => route != Some(Route::Fork),
        };
        if !wanted {
            return None;
        }
        in_flight.remove(&id);
    } else if side == Route::Fork {
        return None;
    }
    if let Some(Message::Response(mut response)) = message {
        if shared.rewriter.response(&mut response.payload) {
            return frame_message(&Message::Response(response)).ok();
        }
    }
    let mut frame = Vec::new();
    encode_frame(payload, &mut frame).ok()?;
    Some(frame)
}
