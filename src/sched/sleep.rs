//! Workers that find no work go to sleep here; a submitter wakes one. The protocol (no lost
//! wake-up) is a Dekker pair of SeqCst fences:
//!
//! ```text
//! worker:    lock; push self; count += 1; unlock     submitter: queue a token
//!            fence(SeqCst)                                      fence(SeqCst)
//!            if any queue non-empty (or shutdown):              if count > 0: pop one, unpark
//!                unregister, retry
//!            else park; on waking, unregister
//! ```
//!
//! Either the worker's re-check sees the token, or the submitter's read of the count sees the
//! sleeper. A worker removes itself from the list when it wakes; a wake of a worker that already
//! left the list is harmless (it searches again). Shutdown stores its flag (SeqCst) and wakes
//! every sleeper. The loom models below check both (`--cfg loom`, an atomic flag standing for the
//! run queues). The argument behind the pair is the C11 rule for two SeqCst fences: a store
//! sequenced before one and a load after the other, the first fence first in their total
//! order, and the load sees the store.
//!
//! The caller decides what counts as work: a pool worker re-checks every run queue and the
//! shutdown flag, after 64 rounds of searching (see `sched::pool`), and a submitter issues its
//! fence in `Pool::submit`, after queueing and before `wake_one`.

use crate::base::sync::{fence, lock, thread, AtomicUsize, Mutex};
use crossbeam_utils::CachePadded;
use std::sync::atomic::Ordering;

/// The workers asleep, and their count (read without the lock by submitters, after a fence).
pub(crate) struct Sleepers {
    list: Mutex<Vec<thread::Thread>>,
    count: CachePadded<AtomicUsize>,
}

impl Sleepers {
    pub(crate) fn new() -> Self {
        Sleepers {
            list: Mutex::new(Vec::new()),
            count: CachePadded::new(AtomicUsize::new(0)),
        }
    }

    /// Sleeps until woken, unless `ready()` holds after registering (the re-check of the Dekker
    /// pair: `ready` reads the queues and the shutdown flag). Returns when woken or ready; the
    /// caller searches again either way.
    pub(crate) fn sleep(&self, ready: impl Fn() -> bool) {
        {
            let mut list = lock(&self.list);
            list.push(thread::current());
            // ORDERING: Relaxed; written only under the list's lock (so a plain store of the
            // list's length), read after a fence.
            self.count.store(list.len(), Ordering::Relaxed);
        }
        // ORDERING: SeqCst fence, the other half of the Dekker pair in `wake_one`'s caller.
        fence(Ordering::SeqCst);
        if !ready() {
            thread::park();
        }
        let me = thread::current().id();
        let mut list = lock(&self.list);
        if let Some(pos) = list.iter().position(|t| t.id() == me) {
            list.swap_remove(pos);
            // ORDERING: Relaxed, under the list's lock.
            self.count.store(list.len(), Ordering::Relaxed);
        }
    }

    /// Wakes one sleeper, if any. The caller has queued its work and issued a SeqCst fence.
    pub(crate) fn wake_one(&self) {
        // ORDERING: Relaxed after the caller's fence (the Dekker pair).
        if self.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        let t = {
            let mut list = lock(&self.list);
            let t = list.pop();
            // ORDERING: Relaxed; the count is written only under the list's lock.
            self.count.store(list.len(), Ordering::Relaxed);
            t
        };
        if let Some(t) = t {
            t.unpark();
        }
    }

    /// Wakes every sleeper (shutdown: the caller has stored its flag with SeqCst).
    pub(crate) fn wake_all(&self) {
        let mut list = lock(&self.list);
        for t in list.drain(..) {
            t.unpark();
        }
        // ORDERING: Relaxed, under the list's lock like every other change of the count.
        self.count.store(0, Ordering::Relaxed);
    }

    /// Whether nobody sleeps (a hint: no fence).
    pub(crate) fn none(&self) -> bool {
        // ORDERING: Relaxed; a hint, as in `wake_one`.
        self.count.load(Ordering::Relaxed) == 0
    }

    /// How many sleep (for debug snapshots).
    pub(crate) fn len(&self) -> usize {
        lock(&self.list).len()
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::atomic::AtomicBool;
    use loom::sync::Arc;

    /// A worker sleeping while a submitter queues work and wakes one (the Dekker pair): the
    /// worker always gets the work; a lost wake-up would leave it parked for ever, which loom
    /// reports as a deadlock. (Removing either fence makes it fail.) The worker checks the
    /// stand-in queue with loads, as the real worker's re-check does (`has_work`): with a swap
    /// there, loom 0.7 reports a deadlock that the C11 fence rules exclude.
    #[test]
    fn loom_sleep_vs_submit_no_lost_wakeup() {
        loom::model(|| {
            let sleepers = Arc::new(Sleepers::new());
            let queued = Arc::new(AtomicBool::new(false));
            let (s, q) = (Arc::clone(&sleepers), Arc::clone(&queued));
            let worker = loom::thread::spawn(move || {
                // ORDERING (model): the queue's own synchronisation stands in as Acquire/Release.
                while !q.load(Ordering::Acquire) {
                    s.sleep(|| q.load(Ordering::Acquire));
                }
            });
            queued.store(true, Ordering::Release);
            fence(Ordering::SeqCst);
            sleepers.wake_one();
            worker.join().unwrap();
        });
    }

    /// Shutdown while a worker goes to sleep: the worker always sees the flag or is woken.
    #[test]
    fn loom_sleep_vs_shutdown_wakes_the_worker() {
        loom::model(|| {
            let sleepers = Arc::new(Sleepers::new());
            let shutdown = Arc::new(AtomicBool::new(false));
            let (s, f) = (Arc::clone(&sleepers), Arc::clone(&shutdown));
            let worker = loom::thread::spawn(move || {
                while !f.load(Ordering::SeqCst) {
                    s.sleep(|| f.load(Ordering::SeqCst));
                }
            });
            shutdown.store(true, Ordering::SeqCst);
            sleepers.wake_all();
            worker.join().unwrap();
        });
    }
}
