//! Small-frame codec throughput on one core: encoding a message into a frame,
//! and decoding a stream of frames back into messages (frame checks, CRC and
//! postcard decode). Prints one row per message kind.
//!
//! Run with `cargo run --release -p kimberlite-protocol --example bench_codec`
//! (bench/run does). Figures are for comparison between runs on one machine.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kimberlite_protocol::message::*;
use kimberlite_protocol::{
    decode_frame, decode_message, encode_message_frame, Message, Offset, RequestId, StreamId,
    SubscriptionId, TenantId, Value,
};

const FRAMES_PER_BATCH: usize = 1_000;
const MEASURE_FOR: Duration = Duration::from_millis(700);

fn samples() -> Vec<(&'static str, Message)> {
    vec![
        (
            "request Handshake",
            Message::request(
                RequestId(1),
                TenantId(1),
                RequestPayload::Handshake(HandshakeRequest {
                    client_version: 5,
                    auth_token: Some("kmb_0123456789abcdef".into()),
                }),
            ),
        ),
        (
            "request AppendEvents 4x32B",
            Message::request(
                RequestId(7),
                TenantId(1),
                RequestPayload::AppendEvents(AppendEventsRequest {
                    stream_id: StreamId(3),
                    events: vec![vec![0xab; 32]; 4],
                    expected_offset: Offset(1_000),
                }),
            ),
        ),
        (
            "response ReadEvents 8x64B",
            Message::response(
                RequestId(8),
                ResponsePayload::ReadEvents(ReadEventsResponse {
                    events: vec![vec![0xcd; 64]; 8],
                    next_offset: Some(Offset(1_008)),
                }),
            ),
        ),
        (
            "response Query 3 cols x 4 rows",
            Message::response(
                RequestId(9),
                ResponsePayload::Query(QueryResponse {
                    columns: vec!["id".into(), "name".into(), "at".into()],
                    rows: (0..4)
                        .map(|row| {
                            vec![
                                Value::BigInt(row),
                                Value::Text(format!("patient-{row}")),
                                Value::Timestamp(1_700_000_000_000_000_000 + row),
                            ]
                        })
                        .collect(),
                }),
            ),
        ),
        (
            "push SubscriptionEvents 2x16B",
            Message::push(PushPayload::SubscriptionEvents(SubscriptionEvents {
                subscription_id: SubscriptionId(77),
                start_offset: Offset(5),
                events: vec![vec![0x11; 16]; 2],
                credits_remaining: 30,
            })),
        ),
    ]
}

/// Runs `batch` (which handles FRAMES_PER_BATCH frames) until MEASURE_FOR has
/// passed; returns frames per second.
fn measure(mut batch: impl FnMut()) -> f64 {
    batch();
    let start = Instant::now();
    let mut batches = 0u64;
    while start.elapsed() < MEASURE_FOR {
        batch();
        batches += 1;
    }
    (batches as f64 * FRAMES_PER_BATCH as f64) / start.elapsed().as_secs_f64()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("kimberlite-protocol codec, one core, {FRAMES_PER_BATCH} frames per batch");
    println!(
        "{:<32} {:>7} {:>14} {:>10} {:>14} {:>10}",
        "message", "bytes", "encode fr/s", "enc MB/s", "decode fr/s", "dec MB/s"
    );
    for (name, message) in samples() {
        let mut one = Vec::new();
        encode_message_frame(&message, &mut one)?;
        let frame_len = one.len();

        let mut buffer = Vec::with_capacity(frame_len * FRAMES_PER_BATCH);
        let encode_rate = measure(|| {
            buffer.clear();
            for _ in 0..FRAMES_PER_BATCH {
                // A frame this small cannot exceed the limit.
                let _ = encode_message_frame(black_box(&message), &mut buffer);
            }
            black_box(&buffer);
        });

        let stream = one.repeat(FRAMES_PER_BATCH);
        let decode_rate = measure(|| {
            let mut rest = black_box(&stream[..]);
            while let Ok(Some(frame)) = decode_frame(rest) {
                black_box(decode_message(&rest[frame.payload]).ok());
                rest = &rest[frame.consumed..];
            }
        });

        let megabytes = |rate: f64| rate * frame_len as f64 / 1e6;
        println!(
            "{:<32} {:>7} {:>14.0} {:>10.1} {:>14.0} {:>10.1}",
            name,
            frame_len,
            encode_rate,
            megabytes(encode_rate),
            decode_rate,
            megabytes(decode_rate)
        );
    }
    Ok(())
}
