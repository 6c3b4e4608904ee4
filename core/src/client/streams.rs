//! Stream calls of protocol v5: create, append, read, length, subscribe, sync.

use kimberlite_protocol::message::{
    AppendEventsRequest, CreateStreamRequest, ReadEventsRequest, RequestPayload, ResponsePayload,
    StreamInfoRequest, SubscribeRequest,
};
use kimberlite_protocol::{DataClass, ErrorCode as ServerErrorCode, Offset, Placement, StreamId};
use tokio::sync::mpsc;

use super::{unexpected, Client, InFlight};
use crate::error::{Error, Result};
use crate::subscription::Subscription;

/// Events read by [`Client::read`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadResult {
    /// The events, in offset order from the offset asked for.
    pub events: Vec<Vec<u8>>,
    /// The offset after the last event, None when none was read.
    pub next_offset: Option<Offset>,
}

/// The answer to a `ReadEvents` request.
pub(crate) fn read_result(answer: ResponsePayload) -> Result<ReadResult> {
    match answer {
        ResponsePayload::ReadEvents(answer) => Ok(ReadResult {
            events: answer.events,
            next_offset: answer.next_offset,
        }),
        _ => Err(unexpected("ReadEvents")),
    }
}

/// How a subscription is opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscribeOptions {
    /// Events the server may push ahead of the consumer (the credit window, >= 1).
    pub credits: u32,
    /// Subscribers of one group share the events.
    pub consumer_group: Option<String>,
}

impl Default for SubscribeOptions {
    fn default() -> Self {
        Self {
            credits: 64,
            consumer_group: None,
        }
    }
}

impl Client {
    /// Creates a stream, or returns the tenant's existing stream of that name.
    ///
    /// # Errors
    /// As any call; the server's code on refusal.
    pub async fn create_stream(
        &self,
        name: &str,
        data_class: DataClass,
        placement: Placement,
    ) -> Result<StreamId> {
        let request = RequestPayload::CreateStream(CreateStreamRequest {
            name: name.to_owned(),
            data_class,
            placement,
        });
        match self.request(request).await? {
            ResponsePayload::CreateStream(answer) => Ok(answer.stream_id),
            _ => Err(unexpected("CreateStream")),
        }
    }

    /// Appends `events` if the stream's length is `expected_offset`; returns the
    /// offset of the first event. Durable once this returns.
    ///
    /// # Errors
    /// `InvalidArgument` for an empty batch; `OffsetMismatch` when the stream's
    /// length is not `expected_offset` (so a retried append never duplicates).
    pub async fn append(
        &self,
        stream_id: StreamId,
        events: Vec<Vec<u8>>,
        expected_offset: Offset,
    ) -> Result<Offset> {
        if events.is_empty() {
            return Err(Error::invalid_argument(
                "an append needs at least one event",
            ));
        }
        let count = events.len();
        let request = RequestPayload::AppendEvents(AppendEventsRequest {
            stream_id,
            events,
            expected_offset,
        });
        match self.request(request).await? {
            ResponsePayload::AppendEvents(answer)
                if answer.first_offset == expected_offset && answer.count as usize == count =>
            {
                Ok(answer.first_offset)
            }
            ResponsePayload::AppendEvents(answer) => Err(Error::protocol(format!(
                "append of {count} events at {expected_offset} acknowledged as {} at {}",
                answer.count, answer.first_offset
            ))),
            _ => Err(unexpected("AppendEvents")),
        }
    }

    /// Reads events from `from_offset` while the bytes so far are below `max_bytes`
    /// (the last event may cross it). Not verified; see [`Client::read_verified`].
    ///
    /// # Errors
    /// As any call; `StreamNotFound` for an unknown stream.
    pub async fn read(
        &self,
        stream_id: StreamId,
        from_offset: Offset,
        max_bytes: u64,
    ) -> Result<ReadResult> {
        let sent = self.send_read(stream_id, from_offset, max_bytes).await?;
        read_result(self.await_answer(sent).await?)
    }

    /// Sends a `ReadEvents` request without waiting for its answer.
    pub(crate) async fn send_read(
        &self,
        stream_id: StreamId,
        from_offset: Offset,
        max_bytes: u64,
    ) -> Result<InFlight> {
        let request = RequestPayload::ReadEvents(ReadEventsRequest {
            stream_id,
            from_offset,
            max_bytes,
        });
        self.send_request(request).await
    }

    /// The number of events in the stream.
    ///
    /// # Errors
    /// As any call; `StreamNotFound` for an unknown stream.
    pub async fn stream_length(&self, stream_id: StreamId) -> Result<u64> {
        let request = RequestPayload::StreamInfo(StreamInfoRequest { stream_id });
        match self.request(request).await? {
            ResponsePayload::StreamInfo(answer) => Ok(answer.length),
            _ => Err(unexpected("StreamInfo")),
        }
    }

    /// Waits until everything acknowledged is durable on the server.
    ///
    /// # Errors
    /// As any call; `StorageError` when the server reports failure.
    pub async fn sync(&self) -> Result<()> {
        match self.request(RequestPayload::Sync).await? {
            ResponsePayload::Sync(answer) if answer.success => Ok(()),
            ResponsePayload::Sync(_) => Err(Error::server(
                ServerErrorCode::StorageError,
                "the server could not sync",
            )),
            _ => Err(unexpected("Sync")),
        }
    }

    /// Follows a stream from `from_offset` with the default credit window.
    ///
    /// # Errors
    /// As any call; `StreamNotFound` for an unknown stream.
    pub async fn subscribe(
        &self,
        stream_id: StreamId,
        from_offset: Offset,
    ) -> Result<Subscription> {
        self.subscribe_with(stream_id, from_offset, SubscribeOptions::default())
            .await
    }

    /// Follows a stream from `from_offset`. Credits are granted back automatically
    /// as events are taken from the [`Subscription`].
    ///
    /// # Errors
    /// `InvalidArgument` for a zero credit window; as any call otherwise.
    pub async fn subscribe_with(
        &self,
        stream_id: StreamId,
        from_offset: Offset,
        options: SubscribeOptions,
    ) -> Result<Subscription> {
        if options.credits == 0 {
            return Err(Error::invalid_argument(
                "a subscription needs at least one credit",
            ));
        }
        let live = self.live().await?;
        let (route, items) = mpsc::unbounded_channel();
        let request = RequestPayload::Subscribe(SubscribeRequest {
            stream_id,
            from_offset,
            initial_credits: options.credits,
            consumer_group: options.consumer_group,
        });
        let timeout = self.options().request_timeout;
        let answer = live
            .connection
            .call_with(request, timeout, Some(route))
            .await?;
        let ResponsePayload::Subscribe(answer) = answer else {
            return Err(unexpected("Subscribe"));
        };
        Ok(Subscription::new(
            live.connection,
            answer,
            items,
            options.credits,
            timeout,
        ))
    }
}
