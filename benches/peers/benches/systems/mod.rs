//! One implementation per system of the same few workloads, behind [`System`].
//!
//! Every workload is set up once per system (actors started, linked), then run many times by the
//! bench; dropping what a method returns stops its actors. The sizes are the caller's and the
//! same for every system.
//!
//! Common choices, so that the systems do the same work:
//! - unbounded mailboxes everywhere (pykka's mailbox is unbounded; the peers' defaults are
//!   bounded for kameo (64) and actix `send` (16); xtra and ractor are unbounded here too);
//! - a "tell" is the system's fire-and-forget send, an "ask" is its request/reply call, awaited
//!   or blocked on from a thread that is not one of the system's workers (the bench thread);
//! - a token that circulates carries its own completion handle (a pykka promise, a tokio
//!   oneshot, a std channel) and completes it where the count runs out;
//! - the tokio peers (kameo, ractor, xtra) share nothing: each has its own multi-thread tokio
//!   runtime with one worker per core (2 here), the same as pykka's pooled-2 case; actix runs
//!   its actors on one arbiter (one thread, its model), like pykka's pooled-1 case.
#![allow(dead_code)] // each bench binary uses what it needs

use std::time::Duration;

pub mod actix_sys;
pub mod kameo_sys;
pub mod pykka_sys;
pub mod ractor_sys;
pub mod std_sys;
pub mod xtra_sys;

/// Runs a prepared workload once with the given size.
pub type Run<'a> = Box<dyn FnMut(u64) + 'a>;
/// One ask of a prepared counter; returns its reply.
pub type Ask<'a> = Box<dyn FnMut(u64) -> u64 + 'a>;

/// One actor system (or the bare baseline), with every workload written once for it.
pub trait System {
    /// The column name in the benches and the tables.
    fn name(&self) -> &'static str;

    /// A ring of `actors` actors, each forwarding a token to the next. `run(hops)` injects a
    /// token that travels `hops` hops (messages) and returns when the last actor has it.
    /// PingPong is the ring of 2 (a round trip = 2 hops).
    fn ring(&self, actors: usize) -> Run<'_>;

    /// One counting actor. `run(n)`: tell it `n` numbers from the bench thread, then one ask
    /// for the total (which queues behind the tells, so its reply means all were handled).
    fn counting(&self) -> Run<'_>;

    /// One counting actor; each call asks it once (adds the value, replies the total) and
    /// waits for the reply on the calling thread.
    fn asker(&self) -> Ask<'_>;

    /// `run(n)`: start `n` actors, ask each to stop right after starting it, then wait until
    /// every one of them has stopped.
    fn spawn(&self) -> Run<'_>;
}

/// Every system, in table order.
pub fn all() -> Vec<Box<dyn System>> {
    vec![
        Box::new(pykka_sys::Pykka::pooled(1)),
        Box::new(pykka_sys::Pykka::pooled(2)),
        Box::new(pykka_sys::Pykka::dedicated()),
        Box::new(std_sys::StdThreads),
        Box::new(actix_sys::Actix::new()),
        Box::new(kameo_sys::Kameo::new()),
        Box::new(ractor_sys::Ractor::new()),
        Box::new(xtra_sys::Xtra::new()),
    ]
}

/// A multi-thread tokio runtime with one worker per core, as the tokio peers use by default
/// (`PEERS_TOKIO_WORKERS=n` overrides it, to compare with pykka's one-worker case).
pub fn tokio_runtime() -> tokio::runtime::Runtime {
    let workers = std::env::var("PEERS_TOKIO_WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(cores);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Cores of this machine.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// How long a system may take to answer anything before the bench gives up.
pub const PATIENCE: Duration = Duration::from_secs(60);
