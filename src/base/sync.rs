//! The std-or-loom switch for the primitives that the loom models check.
//!
//! The mailbox state machine, the promise slot, the pool's sleepers and its spare-thread
//! accounting (`sched::spares`) take their primitives from
//! here, so that `RUSTFLAGS="--cfg loom" cargo test --lib --release loom` explores every
//! interleaving of them. Nothing else in the crate runs under loom.
//!
//! Poisoning is ignored: user code never runs while the library holds one of these locks (hooks
//! and handlers run outside them, under `catch_unwind`), so a poisoned lock could only come from
//! the library's own few lines between lock and unlock, after which the data is consistent.

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{fence, AtomicBool, AtomicU8, AtomicUsize},
    Condvar, Mutex, MutexGuard,
};
#[cfg(loom)]
pub(crate) use loom::thread;
#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{fence, AtomicBool, AtomicU8, AtomicUsize},
    Condvar, Mutex, MutexGuard,
};
#[cfg(not(loom))]
pub(crate) use std::thread;

/// Locks `m`.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Waits on `cv`, releasing `guard` meanwhile.
pub(crate) fn wait<'a, T>(cv: &Condvar, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    cv.wait(guard).unwrap_or_else(|e| e.into_inner())
}

/// Waits on `cv` for at most `d`.
#[cfg(not(loom))]
pub(crate) fn wait_for<'a, T>(
    cv: &Condvar,
    guard: MutexGuard<'a, T>,
    d: std::time::Duration,
) -> MutexGuard<'a, T> {
    cv.wait_timeout(guard, d)
        .unwrap_or_else(|e| e.into_inner())
        .0
}

/// The loom models use no deadlines: a plain wait keeps them finite.
#[cfg(loom)]
pub(crate) fn wait_for<'a, T>(
    cv: &Condvar,
    guard: MutexGuard<'a, T>,
    _d: std::time::Duration,
) -> MutexGuard<'a, T> {
    wait(cv, guard)
}
