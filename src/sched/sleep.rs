//! Workers that find no work go to sleep here; a submitter of surplus work wakes one, unless a
//! worker is searching. The protocol (no lost wake-up) is a Dekker pair of SeqCst fences, with
//! the searchers' count read on the submitter's side:
//!
//! ```text
//! worker:    [searching -= 1 (SeqCst), if it searched]  submitter: queue a token
//!            lock; push self; count += 1; unlock                   fence(SeqCst)
//!            fence(SeqCst)                                         if searching == 0 and
//!            if any queue non-empty (or shutdown):                    count > 0: pop one, unpark
//!                unregister, retry
//!            else park; on waking, unregister
//! ```
//!
//! Either the worker's re-check sees the token, or the submitter's reads see the sleeper (and
//! wake it) or a searcher. A submitter that saw a searcher wakes nobody; then its load of the
//! count came before the searcher's decrement, so its fence comes before the fence the searcher
//! issues after the decrement (in its sleep, or before the re-read of a last searcher that
//! found work and hands the search on), and that searcher's re-read sees the token. A worker
//! removes itself from the list when it wakes; a wake of a worker that already left the list
//! is harmless (it searches again). Shutdown stores its flag (SeqCst) and wakes every sleeper.
//! The argument behind the pair is the C11 rule for two SeqCst fences: a store sequenced before
//! one and a load after the other, the first fence first in their total order, and the load
//! sees the store.
//!
//! Loom models below (`--cfg loom`, an atomic flag standing for the run queues): sleep vs
//! submit, search-then-sleep vs a submitter that skips the wake-up for a searcher, and sleep vs
//! shutdown. (A two-worker, two-token model that consumes tokens with a compare-exchange inside
//! the worker loop is reported as a deadlock by loom 0.7 though no C11 execution of it leaves a
//! token stranded as far as we can tell; loom models SeqCst read-modify-writes more weakly than
//! C11, and the same false report comes from a 15-line loop with a swap, so it is not here.)
//!
//! The caller decides what counts as work: a pool worker re-checks every run queue and the
//! shutdown flag (see `sched::pool`), and a submitter issues its fence in `Pool::submit`, after
//! queueing and before `notify`. The searcher cap and the watchman flag live here too, beside
//! the counts they are read with.

use crate::base::sync::{fence, lock, thread, AtomicBool, AtomicUsize, Mutex};
use crossbeam_utils::CachePadded;
use std::sync::atomic::Ordering;

/// The workers asleep, and their count (read without the lock by submitters, after a fence);
/// the workers searching other slots for work; the watchman.
pub(crate) struct Sleepers {
    list: Mutex<Vec<thread::Thread>>,
    count: CachePadded<AtomicUsize>,
    /// Workers searching the other slots and the injector (at most half the workers).
    searching: CachePadded<AtomicUsize>,
    /// Whether a worker is the watchman (at most one).
    watching: AtomicBool,
    /// Idle workers yielding before they sleep, reading the injector on every round.
    spinning: CachePadded<AtomicUsize>,
}

impl Sleepers {
    pub(crate) fn new() -> Self {
        Sleepers {
            list: Mutex::new(Vec::new()),
            count: CachePadded::new(AtomicUsize::new(0)),
            searching: CachePadded::new(AtomicUsize::new(0)),
            watching: AtomicBool::new(false),
            spinning: CachePadded::new(AtomicUsize::new(0)),
        }
    }

    /// Becomes a searcher, unless half the `workers` (at least one) search already.
    pub(crate) fn start_searching(&self, workers: usize) -> bool {
        // ORDERING: Relaxed; the cap is a hint (two workers may both pass it at once, as in
        // tokio's `transition_worker_to_searching`), the count itself changes by SeqCst RMWs.
        if self.searching.load(Ordering::Relaxed) >= (workers / 2).max(1) {
            return false;
        }
        // ORDERING: SeqCst: a submitter that reads this count after its fence and skips the
        // wake-up relies on this searcher's later decrement and fence (see `stop_searching`).
        self.searching.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// Stops searching; `true` if this was the last searcher. The caller then issues a SeqCst
    /// fence before it reads the queues again (directly, or in `sleep`'s re-check): a
    /// submitter that saw this searcher and woke nobody queued its token before its own fence,
    /// so that re-read sees it.
    pub(crate) fn stop_searching(&self) -> bool {
        // ORDERING: SeqCst RMW, ordered with the submitters' fences (see `start_searching`).
        self.searching.fetch_sub(1, Ordering::SeqCst) == 1
    }

    /// Wakes a sleeper for newly queued surplus work, unless a worker is searching (it will
    /// find the work, or, the last to stop, re-read the queues). The caller has queued the work
    /// and issued a SeqCst fence.
    pub(crate) fn notify(&self) {
        // ORDERING: SeqCst load after the caller's fence: the other half of the pair described
        // at `stop_searching`.
        if self.searching.load(Ordering::SeqCst) == 0 {
            self.wake_one();
        }
    }

    /// A worker that was idle (asleep, spinning or watching) found work: if nobody watches or
    /// searches, wake another sleeper, so that while this one runs (perhaps a handler that
    /// tells an actor and then computes) one worker is awake to watch for stranded work. tokio
    /// wakes one more worker in the same case (a woken worker is a searcher, and the last
    /// searcher to find work notifies). The woken one finds nothing, sees this one awake and
    /// becomes the watchman, or goes back to sleep; it finds no work, so it wakes nobody.
    pub(crate) fn hand_on(&self) {
        // ORDERING: SeqCst fence before reading the count: the Dekker pair with a worker going
        // to sleep, whose re-check after registering asks whether a watchman is needed (the
        // pool's `sleep`): either this reads the sleeper and wakes it, or its re-check sees
        // this worker awake and it becomes the watchman instead of sleeping. The two flags are
        // read Relaxed after the fence: hints, a wrong guess costs one wake-up too many.
        fence(Ordering::SeqCst);
        if !self.watching.load(Ordering::Relaxed) && self.searching.load(Ordering::Relaxed) == 0 {
            self.wake_one();
        }
    }

    /// Whether a worker is the watchman (a hint).
    pub(crate) fn watched(&self) -> bool {
        // ORDERING: Relaxed; a hint (see `hand_on`).
        self.watching.load(Ordering::Relaxed)
    }

    /// `notify` for a token queued on the injector: the watchman, if there is one, reads the
    /// injector on every round, so it will take the token; wake a sleeper only if there is no
    /// watchman either. (Without this, a thread that tells an actor from outside the pool woke a
    /// sleeper for nearly every message on an oversubscribed pool: counting 2.4-2.9x slower on
    /// 4 and 8 workers than on 1.) A watchman that stops watching goes through the sleep
    /// re-check (or takes the token) after storing its flag, so a submitter that saw it
    /// watching cannot strand the token: the same pair as for a searcher.
    ///
    /// An idle worker yielding before it sleeps reads the injector on every round too, so it
    /// counts the same way (`start_spinning`): a thread asking actors from outside the pool
    /// woke a sleeper with a futex call on nearly every ask while the worker that would answer
    /// was spinning anyway.
    pub(crate) fn notify_injected(&self) {
        // ORDERING: SeqCst loads after the caller's fence, as in `notify`.
        if self.searching.load(Ordering::SeqCst) == 0
            && !self.watching.load(Ordering::SeqCst)
            && self.spinning.load(Ordering::SeqCst) == 0
        {
            self.wake_one();
        }
    }

    /// An idle worker starts yielding before it sleeps; it reads the injector on every round.
    pub(crate) fn start_spinning(&self) {
        // ORDERING: SeqCst RMW, as `start_searching` (the pair with `notify_injected`).
        self.spinning.fetch_add(1, Ordering::SeqCst);
    }

    /// The spinning worker stops: it found work (and takes it), or goes to sleep, whose
    /// re-check after its fence reads the injector (the pair with `notify_injected`, as for
    /// `stop_searching`).
    pub(crate) fn stop_spinning(&self) {
        // ORDERING: SeqCst RMW, as `stop_searching`.
        self.spinning.fetch_sub(1, Ordering::SeqCst);
    }

    /// Becomes the watchman, unless a worker is one already.
    pub(crate) fn start_watching(&self) -> bool {
        // ORDERING: Relaxed first (a hint, so a busy flag is only read), then an Acquire swap:
        // the flag guards nothing but itself.
        !self.watching.load(Ordering::Relaxed) && !self.watching.swap(true, Ordering::Acquire)
    }

    pub(crate) fn stop_watching(&self) {
        // ORDERING: Release, pairs with the Acquire swap of the next watchman.
        self.watching.store(false, Ordering::Release);
    }

    /// How many sleep (a hint: Relaxed, no fence, no lock).
    pub(crate) fn count_hint(&self) -> usize {
        // ORDERING: Relaxed; a hint, as in `none`.
        self.count.load(Ordering::Relaxed)
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

    /// A worker that searches, finds nothing, stops searching and sleeps, while a submitter
    /// queues work and wakes a sleeper only if nobody searches (`notify`): the worker always
    /// gets the work. The case this adds to the pair above: the submitter sees the searcher and
    /// wakes nobody; the searcher's decrement and its sleep's fence then order its re-check
    /// after the submitter's fence, so the re-check sees the work. (Checked to fail with the
    /// submitter's fence removed.)
    #[test]
    fn loom_search_vs_submit_no_lost_wakeup() {
        loom::model(|| {
            let sleepers = Arc::new(Sleepers::new());
            let queued = Arc::new(AtomicBool::new(false));
            let (s, q) = (Arc::clone(&sleepers), Arc::clone(&queued));
            let worker = loom::thread::spawn(move || loop {
                if s.start_searching(2) {
                    // ORDERING (model): the queue's own synchronisation stands in as Acquire.
                    let found = q.load(Ordering::Acquire);
                    s.stop_searching();
                    if found {
                        return;
                    }
                }
                s.sleep(|| q.load(Ordering::Acquire));
                if q.load(Ordering::Acquire) {
                    return;
                }
            });
            queued.store(true, Ordering::Release);
            fence(Ordering::SeqCst);
            sleepers.notify();
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
