//! Supervision: what a parent does when a child panics (Pykka issues #42, #47).
//!
//! A child is started from inside its parent ([`Context::start_child`] in the actor layer:
//! a panic ends it, Pykka's rule; [`Context::child`] here: a supervised one). When a supervised
//! child panics where Pykka would end it (in `on_start`, or handling a tell), its
//! [`Directive`] decides: resume, restart (a fresh value from the factory, in the same cell:
//! every `ActorRef` stays valid), stop (Pykka's behaviour), or escalate (the child stops and the
//! parent fails as if it had panicked itself). Restarts are limited within a time window (the
//! restarts of the last `within`, oldest dropped first; one more inside the window stops the
//! child) and can back off exponentially (`min * 2^k`, at most `max`, saturating).
//!
//! This layer is the policy only. It sits above the actor layer and implements that layer's
//! `Supervisor` trait (`decide` a panic, hand out the factory); the mechanism (dying, waiting
//! out a backoff with the actor's token on the timer, making the fresh value, `on_restart`) is
//! the actor layer's `cell::death`, which never names this one.

use crate::actor::actor_ref::ActorRef;
use crate::actor::supervisor::{Decision, Factory, Supervisor};
use crate::actor::{Actor, Context};
use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
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

/// A supervised child's policy: the actor layer asks it what each panic leads to
/// ([`Supervisor`]).
struct Policy<C> {
    directive: Directive,
    limit: (u32, Duration),
    backoff: Option<(Duration, Duration)>,
    factory: Factory<C>,
    /// When the restarts within the limit's window happened, oldest first.
    restarts: VecDeque<Instant>,
}

impl<C: Actor> Supervisor for Policy<C> {
    fn decide(&mut self, now: Instant) -> Decision {
        match self.directive {
            Directive::Stop => Decision::Die,
            Directive::Resume => Decision::Resume,
            Directive::Escalate => Decision::Escalate,
            Directive::Restart => {
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

    fn factory(&mut self) -> &mut (dyn Any + Send) {
        &mut self.factory
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
        let policy = Policy {
            directive,
            limit,
            backoff,
            factory,
            restarts: VecDeque::new(),
        };
        ctx.start_linked_child(first, Some(Box::new(policy)))
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

impl<A: Actor> Context<A> {
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
}
