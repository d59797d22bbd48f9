//! The seam between an actor and its supervision: what the actor layer keeps of a child (its
//! parent link, a restart in progress) and the small trait through which the supervision layer
//! decides what a panic leads to.
//!
//! The actor layer runs the mechanism: on a panic where Pykka would end the actor, the cell asks
//! its [`Supervisor`] (if any; none means "die", Pykka's rule) for a [`Decision`], then dies,
//! resumes, escalates to the parent, or restarts (drops the value, waits out the backoff holding
//! the actor's token, makes a fresh value with the supervisor's factory, runs `on_restart`). The
//! policy (directives, restart limits, backoff) lives in the `supervision` layer above, which
//! implements the trait; the actor layer never names it.

use crate::actor::cell::AnyCell;
use crate::base::panic::Failure;
use std::any::Any;
use std::sync::Weak;
use std::time::{Duration, Instant};

/// What a child does about one panic.
pub(crate) enum Decision {
    /// Stop: Pykka's rule (`on_failure` runs, watchers see `Panicked`).
    Die,
    /// Go on with the next message; the value keeps its state.
    Resume,
    /// Replace the value after this delay (zero: now).
    Restart(Duration),
    /// Die, then fail the parent with this failure, as if it had panicked itself.
    Escalate,
}

/// The factory of a child of type `A`'s fresh values, as a supervisor hands it out (type-erased,
/// since one trait object serves every actor type).
pub(crate) type Factory<A> = Box<dyn FnMut() -> A + Send>;

/// The restart decision, implemented by the supervision layer.
pub(crate) trait Supervisor: Send {
    /// What one panic at `now` leads to. `Restart` only if [`factory`](Self::factory) can
    /// make a value.
    fn decide(&mut self, now: Instant) -> Decision;
    /// The child's factory: a `Factory<A>` for the child's actor type `A`. User code: the
    /// caller runs it under `catch`, with this supervisor out of the actor's lock.
    fn factory(&mut self) -> &mut (dyn Any + Send);
}

/// A child's link to its parent and its supervision, kept in its extension.
pub(crate) struct Supervised {
    pub(crate) parent: Weak<dyn AnyCell>,
    /// The child's number in its parent's list (`Ext::add_child`), to leave it in O(log n).
    pub(crate) number: u64,
    /// None: a panic ends the child (Pykka's rule). Taken out while its factory runs.
    pub(crate) supervisor: Option<Box<dyn Supervisor>>,
    /// Set from a failure until the fresh value is in place: when it may be made (after the
    /// backoff). While set, the actor owes a value, so a kill meanwhile still counts its death.
    pub(crate) restart_at: Option<Instant>,
    /// The failure the fresh value's `on_restart` is told of.
    pub(crate) failure: Option<Failure>,
    /// The timer holding the actor's token during the backoff: a stop request fires it at once.
    pub(crate) backoff: Option<crate::sched::timer::Scheduled>,
    /// A stop request came during the backoff (also before its timer was set).
    pub(crate) stop_asked: bool,
}

impl Supervised {
    pub(crate) fn new(
        parent: Weak<dyn AnyCell>,
        number: u64,
        supervisor: Option<Box<dyn Supervisor>>,
    ) -> Self {
        Supervised {
            parent,
            number,
            supervisor,
            restart_at: None,
            failure: None,
            backoff: None,
            stop_asked: false,
        }
    }
}
