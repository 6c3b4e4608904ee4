//! Quickstart: append to a stream, read it back verified, see a stale append refused,
//! then SQL with time travel. The same program exists in every SDK's README.
//!
//! ```text
//! cargo run -p kimberlite --example quickstart              # KIMBERLITE_ADDRESS or 127.0.0.1:3000
//! cargo run -p kimberlite --example quickstart -- 127.0.0.1:3000
//! ```

use kimberlite::{Client, ConnectOptions, DataClass, Offset, Placement, TenantId, Value};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("KIMBERLITE_ADDRESS").ok())
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    run(&address).await
}

/// The whole quickstart against the server at `address`.
pub async fn run(address: &str) -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(address, ConnectOptions::new(TenantId(1))).await?;
    println!("connected to {address}");

    let stream = client
        .create_stream("quickstart", DataClass::Public, Placement::Global)
        .await?;
    let length = client.stream_length(stream).await?;
    let events = vec![b"hello".to_vec(), b"world".to_vec()];
    let first = client.append(stream, events, Offset(length)).await?;
    println!("appended 2 events at offset {first}");

    let read = client.read_verified(stream, first, 1 << 20).await?;
    for event in &read.events {
        let payload = String::from_utf8_lossy(&event.payload);
        println!("verified {}: {payload}", event.offset);
    }
    let size = read.checkpoint.size;
    println!("checked against a signed checkpoint of {size} records");

    let again = vec![b"again".to_vec()];
    if let Err(error) = client.append(stream, again, Offset(length)).await {
        println!(
            "a stale expected offset is refused: {}",
            error.code().name()
        );
    }

    let table = "CREATE TABLE IF NOT EXISTS greetings (id BIGINT PRIMARY KEY, word TEXT)";
    client.execute(table, &[]).await?;
    let id = [Value::BigInt(i64::try_from(first.0)?)];
    let insert = "INSERT INTO greetings (id, word) VALUES ($1, $2)";
    let hello = [id[0].clone(), Value::Text("hello".to_owned())];
    let inserted = client.execute(insert, &hello).await?;
    let update = "UPDATE greetings SET word = $1 WHERE id = $2";
    let world = [Value::Text("world".to_owned()), id[0].clone()];
    client.execute(update, &world).await?;
    let select = "SELECT word FROM greetings WHERE id = $1";
    let now = client.query(select, &id).await?;
    let position = inserted.log_offset;
    let then = client.query_at(select, &id, position).await?;
    let (Value::Text(now), Value::Text(then)) = (&now.rows[0][0], &then.rows[0][0]) else {
        return Err("the word is not text".into());
    };
    println!("row {first}: {now} now, {then} at SQL log position {position}");
    Ok(())
}
