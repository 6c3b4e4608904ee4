//! The subscription requests of a connection: Subscribe, SubscribeCredit and
//! Unsubscribe, served by the reader itself so they apply in order.

use kimberlite_protocol::message::{
    SubscribeCreditRequest, SubscribeRequest, SubscribeResponse, SubscriptionAckResponse,
    UnsubscribeRequest,
};
use kimberlite_protocol::{ErrorCode, RequestId, ResponsePayload, SubscriptionId, TenantId};

use super::reader::Connection;
use super::subscription::Target;
use crate::backend::{Backend, BackendError, BackendResult};

impl<B: Backend> Connection<B> {
    pub(super) async fn subscribe(
        &mut self,
        id: RequestId,
        tenant_id: TenantId,
        request: SubscribeRequest,
    ) {
        match self.check_subscribe(tenant_id, &request).await {
            Err(error) => self.respond(id, Err(error)).await,
            Ok(credits) => {
                let subscription_id = self.subscriptions.allocate_id();
                let answer = ResponsePayload::Subscribe(SubscribeResponse {
                    subscription_id,
                    start_offset: request.from_offset,
                    credits,
                });
                // The answer is queued before the task starts, so it precedes every push.
                self.respond(id, Ok(answer)).await;
                let target = Target {
                    tenant_id,
                    stream_id: request.stream_id,
                    from_offset: request.from_offset,
                    credits,
                };
                let shared = self.shared.clone();
                self.subscriptions
                    .start(subscription_id, target, shared, self.out.clone());
            }
        }
    }

    /// Checks a Subscribe; returns the credits granted.
    async fn check_subscribe(
        &mut self,
        tenant_id: TenantId,
        request: &SubscribeRequest,
    ) -> BackendResult<u32> {
        let limits = &self.shared.config.limits;
        if request.consumer_group.is_some() {
            return Err(BackendError::new(
                ErrorCode::InvalidRequest,
                "consumer groups are not supported",
            ));
        }
        let limit = limits.max_subscriptions_per_connection;
        if self.subscriptions.live() >= limit {
            return Err(BackendError::new(
                ErrorCode::RateLimited,
                format!("this connection already has {limit} subscriptions, the limit"),
            ));
        }
        let length = self
            .shared
            .backend
            .stream_length(tenant_id, request.stream_id)
            .await?;
        if request.from_offset.get() > length {
            return Err(BackendError::new(
                ErrorCode::InvalidOffset,
                format!(
                    "offset {} is beyond the stream's length {length}",
                    request.from_offset
                ),
            ));
        }
        Ok(request.initial_credits.min(limits.max_subscription_credits))
    }

    pub(super) async fn credit(&mut self, id: RequestId, request: &SubscribeCreditRequest) {
        let subscription_id = request.subscription_id;
        let answer = match self.subscriptions.get(subscription_id) {
            Some(handle) => {
                let credits_remaining = handle.control.grant(request.additional_credits);
                Ok(ResponsePayload::SubscriptionAck(SubscriptionAckResponse {
                    subscription_id,
                    credits_remaining,
                }))
            }
            None => Err(not_found(subscription_id)),
        };
        self.respond(id, answer).await;
    }

    pub(super) async fn unsubscribe(&mut self, id: RequestId, request: &UnsubscribeRequest) {
        let subscription_id = request.subscription_id;
        let answer = match self.subscriptions.cancel(subscription_id) {
            Some(credits_remaining) => {
                Ok(ResponsePayload::SubscriptionAck(SubscriptionAckResponse {
                    subscription_id,
                    credits_remaining,
                }))
            }
            None => Err(not_found(subscription_id)),
        };
        self.respond(id, answer).await;
    }
}

fn not_found(id: SubscriptionId) -> BackendError {
    BackendError::new(
        ErrorCode::SubscriptionNotFound,
        format!("no subscription {id}"),
    )
}
