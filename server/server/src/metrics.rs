//! Counters and gauges of the server, rendered in Prometheus text format.
//!
//! Every figure is an atomic updated with relaxed ordering: each is exact on
//! its own, and a scrape is a near-instant snapshot, which is all Prometheus
//! asks for.

mod http;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use kimberlite_protocol::{ErrorCode, RequestPayload};

use crate::backend::StorageCounters;

pub(crate) use http::serve_metrics;

/// The server's counters and gauges.
#[derive(Debug)]
pub struct Metrics {
    connections_open: AtomicI64,
    connections_total: AtomicU64,
    connections_rejected_total: AtomicU64,
    protocol_errors_total: AtomicU64,
    requests_by_kind: Vec<AtomicU64>,
    unsupported_requests_total: AtomicU64,
    errors_by_code: Vec<AtomicU64>,
    appended_events_total: AtomicU64,
    appended_bytes_total: AtomicU64,
    received_bytes_total: AtomicU64,
    sent_bytes_total: AtomicU64,
    subscriptions_open: AtomicI64,
    pushed_events_total: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn counters(count: usize) -> Vec<AtomicU64> {
    (0..count).map(|_| AtomicU64::new(0)).collect()
}

impl Metrics {
    /// All figures at zero.
    #[must_use]
    pub fn new() -> Self {
        Self {
            connections_open: AtomicI64::new(0),
            connections_total: AtomicU64::new(0),
            connections_rejected_total: AtomicU64::new(0),
            protocol_errors_total: AtomicU64::new(0),
            requests_by_kind: counters(RequestPayload::INDICES.len()),
            unsupported_requests_total: AtomicU64::new(0),
            errors_by_code: counters(ErrorCode::ALL.len()),
            appended_events_total: AtomicU64::new(0),
            appended_bytes_total: AtomicU64::new(0),
            received_bytes_total: AtomicU64::new(0),
            sent_bytes_total: AtomicU64::new(0),
            subscriptions_open: AtomicI64::new(0),
            pushed_events_total: AtomicU64::new(0),
        }
    }

    pub(crate) fn connection_opened(&self) {
        self.connections_total.fetch_add(1, Ordering::Relaxed);
        self.connections_open.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn connection_closed(&self) {
        self.connections_open.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn connection_rejected(&self) {
        self.connections_rejected_total
            .fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn protocol_error(&self) {
        self.protocol_errors_total.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn request(&self, payload: &RequestPayload) {
        let index = payload.variant_index();
        if let Some(slot) = RequestPayload::INDICES
            .iter()
            .position(|known| *known == index)
        {
            if let Some(counter) = self.requests_by_kind.get(slot) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    pub(crate) fn unsupported_request(&self) {
        self.unsupported_requests_total
            .fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn error(&self, code: ErrorCode) {
        if let Some(slot) = ErrorCode::ALL.iter().position(|known| *known == code) {
            if let Some(counter) = self.errors_by_code.get(slot) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    pub(crate) fn appended(&self, events: u64, bytes: u64) {
        self.appended_events_total
            .fetch_add(events, Ordering::Relaxed);
        self.appended_bytes_total
            .fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn received(&self, bytes: u64) {
        self.received_bytes_total
            .fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn sent(&self, bytes: u64) {
        self.sent_bytes_total.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn subscription_opened(&self) {
        self.subscriptions_open.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn subscription_closed(&self) {
        self.subscriptions_open.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn pushed(&self, events: u64) {
        self.pushed_events_total
            .fetch_add(events, Ordering::Relaxed);
    }

    /// Connections open right now.
    #[must_use]
    pub fn connections_open(&self) -> i64 {
        self.connections_open.load(Ordering::Relaxed)
    }

    /// Requests answered with `code` so far.
    #[must_use]
    pub fn errors(&self, code: ErrorCode) -> u64 {
        ErrorCode::ALL
            .iter()
            .position(|known| *known == code)
            .and_then(|slot| self.errors_by_code.get(slot))
            .map_or(0, |counter| counter.load(Ordering::Relaxed))
    }

    /// Everything, in Prometheus text exposition format (version 0.0.4).
    #[must_use]
    pub fn render(&self) -> String {
        self.render_with(None)
    }

    /// [`render`](Self::render) followed by the durable log's counters, if given.
    #[must_use]
    pub fn render_with(&self, storage: Option<StorageCounters>) -> String {
        let mut out = self.render_server();
        if let Some(storage) = storage {
            let figures = [
                (
                    "storage_group_commits_total",
                    "Group commits of the log (one write and one fdatasync each).",
                    storage.group_commits,
                ),
                (
                    "storage_records_total",
                    "Records written to the log.",
                    storage.records,
                ),
                (
                    "storage_wal_bytes_total",
                    "Record bytes written to the log.",
                    storage.wal_bytes,
                ),
            ];
            for (name, help, value) in figures {
                counter(&mut out, name, help, value);
            }
        }
        out
    }

    fn render_server(&self) -> String {
        let mut out = String::with_capacity(4096);
        let load = |value: &AtomicU64| value.load(Ordering::Relaxed);
        gauge(
            &mut out,
            "connections_open",
            "Connections open.",
            self.connections_open(),
        );
        counter(
            &mut out,
            "connections_total",
            "Connections accepted.",
            load(&self.connections_total),
        );
        counter(
            &mut out,
            "connections_rejected_total",
            "Connections refused at the connection limit.",
            load(&self.connections_rejected_total),
        );
        counter(
            &mut out,
            "protocol_errors_total",
            "Connections closed for a malformed frame or message.",
            load(&self.protocol_errors_total),
        );
        header(
            &mut out,
            "requests_total",
            "Requests received, by kind.",
            "counter",
        );
        for (slot, index) in RequestPayload::INDICES.iter().enumerate() {
            let kind = RequestPayload::name_of_index(*index).unwrap_or("Unknown");
            let value = self.requests_by_kind.get(slot).map_or(0, load);
            let _ = writeln!(out, "kimberlite_requests_total{{kind=\"{kind}\"}} {value}");
        }
        let unsupported = load(&self.unsupported_requests_total);
        let _ = writeln!(
            out,
            "kimberlite_requests_total{{kind=\"Unsupported\"}} {unsupported}"
        );
        header(
            &mut out,
            "errors_total",
            "Error responses, by code.",
            "counter",
        );
        for (slot, code) in ErrorCode::ALL.iter().enumerate() {
            let value = self.errors_by_code.get(slot).map_or(0, load);
            let _ = writeln!(out, "kimberlite_errors_total{{code=\"{code}\"}} {value}");
        }
        self.render_data(&mut out);
        out
    }

    fn render_data(&self, out: &mut String) {
        let load = |value: &AtomicU64| value.load(Ordering::Relaxed);
        let figures = [
            (
                "appended_events_total",
                "Events appended.",
                &self.appended_events_total,
            ),
            (
                "appended_bytes_total",
                "Event payload bytes appended.",
                &self.appended_bytes_total,
            ),
            (
                "received_bytes_total",
                "Bytes received from clients.",
                &self.received_bytes_total,
            ),
            (
                "sent_bytes_total",
                "Bytes sent to clients.",
                &self.sent_bytes_total,
            ),
            (
                "pushed_events_total",
                "Events pushed to subscribers.",
                &self.pushed_events_total,
            ),
        ];
        for (name, help, value) in figures {
            counter(out, name, help, load(value));
        }
        let open = self.subscriptions_open.load(Ordering::Relaxed);
        gauge(out, "subscriptions_open", "Subscriptions open.", open);
    }
}

fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP kimberlite_{name} {help}");
    let _ = writeln!(out, "# TYPE kimberlite_{name} {kind}");
}

fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    header(out, name, help, "counter");
    let _ = writeln!(out, "kimberlite_{name} {value}");
}

fn gauge(out: &mut String, name: &str, help: &str, value: i64) {
    header(out, name, help, "gauge");
    let _ = writeln!(out, "kimberlite_{name} {value}");
}
