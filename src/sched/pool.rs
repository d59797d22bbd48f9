//! The pool: slots with work-stealing run queues, the worker loop, the pool's side of a
//! blocking wait, and handing a blocked thread's slot to a spare. It runs tokens ([`Runnable`])
//! and knows nothing else of what they are.
//!
//! # Slots and tokens
//!
//! The pool has `N = threads` *slots*. A slot ([`SlotBox`]) is a FIFO crossbeam-deque
//! `Worker<Token>` whose `Stealer` is fixed at build time; a thread runs actors only while it
//! holds a slot. A token is an `Arc<dyn Runnable>`: an actor's right to be run, of which the
//! mailbox keeps at most one per actor (see `mailbox`). [`Pool::submit`] on a thread that holds
//! a slot of this pool pushes the token to that slot's deque, anywhere else to the global
//! `Injector`.
//!
//! # Scheduling policy: keep chains on one core, spread only surplus work
//!
//! A chain of actors (ping-pong, a ring, a pipeline) has one runnable actor at a time: a second
//! worker can only add cost. Measured on the previous policy (wake a sleeper on every submit; an
//! idle worker spins over the busy worker's deque), two workers ran chains 2.3-3x slower than
//! one: the spinner's loads of the busy deque's indices made every push stall on cache-line
//! transfers, and the wake-ups moved chains to cold cores. The rules below follow tokio
//! (`multi_thread/idle.rs`: wake only when nobody searches, searchers capped at half the
//! workers, the last searcher hands the search on), Go (`proc.go`: a woken goroutine's
//! `runnext` is stolen only after a grace period; the global queue read every 61 schedules) and
//! Pony (a send pushes to the sender's own queue and wakes nobody).
//!
//! - **Waking for surplus work only.** A token a handler queues on its own worker's slot, with
//!   nothing else queued there, is the next thing that worker runs: it wakes nobody, issues no
//!   fence, and touches no other core's cache line. Only the start of *surplus* (the push that
//!   makes the slot's second token; later pushes add to surplus already announced) or a token
//!   on the injector issues the SeqCst fence and calls
//!   [`Sleepers::notify`](super::sleep::Sleepers::notify), which wakes a sleeper only if no
//!   worker is searching (a searcher will find the work; a woken worker that finds work hands
//!   the search on, so a large surplus still spreads). For the injector, a watchman counts as
//!   a searcher: it reads the injector on every round.
//! - **Searching.** A worker whose slot and the injector are empty becomes a *searcher*, if fewer
//!   than half the workers (at least one) search already, and makes `SEARCH_PASSES` passes over
//!   the injector and the other slots (a batch stolen from the first that has work). A searcher
//!   that takes work and was the last searcher re-reads the queues (after a fence) and, if work
//!   is left, wakes another: the search is handed on, so a burst spreads over the pool one
//!   worker at a time. The lost-wake-up argument (a submitter that saw a searcher woke nobody,
//!   so the searcher's re-read must see its token) is in `sched::sleep`, with its loom model.
//! - **The injector at a bounded interval.** Every `INJECTOR_INTERVAL` (61) tokens a worker
//!   takes from the injector before its own deque, so an outside message never waits for a
//!   local chain to end (it did, on one worker: an outside ask was never answered while two
//!   actors bounced a message).
//! - **The watchman.** Not waking anyone for a handler's first tell has a trap: a handler that
//!   tells an actor and then computes for a long time holds the told actor hostage in its
//!   worker's deque. So at most one worker that finds no work, while another slot's holder is
//!   awake, becomes the *watchman* instead of sleeping: it yields in a loop, takes injector
//!   work at once, and every `WATCH_LOOK` (10 µs) reads each other slot's progress counter
//!   (tokens started and inline runs, written by the slot's holder only: a handler that asks
//!   in a loop, served by inline runs, is progressing, and the token its asks leave queued is
//!   not stranded) and queue length: a slot with surplus,
//!   or with a token queued while its holder has been in the same activation since the last
//!   look, is stolen from. So a stranded token waits at most about `2 * WATCH_LOOK`. It reads
//!   other slots' cache lines once per look, not on every round, so a busy chain does not pay
//!   for being watched. It sleeps once every other slot's holder sleeps; a worker that was idle
//!   (watching, spinning or asleep) wakes another on its first token if nobody watches or
//!   searches, so a pool woken from all asleep has its watchman too, and so does one whose
//!   watchman, or whose spinning worker, took an outside token itself. (A timed park cannot
//!   do this job: on Linux a thread's timer slack makes `park_timeout(1 µs)` last 75-135 µs.)
//! - **Going idle.** A worker with no work and no watchman role yields `IDLE_SPINS` times,
//!   reading only its own slot and the injector, then sleeps (`sched::sleep`). While it spins,
//!   an injector token wakes nobody (it will take it), as while a watchman watches.
//! - **No run-next slot (yet).** tokio and Go keep what a task wakes in a slot of its own,
//!   run next and not stealable. Here the local deque is FIFO and a chain's next token is
//!   usually its only token, so it runs next anyway; the prototype measured about 10 % per hop
//!   more from the slot, at the price of making it stealable after a grace period (Go) for the
//!   tell-then-compute case. Left for when the wake policy is measured on more cores.
//! - **Fairness.** The local deque is FIFO and an activation runs at most `throughput`
//!   messages: two actors that ping-pong go behind the tokens already queued, so they cannot
//!   starve a third.
//! - **No shared count per submit.** `submit` borrows the pool through the token's own cell:
//!   a tell touches the pool's cache lines only to push.
//!
//! # The worker loop
//!
//! ```text
//! loop {
//!     shut down?            exit (see "Shutdown" below)
//!     no slot?              be an idle spare: park until handed a slot, or retire
//!     tick += 1
//!     next token:           own deque, then the injector (every 61st tick: the injector first)
//!                           else search (if under the searcher cap): injector, other slots
//!     found:                first token since being idle? wake another (if nobody watches
//!                           or searches), to be the watchman
//!                           count it in the slot's progress; run it (up to `throughput`)
//!     none, others awake:   be the watchman (if nobody is), then loop
//!     none:                 yield IDLE_SPINS times watching the own slot and the injector,
//!                           then sleep until woken, or work or shutdown shows in the re-check
//! }
//! ```
//!
//! Going to sleep and waking a sleeper is the protocol of `sched::sleep` (a Dekker pair of
//! SeqCst fences: a token queued while a worker goes to sleep is always seen by one side).
//! A token is run through [`run_guarded`], the last line against a panic that unwinds out of an
//! activation: the thread logs it and goes on with its slot.
//!
//! # The pool's side of a blocking wait
//!
//! A `get()` that must wait on one of the pool's threads (see `future::wait` for the whole
//! protocol) asks the pool through the hook each thread installs (`future::PoolHook`):
//!
//! - **May I run the awaited actor inline?** (`enter_inline`) Only on a thread of the actor's
//!   own pool, below `max_inline_depth` nested inline runs (default 64), and while at least
//!   `inline_stack_reserve` bytes of the thread's stack are left (default: 2 MiB, what Rust
//!   gives a thread of its own and so a dedicated actor, but at most half the stack). The worker
//!   records the address of a local at its start (`stack_base`); the bytes used are the
//!   distance to a local of the wait. So a handler run inline has at least the stack it would
//!   have with a thread per actor, however deep the nesting and however large its frames; with
//!   less left the thread hands its slot over and blocks. A cap in *levels* alone (64 on a
//!   4 MiB stack) did not bound bytes: 200 handlers each holding 80 KiB, or 12 returning
//!   unboxed 64 KiB replies, overflowed one worker.
//! - **Is work queued behind me?** (`work_queued_behind`, for the wait's sharing rule) More than
//!   one token in this thread's slot (one may be the awaited actor's own, scheduled there by the
//!   ask and left there when the waiter ran the actor inline: counting it made every loop of
//!   asks give its worker away, 145 → 268 ns per ask), or a non-empty injector while no worker
//!   sleeps (a sleeper was woken for that work when it was queued). On one worker this sees
//!   every other token.
//! - **I am about to block.** (`release_for_blocking`) The thread hands its slot, with its local
//!   deque (nothing queued there is stranded), to an idle spare thread, or starts a new one
//!   (`<thread_name>-N`), so that `N` threads keep running actors; then it blocks. If
//!   `threads + max_spare_threads` pool threads exist already (default cap 4096), the slot
//!   stays and `get()` fails with `Error::PoolExhausted` at once instead of risking a hang; so
//!   does a failure to start the thread. 256 spares were too few: Savina's Banking (1 000
//!   accounts, each transfer a blocking ask) had about 400 handlers blocked at once on two
//!   workers (on one worker it needed none: the asked account was always idle and ran inline;
//!   a thread per actor would have had 1 000 threads). A thread that holds no slot (it gave
//!   it away already) has nothing to hand over.
//!
//! # Spare threads
//!
//! When its reply comes, a thread that handed its slot away finishes its activation without a
//! slot (the pool briefly runs `N + 1` threads), then becomes an idle spare: it parks until a
//! blocking thread hands it a slot, or exits after `spare_keep_alive` (default 10 s, so that
//! bursts of blocking asks do not churn threads). The accounting (idle list, live-thread count,
//! a hand-off racing a retirement) is `sched::spares`: a slot is always in exactly one place.
//! A spare retiring leaves the queues alone; the next thread started joins the retired ones,
//! so their stacks are released.
//!
//! # Shutdown
//!
//! [`Pool::begin_shutdown`] stores the flag (SeqCst), wakes every sleeping worker and every
//! idle spare. From then on no token runs again, so nothing may be left waiting on one:
//!
//! - a worker that exits at shutdown *abandons* every token in its slot's deque and in the
//!   injector ([`Runnable::abandon`]: the actor's mailbox is closed and every envelope
//!   answered);
//! - [`Pool::submit`] pushes to the injector, issues a SeqCst fence and reads the flag: either it
//!   sees the flag and abandons what is queued itself, or the shutdown's final drain
//!   ([`Pool::abandon_queued`], after [`Pool::join_threads`]) sees the token;
//! - a handler still running that blocks in `get()` keeps its slot and blocks (no token runs
//!   again, so nothing waits for the slot), instead of failing with `PoolExhausted`.
//!
//! The rest of a runtime's shutdown (stopping actors, the timer, dedicated threads, `join` and
//! `stopped()`) is the runtime's: see `runtime`. [`Pool::stopping`] serialises its end.
//!
//! # The runtime's own threads
//!
//! Pool threads, dedicated threads and the timer thread mark themselves as the runtime's
//! ([`mark_owned_by`], [`mark_owned_by_addr`]); [`on_own_thread`] is how `join` and `shutdown`
//! refuse to wait for themselves (`RuntimeError::OwnThread`), and how a runtime dropped on
//! one of them knows to shut down on a thread of its own.

use super::sleep::Sleepers;
use crate::base::config::Config;
use crate::base::error::PoolExhausted;
use crate::base::logging::error;
use crate::base::time::saturating_deadline;
use crate::sched::spares::{HandOff, Park, SpareSignal, Spares};
use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use crossbeam_utils::CachePadded;
use std::cell::{Cell, RefCell};
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Something a worker can run: an actor's activation.
pub(crate) trait Runnable: Send + Sync {
    /// Runs up to `budget` envelopes. Returns `false` once the actor is dead.
    fn run(self: Arc<Self>, budget: usize) -> bool;
    /// The runtime is gone: the actor will never run again. Close it and answer its mailbox.
    fn abandon(self: Arc<Self>);
}

pub(crate) type Token = Arc<dyn Runnable>;

/// Every this many tokens, a worker takes from the injector before its own deque, so work
/// from outside the pool never waits for a local chain to end (Go checks its global queue every
/// 61 schedules, tokio every 31 to 61 ticks).
const INJECTOR_INTERVAL: u32 = 61;

/// Passes over the injector and the other slots a searcher makes before it stops searching.
const SEARCH_PASSES: usize = 2;

/// Rounds of `yield_now` a worker with nothing to do makes, watching only its own slot and the
/// injector (no other slot's cache lines), before it goes to sleep: work that comes back
/// within a few microseconds finds it awake, without a futex wake-up.
const IDLE_SPINS: usize = 64;

/// How often the watchman looks at the other slots for work stranded behind a long activation
/// (see "The watchman" above).
const WATCH_LOOK: Duration = Duration::from_micros(10);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One of the pool's `threads` run queues, owned by whichever thread holds it.
pub(crate) struct SlotBox {
    index: usize,
    local: Worker<Token>,
}

/// A pool of worker threads: run queues, sleep and wake, spare threads. It runs tokens and
/// knows nothing else of what they are.
pub(crate) struct Pool {
    pub(crate) config: Config,
    injector: Injector<Token>,
    stealers: Box<[Stealer<Token>]>,
    /// Per slot, a count of the tokens its holder has started and of its inline runs (written by
    /// the holder only): the watchman reads it to tell a slot stuck in one long activation.
    progress: Box<[CachePadded<AtomicUsize>]>,
    /// Per slot, the tokens its holders stole from other slots (written by the holder only):
    /// for debug snapshots.
    steals: Box<[CachePadded<AtomicUsize>]>,
    sleepers: Sleepers,
    spares: Spares<SlotBox>,
    shutdown: AtomicBool,
    handles: Mutex<Vec<JoinHandle<()>>>,
    /// Held for the whole end of a shutdown (`finish_stopping`): a second, concurrent shutdown
    /// waits for the first to have joined every thread before it reports anything.
    pub(crate) stopping: Mutex<()>,
    next_thread: AtomicUsize,
}

/// The pool's threads, as a debug snapshot shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PoolCounts {
    /// Worker slots (`threads` at build time).
    pub(crate) workers: usize,
    /// Live pool threads: slot holders plus spares.
    pub(crate) live_threads: usize,
    /// Spare threads parked, waiting for a slot.
    pub(crate) idle_spares: usize,
    /// Slot holders asleep for lack of work.
    pub(crate) sleeping: usize,
    /// Tokens started from the slots, plus inline runs, since the pool started.
    pub(crate) activations: u64,
    /// Tokens taken from another slot's run queue since the pool started.
    pub(crate) steals: u64,
}

struct WorkerCtx {
    pool: Arc<Pool>,
    slot: Option<SlotBox>,
    inline_depth: usize,
    /// The address of a local of `worker_main`, near the base of this thread's stack: how much
    /// stack is used is measured from here.
    stack_base: usize,
}

/// The address of a local of the caller's frame: where the stack is now. (An address read as a
/// number: no unsafe code, nothing dereferenced.)
#[inline(always)]
fn stack_position() -> usize {
    let probe = 0u8;
    std::hint::black_box(&probe) as *const u8 as usize
}

thread_local! {
    static CURRENT: RefCell<Option<WorkerCtx>> = const { RefCell::new(None) };
    /// The address of the runtime whose thread this is (pool or dedicated), 0 for none.
    static OWNER: Cell<usize> = const { Cell::new(0) };
}

fn addr(pool: &Pool) -> usize {
    pool as *const Pool as usize
}

/// The opaque id of a pool, as waits name it (`InlineTarget::pool_id`).
pub(crate) fn pool_id(pool: &Pool) -> usize {
    addr(pool)
}

/// The pool's side of a blocking wait, installed on each of its threads (the future layer
/// names no pool: see `future::wait`).
struct Hook;

static HOOK: Hook = Hook;

impl crate::future::PoolHook for Hook {
    fn enter_inline(&self, pool_id: usize) -> bool {
        enter_inline(pool_id)
    }

    fn leave_inline(&self) {
        leave_inline();
    }

    fn work_queued_behind(&self, pool_id: usize) -> bool {
        work_queued_behind(pool_id)
    }

    fn release_for_blocking(&self) -> Result<(), PoolExhausted> {
        release_slot_for_blocking()
    }
}

/// Marks the calling thread as belonging to `pool` (its workers and spares).
pub(crate) fn mark_owned_by(pool: &Pool) {
    mark_owned_by_addr(addr(pool));
}

/// Marks the calling thread as belonging to the runtime at `owner` (`Pool`'s address, as
/// the timer thread knows it).
pub(crate) fn mark_owned_by_addr(owner: usize) {
    let _ = OWNER.try_with(|o| o.set(owner));
}

/// Whether the calling thread is one of `pool`'s own threads.
pub(crate) fn on_own_thread(pool: &Pool) -> bool {
    OWNER.try_with(|o| o.get() == addr(pool)).unwrap_or(false)
}

impl Pool {
    /// Builds the pool and starts `config.threads` workers.
    pub(crate) fn start(config: Config) -> Result<Arc<Pool>, std::io::Error> {
        let locals: Vec<Worker<Token>> = (0..config.threads).map(|_| Worker::new_fifo()).collect();
        let stealers = locals.iter().map(Worker::stealer).collect();
        let progress = (0..config.threads)
            .map(|_| CachePadded::new(AtomicUsize::new(0)))
            .collect();
        let steals = (0..config.threads)
            .map(|_| CachePadded::new(AtomicUsize::new(0)))
            .collect();
        let pool = Arc::new(Pool {
            injector: Injector::new(),
            stealers,
            progress,
            steals,
            sleepers: Sleepers::new(),
            spares: Spares::new(),
            shutdown: AtomicBool::new(false),
            handles: Mutex::new(Vec::new()),
            stopping: Mutex::new(()),
            next_thread: AtomicUsize::new(0),
            config,
        });
        for (index, local) in locals.into_iter().enumerate() {
            pool.spares.thread_started();
            let signal = SpareSignal::new(Some(SlotBox { index, local }));
            if let Err(e) = pool.spawn_thread(signal) {
                pool.begin_shutdown();
                pool.join_threads();
                return Err(e);
            }
        }
        Ok(pool)
    }

    /// Spawns a pool thread that takes its slot (if any) from `signal`. On failure the slot stays
    /// in `signal` for the caller to take back.
    fn spawn_thread(
        self: &Arc<Self>,
        signal: Arc<SpareSignal<SlotBox>>,
    ) -> Result<(), std::io::Error> {
        let n = self.next_thread.fetch_add(1, Ordering::Relaxed);
        let pool = Arc::clone(self);
        let sig = Arc::clone(&signal);
        let spawned = thread::Builder::new()
            .name(format!("{}-{n}", self.config.thread_name))
            .stack_size(self.config.stack_size)
            .spawn(move || {
                let context = pool.config.thread_context.clone();
                crate::base::config::ThreadContext::run(context.as_ref(), move || {
                    let slot = sig.take();
                    worker_main(pool, slot, sig);
                });
            });
        match spawned {
            Ok(handle) => {
                let mut handles = lock(&self.handles);
                // Spares that retired after their keep-alive: join them now (their stacks are
                // released), instead of keeping their handles until shutdown.
                let (done, live): (Vec<_>, Vec<_>) =
                    handles.drain(..).partition(JoinHandle::is_finished);
                *handles = live;
                handles.push(handle);
                drop(handles);
                for h in done {
                    let _ = h.join();
                }
                Ok(())
            }
            Err(e) => {
                self.spares.thread_left();
                Err(e)
            }
        }
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        // ORDERING: Acquire pairs with the Release in begin_shutdown; a stale `false` only means
        // one more search round.
        self.shutdown.load(Ordering::Acquire)
    }

    /// Sets the shutdown flag and wakes every sleeping worker and idle spare.
    pub(crate) fn begin_shutdown(&self) {
        // ORDERING: SeqCst: pairs with the fence in `submit` (see there) and with is_shut_down.
        self.shutdown.store(true, Ordering::SeqCst);
        self.sleepers.wake_all();
        self.spares.wake_idle();
    }

    /// Joins every pool thread (spares started meanwhile included).
    pub(crate) fn join_threads(&self) {
        loop {
            let Some(h) = lock(&self.handles).pop() else {
                break;
            };
            let _ = h.join();
        }
    }

    /// Queues a token: on the calling thread's slot if it holds one of this pool's, otherwise on
    /// the injector. Wakes a sleeping worker only for *surplus* work, and only when no worker is
    /// searching (see "Waking for surplus work only" above): a token queued on the caller's own
    /// slot with nothing else queued there is the next thing the caller runs, so it wakes nobody.
    /// Takes `&self`: the caller owns the token, and the pool is reached through it, so no
    /// reference count of the pool is touched per submit.
    pub(crate) fn submit(&self, token: Token) {
        let mut token = Some(token);
        let mut surplus = false;
        let _ = CURRENT.try_with(|c| {
            if let Ok(c) = c.try_borrow() {
                if let Some(w) = c.as_ref() {
                    if let (true, Some(slot)) = (std::ptr::eq(&*w.pool, self), w.slot.as_ref()) {
                        if let Some(t) = token.take() {
                            slot.local.push(t);
                            // Surplus begins with the second token: one notification then.
                            // Later pushes add to surplus already announced (a woken searcher
                            // that finds it hands the search on to the next).
                            surplus = slot.local.len() == 2;
                        }
                    }
                }
            }
        });
        let injected = token.is_some();
        match token {
            Some(t) => self.injector.push(t),
            // Queued on the caller's slot: with one slot nobody else could run it; otherwise
            // only surplus wakes anyone (the watchman takes a token stranded behind a long
            // activation).
            None if self.stealers.len() == 1 || !surplus => return,
            None => {}
        }
        // ORDERING: SeqCst fence between the push above and the loads below. Sleepers and
        // searchers: the other half of the pairs in `sched::sleep` (either the worker's re-check
        // sees the token, or this thread's load sees the sleeper or the searcher, who will).
        // Shutdown: paired with the SeqCst store in begin_shutdown (either this load sees the
        // flag, or the shutdown's drain sees the token).
        fence(Ordering::SeqCst);
        if injected && self.shutdown.load(Ordering::SeqCst) {
            self.abandon_queued();
            return;
        }
        if injected {
            self.sleepers.notify_injected();
        } else {
            self.sleepers.notify();
        }
    }

    /// After shutdown: answer the actors whose tokens sit in the injector (no thread will run
    /// them). Also breaks the reference cycle token → cell → runtime → injector.
    pub(crate) fn abandon_queued(&self) {
        loop {
            match self.injector.steal() {
                Steal::Success(t) => t.abandon(),
                Steal::Retry => continue,
                Steal::Empty => break,
            }
        }
    }

    fn has_work(&self) -> bool {
        !self.injector.is_empty() || self.stealers.iter().any(|s| !s.is_empty())
    }

    /// The pool's threads, for debug snapshots.
    pub(crate) fn counts(&self) -> PoolCounts {
        let (live_threads, idle_spares) = self.spares.counts();
        // ORDERING: Relaxed: counters, read as a hint.
        let sum = |counters: &[CachePadded<AtomicUsize>]| {
            counters
                .iter()
                .map(|c| c.load(Ordering::Relaxed) as u64)
                .sum()
        };
        PoolCounts {
            workers: self.config.threads,
            live_threads,
            idle_spares,
            sleeping: self.sleepers.len(),
            activations: sum(&self.progress),
            steals: sum(&self.steals),
        }
    }

    /// Live pool threads (slot holders and spares).
    pub(crate) fn thread_count(&self) -> usize {
        self.spares.counts().0
    }
}

/// Enters one level of inline running of an actor of the pool `pool_id`; `false` off the
/// pool, on a worker of another pool, at the depth cap, or when less than
/// `inline_stack_reserve` of this thread's stack is left: the actor run inline must have at
/// least the stack it would have on a thread of its own (the check is by bytes left, not by
/// levels: one level may hold megabytes).
fn enter_inline(pool_id: usize) -> bool {
    let here = stack_position();
    CURRENT
        .try_with(|c| {
            let mut c = c.try_borrow_mut().ok()?;
            let w = c.as_mut()?;
            let config = &w.pool.config;
            let used = w.stack_base.abs_diff(here);
            if addr(&w.pool) != pool_id
                || w.inline_depth >= config.max_inline_depth
                || config.stack_size.saturating_sub(used) < config.inline_stack_reserve
            {
                return None;
            }
            w.inline_depth += 1;
            // An inline run is progress too: the watchman must not take a slot that serves
            // actors inline (a handler asking in a loop) for one stuck in a long activation,
            // and steal the token the asks leave queued (measured: ask-in-handler on two workers
            // 162-183 -> 221-279 ns while it did).
            if let Some(slot) = w.slot.as_ref() {
                let p = &w.pool.progress[slot.index];
                // ORDERING: Relaxed; as in `run_token`.
                p.store(p.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
            }
            Some(())
        })
        .ok()
        .flatten()
        .is_some()
}

/// Whether this thread holds a slot of the pool `pool_id` with work for other actors waiting
/// behind it.
///
/// - Its own run queue holds more than one token. One token there may be the awaited actor's
///   own: an ask scheduled it onto this queue, then this thread ran it inline, and the token
///   stays queued (nobody else pops this queue while its holder is busy) though it is no work
///   for anyone else. Counting it would make a loop of asks give its worker away for nothing.
/// - Or the global queue is not empty and no worker sleeps (a sleeping worker was woken for
///   that work when it was queued).
///
/// On one worker this sees every other token: the awaited actor's token, once scheduled, stays
/// in this thread's queue or in the global queue, so a second token makes the length two, and a
/// token in the global queue shows there.
fn work_queued_behind(pool_id: usize) -> bool {
    CURRENT
        .try_with(|c| {
            let c = c.try_borrow().ok()?;
            let w = c.as_ref()?;
            let slot = w.slot.as_ref()?;
            let pool = &w.pool;
            Some(
                addr(pool) == pool_id
                    && (slot.local.len() > 1
                        || (!pool.injector.is_empty()
                            // ORDERING: Relaxed; a hint, as in `wake_one`.
                            && pool.sleepers.none())),
            )
        })
        .ok()
        .flatten()
        .unwrap_or(false)
}

fn leave_inline() {
    let _ = CURRENT.try_with(|c| {
        if let Some(w) = c.borrow_mut().as_mut() {
            w.inline_depth -= 1;
        }
    });
}

/// The calling pool thread is about to block: hand its slot to an idle spare or a new thread.
/// A thread that holds no slot (it already gave it away), or is not a pool thread, needs nothing
/// (nor does one whose worker state is borrowed further up its stack: never a panic here).
fn release_slot_for_blocking() -> Result<(), PoolExhausted> {
    let taken = CURRENT
        .try_with(|c| {
            let mut c = c.try_borrow_mut().ok()?;
            let w = c.as_mut()?;
            let slot = w.slot.take()?;
            Some((Arc::clone(&w.pool), slot))
        })
        .ok()
        .flatten();
    let Some((pool, slot)) = taken else {
        return Ok(());
    };
    let exhausted = || PoolExhausted {
        threads: pool.config.threads,
        max_spare_threads: pool.config.max_spare_threads,
    };
    // Saturating: `max_spare_threads(usize::MAX)` means no cap.
    let limit = pool
        .config
        .threads
        .saturating_add(pool.config.max_spare_threads);
    let shutting_down = pool.is_shut_down();
    let slot = match pool.spares.hand_off(slot, limit, shutting_down) {
        HandOff::Given => return Ok(()),
        // Shutting down: no token runs again, so nothing waits for this slot; the thread keeps
        // it and blocks (a handler still running, killed by `shutdown_timeout`, say). Not the
        // spare cap: no `PoolExhausted`.
        HandOff::Refused(slot) if shutting_down => {
            put_slot_back(slot);
            return Ok(());
        }
        HandOff::Refused(slot) => {
            put_slot_back(slot);
            return Err(exhausted());
        }
        HandOff::Spawn(slot) => slot,
    };
    let signal = SpareSignal::new(Some(slot));
    match pool.spawn_thread(Arc::clone(&signal)) {
        Ok(()) => Ok(()),
        Err(e) => {
            error!(target: "pykka", "could not start a spare worker thread: {e}");
            if let Some(slot) = signal.take() {
                put_slot_back(slot);
            }
            Err(exhausted())
        }
    }
}

fn put_slot_back(slot: SlotBox) {
    let _ = CURRENT.try_with(|c| {
        if let Some(w) = c.borrow_mut().as_mut() {
            w.slot = Some(slot);
        }
    });
}

fn worker_main(pool: Arc<Pool>, slot: Option<SlotBox>, signal: Arc<SpareSignal<SlotBox>>) {
    mark_owned_by(&pool);
    crate::base::panic::quiet_on_this_thread(&pool.config.quiet_panics);
    crate::future::install_pool_hook(&HOOK);
    let stack_base = stack_position();
    CURRENT.with(|c| {
        *c.borrow_mut() = Some(WorkerCtx {
            pool: Arc::clone(&pool),
            slot,
            inline_depth: 0,
            stack_base,
        })
    });
    let budget = pool.config.throughput;
    let mut tick: u32 = 0;
    // Set once this worker finds no work: the first token it finds again then wakes another
    // worker to watch or search (see "The watchman").
    let mut woken = false;
    // The watchman's last look at each slot's progress.
    let mut seen = vec![0usize; pool.stealers.len()];
    // Whether this thread has left the spares' live-thread count already (`idle_spare` leaves
    // it when it gives up); every other way out of the loop leaves it below.
    let mut left_count = false;
    'outer: loop {
        if pool.is_shut_down() {
            break;
        }
        let Some(index) = CURRENT.with(|c| {
            c.borrow()
                .as_ref()
                .and_then(|w| w.slot.as_ref().map(|s| s.index))
        }) else {
            match idle_spare(&pool, &signal) {
                Some(slot) => put_slot_back(slot),
                None => {
                    left_count = true;
                    break;
                }
            }
            continue;
        };
        tick = tick.wrapping_add(1);
        if let Some(token) = next_local(&pool, tick).or_else(|| search(&pool, index)) {
            if std::mem::take(&mut woken) {
                pool.sleepers.hand_on();
            }
            run_token(&pool, index, token, budget);
            continue;
        }
        // Idle from here: the first token found again (after watching, spinning or sleeping)
        // wakes another worker to watch, if none does.
        woken = true;
        if others_awake(&pool, false) && pool.sleepers.start_watching() {
            let found = watch(&pool, index, &mut seen);
            pool.sleepers.stop_watching();
            if found {
                continue;
            }
        }
        pool.sleepers.start_spinning();
        for _ in 0..IDLE_SPINS {
            if pool.is_shut_down() {
                pool.sleepers.stop_spinning();
                break 'outer;
            }
            thread::yield_now();
            if has_local_work(&pool) || (others_awake(&pool, false) && !pool.sleepers.watched()) {
                pool.sleepers.stop_spinning();
                continue 'outer;
            }
        }
        pool.sleepers.stop_spinning();
        sleep(&pool);
    }
    let ctx = CURRENT.with(|c| c.borrow_mut().take());
    // A spare retiring after its keep-alive holds no slot and leaves the queues alone. At
    // shutdown, the tokens left in this slot's deque and in the injector will never run:
    // answer their actors.
    if pool.is_shut_down() {
        if let Some(slot) = ctx.and_then(|w| w.slot) {
            while let Some(t) = slot.local.pop() {
                t.abandon();
            }
        }
        pool.abandon_queued();
    }
    // Out at the loop's top after the flag, with a slot or without one (a thread that gave its
    // slot away to block in a handler and came back after the flag).
    if !left_count {
        pool.spares.thread_left();
    }
}

/// Runs a token. All user code in an activation runs under its own `catch`, and an actor's
/// activation that unwinds anyway (a library bug) kills that actor (`Cell`'s `Runnable::run`);
/// this is the last line: the thread logs what got through and goes on, instead of dying and
/// taking its slot along. Returns whether the actor is alive (`false` after such a panic).
pub(crate) fn run_guarded(token: Token, budget: usize) -> bool {
    match crate::base::panic::catch(move || token.run(budget)) {
        Ok(alive) => alive,
        Err(p) => {
            crate::base::panic::log_user_panic("pykka internal error: an activation unwound", p);
            false
        }
    }
}

/// Starts a token from slot `index`: counts it in the slot's progress, then runs it.
fn run_token(pool: &Pool, index: usize, token: Token, budget: usize) {
    let p = &pool.progress[index];
    // ORDERING: Relaxed; written by this slot's holder only (a load and a store, no locked
    // instruction), read by the watchman as a hint.
    p.store(p.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
    run_guarded(token, budget);
}

/// Steals a batch from the injector into `local`, returning one token of it.
fn steal_injector(pool: &Pool, local: &Worker<Token>) -> Option<Token> {
    loop {
        match pool.injector.steal_batch_and_pop(local) {
            Steal::Success(t) => return Some(t),
            Steal::Retry => continue,
            Steal::Empty => return None,
        }
    }
}

/// The next token of this thread's own slot: its deque, then the injector; every
/// `INJECTOR_INTERVAL` ticks the injector first.
fn next_local(pool: &Pool, tick: u32) -> Option<Token> {
    CURRENT.with(|c| {
        let c = c.borrow();
        let local = &c.as_ref()?.slot.as_ref()?.local;
        if tick.is_multiple_of(INJECTOR_INTERVAL) {
            if let Some(t) = steal_injector(pool, local) {
                return Some(t);
            }
        }
        local.pop().or_else(|| steal_injector(pool, local))
    })
}

/// Whether this thread's slot or the injector holds a token (loads only, of no other slot).
fn has_local_work(pool: &Pool) -> bool {
    !pool.injector.is_empty()
        || CURRENT.with(|c| {
            c.borrow()
                .as_ref()
                .and_then(|w| w.slot.as_ref())
                .is_some_and(|s| !s.local.is_empty())
        })
}

/// Searches the injector and the other slots for work, as one of at most half the workers
/// (see "Searching" above). The last searcher to find work hands the search on.
fn search(pool: &Pool, index: usize) -> Option<Token> {
    let n = pool.stealers.len();
    if n == 1 || !pool.sleepers.start_searching(n) {
        return None;
    }
    let mut found = None;
    for _ in 0..SEARCH_PASSES {
        found = steal_pass(pool, index);
        if found.is_some() {
            break;
        }
        std::hint::spin_loop();
    }
    if pool.sleepers.stop_searching() && found.is_some() {
        // ORDERING: SeqCst fence after the decrement, before reading the queues: a submitter
        // that saw this searcher woke nobody; its token is visible here (see `sched::sleep`).
        fence(Ordering::SeqCst);
        if pool.has_work() {
            pool.sleepers.notify();
        }
    }
    found
}

/// One pass: a batch from the injector, then from each other slot, from the next one on.
fn steal_pass(pool: &Pool, index: usize) -> Option<Token> {
    CURRENT.with(|c| {
        let c = c.borrow();
        let local = &c.as_ref()?.slot.as_ref()?.local;
        if let Some(t) = steal_injector(pool, local) {
            return Some(t);
        }
        let n = pool.stealers.len();
        for k in 1..n {
            let victim = &pool.stealers[(index + k) % n];
            loop {
                match victim.steal_batch_and_pop(local) {
                    Steal::Success(t) => {
                        let s = &pool.steals[index];
                        // ORDERING: Relaxed; written by this slot's holder only, as `progress`.
                        s.store(s.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
                        return Some(t);
                    }
                    Steal::Retry => continue,
                    Steal::Empty => break,
                }
            }
        }
        None
    })
}

/// Whether a slot holder other than the caller is awake (a hint: the sleepers' count without
/// its lock). Slot holders are `threads` in number; those asleep are the sleepers, the caller
/// among them if `caller_registered` (in its sleep's re-check).
fn others_awake(pool: &Pool, caller_registered: bool) -> bool {
    // Saturating: a waker may already have taken the registered caller off the list.
    let asleep_besides_caller = pool
        .sleepers
        .count_hint()
        .saturating_sub(usize::from(caller_registered));
    asleep_besides_caller + 1 < pool.stealers.len()
}

/// The watchman (at most one worker; see "The watchman" above): while another slot's holder
/// is awake, instead of sleeping, yield in a loop; take any token from the injector at once,
/// and every `WATCH_LOOK` look at the other slots: a slot with surplus (two tokens or more), or
/// with a token queued while its holder has been in the same activation since the last look,
/// is stolen from (the loop's search does it). Returns `true` when there is work to take (or
/// at shutdown), `false` when every other slot holder sleeps.
fn watch(pool: &Pool, index: usize, seen: &mut [usize]) -> bool {
    let n = pool.stealers.len();
    for (p, s) in pool.progress.iter().zip(seen.iter_mut()) {
        // ORDERING: Relaxed; a hint (see `run_token`).
        *s = p.load(Ordering::Relaxed);
    }
    let mut next_look = saturating_deadline(Instant::now(), WATCH_LOOK);
    loop {
        if pool.is_shut_down() || !pool.injector.is_empty() {
            return true;
        }
        thread::yield_now();
        let now = Instant::now();
        if now < next_look {
            continue;
        }
        next_look = saturating_deadline(now, WATCH_LOOK);
        if !others_awake(pool, false) {
            return false;
        }
        for j in (0..n).filter(|&j| j != index) {
            // ORDERING: Relaxed; a hint (see `run_token`).
            let p = pool.progress[j].load(Ordering::Relaxed);
            let queued = pool.stealers[j].len();
            if queued >= 2 || (queued == 1 && p == seen[j]) {
                return true;
            }
            seen[j] = p;
        }
    }
}

/// Sleeps until woken, unless the re-check after registering finds work, the shutdown flag, or
/// another slot holder awake with nobody watching it (then this worker becomes the watchman:
/// the other half of `Sleepers::hand_on`'s pair). Registered, this worker counts among the
/// sleepers, so another holder is awake while fewer than `threads` sleep.
fn sleep(pool: &Pool) {
    pool.sleepers.sleep(|| {
        pool.has_work()
            || pool.is_shut_down()
            || (others_awake(pool, true) && !pool.sleepers.watched())
    });
}

/// A thread without a slot: wait to be handed one, or retire after the keep-alive.
fn idle_spare(pool: &Pool, signal: &Arc<SpareSignal<SlotBox>>) -> Option<SlotBox> {
    if let Park::Leave = pool.spares.park(signal, &|| pool.is_shut_down()) {
        return None;
    }
    // A keep-alive past what `Instant` can hold means: wait for a slot for ever.
    let deadline = Instant::now().checked_add(pool.config.spare_keep_alive);
    if let Some(slot) = signal.wait(deadline, &|| pool.is_shut_down()) {
        return Some(slot);
    }
    pool.spares.retire(signal)
}
