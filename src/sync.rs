//! The std-or-loom switch for the primitives that the loom models check.
//!
//! The mailbox state machine and the promise slot take their `Mutex` and `Condvar` from here, so
//! that `RUSTFLAGS="--cfg loom" cargo test --lib --release loom` explores every interleaving of
//! them. Nothing else in the crate runs under loom.

#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

/// Locks `m`, ignoring poisoning.
///
/// User code never runs while the library holds one of these locks (hooks and handlers run
/// outside them, and under `catch_unwind`), so a poisoned lock can only mean a panic in the
/// library's own few lines between lock and unlock, after which the data is still consistent.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
