//! What a `get()` does when it must wait: plainly off the pool; on a pool worker, first run the
//! asked actor inline if nobody runs it, otherwise hand this thread's slot to a spare thread and
//! block. See `docs/design.md` section 5.
//!
//! Three rules keep the inline shortcut from breaking the promise that a program that completes
//! with a thread per actor completes on the pool:
//!
//! - **Stack.** An actor is run inline only while the thread has at least
//!   `inline_stack_reserve` of stack left (`scheduler::enter_inline`), so a handler nested under
//!   others has the stack it would have on a thread of its own.
//! - **Sharing.** A handler that keeps being served by inline runs (polling another actor in a
//!   loop) would keep its worker for ever, and the actors queued behind it would never run.
//!   Every `INLINE_WAITS_BEFORE_SHARING` inline-served waits in one activation, if work is
//!   queued behind it, the thread gives its slot to a spare thread first (then still runs the
//!   awaited actor inline): the queued work waits at most that many inline runs.
//! - **Records.** Each frame of the thread's stack of running actors says which actor it awaits
//!   while that actor runs inline above it. When a thread blocks, every such edge is recorded
//!   with the blocking one, so the wait-for relation (`Runtime::snapshot`) has no gaps: a
//!   cycle through an inline run shows as a cycle.

use crate::error::{Deadlock, Error};
use crate::future::Slot;
use crate::scheduler::{self, Shared};
use std::cell::RefCell;
use std::sync::Arc;
use std::time::Instant;

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
        crate::cell::short_name(type_name),
        crate::urn::format(id)
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

    /// The pool it belongs to (an inline run happens only on a worker of that pool).
    fn pool(&self) -> &Shared;
    /// If this actor is pooled and nobody holds its claim: run its envelopes on this thread, in
    /// order, until `done()`; then release it. Otherwise return at once. (The caller has
    /// checked that this thread is a worker of `pool()`.)
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
    // Inline only for waits without a deadline (a handler run inline cannot be interrupted when
    // the deadline passes), and only on a worker of the target's own pool (checked by identity:
    // no clone of the pool's `Arc`, whose count every thread touches).
    if let (Some(target), None) = (target, deadline) {
        let pool = target.pool();
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
            && scheduler::work_queued_behind(pool)
        {
            let _ = scheduler::release_slot_for_blocking();
        }
        let entered = scheduler::enter_inline(pool);
        if entered {
            Arc::clone(target).run_inline(&|| slot.is_ready());
            scheduler::leave_inline();
        }
        innermost(|f| f.awaiting = None);
        if entered && slot.is_ready() {
            return Ok(());
        }
    }
    // Off the pool this does nothing.
    scheduler::release_slot_for_blocking().map_err(Error::PoolExhausted)?;
    // Seen by debug snapshots while it lasts: which actors wait, and on whom.
    let _waiting =
        crate::debug::Waiting::begin(edges(target.map(|t| (t.actor_id(), t.type_name()))));
    slot.wait_ready(deadline);
    Ok(())
}
