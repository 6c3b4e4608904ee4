//! The workload: each operation runs one blocking engine call, predicts its
//! outcome from the model (acknowledged, or a rejection the kernel must make)
//! and updates the model. An error is allowed only as a predicted rejection or
//! while a fault is armed; then the write's outcome is in doubt until the next
//! recovery settles it.

use kimberlite_protocol::{DataClass, ErrorCode, Offset, Placement, StreamId, TenantId};
use kimberlite_storage::engine::EngineError;
use rand::{Rng, RngCore};

use crate::check::{check_stream, expected_read, failed, learn_appended, Failure};
use crate::model::{StreamModel, TenantModel};
use crate::run::Sim;

/// At most this many tenants, and user streams per tenant.
const MAX_TENANTS: u64 = 3;
const MAX_STREAMS: usize = 4;

/// What a write came to.
enum Written<T> {
    Acknowledged(T),
    Rejected(EngineError),
    InDoubt,
}

/// Errors that are answers to a bad request, not storage failures.
fn is_rejection(error: &EngineError) -> bool {
    matches!(
        error,
        EngineError::Rejected(_)
            | EngineError::InvalidRequest(_)
            | EngineError::TenantNotFound(_)
            | EngineError::StreamNotFound { .. }
            | EngineError::OutOfRange { .. }
            | EngineError::Erased(_)
    )
}

impl Sim {
    fn written<T>(
        &mut self,
        what: &str,
        result: Result<T, EngineError>,
    ) -> Result<Written<T>, Failure> {
        match result {
            Ok(value) => Ok(Written::Acknowledged(value)),
            Err(error) if is_rejection(&error) => Ok(Written::Rejected(error)),
            Err(_) if self.node.armed.is_some() => {
                self.node.failed = true;
                self.counters.faults_hit += 1;
                Ok(Written::InDoubt)
            }
            Err(error) => Err(failed(what, &error)),
        }
    }

    /// Index of a random tenant whose key is intact (tenant 1 never loses it).
    fn live_tenant(&mut self) -> Option<usize> {
        let live: Vec<usize> = (0..self.model.tenants.len())
            .filter(|index| !self.model.tenants[*index].erased)
            .collect();
        (!live.is_empty()).then(|| live[self.rng.gen_range(0..live.len())])
    }

    /// A random stream of a tenant matching `erased`: (tenant index, stream index).
    fn pick_stream(&mut self, erased: bool) -> Option<(usize, usize)> {
        let all: Vec<(usize, usize)> = self
            .model
            .tenants
            .iter()
            .enumerate()
            .filter(|(_, tenant)| tenant.erased == erased)
            .flat_map(|(t, tenant)| (0..tenant.streams.len()).map(move |s| (t, s)))
            .collect();
        (!all.is_empty()).then(|| all[self.rng.gen_range(0..all.len())])
    }

    pub(crate) fn create_tenant(&mut self) -> Result<(), Failure> {
        let count = (self.model.tenants.len() + self.model.tenants_unknown.len()) as u64;
        if count >= MAX_TENANTS {
            return Ok(());
        }
        let id = TenantId(count + 1);
        let result = self
            .node
            .engine()
            .create_tenant(id, &format!("tenant-{id}"));
        match self.written("create tenant", result)? {
            Written::Acknowledged(()) => self.model.tenants.push(TenantModel::new(id)),
            Written::Rejected(error) => return Err(failed("create tenant", &error)),
            Written::InDoubt => self.model.tenants_unknown.push(id),
        }
        Ok(())
    }

    pub(crate) fn create_stream(&mut self) -> Result<(), Failure> {
        let Some(t) = self.live_tenant() else {
            return Ok(());
        };
        let tenant = &self.model.tenants[t];
        let known = tenant.streams.len() + tenant.streams_unknown.len();
        let again = !tenant.streams.is_empty() && (known >= MAX_STREAMS || self.rng.gen_bool(0.2));
        let (tenant_id, existing) = (
            tenant.id,
            again.then(|| self.rng.gen_range(0..tenant.streams.len())),
        );
        let name = match existing {
            Some(s) => self.model.tenants[t].streams[s].name.clone(),
            None if known < MAX_STREAMS => format!("stream-{known}"),
            None => return Ok(()),
        };
        let class = if self.rng.gen_bool(0.5) {
            DataClass::PHI
        } else {
            DataClass::Public
        };
        let result = self
            .node
            .engine()
            .create_stream(tenant_id, &name, class, Placement::Global);
        let written = self.written("create stream", result)?;
        let tenant = &mut self.model.tenants[t];
        match (written, existing) {
            (Written::Acknowledged(id), Some(s)) if tenant.streams[s].id == id => {}
            (Written::Acknowledged(id), Some(_)) => {
                return Err(format!(
                    "creating existing stream {name} again gave a new id {id}"
                ))
            }
            (Written::Acknowledged(id), None) => tenant.streams.push(StreamModel::new(id, name)),
            (Written::Rejected(error), _) => return Err(failed("create stream", &error)),
            (Written::InDoubt, None) => tenant.streams_unknown.push(name),
            (Written::InDoubt, Some(_)) => {}
        }
        Ok(())
    }

    fn random_batch(&mut self) -> Vec<Vec<u8>> {
        (0..self.rng.gen_range(1..=6))
            .map(|_| {
                self.tag += 1;
                let size = if self.rng.gen_bool(0.1) {
                    self.rng.gen_range(1_000..6_000)
                } else {
                    self.rng.gen_range(0..300)
                };
                let mut event = format!("event {}:", self.tag).into_bytes();
                let start = event.len();
                event.resize(start + size, 0);
                self.rng.fill_bytes(&mut event[start..]);
                event
            })
            .collect()
    }

    pub(crate) fn append(&mut self) -> Result<(), Failure> {
        let Some((t, s)) = self.pick_stream(false) else {
            return self.create_stream();
        };
        let batch = self.random_batch();
        let (tenant_id, stream) = (self.model.tenants[t].id, &self.model.tenants[t].streams[s]);
        let (stream_id, length) = (stream.id, stream.len());
        let result = self
            .node
            .engine()
            .append(tenant_id, stream_id, Offset(length), batch.clone());
        match self.written("append", result)? {
            Written::Acknowledged(outcome) => {
                if outcome.first_offset != Offset(length) || outcome.count as usize != batch.len() {
                    return Err(format!("append at {length} acknowledged as {outcome:?}"));
                }
                let stream = &mut self.model.tenants[t].streams[s];
                stream.events.extend(batch);
                self.counters.invariants +=
                    learn_appended(self.node.engine(), tenant_id, stream, length)?;
            }
            Written::Rejected(error) => return Err(failed("append", &error)),
            Written::InDoubt => self.model.tenants[t].streams[s].unknown = Some(batch),
        }
        Ok(())
    }

    /// An append with a stale or future expected offset: the kernel rejects
    /// it with `OffsetMismatch` and nothing is written.
    pub(crate) fn append_stale(&mut self) -> Result<(), Failure> {
        let Some((t, s)) = self.pick_stream(false) else {
            return Ok(());
        };
        let (tenant_id, stream) = (self.model.tenants[t].id, &self.model.tenants[t].streams[s]);
        let (stream_id, length) = (stream.id, stream.len());
        let expected = if length > 0 && self.rng.gen_bool(0.5) {
            self.rng.gen_range(0..length)
        } else {
            length + self.rng.gen_range(1..4)
        };
        let batch = self.random_batch();
        let result = self
            .node
            .engine()
            .append(tenant_id, stream_id, Offset(expected), batch);
        self.expect_rejection("stale append", result, Some(ErrorCode::OffsetMismatch))
    }

    /// An empty batch, an unknown stream, or a write to an erased tenant.
    pub(crate) fn append_invalid(&mut self) -> Result<(), Failure> {
        let erased = self.pick_stream(true);
        let live = self.pick_stream(false);
        let engine = self.node.engine();
        let result = match (erased, self.rng.gen_range(0..3)) {
            (Some((t, s)), 0) => {
                let tenant = &self.model.tenants[t];
                engine.append(
                    tenant.id,
                    tenant.streams[s].id,
                    Offset(tenant.streams[s].len()),
                    vec![b"x".to_vec()],
                )
            }
            (_, 1) => engine.append(TenantId(1), StreamId(999), Offset(0), vec![b"x".to_vec()]),
            _ => match live {
                Some((t, s)) => {
                    let tenant = &self.model.tenants[t];
                    engine.append(
                        tenant.id,
                        tenant.streams[s].id,
                        Offset(tenant.streams[s].len()),
                        Vec::new(),
                    )
                }
                None => return Ok(()),
            },
        };
        self.expect_rejection("invalid append", result, None)
    }

    fn expect_rejection<T: std::fmt::Debug>(
        &mut self,
        what: &str,
        result: Result<T, EngineError>,
        code: Option<ErrorCode>,
    ) -> Result<(), Failure> {
        match (self.written(what, result)?, code) {
            (Written::Rejected(EngineError::Rejected(error)), Some(code))
                if error.code() == code => {}
            (Written::Rejected(error), Some(code)) => {
                return Err(format!("{what}: expected {code:?}, got {error}"))
            }
            (Written::Rejected(_), None) => {}
            (Written::Acknowledged(value), _) => {
                return Err(format!("{what} was acknowledged: {value:?}"))
            }
            // A rejected write writes nothing, so no armed fault can be hit.
            (Written::InDoubt, _) => return Err(format!("{what} hit a storage fault")),
        }
        self.counters.rejections += 1;
        Ok(())
    }

    pub(crate) fn read(&mut self) -> Result<(), Failure> {
        let erased = self.rng.gen_bool(0.1);
        let Some((t, s)) = self.pick_stream(erased) else {
            return Ok(());
        };
        let tenant = &self.model.tenants[t];
        let stream = &tenant.streams[s];
        let from = self.rng.gen_range(0..=stream.len() + 1);
        let max_bytes = if self.rng.gen_bool(0.3) {
            u64::MAX
        } else {
            self.rng.gen_range(1..20_000)
        };
        let result = self
            .node
            .engine()
            .read(tenant.id, stream.id, Offset(from), max_bytes);
        match result {
            Err(EngineError::Erased(_)) if erased => {}
            // Nothing to open: an erased tenant's read at the end is empty.
            Ok(read) if erased && from == stream.len() && read.events.is_empty() => {}
            Err(EngineError::OutOfRange { .. }) if from > stream.len() => {}
            Ok(read) if !erased && from <= stream.len() => {
                let from = usize::try_from(from).unwrap_or(usize::MAX);
                let expected = expected_read(&stream.events, from, max_bytes);
                // A write in doubt that reached the disk may be read whole.
                let mut with_doubt = stream.events.clone();
                with_doubt.extend(stream.unknown.iter().flatten().cloned());
                let doubtful = expected_read(&with_doubt, from, max_bytes);
                if read.events != expected && read.events != doubtful {
                    let differs = read.events.iter().zip(expected).position(|(a, b)| a != b);
                    return Err(format!(
                        "read {}/{} from {from} (max {max_bytes} bytes): {} events, expected {}, \
                         first differing {differs:?}, fault armed {:?}, in doubt {:?}",
                        tenant.id,
                        stream.id,
                        read.events.len(),
                        expected.len(),
                        self.node.armed,
                        stream.unknown.as_ref().map(Vec::len)
                    ));
                }
            }
            other => {
                return Err(format!(
                    "read {}/{} from {from} (erased {erased}): unexpected {:?}",
                    tenant.id,
                    stream.id,
                    other.map(|read| read.events.len())
                ))
            }
        }
        self.counters.invariants += 1;
        Ok(())
    }

    /// Full check of one stream with a consistency proof from a random older
    /// size, and the root at another older size.
    pub(crate) fn prove(&mut self) -> Result<(), Failure> {
        let erased = self.rng.gen_bool(0.2);
        let Some((t, s)) = self.pick_stream(erased) else {
            return Ok(());
        };
        let tenant = &self.model.tenants[t];
        let stream = &tenant.streams[s];
        let old_size = self.rng.gen_range(0..=stream.len());
        let engine = self.node.engine();
        self.counters.invariants += check_stream(engine, tenant.id, stream, erased, old_size)?;
        let size = self.rng.gen_range(0..=stream.len());
        let root = engine
            .root_at(tenant.id, stream.id, size)
            .map_err(|error| failed("root at", &error))?;
        if root != stream.root_at(size) {
            return Err(format!(
                "stream {}/{}: root at {size} differs",
                tenant.id, stream.id
            ));
        }
        self.counters.invariants += 1;
        Ok(())
    }

    /// Flushes the indexes and writes a snapshot.
    pub(crate) fn snapshot(&mut self) -> Result<(), Failure> {
        let result = self.node.engine().sync();
        match self.written("snapshot", result)? {
            Written::Rejected(error) => Err(failed("snapshot", &error)),
            Written::Acknowledged(()) | Written::InDoubt => Ok(()),
        }
    }

    /// Erases the data key of a tenant other than the first.
    pub(crate) fn erase(&mut self) -> Result<(), Failure> {
        let Some(t) = (1..self.model.tenants.len()).find(|t| !self.model.tenants[*t].erased) else {
            return Ok(());
        };
        let result = self.node.engine().erase_tenant(self.model.tenants[t].id);
        match self.written("erase tenant", result)? {
            Written::Acknowledged(()) => self.model.tenants[t].erased = true,
            Written::Rejected(error) => return Err(failed("erase tenant", &error)),
            Written::InDoubt => self.model.tenants[t].erase_unknown = true,
        }
        Ok(())
    }
}
