//! Quickstart: connect, create a stream, append, read, read verified, and run SQL.
//!
//! ```text
//! cargo run -p kimberlite --example quickstart -- 127.0.0.1:5432
//! KIMBERLITE_ADDRESS=127.0.0.1:5432 cargo run -p kimberlite --example quickstart
//! ```
//!
//! The address comes from the first argument, else `KIMBERLITE_ADDRESS`, else
//! `127.0.0.1:5432`; an API key, if the server needs one, from `KIMBERLITE_TOKEN`.

use kimberlite::{
    Client, ConnectOptions, DataClass, ErrorCode, Offset, Placement, TenantId, Value,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("KIMBERLITE_ADDRESS").ok())
        .unwrap_or_else(|| "127.0.0.1:5432".to_owned());
    run(&address).await
}

/// The whole scenario against the server at `address`.
pub async fn run(address: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut options = ConnectOptions::new(TenantId(1));
    if let Ok(token) = std::env::var("KIMBERLITE_TOKEN") {
        options = options.auth_token(token);
    }
    let client = Client::connect(address, options).await?;
    println!("connected to {address}");

    let stream = client
        .create_stream("quickstart", DataClass::Public, Placement::Global)
        .await?;
    let length = client.stream_length(stream).await?;
    let events = vec![b"hello".to_vec(), b"world".to_vec()];
    let first = client.append(stream, events, Offset(length)).await?;
    println!("appended 2 events at offset {first} of stream {stream}");

    let read = client.read(stream, first, 1024).await?;
    for (index, event) in read.events.iter().enumerate() {
        println!(
            "read {}: {}",
            first.0 + index as u64,
            String::from_utf8_lossy(event)
        );
    }

    match client.read_verified(stream, Offset(0), 1 << 20).await {
        Ok(verified) => println!(
            "verified {} events against a checkpoint of {} records",
            verified.events.len(),
            verified.checkpoint.size
        ),
        Err(error) if error.code() == ErrorCode::Unsupported => {
            println!("this server does not offer verified reads");
        }
        Err(error) => return Err(error.into()),
    }

    let table = "CREATE TABLE IF NOT EXISTS quickstart (id BIGINT, name TEXT)";
    match client.execute(table, &[]).await {
        Ok(_) => {
            let insert = "INSERT INTO quickstart (id, name) VALUES ($1, $2)";
            let params = [Value::BigInt(1), Value::Text("Alice".to_owned())];
            let done = client.execute(insert, &params).await?;
            let rows = client.query("SELECT id, name FROM quickstart", &[]).await?;
            println!(
                "{} rows; insert at SQL log position {}",
                rows.rows.len(),
                done.log_offset
            );
        }
        Err(error) => println!("SQL did not run here: {error}"),
    }
    Ok(())
}
