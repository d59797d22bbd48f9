//! Child actors and what their parent does when one panics (Pykka issues #42, #47).
//! See docs/design.md, "Beyond Pykka".
//!
//! A child is started from inside its parent ([`Context::start_child`],
//! [`Context::child`]). A stopping parent stops its children first, last started first, each
//! finishing (its queued messages, then `on_stop`) before the next; a killed parent kills them.
//! When a child panics where Pykka would end it (in `on_start`, or handling a tell), its
//! [`Directive`] decides: resume, restart (a fresh value from the factory, in the same cell: every
//! `ActorRef` stays valid), stop (Pykka's behaviour), or escalate (the child stops and the
//! parent fails as if it had panicked itself). Restarts are limited within a time window and
//! can back off exponentially.

use crate::actor::actor_ref::ActorRef;
use crate::actor::cell::{AnyCell, Cell, Core};
use crate::actor::envelope::Envelope;
use crate::actor::lifecycle::StopReason;
use crate::actor::{Actor, Context};
use crate::base::logging::info;
use crate::base::panic::{catch, Failure};
use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// What a supervised child's panic leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Directive {
    /// Log the failure and go on with the next message; the value keeps its state.
    Resume,
    /// Replace the value with a fresh one from the factory (`on_restart` runs on it), keeping
    /// the mailbox and every reference; within the restart limit, else stop.
    Restart,
    /// Stop the child: Pykka's rule (`on_failure` runs; watchers see
    /// [`StopReason::Panicked`](crate::StopReason::Panicked)).
    Stop,
    /// Stop the child, then fail the parent with the child's failure, as if the parent had
    /// panicked handling a tell (so the parent's own directive applies to it in turn).
    Escalate,
}

/// The default restart limit: 3 restarts within 5 seconds (Erlang/OTP's default is 1 in 5 s;
/// Akka's is unlimited). One more failure inside the window stops the child.
pub const DEFAULT_RESTART_LIMIT: (u32, Duration) = (3, Duration::from_secs(5));

type Factory<C> = Box<dyn FnMut() -> C + Send>;

/// A child's supervision, kept in its extension.
pub(crate) struct Supervised {
    pub(crate) parent: Option<Weak<dyn AnyCell>>,
    /// The child's number in its parent's list (`Ext::add_child`), to leave it in O(log n).
    pub(crate) number: Option<u64>,
    directive: Directive,
    limit: (u32, Duration),
    backoff: Option<(Duration, Duration)>,
    /// A `Factory<C>` for the child's type `C`, if it can be restarted.
    factory: Option<Box<dyn Any + Send>>,
    restarts: VecDeque<Instant>,
    /// Set from a failure until the fresh value is in place: when it may be made (after the
    /// backoff). While set, the actor owes a value, so a kill meanwhile still counts its death.
    pub(crate) restart_at: Option<Instant>,
    /// The failure the fresh value's `on_restart` is told of.
    failure: Option<Failure>,
}

/// What the child does about one panic.
pub(crate) enum Decision {
    Die,
    Resume,
    /// Restart after this delay (zero: now).
    Restart(Duration),
    Escalate,
}

impl Supervised {
    pub(crate) fn decide(&mut self, now: Instant) -> Decision {
        match self.directive {
            Directive::Stop => Decision::Die,
            Directive::Resume => Decision::Resume,
            Directive::Escalate => Decision::Escalate,
            Directive::Restart => {
                if self.factory.is_none() {
                    return Decision::Die;
                }
                let (max, within) = self.limit;
                while self
                    .restarts
                    .front()
                    .is_some_and(|t| now.saturating_duration_since(*t) > within)
                {
                    self.restarts.pop_front();
                }
                if self.restarts.len() >= max as usize {
                    return Decision::Die;
                }
                let earlier = self.restarts.len() as u32;
                self.restarts.push_back(now);
                let delay = self.backoff.map_or(Duration::ZERO, |(min, max)| {
                    min.saturating_mul(2u32.saturating_pow(earlier)).min(max)
                });
                Decision::Restart(delay)
            }
        }
    }
}

/// Starts a supervised child: [`Context::child`] returns it.
///
/// ```
/// use pykka::{Actor, Context, Directive, Receive};
/// use std::time::Duration;
///
/// struct Worker;
/// impl Actor for Worker {}
/// impl Receive for Worker {
///     type Message = i32;
///     type Reply = i32;
///     fn on_receive(&mut self, n: i32, _: &mut Context<Self>) -> i32 {
///         assert!(n >= 0, "negative");
///         n
///     }
/// }
///
/// struct Boss;
/// impl Actor for Boss {}
/// impl Receive for Boss {
///     type Message = ();
///     type Reply = pykka::ActorRef<Worker>;
///     fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> pykka::ActorRef<Worker> {
///         ctx.child(|| Worker)
///             .on_panic(Directive::Restart)
///             .restart_limit(5, Duration::from_secs(1))
///             .start()
///     }
/// }
///
/// let boss = Boss.start();
/// let worker = boss.ask(()).get().unwrap();
/// worker.tell(-1).unwrap(); // panics; restarted
/// assert_eq!(worker.ask(7).get().unwrap(), 7); // the same reference works
/// boss.stop(); // stops the worker first
/// assert!(!worker.is_alive());
/// ```
pub struct ChildBuilder<'a, P: Actor, C: Actor> {
    ctx: &'a Context<P>,
    factory: Factory<C>,
    directive: Directive,
    limit: (u32, Duration),
    backoff: Option<(Duration, Duration)>,
}

impl<P: Actor, C: Actor> ChildBuilder<'_, P, C> {
    /// What a panic of the child leads to (default [`Directive::Stop`], Pykka's rule).
    pub fn on_panic(mut self, directive: Directive) -> Self {
        self.directive = directive;
        self
    }

    /// At most `max` restarts within `within`; one more failure inside the window stops the
    /// child instead (default [`DEFAULT_RESTART_LIMIT`]).
    pub fn restart_limit(mut self, max: u32, within: Duration) -> Self {
        self.limit = (max, within);
        self
    }

    /// Waits before each restart: `min` for the first in the window, doubling for each further
    /// one, at most `max`. Messages that arrive meanwhile wait in the mailbox, a stop request
    /// too: stopping the child (or its parent) during a backoff waits it out, restarts, then
    /// stops (use `kill` not to wait). No thread is held: the runtime's timer resumes the child.
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff = Some((min, max.max(min)));
        self
    }

    /// Makes the first value (here, in the parent) and starts the child on the parent's
    /// runtime.
    pub fn start(self) -> ActorRef<C> {
        let ChildBuilder {
            ctx,
            mut factory,
            directive,
            limit,
            backoff,
        } = self;
        let first = factory();
        let factory: Box<dyn Any + Send> = Box::new(factory);
        start_child(ctx, first, directive, limit, backoff, Some(factory))
    }
}

impl<P: Actor, C: Actor> fmt::Debug for ChildBuilder<'_, P, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildBuilder")
            .field("directive", &self.directive)
            .field("limit", &self.limit)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

fn start_child<P: Actor, C: Actor>(
    ctx: &Context<P>,
    value: C,
    directive: Directive,
    limit: (u32, Duration),
    backoff: Option<(Duration, Duration)>,
    factory: Option<Box<dyn Any + Send>>,
) -> ActorRef<C> {
    let parent: Arc<dyn AnyCell> = ctx.cell.clone();
    let supervised = Supervised {
        parent: Some(Arc::downgrade(&parent)),
        number: None,
        directive,
        limit,
        backoff,
        factory,
        restarts: VecDeque::new(),
        restart_at: None,
        failure: None,
    };
    // Linked before it can run (and so before it can die), so the parent never lists a child
    // that died unlisted.
    crate::actor::cell::start_with(value, ctx.cell.system(), None, |child| {
        let number = parent.ext().add_child(child.clone());
        child.ext().life().supervised = Some(Box::new(Supervised {
            number: Some(number),
            ..supervised
        }));
    })
}

impl<A: Actor> Context<A> {
    /// Starts `value` as a child of this actor, on the same runtime, with
    /// [`Directive::Stop`] (a panic ends it as Pykka would). It is stopped before this actor
    /// stops (children last started first), and killed if this actor is killed.
    pub fn start_child<C: Actor>(&self, value: C) -> ActorRef<C> {
        start_child(
            self,
            value,
            Directive::Stop,
            DEFAULT_RESTART_LIMIT,
            None,
            None,
        )
    }

    /// A supervised child made by `factory` (called now for the first value, and again for
    /// each restart): set its [`Directive`], restart limit and backoff, then
    /// [`start`](ChildBuilder::start) it.
    pub fn child<C, F>(&self, factory: F) -> ChildBuilder<'_, A, C>
    where
        C: Actor,
        F: FnMut() -> C + Send + 'static,
    {
        ChildBuilder {
            ctx: self,
            factory: Box::new(factory),
            directive: Directive::Stop,
            limit: DEFAULT_RESTART_LIMIT,
            backoff: None,
        }
    }

    /// This actor's children that are alive, in start order.
    pub fn children(&self) -> Vec<crate::AnyActorRef> {
        self.cell.ext().children()
    }
}

impl<A: Actor> Cell<A> {
    fn parent(&self) -> Option<Arc<dyn AnyCell>> {
        let ext = self.ext_if_any()?;
        let life = ext.life();
        life.supervised.as_ref()?.parent.as_ref()?.upgrade()
    }

    /// A panic where Pykka ends the actor (in `on_start`, or handling a tell), already caught:
    /// log it, then do what the actor's supervision says. `Some(wait)`: a restart waits that
    /// long (the caller holds the actor). `None`: go on (the actor may have died).
    pub(crate) fn panicked(
        self: &Arc<Self>,
        core: &mut Core<A>,
        batch: &mut VecDeque<Envelope<A>>,
        ctx: &mut Context<A>,
        payload: Box<dyn Any + Send>,
        in_start: bool,
    ) -> Option<Duration> {
        let failure = self.failure(&*payload);
        self.log_unhandled(payload);
        let now = Instant::now();
        let decision = self
            .ext_if_any()
            .and_then(|ext| ext.life().supervised.as_mut().map(|s| s.decide(now)))
            .unwrap_or(Decision::Die);
        match decision {
            Decision::Resume => None,
            Decision::Die | Decision::Escalate => {
                // Found before the death, which ends the supervision.
                let parent = match decision {
                    Decision::Escalate => self.parent(),
                    _ => None,
                };
                // Unregistered and dead first, then on_failure (b1_9); not after on_start.
                self.terminate(core, batch, ctx, StopReason::Panicked, |actor, ctx| {
                    if !in_start {
                        if let Err(p) = catch(|| actor.on_failure(&failure, ctx)) {
                            self.log_unhandled(p);
                        }
                    }
                });
                if let Some(parent) = parent {
                    parent.escalate(format!("child {self} failed: {}", failure.message()));
                }
                None
            }
            Decision::Restart(wait) => {
                info!(target: "pykka", "Restarting {self} after: {}", failure.message());
                if let Some(ext) = self.ext_if_any() {
                    if let Some(s) = ext.life().supervised.as_mut() {
                        s.restart_at = Some(crate::base::time::saturating_deadline(now, wait));
                        s.failure = Some(failure);
                    }
                }
                // Not waited for: a child may be blocked asking this actor, and only the fresh
                // value can answer it.
                self.request_stop_children();
                let old = core.actor.take();
                if let Err(p) = catch(move || drop(old)) {
                    self.log_drop_panic(p);
                }
                self.pending_restart(core, batch, ctx)
            }
        }
    }

    /// With no value in the core: if a restart is owed, make the fresh value once its time has
    /// come (`None`, the value is in place or the actor died), or say how long to wait.
    pub(crate) fn pending_restart(
        &self,
        core: &mut Core<A>,
        batch: &mut VecDeque<Envelope<A>>,
        ctx: &mut Context<A>,
    ) -> Option<Duration> {
        let at = {
            let ext = self.ext_if_any()?;
            let life = ext.life();
            life.supervised.as_ref()?.restart_at?
        };
        if self.mailbox().is_closed() {
            // Killed meanwhile: `retire` counts the death of the value owed.
            return None;
        }
        let now = Instant::now();
        if at > now {
            return Some(at - now);
        }
        // The factory runs outside the lock: it is user code.
        let (factory, failure) = {
            let ext = self.ext();
            let mut life = ext.life();
            let s = life.supervised.as_mut()?;
            (s.factory.take(), s.failure.take())
        };
        let mut factory = factory?;
        let made = match factory.downcast_mut::<Factory<A>>() {
            Some(f) => catch(f),
            None => Err(Box::new("pykka: the factory made another type") as Box<dyn Any + Send>),
        };
        if let Some(s) = self.ext().life().supervised.as_mut() {
            s.factory = Some(factory);
        }
        let failure = failure.unwrap_or_else(|| self.failure(&"restarted"));
        match made {
            Ok(fresh) => {
                self.cancel_pending_restart();
                let actor = core.actor.insert(fresh);
                if let Err(p) = catch(|| actor.on_restart(&failure, ctx)) {
                    self.log_unhandled(p);
                    self.terminate(core, batch, ctx, StopReason::Panicked, |_, _| {});
                }
            }
            Err(p) => {
                self.log_unhandled(p);
                // No value: `retire` counts the death of the one owed.
                self.terminate(core, batch, ctx, StopReason::Panicked, |_, _| {});
            }
        }
        None
    }

    /// Forgets an owed restart; `true` if there was one.
    pub(crate) fn cancel_pending_restart(&self) -> bool {
        let Some(ext) = self.ext_if_any() else {
            return false;
        };
        let mut life = ext.life();
        life.supervised
            .as_mut()
            .is_some_and(|s| s.restart_at.take().is_some())
    }
}
