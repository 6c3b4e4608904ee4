//! One seed: a random workload with faults over a [`Node`], checked against
//! the [`Model`] after every step.
//!
//! Determinism: every random choice comes from one seeded generator, time from
//! [`SimClock`](crate::clock::SimClock), and the engine is driven one blocking
//! call at a time, so its writer thread sees the same requests in the same
//! order and the disk sees the same writes and syncs on every run. (The node's
//! keys are drawn from the OS, so ciphertexts differ between runs; nothing the
//! simulator checks or hashes depends on them.)

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::check::Failure;
use crate::model::Model;
use crate::node::{ArmedFault, Node};
use crate::recovery::{first_difference, settle_and_check, state_hash, state_text};
use crate::report::{Counters, SeedReport, Violation};

/// The state of one seed's run.
pub struct Sim {
    pub(crate) node: Node,
    pub(crate) model: Model,
    pub(crate) rng: StdRng,
    pub(crate) counters: Counters,
    /// Bumped for every event so payloads are unique.
    pub(crate) tag: u64,
    seed: u64,
    /// Print each step's operation (for replaying a failure).
    trace: bool,
}

/// Runs `steps` steps of seed `seed`.
pub fn run_seed(seed: u64, steps: u64) -> Result<SeedReport, Violation> {
    run_seed_traced(seed, steps, false)
}

/// [`run_seed`], printing each step's operation when `trace` is set.
pub fn run_seed_traced(seed: u64, steps: u64, trace: bool) -> Result<SeedReport, Violation> {
    let violation = |step: u64, message: Failure| Violation {
        seed,
        step,
        steps,
        message,
    };
    let node = Node::create(seed).map_err(|error| violation(0, format!("open: {error}")))?;
    let mut sim = Sim {
        node,
        model: Model::default(),
        rng: StdRng::seed_from_u64(seed),
        counters: Counters::default(),
        tag: 0,
        seed,
        trace,
    };
    sim.create_tenant()
        .map_err(|message| violation(0, message))?;
    for step in 1..=steps {
        sim.step(step).map_err(|message| violation(step, message))?;
        sim.counters.steps += 1;
    }
    let last = steps + 1;
    sim.power_loss(last)
        .map_err(|message| violation(last, message))?;
    let hash = state_hash(&state_text(sim.node.engine(), &sim.model));
    sim.counters.records = sim.model.records();
    Ok(SeedReport {
        seed,
        counters: sim.counters,
        state_hash: hash.to_hex().to_string(),
    })
}

impl Sim {
    /// One random step, then the invariants every step must keep.
    fn step(&mut self, step: u64) -> Result<(), Failure> {
        self.node.clock.advance(self.rng.gen_range(1..5_000_000));
        if self.node.failed {
            // A storage failure stops the node; reads still serve what was
            // acknowledged, and only a restart recovers.
            if self.rng.gen_bool(0.5) {
                self.read()?;
            }
            return self.power_loss(step);
        }
        let choice = self.rng.gen_range(0..100);
        if self.trace {
            println!("step {step}: choice {choice}, model {:?}", self.lengths());
        }
        match choice {
            0..=2 => self.create_tenant()?,
            3..=8 => self.create_stream()?,
            9..=54 | 90..=99 => self.append()?,
            55..=59 => self.append_stale()?,
            60..=61 => self.append_invalid()?,
            62..=71 => self.read()?,
            72..=77 => self.prove()?,
            78..=80 => self.snapshot()?,
            81 => self.erase()?,
            82..=84 => self.clean_restart()?,
            85..=86 => self.power_loss(step)?,
            _ => self.arm_fault(),
        }
        self.check_lengths()
    }

    fn lengths(&self) -> Vec<(u64, u64, u64, bool)> {
        let tenants = self.model.tenants.iter();
        tenants
            .flat_map(|t| {
                t.streams
                    .iter()
                    .map(|s| (t.id.get(), s.id.get(), s.len(), t.erased))
            })
            .collect()
    }

    /// Every stream's durable length equals the model's, and the engine has
    /// not failed unless a fault was armed.
    fn check_lengths(&mut self) -> Result<(), Failure> {
        let engine = self.node.engine();
        if let Some(reason) = engine.failure() {
            if self.node.armed.is_none() {
                return Err(format!("the engine failed with no fault armed: {reason}"));
            }
        }
        for tenant in &self.model.tenants {
            for stream in &tenant.streams {
                let length = engine
                    .stream_length(tenant.id, stream.id)
                    .map_err(|error| crate::check::failed("stream length", &error))?;
                let settled = stream.unknown.is_none();
                if (settled && length != stream.len()) || length < stream.len() {
                    return Err(format!(
                        "stream {}/{}: length {length}, model {}",
                        tenant.id,
                        stream.id,
                        stream.len()
                    ));
                }
                self.counters.invariants += 1;
            }
        }
        Ok(())
    }

    fn arm_fault(&mut self) {
        if self.node.armed.is_some() {
            return;
        }
        let fault = if self.rng.gen_bool(0.5) {
            self.counters.no_space_armed += 1;
            ArmedFault::NoSpace(self.rng.gen_range(0..8_192))
        } else {
            self.counters.failing_syncs_armed += 1;
            ArmedFault::FailingSync(self.rng.gen_range(0..4))
        };
        self.node.arm(fault);
    }

    /// Stops cleanly and reopens: nothing may change, the state hash included.
    /// With a fault armed the stop itself may fail, so the node loses power
    /// instead.
    fn clean_restart(&mut self) -> Result<(), Failure> {
        if self.node.armed.is_some() {
            return self.power_loss(self.counters.steps);
        }
        let before = state_text(self.node.engine(), &self.model);
        self.node
            .clean_restart()
            .map_err(|error| format!("clean restart: {error}"))?;
        self.counters.clean_restarts += 1;
        self.recovered(Some(before))
    }

    /// Cuts the power and recovers; with no write in doubt the state hash
    /// must come back unchanged.
    pub(crate) fn power_loss(&mut self, step: u64) -> Result<(), Failure> {
        let before = if self.model.has_unknowns() || self.node.failed {
            None
        } else {
            Some(state_text(self.node.engine(), &self.model))
        };
        let cut_seed = self.seed.wrapping_mul(1_000_003).wrapping_add(step);
        self.node
            .power_loss(cut_seed)
            .map_err(|error| format!("recovery after a power loss: {error}"))?;
        self.counters.power_losses += 1;
        self.recovered(before)
    }

    fn recovered(&mut self, before: Option<String>) -> Result<(), Failure> {
        self.counters.invariants += settle_and_check(self.node.engine(), &mut self.model)?;
        if let Some(before) = before {
            let after = state_text(self.node.engine(), &self.model);
            if after != before {
                return Err(format!(
                    "state hash changed across a restart that lost nothing: {} -> {}: {}",
                    state_hash(&before),
                    state_hash(&after),
                    first_difference(&before, &after)
                ));
            }
            self.counters.invariants += 1;
        }
        Ok(())
    }
}
