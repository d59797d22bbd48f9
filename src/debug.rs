//! Seeing what actors are doing: Pykka's `log_thread_tracebacks`, for a pool.
//!
//! Once actors share worker threads, a thread dump says little. A [`Snapshot`] says, for every
//! registered actor, whether it is idle, scheduled, running, or blocked in `get()` and on which
//! actor's reply; and how many threads the pool runs. [`log_actor_states`] writes the same as
//! ERROR records on target `pykka::debug`; it takes only short locks, so it may be called from
//! any thread (a signal-handling thread, say), also while actors are deadlocked.
//!
//! ```
//! use pykka::{debug, Actor};
//! struct Idle;
//! impl Actor for Idle {}
//! let a = Idle.start();
//! let snap = debug::snapshot();
//! assert!(snap.actors.iter().any(|s| s.urn == a.actor_urn()));
//! debug::log_actor_states();
//! a.stop();
//! ```
//!
//! # How a snapshot is taken
//!
//! For every registered actor, its mailbox's flags and length are read under the mailbox's
//! lock, so `Running`, `Scheduled` and `Dead` are exact at that instant. `Blocked` comes from a
//! table of blocked waits: a `get()` records itself there only on its slow path (no inline run
//! produced the reply, and a pool thread has handed its run queue to a spare), just before its
//! thread parks, and removes itself when the wait ends. The waiting actor is the innermost handler running on
//! that thread, and the awaited one is the future's target (an ask's actor; none for a plain
//! promise). Handlers beneath an inline run on the same thread are recorded too, each waiting
//! for the actor run above it, so [`Snapshot::waits`] is the whole wait-for relation: a cycle
//! of blocking asks, which hangs as it would with a thread per actor, shows as a cycle, also
//! through inline runs. (A wait that could never end on one thread is refused at once with
//! [`Error::Deadlock`](crate::Error::Deadlock) instead.) A blocked actor shows as `Blocked`,
//! not `Running`. The thread counts come from the pool: worker slots, live threads, idle spares
//! and sleeping workers.

use crate::actor::system::{global_runtime, System};
use crate::base::logging::error;
use std::fmt;

/// What an actor is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActorState {
    /// Nothing to do.
    Idle,
    /// Messages are queued; it waits for a worker.
    Scheduled,
    /// A thread is running one of its handlers.
    Running,
    /// A handler is blocked in `get()`.
    Blocked {
        /// The actor whose reply it waits for (`<Class> (<urn>)`), if the future came from an
        /// ask; `None` for a promise set by someone else.
        awaiting: Option<String>,
        /// The awaited actor's URN, if any.
        awaiting_urn: Option<String>,
    },
    /// An async handler is suspended: it waits (for a reply, a timer, I/O) without a thread,
    /// and the actor handles nothing else meanwhile. (Not shown while a thread polls it.)
    Suspended,
    /// Stopped or failed (still registered only for an instant).
    Dead,
}

/// One actor in a [`Snapshot`].
#[derive(Debug, Clone)]
pub struct ActorSnapshot {
    /// The actor type's short name.
    pub class: &'static str,
    /// The actor's URN.
    pub urn: String,
    /// What it is doing.
    pub state: ActorState,
    /// Messages waiting in its mailbox (not counting a batch being run).
    pub mailbox_len: usize,
    /// Senders waiting for room in its bounded mailbox
    /// ([`Actor::MAILBOX_CAPACITY`](crate::Actor::MAILBOX_CAPACITY)); 0 for an unbounded one.
    pub waiting_senders: usize,
    /// What the actor did so far, if its runtime keeps metrics
    /// ([`Builder::actor_metrics`](crate::Builder::actor_metrics)); `None` otherwise.
    pub metrics: Option<ActorMetrics>,
}

pub use crate::actor::lifecycle::ActorMetrics;

/// The pool's threads in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadsSnapshot {
    /// Worker slots (`threads` at build time).
    pub workers: usize,
    /// Live pool threads: slot holders plus spares.
    pub live_threads: usize,
    /// Spare threads parked, waiting for a slot.
    pub idle_spares: usize,
    /// Slot holders asleep for lack of work.
    pub sleeping: usize,
    /// Activations since the runtime started: tokens a worker took from a run queue and ran
    /// (each runs up to `throughput` messages of one actor), plus inline runs (a thread blocked
    /// in `get()` running the actor it waits for).
    pub activations: u64,
    /// Tokens a worker took from another worker's run queue (work stealing) since the runtime
    /// started.
    pub steals: u64,
}

impl ThreadsSnapshot {
    /// Spare threads running actors right now: threads that took a blocked worker's place
    /// (live threads beyond the worker slots, less the spares parked idle).
    pub fn spares_in_use(&self) -> usize {
        self.live_threads
            .saturating_sub(self.workers)
            .saturating_sub(self.idle_spares)
    }
}

impl From<crate::sched::PoolCounts> for ThreadsSnapshot {
    fn from(c: crate::sched::PoolCounts) -> Self {
        ThreadsSnapshot {
            workers: c.workers,
            live_threads: c.live_threads,
            idle_spares: c.idle_spares,
            sleeping: c.sleeping,
            activations: c.activations,
            steals: c.steals,
        }
    }
}

/// What every registered actor of a runtime is doing, and its threads.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Every registered actor, in start order.
    pub actors: Vec<ActorSnapshot>,
    /// The pool's threads.
    pub threads: ThreadsSnapshot,
}

impl Snapshot {
    /// The wait-for relation: `(waiter, awaited)` as `<Class> (<urn>)`, for every blocked actor
    /// that waits on another actor's reply.
    pub fn waits(&self) -> Vec<(String, String)> {
        self.actors
            .iter()
            .filter_map(|a| match &a.state {
                ActorState::Blocked {
                    awaiting: Some(who),
                    ..
                } => Some((format!("{} ({})", a.class, a.urn), who.clone())),
                _ => None,
            })
            .collect()
    }
}

impl fmt::Display for ActorSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): ", self.class, self.urn)?;
        match &self.state {
            ActorState::Idle => f.write_str("idle")?,
            ActorState::Scheduled => f.write_str("scheduled")?,
            ActorState::Running => f.write_str("running")?,
            ActorState::Blocked {
                awaiting: Some(who),
                ..
            } => write!(f, "blocked in get(), waiting for {who}")?,
            ActorState::Blocked { awaiting: None, .. } => {
                f.write_str("blocked in get(), waiting for a promise")?
            }
            ActorState::Suspended => f.write_str("suspended in an async handler")?,
            ActorState::Dead => f.write_str("dead")?,
        }
        write!(f, ", {} queued", self.mailbox_len)?;
        if self.waiting_senders > 0 {
            write!(f, ", {} senders waiting for room", self.waiting_senders)?;
        }
        if let Some(m) = &self.metrics {
            write!(
                f,
                ", {} handled in {:?}, mailbox peak {}",
                m.handled, m.busy, m.mailbox_high_water
            )?;
        }
        Ok(())
    }
}

/// A snapshot of the default runtime.
pub fn snapshot() -> Snapshot {
    snapshot_of(&global_runtime().system)
}

/// Logs the default runtime's snapshot: one ERROR record per actor on target `pykka::debug`,
/// then one for the threads.
pub fn log_actor_states() {
    log_snapshot(&snapshot());
}

/// What every registered actor of `system` is doing, and its threads (`Runtime::snapshot`).
pub(crate) fn snapshot_of(system: &System) -> Snapshot {
    let waits = crate::future::wait::waits();
    let actors = system
        .registry
        .all()
        .iter()
        .map(|cell| {
            let (closed, running, scheduled, mailbox_len) = cell.debug_state();
            let state = if closed {
                ActorState::Dead
            } else if let Some(w) = waits.get(&cell.id()) {
                ActorState::Blocked {
                    awaiting: w.as_ref().map(|(_, d)| d.clone()),
                    awaiting_urn: w.as_ref().map(|(id, _)| crate::base::urn::format(*id)),
                }
            } else if cell.is_suspended() {
                ActorState::Suspended
            } else if running {
                ActorState::Running
            } else if scheduled {
                ActorState::Scheduled
            } else {
                ActorState::Idle
            };
            ActorSnapshot {
                class: cell.class(),
                urn: cell.urn().to_owned(),
                state,
                mailbox_len,
                waiting_senders: cell.waiting_senders(),
                metrics: cell.metrics(),
            }
        })
        .collect();
    Snapshot {
        actors,
        threads: ThreadsSnapshot::from(system.pool.counts()),
    }
}

/// Writes `snap`: one ERROR record per actor on target `pykka::debug`, then one for the
/// threads. Takes no lock: it can run from any thread, also while actors are deadlocked.
pub(crate) fn log_snapshot(snap: &Snapshot) {
    for a in &snap.actors {
        error!(target: "pykka::debug", "{a}");
    }
    let t = &snap.threads;
    error!(
        target: "pykka::debug",
        "threads: {} workers, {} live pool threads, {} idle spares, {} asleep; {} activations, {} steals",
        t.workers,
        t.live_threads,
        t.idle_spares,
        t.sleeping,
        t.activations,
        t.steals
    );
}
