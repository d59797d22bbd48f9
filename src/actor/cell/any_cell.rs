//! The type-erased face of a cell (`AnyCell`): what the registry, `AnyActorRef`, watchers and
//! supervisors need of an actor whatever its type. A child module of `cell`, so that it reaches
//! the cell's private fields without widening them.

use super::Cell;
use crate::actor::actor_ref::ActorRef;
use crate::actor::lifecycle::{Ext, StopReason};
use crate::actor::Actor;
use crate::future::Future;
use std::any::Any;
use std::sync::Arc;

/// What the registry and `AnyActorRef` need of a cell, whatever its actor type.
pub(crate) trait AnyCell: Send + Sync + 'static {
    fn id(&self) -> u128;
    fn class(&self) -> &'static str;
    fn urn(&self) -> &str;
    fn is_alive(&self) -> bool;
    fn request_stop(self: Arc<Self>) -> Future<bool>;
    /// Hands a message this actor told back to it (`Actor::on_undelivered`).
    fn hand_back(self: Arc<Self>, letter: crate::Undelivered);
    /// Kills the actor (`ActorRef::kill`, or its runtime is gone): closes and answers its
    /// mailbox; it stops after the message it is handling, if any, and no hook runs.
    fn kill(&self);
    /// The actor's extension (made if needed).
    fn ext(&self) -> &Ext;
    /// How it ended, once it has.
    fn fate(&self) -> Option<StopReason>;
    /// A child's failure escalated to this actor: it fails as if its handler had panicked.
    fn escalate(self: Arc<Self>, text: String);
    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
    /// The actor type's `TypeId`.
    fn actor_type(&self) -> std::any::TypeId;
    /// (closed, running, scheduled, messages queued), for debug snapshots.
    fn debug_state(&self) -> (bool, bool, bool, usize);
    /// Senders waiting for room in the actor's bounded mailbox.
    fn waiting_senders(&self) -> usize;
    /// The actor's metrics, if its runtime keeps them.
    fn metrics(&self) -> Option<crate::actor::lifecycle::ActorMetrics>;
    /// Whether an async handler of it is suspended (for debug snapshots).
    fn is_suspended(&self) -> bool;
    /// The place in the registry's start order (kept in the mailbox: `Mailbox::seq`).
    fn seq(&self) -> u64;
    fn set_seq(&self, seq: u64);
}

/// The registry holds cells of any type.
impl crate::registry::Entry for dyn AnyCell {
    fn id(&self) -> u128 {
        AnyCell::id(self)
    }

    fn seq(&self) -> u64 {
        AnyCell::seq(self)
    }

    fn set_seq(&self, seq: u64) {
        AnyCell::set_seq(self, seq)
    }
}

impl<A: Actor> AnyCell for Cell<A> {
    fn id(&self) -> u128 {
        Cell::id(self)
    }

    fn class(&self) -> &'static str {
        Self::class()
    }

    fn urn(&self) -> &str {
        Cell::urn(self)
    }

    fn is_alive(&self) -> bool {
        Cell::is_alive(self)
    }

    fn request_stop(self: Arc<Self>) -> Future<bool> {
        ActorRef::from_cell(self).request_stop()
    }

    fn hand_back(self: Arc<Self>, letter: crate::Undelivered) {
        // A sender that is dead too: the message is dropped here (under the caller's catch).
        let _ = self.system_message(move |actor: &mut A, ctx: &mut crate::Context<A>| {
            actor.on_undelivered(letter, ctx)
        });
    }

    fn kill(&self) {
        let (leftovers, dedicated) = self.mailbox.close_dedicated();
        self.wake_full_waiters();
        if dedicated {
            // Its thread may be waiting for a token that will never come.
            self.system.homes.close(self.id());
        }
        // ORDERING: Release after the close: a runner that sees the flag finds the mailbox
        // closed when it releases its claim.
        self.ext()
            .killed
            .store(true, std::sync::atomic::Ordering::Release);
        self.unregister();
        self.answer_each(leftovers);
        // Children first, then the actor itself.
        for child in self.ext().take_children() {
            child.kill();
        }
        // If a thread runs the actor right now, it stops before its next message and finalises
        // it when it releases the claim (`Release::Closed`); otherwise do it here, holding the
        // core so that no restart can begin meanwhile.
        // The value is taken under the core lock and dropped after it: its `Drop` is user code
        // and may wait for the pool (drop the last handle of the runtime, say), where a worker
        // may be waiting for this very lock. No restart can begin once the lock is free: the
        // mailbox is closed, which `pending_restart` checks.
        // A suspended async handler is taken under the lock too (nobody polls it then) and
        // dropped after it, which gives its lent value back.
        let value = match self.core.try_lock() {
            Ok(mut core) => Some((core.actor.take(), self.take_suspension())),
            // Poisoned: a library bug unwound while holding it (see `Runnable::run`); the
            // value is still there to retire.
            Err(std::sync::TryLockError::Poisoned(p)) => {
                Some((p.into_inner().actor.take(), self.take_suspension()))
            }
            Err(std::sync::TryLockError::WouldBlock) => None,
        };
        if let Some((value, suspension)) = value {
            let value = value.or_else(|| self.abort_suspension(suspension));
            self.retire(value, StopReason::Killed);
        }
    }

    fn ext(&self) -> &Ext {
        Cell::ext(self)
    }

    fn fate(&self) -> Option<StopReason> {
        StopReason::from_code(self.mailbox.fate())
    }

    fn escalate(self: Arc<Self>, text: String) {
        self.system_message(move |_, _| std::panic::resume_unwind(Box::new(text)));
    }

    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }

    fn actor_type(&self) -> std::any::TypeId {
        std::any::TypeId::of::<A>()
    }

    fn debug_state(&self) -> (bool, bool, bool, usize) {
        self.mailbox.debug_state()
    }

    fn metrics(&self) -> Option<crate::actor::lifecycle::ActorMetrics> {
        Cell::metrics(self)
    }

    fn waiting_senders(&self) -> usize {
        self.ext_if_any().map_or(0, |ext| {
            ext.full_waiters
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .iter()
                .filter(|w| !w.is_abandoned())
                .count()
        })
    }

    fn is_suspended(&self) -> bool {
        self.parts().is_some_and(|p| p.is_suspended())
    }

    fn seq(&self) -> u64 {
        self.mailbox.seq()
    }

    fn set_seq(&self, seq: u64) {
        self.mailbox.set_seq(seq)
    }
}
