//! Spare-thread accounting: how a pool thread about to block hands its slot to a spare, and how
//! a spare without a slot parks, is handed one, or retires. The pool's side of a blocking wait
//! (when a thread hands its slot over, and the cap) is described in `sched::pool`; why a
//! waiting thread gives its slot away at all, in `future::wait`.
//!
//! The protocol, all under the one `Spares` lock:
//! - `hand_off(slot)`: pop an idle spare and give it the slot; else, under the thread cap
//!   (and not at shutdown), count a new thread (`Spawn`: the caller starts it with the slot);
//!   else refuse and hand the slot back (`Refused`: the caller reports `PoolExhausted`, or, at
//!   shutdown, keeps its slot and blocks).
//! - `park(signal)`: a spare without a slot lists itself as idle (or, at shutdown, leaves the
//!   count and exits).
//! - after its keep-alive (or at shutdown), `retire(signal)`: if still listed, it unlists itself
//!   and leaves the count; if not, a `hand_off` picked it in between and the slot is on its way:
//!   it waits for it.
//!
//! So a slot is never lost (it is in a signal, with its new holder, or back with its owner) and
//! `threads` counts exactly the threads that have not left. The loom models below check both: a
//! hand-off racing a retirement (the slot ends with exactly one holder, the count stays exact;
//! making `retire` give up on a slot in transit makes it fail), and shutdown waking a parked
//! spare (it leaves the count once). Generic over the slot type so the models need no deques.

use crate::base::sync::{lock, wait, wait_for, Condvar, Mutex};
use std::sync::Arc;
use std::time::Instant;

/// Where a thread without a slot waits to be handed one.
pub(crate) struct SpareSignal<S> {
    slot: Mutex<Option<S>>,
    cv: Condvar,
}

impl<S> SpareSignal<S> {
    pub(crate) fn new(slot: Option<S>) -> Arc<Self> {
        Arc::new(SpareSignal {
            slot: Mutex::new(slot),
            cv: Condvar::new(),
        })
    }

    fn give(&self, slot: S) {
        *lock(&self.slot) = Some(slot);
        self.cv.notify_one();
    }

    /// Takes the slot if one is here.
    pub(crate) fn take(&self) -> Option<S> {
        lock(&self.slot).take()
    }

    /// Waits for a slot until `deadline` (for ever if `None`) or until `stop()` holds.
    pub(crate) fn wait(&self, deadline: Option<Instant>, stop: &dyn Fn() -> bool) -> Option<S> {
        let mut g = lock(&self.slot);
        loop {
            if let Some(s) = g.take() {
                return Some(s);
            }
            if stop() {
                return None;
            }
            g = match deadline {
                None => wait(&self.cv, g),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return None;
                    }
                    wait_for(&self.cv, g, d - now)
                }
            };
        }
    }

    /// Wakes the waiter (shutdown): it rechecks `stop()`.
    fn nudge(&self) {
        let _guard = lock(&self.slot);
        self.cv.notify_all();
    }
}

struct State<S> {
    /// Threads without a slot, parked until one is handed to them or their keep-alive ends.
    idle: Vec<Arc<SpareSignal<S>>>,
    /// Live pool threads, slot holders and spares.
    threads: usize,
}

/// The pool's threads, as far as spares are concerned.
pub(crate) struct Spares<S> {
    state: Mutex<State<S>>,
}

/// What `hand_off` did with the slot.
#[must_use]
pub(crate) enum HandOff<S> {
    /// An idle spare has it.
    Given,
    /// A new thread is counted; the caller starts it with this slot (or, if starting fails,
    /// calls `thread_left` and takes the slot back).
    Spawn(S),
    /// The cap is reached (or the pool is shutting down): the slot comes back.
    Refused(S),
}

/// What `park` did.
#[must_use]
pub(crate) enum Park {
    /// Listed as idle: wait on the signal, then `retire` if nothing came.
    Listed,
    /// Shutting down: the thread has left the count and must exit.
    Leave,
}

impl<S> Spares<S> {
    pub(crate) fn new() -> Self {
        Spares {
            state: Mutex::new(State {
                idle: Vec::new(),
                threads: 0,
            }),
        }
    }

    /// Counts a thread started with the pool (or a spare about to be started).
    pub(crate) fn thread_started(&self) {
        lock(&self.state).threads += 1;
    }

    /// A counted thread exits (or could not be started).
    pub(crate) fn thread_left(&self) {
        lock(&self.state).threads -= 1;
    }

    /// Live pool threads and idle spares.
    pub(crate) fn counts(&self) -> (usize, usize) {
        let s = lock(&self.state);
        (s.threads, s.idle.len())
    }

    /// A thread about to block gives up `slot`; `limit` caps the live threads.
    pub(crate) fn hand_off(&self, slot: S, limit: usize, shutting_down: bool) -> HandOff<S> {
        let mut s = lock(&self.state);
        if let Some(idle) = s.idle.pop() {
            drop(s);
            idle.give(slot);
            return HandOff::Given;
        }
        if shutting_down || s.threads >= limit {
            return HandOff::Refused(slot);
        }
        s.threads += 1;
        HandOff::Spawn(slot)
    }

    /// A thread without a slot lists itself as idle; `shutting_down` is read under the lock.
    pub(crate) fn park(
        &self,
        signal: &Arc<SpareSignal<S>>,
        shutting_down: &dyn Fn() -> bool,
    ) -> Park {
        let mut s = lock(&self.state);
        if shutting_down() {
            s.threads -= 1;
            return Park::Leave;
        }
        s.idle.push(Arc::clone(signal));
        Park::Listed
    }

    /// The keep-alive of a parked spare ended (or shutdown began) with no slot: leave the count,
    /// unless a `hand_off` picked this spare in between; then wait for the slot it sends.
    pub(crate) fn retire(&self, signal: &Arc<SpareSignal<S>>) -> Option<S> {
        let mut s = lock(&self.state);
        if let Some(pos) = s.idle.iter().position(|x| Arc::ptr_eq(x, signal)) {
            s.idle.swap_remove(pos);
            s.threads -= 1;
            return None;
        }
        drop(s);
        // Picked: `give` is on its way (it runs right after the picker drops the lock).
        signal.wait(None, &|| false)
    }

    /// Shutdown: wake every idle spare so it sees the flag.
    pub(crate) fn wake_idle(&self) {
        for s in lock(&self.state).idle.iter() {
            s.nudge();
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::atomic::{AtomicBool, Ordering};
    use loom::thread;

    /// A blocking thread hands off its slot while the only idle spare's keep-alive ends: the
    /// slot ends with exactly one holder, and the count matches the threads still there.
    #[test]
    fn loom_hand_off_vs_retire() {
        loom::model(|| {
            let spares = Arc::new(Spares::<u32>::new());
            spares.thread_started(); // the blocking thread
            spares.thread_started(); // the spare
            let signal = SpareSignal::new(None);
            assert!(matches!(spares.park(&signal, &|| false), Park::Listed));

            let sp = Arc::clone(&spares);
            let sig = Arc::clone(&signal);
            let spare = thread::spawn(move || {
                // The keep-alive ends: one last look, then retire (which may still get it).
                match sig.take() {
                    Some(s) => Some(s),
                    None => sp.retire(&sig),
                }
            });
            let outcome = spares.hand_off(7, 2, false);
            let spare_got = spare.join().unwrap();
            let (threads, idle) = spares.counts();
            assert_eq!(idle, 0);
            match outcome {
                HandOff::Given => {
                    assert_eq!(spare_got, Some(7), "the picked spare gets the slot");
                    assert_eq!(threads, 2);
                }
                HandOff::Refused(_) => {
                    panic!("at most one thread left under a cap of 2: a spawn was due")
                }
                HandOff::Spawn(s) => {
                    assert_eq!(s, 7);
                    assert_eq!(spare_got, None, "the spare retired before the hand-off");
                    assert_eq!(threads, 2, "the blocker and the new thread");
                }
            }
        });
    }

    /// Shutdown while a spare is parked: it wakes, sees the flag, leaves the count once.
    #[test]
    fn loom_shutdown_wakes_parked_spare() {
        loom::model(|| {
            let spares = Arc::new(Spares::<u32>::new());
            let shutdown = Arc::new(AtomicBool::new(false));
            spares.thread_started();
            let signal = SpareSignal::new(None);

            let sp = Arc::clone(&spares);
            let sig = Arc::clone(&signal);
            let down = Arc::clone(&shutdown);
            let spare = thread::spawn(move || {
                // ORDERING (test): SeqCst, as the scheduler's flag.
                let stop = || down.load(Ordering::SeqCst);
                match sp.park(&sig, &stop) {
                    Park::Leave => None,
                    Park::Listed => match sig.wait(None, &stop) {
                        Some(s) => Some(s),
                        None => sp.retire(&sig),
                    },
                }
            });
            shutdown.store(true, Ordering::SeqCst);
            spares.wake_idle();
            assert_eq!(spare.join().unwrap(), None);
            assert_eq!(spares.counts(), (0, 0));
        });
    }
}
