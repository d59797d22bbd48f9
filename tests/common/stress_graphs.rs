//! The hang guard, the worker counts and the spin shared by the `stress_graphs_attack_*` test files
//! (attacks with programs larger than the other stress tests).

use pykka::Runtime;
use std::thread;
use std::time::{Duration, Instant};

/// Hang guard for one wait.
pub(crate) const HANG: Duration = Duration::from_secs(30);
pub(crate) const WORKERS: [usize; 3] = [1, 2, 8];

pub(crate) fn runtime(workers: usize) -> Runtime {
    Runtime::builder().threads(workers).build().unwrap()
}

/// Spins (yielding) until `cond` holds; panics with `what` after `HANG`.
pub(crate) fn spin_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + HANG;
    while !cond() {
        assert!(Instant::now() < deadline, "hang guard: {what}");
        thread::yield_now();
    }
}
