//! A tampering proxy between the client and the real server: it forwards every byte,
//! except that it rewrites verified-read answers the way an attacker on the path (or
//! a compromised server) would. The client must refuse each rewrite.

use std::sync::{Arc, Mutex};

use kimberlite_protocol::message::{Message, ResponsePayload};
use kimberlite_protocol::{decode_message, frame_message, FrameDecoder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the proxy changes a `ReadVerified` answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// Forward unchanged.
    Nothing,
    /// Change the first record's payload.
    Payload,
    /// Drop the last record's inclusion proof hash.
    Proof,
    /// Change the checkpoint's tree size line.
    CheckpointSize,
}

/// Starts a proxy to `upstream`; returns its address and the switch.
pub async fn start(upstream: String) -> (String, Arc<Mutex<Tamper>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let tamper = Arc::new(Mutex::new(Tamper::Nothing));
    let switch = Arc::clone(&tamper);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = TcpStream::connect(upstream.as_str()).await.unwrap();
            let (mut client_read, client_write) = client.into_split();
            let (server_read, mut server_write) = server.into_split();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
            });
            tokio::spawn(rewrite_answers(
                server_read,
                client_write,
                Arc::clone(&switch),
            ));
        }
    });
    (address, tamper)
}

async fn rewrite_answers(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    tamper: Arc<Mutex<Tamper>>,
) {
    let mut decoder = FrameDecoder::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let count = match from.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(count) => count,
        };
        decoder.extend(&chunk[..count]);
        let mut out = Vec::new();
        while let Some(payload) = decoder.next_frame().unwrap() {
            let mut message = decode_message(payload).unwrap();
            let mode = *tamper.lock().unwrap();
            if let Message::Response(response) = &mut message {
                if let ResponsePayload::ReadVerified(answer) = &mut response.payload {
                    apply(mode, answer);
                }
            }
            out.extend(frame_message(&message).unwrap());
        }
        if to.write_all(&out).await.is_err() {
            return;
        }
    }
}

fn apply(mode: Tamper, answer: &mut kimberlite_protocol::message::ReadVerifiedResponse) {
    match mode {
        Tamper::Nothing => {}
        Tamper::Payload => answer.records[0].payload.push(b'!'),
        Tamper::Proof => {
            let last = answer.records.len() - 1;
            answer.records[last].inclusion_proof.pop();
        }
        Tamper::CheckpointSize => {
            let size = answer.checkpoint.lines().nth(1).unwrap().to_owned();
            let grown = (size.parse::<u64>().unwrap() + 1).to_string();
            answer.checkpoint =
                answer
                    .checkpoint
                    .replacen(&format!("\n{size}\n"), &format!("\n{grown}\n"), 1);
        }
    }
}
