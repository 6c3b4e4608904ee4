//! One soak connection's loop: appends to its own stream, reads, SQL writes
//! and queries, and now and then a deliberately stale append that must be
//! refused with `OffsetMismatch`. Every fifth connection also subscribes to
//! the first connection's stream and counts the pushes.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use kimberlite_protocol::message::{
    AppendEventsRequest, CreateStreamRequest, QueryRequest, ReadEventsRequest, RequestPayload,
    ResponsePayload, SubscribeRequest,
};
use kimberlite_protocol::{DataClass, ErrorCode, Offset, Placement, StreamId, Value};

use super::client::SoakClient;

/// The operation kinds timed separately.
pub const KINDS: [&str; 5] = ["append", "read", "sql insert", "sql select", "stale append"];

/// What one connection did.
#[derive(Debug, Default)]
pub struct WorkerReport {
    /// Latencies in microseconds, per entry of [`KINDS`].
    pub latencies: [Vec<u32>; 5],
    /// Deliberate errors answered as expected.
    pub deliberate_errors: u64,
    /// Anything else that went wrong.
    pub errors: Vec<String>,
    /// Subscription pushes received.
    pub pushes: u64,
}

async fn create_stream(client: &mut SoakClient, name: &str) -> Result<StreamId, String> {
    let request = RequestPayload::CreateStream(CreateStreamRequest {
        name: name.into(),
        data_class: DataClass::PHI,
        placement: Placement::Global,
    });
    match client.call(request).await? {
        ResponsePayload::CreateStream(created) => Ok(created.stream_id),
        other => Err(format!("create stream {name}: {other:?}")),
    }
}

fn query(sql: &str, params: Vec<Value>) -> RequestPayload {
    RequestPayload::Query(QueryRequest {
        sql: sql.into(),
        params,
        break_glass_reason: None,
    })
}

/// Runs connection `index` until `deadline`.
pub async fn run_worker(address: SocketAddr, index: u64, deadline: Instant) -> WorkerReport {
    let mut report = WorkerReport::default();
    if let Err(error) = work(address, index, deadline, &mut report).await {
        report.errors.push(format!("connection {index}: {error}"));
    }
    report
}

async fn work(
    address: SocketAddr,
    index: u64,
    deadline: Instant,
    report: &mut WorkerReport,
) -> Result<(), String> {
    let mut client = SoakClient::connect(address).await?;
    let own = create_stream(&mut client, &format!("soak-{index}")).await?;
    if index % 5 == 4 {
        let watched = create_stream(&mut client, "soak-0").await?;
        let subscribe = RequestPayload::Subscribe(SubscribeRequest {
            stream_id: watched,
            from_offset: Offset(0),
            initial_credits: 1_000_000,
            consumer_group: None,
        });
        client.call(subscribe).await?;
    }
    let mut length = 0u64;
    let mut step = index;
    while Instant::now() < deadline {
        step += 1;
        let kind = if step % 25 == 0 {
            4
        } else {
            (step % 4) as usize
        };
        let request = match kind {
            0 | 4 => RequestPayload::AppendEvents(AppendEventsRequest {
                stream_id: own,
                events: vec![format!("event {step} of {index}").into_bytes(); 2],
                expected_offset: Offset(if kind == 4 { length + 7 } else { length }),
            }),
            1 => RequestPayload::ReadEvents(ReadEventsRequest {
                stream_id: own,
                from_offset: Offset(length.saturating_sub(4)),
                max_bytes: 4096,
            }),
            2 => query(
                "INSERT INTO soak VALUES ($1, $2)",
                vec![Value::BigInt(index as i64), Value::BigInt(step as i64)],
            ),
            _ => query(
                "SELECT count(*) FROM soak WHERE conn = $1",
                vec![Value::BigInt(index as i64)],
            ),
        };
        let started = Instant::now();
        let answer = client.call(request).await?;
        let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        report.latencies[kind].push(micros);
        match (kind, answer) {
            (4, ResponsePayload::Error(error)) if error.code == ErrorCode::OffsetMismatch => {
                report.deliberate_errors += 1;
            }
            (_, ResponsePayload::Error(error)) => {
                report.errors.push(format!(
                    "{}: {:?} {}",
                    KINDS[kind], error.code, error.message
                ));
            }
            (4, other) => report
                .errors
                .push(format!("a stale append was answered {other:?}")),
            (0, _) => length += 2,
            _ => {}
        }
        if report.errors.len() > 20 {
            return Err("too many errors".into());
        }
    }
    // Let pushes still in flight arrive, then count them.
    tokio::time::sleep(Duration::from_millis(200)).await;
    client.call(RequestPayload::Sync).await?;
    report.pushes = client.pushes;
    Ok(())
}
