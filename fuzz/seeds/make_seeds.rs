//! Writes the seed corpora of the server and SQL targets: every statement of
//! the SQL engine's .slt files, and encoded requests of every kind (in the
//! server target's chunked input format). Run by scripts/fuzz before fuzzing:
//! `cargo run --bin make_seeds -- <corpus dir>`.

use std::fs;
use std::path::{Path, PathBuf};

use kimberlite_protocol::message::*;
use kimberlite_protocol::{
    encode_message, DataClass, Message, Offset, Placement, RequestId, StreamId, SubscriptionId,
    TenantId, Value,
};

fn main() -> std::io::Result<()> {
    let corpus = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "corpus".into()));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let statements = slt_statements(&root.join("server/sql/tests/slt"))?;
    let dir = corpus.join("sql_statements");
    fs::create_dir_all(&dir)?;
    for (index, statement) in statements.iter().enumerate() {
        fs::write(dir.join(format!("slt-{index:04}")), statement)?;
    }
    let dir = corpus.join("server_requests");
    fs::create_dir_all(&dir)?;
    let requests = requests(&statements);
    for (index, payload) in requests.iter().enumerate() {
        // Mode 0: handshake first, then framed chunks: a request alone, and
        // the request followed by a subscription and a read.
        let message = encode(payload.clone(), index as u64 + 1);
        fs::write(dir.join(format!("req-{index:03}")), chunked(&[&message]))?;
    }
    let all: Vec<Vec<u8>> = requests
        .iter()
        .enumerate()
        .map(|(index, payload)| encode(payload.clone(), index as u64 + 1))
        .collect();
    let refs: Vec<&[u8]> = all.iter().map(Vec::as_slice).collect();
    fs::write(dir.join("all-requests"), chunked(&refs))?;
    println!(
        "seeds: {} SQL statements, {} requests",
        statements.len(),
        requests.len() + 1
    );
    Ok(())
}

fn encode(payload: RequestPayload, id: u64) -> Vec<u8> {
    encode_message(&Message::Request(Request {
        id: RequestId(id),
        tenant_id: TenantId(1),
        audit: None,
        payload,
    }))
}

fn chunked(messages: &[&[u8]]) -> Vec<u8> {
    let mut out = vec![0u8];
    for message in messages {
        let length = u16::try_from(message.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&message[..usize::from(length)]);
    }
    out
}

/// The statements of `statement` and `query` blocks of every .slt file.
fn slt_statements(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    files.sort();
    for file in files {
        let text = fs::read_to_string(&file)?;
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if !(line.starts_with("statement") || line.starts_with("query")) {
                continue;
            }
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|line| !line.is_empty() && *line != "----")
                .collect();
            let statement = body.join("\n");
            if !statement.starts_with("--") && !statement.is_empty() {
                out.push(statement);
            }
        }
    }
    Ok(out)
}

fn requests(statements: &[String]) -> Vec<RequestPayload> {
    let stream = StreamId(1);
    let sql = statements
        .first()
        .cloned()
        .unwrap_or_else(|| "SELECT 1".into());
    vec![
        RequestPayload::CreateStream(CreateStreamRequest {
            name: "visits".into(),
            data_class: DataClass::PHI,
            placement: Placement::Global,
        }),
        RequestPayload::AppendEvents(AppendEventsRequest {
            stream_id: stream,
            events: vec![b"one".to_vec(), b"two".to_vec()],
            expected_offset: Offset(0),
        }),
        RequestPayload::Query(QueryRequest {
            sql: sql.clone(),
            params: vec![Value::BigInt(1), Value::Text("Ada".into())],
            break_glass_reason: None,
        }),
        RequestPayload::QueryAt(QueryAtRequest {
            sql,
            params: Vec::new(),
            position: Offset(0),
            break_glass_reason: Some("audit".into()),
        }),
        RequestPayload::ReadEvents(ReadEventsRequest {
            stream_id: stream,
            from_offset: Offset(0),
            max_bytes: 1 << 20,
        }),
        RequestPayload::StreamInfo(StreamInfoRequest { stream_id: stream }),
        RequestPayload::Subscribe(SubscribeRequest {
            stream_id: stream,
            from_offset: Offset(0),
            initial_credits: 4,
            consumer_group: None,
        }),
        RequestPayload::Sync,
        RequestPayload::SubscribeCredit(SubscribeCreditRequest {
            subscription_id: SubscriptionId(1),
            additional_credits: 8,
        }),
        RequestPayload::Unsubscribe(UnsubscribeRequest {
            subscription_id: SubscriptionId(1),
        }),
        RequestPayload::EnableExtensions(EnableExtensionsRequest {
            capabilities: vec!["kmb.values/1".into(), "kmb.verify/1".into()],
        }),
        RequestPayload::ServerInfo,
        RequestPayload::ReadVerified(ReadVerifiedRequest {
            stream_id: stream,
            from_offset: Offset(0),
            max_bytes: 1 << 20,
            trusted_size: Some(1),
        }),
        RequestPayload::ReadVerifiedRange(ReadVerifiedRequest {
            stream_id: stream,
            from_offset: Offset(1),
            max_bytes: 1 << 20,
            trusted_size: Some(1),
        }),
        RequestPayload::GetCheckpoint(GetCheckpointRequest { stream_id: stream }),
        RequestPayload::ConsistencyProof(ConsistencyProofRequest {
            stream_id: stream,
            from_size: 1,
            to_size: 2,
        }),
        RequestPayload::CreateTenant(CreateTenantRequest {
            tenant_id: TenantId(2),
            name: "second".into(),
        }),
        RequestPayload::ListTenants,
        RequestPayload::CreateApiKey(CreateApiKeyRequest {
            tenant_id: TenantId(1),
            label: "key".into(),
        }),
        RequestPayload::RevokeApiKey(RevokeApiKeyRequest {
            key_id: "kmb_key_1".into(),
        }),
        RequestPayload::ListApiKeys(ListApiKeysRequest {
            tenant_id: TenantId(1),
        }),
    ]
}
