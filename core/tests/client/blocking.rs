//! The blocking facade: the same calls without async, and a subscription iterator.

use kimberlite::blocking::Client;
use kimberlite::{ConnectOptions, DataClass, Offset, Placement, SubscribeOptions, TenantId};

use crate::harness::TestServer;

#[test]
fn blocking_calls_and_subscription() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(true));
    let client =
        Client::connect(server.address.as_str(), ConnectOptions::new(TenantId(1))).unwrap();
    let stream = client
        .create_stream("s", DataClass::Public, Placement::Global)
        .unwrap();
    client
        .append(stream, vec![b"a".to_vec(), b"b".to_vec()], Offset(0))
        .unwrap();
    assert_eq!(client.stream_length(stream).unwrap(), 2);
    assert_eq!(client.read(stream, Offset(0), 100).unwrap().events.len(), 2);
    let verified = client.read_verified(stream, Offset(0), 100).unwrap();
    assert_eq!(verified.checkpoint.size, 2);
    let options = SubscribeOptions {
        credits: 1,
        consumer_group: None,
    };
    let subscription = client.subscribe(stream, Offset(0), options).unwrap();
    let events: Vec<_> = subscription
        .take(2)
        .map(|event| event.unwrap().payload)
        .collect();
    assert_eq!(events, vec![b"a".to_vec(), b"b".to_vec()]);
    let clone = client.clone();
    std::thread::spawn(move || clone.sync().unwrap())
        .join()
        .unwrap();
}
