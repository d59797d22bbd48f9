//! What a `get()` does when it must wait: plainly off the pool; on a pool worker, first run the
//! asked actor inline if nobody runs it, otherwise hand this thread's slot to a spare thread and
//! block. See `docs/design.md` section 5.

use crate::error::{Deadlock, Error};
use crate::future::Slot;
use crate::scheduler::{self, Shared};
use std::cell::RefCell;
use std::sync::Arc;
use std::time::Instant;

thread_local! {
    /// The actors whose handlers are on this thread's stack, innermost last.
    static RUNNING: RefCell<Vec<u128>> = const { RefCell::new(Vec::new()) };
}

/// Marks an actor as running on this thread until dropped.
pub(crate) struct Running(());

/// Pushes `id` on this thread's stack of running actors.
pub(crate) fn running(id: u128) -> Running {
    let _ = RUNNING.try_with(|r| r.borrow_mut().push(id));
    Running(())
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = RUNNING.try_with(|r| r.borrow_mut().pop());
    }
}

/// The actor whose handler is innermost on this thread, if any.
fn current_actor() -> Option<u128> {
    RUNNING
        .try_with(|r| r.borrow().last().copied())
        .ok()
        .flatten()
}

fn suspended_here(id: u128) -> bool {
    RUNNING
        .try_with(|r| r.borrow().contains(&id))
        .unwrap_or(false)
}

/// An actor that a waiting pool thread may run inline.
pub(crate) trait InlineTarget: Send + Sync {
    /// The actor's id.
    fn actor_id(&self) -> u128;
    /// `<Class> (<urn>)`.
    fn describe(&self) -> String;

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
                awaited: t.describe(),
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
        if scheduler::enter_inline(target.pool()) {
            Arc::clone(target).run_inline(&|| slot.is_ready());
            scheduler::leave_inline();
            if slot.is_ready() {
                return Ok(());
            }
        }
    }
    // Off the pool this does nothing.
    scheduler::release_slot_for_blocking().map_err(Error::PoolExhausted)?;
    // Seen by debug snapshots while it lasts: which actor waits, and on whom.
    let _waiting = current_actor().map(|waiter| {
        crate::debug::Waiting::begin(waiter, target.map(|t| (t.actor_id(), t.describe())))
    });
    slot.wait_ready(deadline);
    Ok(())
}
