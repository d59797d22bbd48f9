//! What a `get()` does when it must wait, and the records of who waits for whom.
//!
//! Pykka programs block inside handlers (a `Bookkeeper` asks an `Adder` and waits). On a pool
//! this deadlocks if the asked actor is queued behind the blocked worker. Helping with arbitrary
//! work deadlocks too (unrelated work ends up on the waiter's stack); handing the worker's place
//! to another thread alone is correct but costs two wake-ups (about 20 µs); handing it over
//! *and* running the asked actor inline is correct and fast. That is what [`wait`] does.
//!
//! Off the pool a wait is plain (block on the slot). On a pool thread the pool has installed a
//! [`PoolHook`] on the thread (`install_pool_hook`); this module names no pool: the hook is a
//! trait defined here, and the pool is known only by an opaque id (`InlineTarget::pool_id`), as
//! tokio's blocking receive asks a thread-local "may I block here?" and never names a scheduler.
//! The pool's side (stack measurement, what counts as queued work, the spare cap) is described
//! in `sched::pool`.
//!
//! # The steps of a wait
//!
//! ```text
//! get() -> wait(slot, target, deadline)
//!   ready?                                  return
//!   target's handler on this thread's stack? Err(Deadlock)
//!   deadline passed?                        return (the caller reports the timeout)
//!   pool thread, asked future, no deadline:
//!     every 64th such wait of this handler, if work is queued behind it: hand the slot over
//!     enter_inline? run the target inline until the reply is set; ready? return
//!   pool thread: hand the slot to a spare (Err(PoolExhausted) at the cap)
//!   record the wait-for edges; block on the slot
//! ```
//!
//! 1. **Refuse what can never end.** Each thread keeps the stack of actors whose handlers it is
//!    running ([`running`]: pushed per batch of an activation, inline runs included). If the
//!    actor whose reply is awaited is on that stack, its handler is suspended beneath the waiter
//!    and cannot answer until the waiter returns: `get()` fails with `Error::Deadlock` at once
//!    instead of hanging (a handler asking itself, Pykka's blocking `stop()` of itself from a
//!    handler, Pykka issue #76, or a cycle of blocking asks run inline). Cycles across threads
//!    are not detected here: they hang, as with a thread per actor, and the debug snapshot
//!    shows them (below).
//! 2. **Inline.** A future made by an ask knows its target actor ([`InlineTarget`]). If the wait
//!    has no deadline (a handler run inline cannot be interrupted when a deadline passes), the
//!    thread is one of the target's own pool, the target is pooled (not dedicated) and nobody
//!    holds its claim, the waiting thread claims it (`mailbox`'s inline claim) and runs its
//!    envelopes, in order, until the reply is set, then releases it (resubmitting a token that
//!    was parked with it meanwhile). This only ever runs the actor whose reply is awaited, and
//!    its earlier messages, which must run before the reply anyway: never unrelated work.
//!    - *Stack.* An inline run is nested on the waiter's stack, so it is allowed only while at
//!      least `inline_stack_reserve` bytes of that stack are left (the pool's `enter_inline`):
//!      a handler nested under others has the stack it would have on a thread of its own. The
//!      reply path keeps frames small too: the handler's reply goes from its return slot into
//!      the promise under the same `catch` (a 64 KiB reply cost 1155 KiB of stack per level in
//!      debug and 385 KiB in release through the ask path; now 259 and 257, three of the four
//!      copies in the asking handler's own frames), and a `Future` holds no `T` inline (see
//!      `future`), so `get()` moves no `T` below a nested run.
//!    - *Sharing.* A handler that keeps being served by inline runs (it polls an idle actor in a
//!      loop until a third actor sets a flag) would keep its worker for ever, and the third
//!      actor, queued behind it, would never run: on one worker the loop never ends, where with
//!      a thread per actor it ends at once. So every [`INLINE_WAITS_BEFORE_SHARING`] (64) such
//!      waits of one handler frame, if work is queued behind its thread (the pool's
//!      `work_queued_behind`), the thread hands its slot to a spare first, then still runs the
//!      awaited actor inline, now without a slot: queued work waits at most 64 inline runs. A
//!      handler that waits for another actor *without* `get()` (spinning on a shared flag)
//!      cannot be helped: it holds its worker (docs/reliability.md, "Known limits").
//! 3. **Hand the slot over.** Otherwise (the target is running elsewhere, is dedicated, the
//!    wait has a deadline, or the stack is short) the thread gives its slot to a spare thread
//!    before it blocks, so that the pool's `threads` slots keep running actors; at the pool's
//!    spare cap `get()` fails with `Error::PoolExhausted` instead (`sched::pool`, "The pool's
//!    side of a blocking wait"). When the reply comes, the thread finishes its activation
//!    without a slot and becomes an idle spare (`sched::spares`).
//! 4. **Record who waits for whom.** Each frame of the thread's stack of running actors also
//!    says which actor it awaits while that actor runs inline above it. A thread that blocks
//!    (the slow path only: the inline path touches only its thread-local frames) records every
//!    such edge with its own, in one table for the process ([`waits`]): A waiting by running B
//!    inline, and B blocked on C, record (A, B) and (B, C). So the wait-for relation of the
//!    debug snapshot (`Runtime::snapshot().waits()`) has no gaps: a cycle through an inline run
//!    shows as a cycle. The records are removed when the wait ends.
//!
//! Any program that completes with a thread per actor completes on the pool, up to the spare
//! cap: every blocked handler is on its own thread (its own stack), exactly as with a thread per
//! actor; a handler run inline has at least the stack a thread of its own would give it; a
//! handler served inline in a loop shares its worker; and `threads` threads always keep running
//! other actors. What this cannot cover is listed in docs/reliability.md ("Known limits").

use crate::base::error::{Deadlock, Error, PoolExhausted};
use crate::future::Slot;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

/// What a pool offers the waits made on its threads (installed per thread by the pool).
pub(crate) trait PoolHook: Sync {
    /// Enters one level of inline running of an actor of the pool `pool_id`, if this thread is
    /// one of that pool's and may (depth, stack left); `false` otherwise.
    fn enter_inline(&self, pool_id: usize) -> bool;
    /// Leaves the level `enter_inline` entered.
    fn leave_inline(&self);
    /// Whether this thread holds a run queue of `pool_id` with work for others behind it.
    fn work_queued_behind(&self, pool_id: usize) -> bool;
    /// This thread is about to block: give its run queue to a spare thread (nothing to do if
    /// it holds none). `Err` at the pool's spare cap.
    fn release_for_blocking(&self) -> Result<(), PoolExhausted>;
}

thread_local! {
    /// The pool of this thread, if it is a pool thread.
    static HOOK: Cell<Option<&'static dyn PoolHook>> = const { Cell::new(None) };
}

/// Marks the calling thread as a pool thread (the pool calls it when the thread starts).
pub(crate) fn install_pool_hook(hook: &'static dyn PoolHook) {
    let _ = HOOK.try_with(|h| h.set(Some(hook)));
}

fn hook() -> Option<&'static dyn PoolHook> {
    HOOK.try_with(Cell::get).ok().flatten()
}

/// Every this many inline-served waits, an activation with work queued behind it shares: its
/// thread gives its slot to a spare thread (see the module docs).
const INLINE_WAITS_BEFORE_SHARING: u32 = 64;

/// One actor whose handler is on this thread's stack.
struct Frame {
    id: u128,
    /// The actor this handler waits for while that actor runs inline above it.
    awaiting: Option<(u128, &'static str)>,
    /// Waits of this activation served by inline runs.
    inline_waits: u32,
}

thread_local! {
    /// The actors whose handlers are on this thread's stack, innermost last.
    static RUNNING: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

/// Marks an actor as running on this thread until dropped.
pub(crate) struct Running(());

/// Pushes the actor `id` on this thread's stack of running actors.
pub(crate) fn running(id: u128) -> Running {
    let _ = RUNNING.try_with(|r| {
        r.borrow_mut().push(Frame {
            id,
            awaiting: None,
            inline_waits: 0,
        })
    });
    Running(())
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = RUNNING.try_with(|r| r.borrow_mut().pop());
    }
}

/// Applies `f` to the innermost frame, if any.
fn innermost<R>(f: impl FnOnce(&mut Frame) -> R) -> Option<R> {
    RUNNING
        .try_with(|r| r.try_borrow_mut().ok()?.last_mut().map(f))
        .ok()
        .flatten()
}

fn suspended_here(id: u128) -> bool {
    RUNNING
        .try_with(|r| r.borrow().iter().any(|f| f.id == id))
        .unwrap_or(false)
}

/// `<Class> (<urn>)`, as an actor displays, from its id and full type name.
fn describe(id: u128, type_name: &str) -> String {
    format!(
        "{} ({})",
        crate::base::type_name::short_name(type_name),
        crate::base::urn::format(id)
    )
}

/// The wait-for edges of this thread, about to block on `target`: the innermost handler waits
/// for `target`, and every handler beneath an inline run waits for the actor run above it.
fn edges(target: Option<(u128, &'static str)>) -> Vec<(u128, Option<(u128, String)>)> {
    RUNNING
        .try_with(|r| {
            let r = r.borrow();
            let mut edges: Vec<_> = r
                .iter()
                .filter_map(|f| {
                    Some((f.id, Some(f.awaiting.map(|(id, c)| (id, describe(id, c)))?)))
                })
                .collect();
            if let Some(last) = r.last() {
                edges.push((last.id, target.map(|(id, c)| (id, describe(id, c)))));
            }
            edges
        })
        .unwrap_or_default()
}

/// An actor that a waiting pool thread may run inline.
pub(crate) trait InlineTarget: Send + Sync {
    /// The actor's id.
    fn actor_id(&self) -> u128;
    /// The actor type's full name (`std::any::type_name`: a constant, no work).
    fn type_name(&self) -> &'static str;
    /// The pool it belongs to, as an opaque id (an inline run happens only on that pool's
    /// threads).
    fn pool_id(&self) -> usize;
    /// If this actor is pooled and nobody holds its claim: run its envelopes on this thread, in
    /// order, until `done()`; then release it. Otherwise return at once. (The caller has
    /// entered an inline level on a thread of `pool_id()`.)
    fn run_inline(self: Arc<Self>, done: &dyn Fn() -> bool);
}

/// Waits until `slot` is ready or `deadline` has passed (the caller then takes the value, or
/// reports the timeout). `Err`: waiting was refused.
pub(crate) fn wait<T>(
    slot: &Slot<T>,
    target: Option<&Arc<dyn InlineTarget>>,
    deadline: Option<Instant>,
) -> Result<(), Error> {
    if slot.is_ready() {
        return Ok(());
    }
    if let Some(t) = target {
        if suspended_here(t.actor_id()) {
            return Err(Error::Deadlock(Deadlock {
                awaited: describe(t.actor_id(), t.type_name()),
            }));
        }
    }
    if deadline.is_some_and(|d| Instant::now() >= d) {
        // Nothing to wait for: no inline run, no spare thread.
        return Ok(());
    }
    let pool = hook();
    // Inline only for waits without a deadline (a handler run inline cannot be interrupted when
    // the deadline passes), and only on a thread of the target's own pool.
    if let (Some(pool), Some(target), None) = (pool, target, deadline) {
        let pool_id = target.pool_id();
        // One access to the frame: count the wait, and say whom it awaits (for the records of
        // a wait that blocks above it, in the inline run).
        let awaited = (target.actor_id(), target.type_name());
        let waits = innermost(|f| {
            f.inline_waits = f.inline_waits.wrapping_add(1);
            f.awaiting = Some(awaited);
            f.inline_waits
        });
        // Sharing (module docs): checked every `INLINE_WAITS_BEFORE_SHARING` waits, so queued
        // work waits at most that many inline runs. Refused at the spare cap: then inline is all
        // there is.
        if waits.is_some_and(|n| n % INLINE_WAITS_BEFORE_SHARING == 0)
            && pool.work_queued_behind(pool_id)
        {
            let _ = pool.release_for_blocking();
        }
        let entered = pool.enter_inline(pool_id);
        if entered {
            Arc::clone(target).run_inline(&|| slot.is_ready());
            pool.leave_inline();
        }
        innermost(|f| f.awaiting = None);
        if entered && slot.is_ready() {
            return Ok(());
        }
    }
    // Off the pool there is nothing to hand over.
    if let Some(pool) = pool {
        pool.release_for_blocking().map_err(Error::PoolExhausted)?;
    }
    // Seen by debug snapshots while it lasts: which actors wait, and on whom.
    let _waiting = Waiting::begin(edges(target.map(|t| (t.actor_id(), t.type_name()))));
    slot.wait_ready(deadline);
    Ok(())
}

/// Blocked actors: waiter id → the awaited actor (id, `<Class> (<urn>)`), if known.
pub(crate) type Waits = HashMap<u128, Option<(u128, String)>>;

fn lock_waits() -> std::sync::MutexGuard<'static, Waits> {
    static WAITS: OnceLock<Mutex<Waits>> = OnceLock::new();
    WAITS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// The actors blocked in `get()` now, each with the actor it waits for (the wait-for records).
pub(crate) fn waits() -> Waits {
    lock_waits().clone()
}

/// Records, while it lives, that actors' handlers are blocked in `get()`: the handler that
/// blocks, and those beneath it on the same thread that wait for an actor run inline above
/// them.
struct Waiting {
    waiters: Vec<u128>,
}

impl Waiting {
    /// Records `(waiter, awaited)` edges; the awaited actor is `(id, "<Class> (<urn>)")`, or
    /// `None` for a promise set by someone else.
    fn begin(edges: Vec<(u128, Option<(u128, String)>)>) -> Waiting {
        let mut waiters = Vec::with_capacity(edges.len());
        let mut waits = lock_waits();
        for (waiter, awaited) in edges {
            waits.insert(waiter, awaited);
            waiters.push(waiter);
        }
        Waiting { waiters }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let mut waits = lock_waits();
        for w in &self.waiters {
            waits.remove(w);
        }
    }
}
