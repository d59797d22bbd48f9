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
//! `Injector`; then it wakes a sleeping worker, if any (the holder of the only slot, queueing to
//! itself, wakes nobody: nobody else could run the token).
//!
//! # The worker loop
//!
//! ```text
//! loop {
//!     shut down?            exit (see "Shutdown" below)
//!     no slot?              be an idle spare: park until handed a slot, or retire
//!     64 rounds of:         local pop -> steal a batch from the injector
//!                           -> steal a batch from each other slot, from the next one on
//!                           found: run it (up to `throughput` messages), loop again
//!                           none:  yield_now
//!     sleep                 until woken, or work or shutdown shows in the re-check
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
use crate::sched::spares::{HandOff, Park, SpareSignal, Spares};
use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use std::cell::{Cell, RefCell};
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Instant;

/// Something a worker can run: an actor's activation.
pub(crate) trait Runnable: Send + Sync {
    /// Runs up to `budget` envelopes. Returns `false` once the actor is dead.
    fn run(self: Arc<Self>, budget: usize) -> bool;
    /// The runtime is gone: the actor will never run again. Close it and answer its mailbox.
    fn abandon(self: Arc<Self>);
}

pub(crate) type Token = Arc<dyn Runnable>;

/// Rounds of searching (with `yield_now`) before a worker goes to sleep.
const SPIN_ROUNDS: usize = 64;

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
        let pool = Arc::new(Pool {
            injector: Injector::new(),
            stealers,
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
                let slot = sig.take();
                worker_main(pool, slot, sig);
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

    /// Queues a token: on the calling thread's slot if it holds one of this runtime's, otherwise
    /// on the injector; then wakes a sleeping worker if there is one.
    pub(crate) fn submit(self: &Arc<Self>, token: Token) {
        let mut token = Some(token);
        let _ = CURRENT.try_with(|c| {
            if let Ok(c) = c.try_borrow() {
                if let Some(w) = c.as_ref() {
                    if let (true, Some(slot)) = (Arc::ptr_eq(&w.pool, self), w.slot.as_ref()) {
                        if let Some(t) = token.take() {
                            slot.local.push(t);
                        }
                    }
                }
            }
        });
        let injected = token.is_some();
        match token {
            Some(t) => self.injector.push(t),
            // The only slot's holder queued it for itself: nobody else could run it.
            None if self.stealers.len() == 1 => return,
            None => {}
        }
        // ORDERING: SeqCst fence between the push above and the loads below. Sleepers: the
        // other half of the Dekker pair in `sleep` (either the worker's re-check sees the token,
        // or this load sees the sleeper). Shutdown: paired with the SeqCst store in
        // begin_shutdown (either this load sees the flag, or the shutdown's drain sees the token).
        fence(Ordering::SeqCst);
        if injected && self.shutdown.load(Ordering::SeqCst) {
            self.abandon_queued();
            return;
        }
        self.wake_one();
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

    /// Wakes a sleeping worker, if any. The caller has issued the SeqCst fence after queueing.
    fn wake_one(&self) {
        self.sleepers.wake_one();
    }

    fn has_work(&self) -> bool {
        !self.injector.is_empty() || self.stealers.iter().any(|s| !s.is_empty())
    }

    /// The pool's threads, for debug snapshots.
    pub(crate) fn counts(&self) -> PoolCounts {
        let (live_threads, idle_spares) = self.spares.counts();
        PoolCounts {
            workers: self.config.threads,
            live_threads,
            idle_spares,
            sleeping: self.sleepers.len(),
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
        for _ in 0..SPIN_ROUNDS {
            if let Some(token) = find_work(&pool, index) {
                run_guarded(token, budget);
                continue 'outer;
            }
            if pool.is_shut_down() {
                break 'outer;
            }
            thread::yield_now();
        }
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

fn find_work(pool: &Pool, index: usize) -> Option<Token> {
    CURRENT.with(|c| {
        let c = c.borrow();
        let local = &c.as_ref()?.slot.as_ref()?.local;
        if let Some(t) = local.pop() {
            return Some(t);
        }
        loop {
            match pool.injector.steal_batch_and_pop(local) {
                Steal::Success(t) => return Some(t),
                Steal::Retry => continue,
                Steal::Empty => break,
            }
        }
        let n = pool.stealers.len();
        for k in 1..n {
            let victim = &pool.stealers[(index + k) % n];
            loop {
                match victim.steal_batch_and_pop(local) {
                    Steal::Success(t) => return Some(t),
                    Steal::Retry => continue,
                    Steal::Empty => break,
                }
            }
        }
        None
    })
}

fn sleep(pool: &Pool) {
    pool.sleepers
        .sleep(|| pool.has_work() || pool.is_shut_down());
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
