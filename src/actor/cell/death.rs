//! How an actor ends: its death (fate, children, parent, watchers), what a panic leads to
//! (asking its supervisor, restarting in place), and the notification a watcher receives.
//!
//! # Death, once
//!
//! Every way an actor ends takes its value out of the core exactly once (stop, failure, kill,
//! abandon at shutdown, an unregistered actor dropped) and calls `retire(value, reason)`, which
//! drops the value under `catch`, counts the death for `Runtime::join`, then `died(reason)`:
//!
//! 1. record the fate under the mailbox lock (the first record wins: `died` runs once);
//! 2. if the actor has an extension: kill any child still listed, leave the parent's list (by
//!    its number, O(log n)), drop its supervision under `catch` (the factory's captures are user
//!    drop glue), take the watchers out under the extension's lock and queue a `Terminated` to
//!    each (a system message: never a dead letter).
//!
//! # Watch against death: exactly once, even if already dead
//!
//! `Context::watch` makes the target's extension, adds the watcher under its lock, *then* reads
//! the fate under the mailbox lock; if the target is dead, it takes the watchers out and
//! notifies them itself. `died` writes the fate under the mailbox lock *then* reads the
//! extension pointer. The two mailbox-lock sections are ordered: if the watcher's comes second
//! it sees the fate; if first, its extension and entry happen-before the dying thread's read, so
//! `died` finds it. Whoever takes the entry out under the extension's lock notifies; the other
//! finds it gone. On the watcher's side the notification runs only if the target is still in its
//! `watching` set, which it removes: nothing after `unwatch`, at most one per watch. Stress test:
//! `g1_watch_races_with_death_and_is_told_exactly_once` in tests/lifecycle.rs. Not loom-modelled: the parts are mutexes.
//!
//! # Kill
//!
//! `kill` closes the mailbox (asks answered `ActorDead`, tells to the dead letters), sets
//! `killed`, unregisters, kills the children and, if it can take the core lock (the actor is not
//! running), retires the value on the killer's thread. A thread running the actor checks
//! `killed` before each message, answers what it holds and finalises on release. No hook runs.
//! `stop()` stays Pykka's queued poison pill.
//!
//! # A parent's end
//!
//! A parent that terminates (stop or failure) first closes its mailbox (a child asking it from
//! now on fails at once); then, only if it has children (only then does it wait for anyone), it
//! answers the asks and tells its mailbox still holds (a child blocked on an ask queued behind
//! the stop would otherwise wait for the parent while the parent waits for it); then it stops
//! its children last-started-first, each with a blocking `stop()` (which may run the child
//! inline, or hand the worker's run queue to a spare); then its own hook runs; last, what is
//! left is answered, stop requests included (`stop()` returns after `on_stop`). An actor
//! without children keeps Pykka's order: everything left is answered after the hook, so an
//! asker that sees `ActorDead` also sees what `on_stop` did. A killed parent kills its children.
//!
//! # What a panic leads to
//!
//! A panic where Pykka ends the actor (in `on_start`, or handling a tell) asks the child's
//! [`Supervisor`](crate::actor::supervisor::Supervisor) (none: die) for a `Decision`:
//!
//! - `Die`: terminate with `Panicked`, then `on_failure` (not after `on_start`);
//! - `Resume`: keep the value, go on;
//! - `Escalate`: die, then queue a system message to the parent that re-raises the failure
//!   there (the parent fails as if its handler had panicked; its own supervisor decides);
//! - `Restart(wait)`: ask the children to stop *without waiting* (a child may be blocked on an
//!   ask queued in this mailbox, which only the fresh value can answer; they stay listed until
//!   they have stopped, so a stop or kill meanwhile still reaches them), drop the old value (not
//!   a death: no `retire`), set `restart_at` to `now` plus `wait` (saturated: a backoff of
//!   `Duration::MAX` waits a century instead of overflowing) and, once due
//!   (`pending_restart`), make the fresh value with the supervisor's factory (user code, run
//!   with the supervisor out of the extension's lock) and run `on_restart` on it.
//!
//! While a restart is owed the core holds no value; `retire` counts "a value owed" as the
//! value, so a kill during a backoff counts one death, once.
//!
//! # Backoff without holding a thread
//!
//! `run_batch` returns `Run::Held(wait)`: the worker calls `Mailbox::hold`, which releases the
//! claim and puts the batch back while *keeping the token* (`scheduled` stays true, so senders
//! only queue), and gives the token to the runtime's timer, which submits it when the wait is
//! over. The one-token invariant holds: the token is in the timer instead of a run queue. An
//! inline runner meanwhile sees the owed restart and returns without running anything.
//!
//! A child module of `cell`, so that all of `impl Cell` lives in one folder.

use super::{AnyCell, Cell, Core};
use crate::actor::context::Context;
use crate::actor::envelope::Envelope;
use crate::actor::lifecycle::{Notify, StopReason, Terminated};
use crate::actor::supervisor::{Decision, Factory};
use crate::actor::Actor;
use crate::base::logging::{info, warning};
use crate::base::panic::catch;
use crate::base::time::saturating_deadline;
use crate::mailbox::Batch;
use std::any::Any;
use std::sync::Arc;
use std::time::{Duration, Instant};

impl<A: Actor> Cell<A> {
    /// The actor has died (once its value is gone): record how, kill any child left, leave the
    /// parent's list, tell the watchers. Runs once: the fate is recorded once.
    pub(crate) fn died(&self, reason: StopReason) {
        if !self.mailbox().set_fate(reason.code()) {
            return;
        }
        // Made only if something needed it before: a watcher that came later finds the fate
        // (see `Context::watch`), so nothing is missed ("Watch against death" above).
        let Some(ext) = self.ext_if_any() else { return };
        for child in ext.take_children() {
            child.kill();
        }
        // A dead child never restarts: its supervision goes now, the factory's captures (user
        // drop glue) under `catch`.
        let supervised = ext.life().supervised.take();
        if let Some(s) = supervised {
            if let Some(parent) = s.parent.upgrade() {
                parent.ext().remove_child(s.number);
            }
            if let Err(p) = catch(move || drop(s)) {
                self.log_drop_panic(p);
            }
        }
        ext.notify_watchers(self.id(), Self::class(), reason);
    }

    /// Stops every child, last started first, each before the next.
    pub(crate) fn stop_children(&self) {
        let Some(ext) = self.ext_if_any() else { return };
        for child in ext.take_children() {
            if let Err(e) = child.request_stop().get() {
                warning!(target: "pykka", "{self}: could not wait for a child to stop: {e}");
            }
        }
    }

    /// Asks every child to stop, last started first, without waiting for any (a restart: the
    /// children may be blocked asking this very actor, whose fresh value must answer them).
    /// They stay listed until they have stopped, so a stop or kill of this actor meanwhile
    /// still waits for them or kills them.
    pub(crate) fn request_stop_children(&self) {
        let Some(ext) = self.ext_if_any() else { return };
        for child in ext.children_last_first() {
            drop(child.request_stop());
        }
    }
}

impl<A: Actor> Notify for Cell<A> {
    fn terminated(self: Arc<Self>, t: Terminated) {
        self.system_message(move |actor: &mut A, ctx: &mut Context<A>| {
            // Not after an unwatch, and once.
            if ctx.cell.ext().stop_watching(t.id) {
                actor.on_terminated(&t, ctx);
            }
        });
    }
}

impl<A: Actor> Cell<A> {
    fn parent(&self) -> Option<Arc<dyn AnyCell>> {
        let ext = self.ext_if_any()?;
        let life = ext.life();
        life.supervised.as_ref()?.parent.upgrade()
    }

    /// A panic where Pykka ends the actor (in `on_start`, or handling a tell), already caught:
    /// log it, then do what the actor's supervision says. `Some(wait)`: a restart waits that
    /// long (the caller holds the actor). `None`: go on (the actor may have died).
    pub(crate) fn panicked(
        self: &Arc<Self>,
        core: &mut Core<A>,
        batch: &mut Batch<Envelope<A>>,
        ctx: &mut Context<A>,
        payload: Box<dyn Any + Send>,
        in_start: bool,
    ) -> Option<Duration> {
        let failure = self.failure(&*payload);
        self.log_unhandled(payload);
        let now = Instant::now();
        let supervised = self.ext_if_any().and_then(|ext| {
            let mut life = ext.life();
            let supervisor = life.supervised.as_mut()?.supervisor.as_mut()?;
            Some(supervisor.decide(now))
        });
        // With no supervisor, the actor decides for itself (pyctor's `restarted`): Pykka's
        // rule, stop, unless its `after_panic` says carry on. Not after `on_start`.
        let decision = match (supervised, in_start, core.actor.as_mut()) {
            (Some(d), _, _) => d,
            (None, false, Some(actor)) => match catch(|| actor.after_panic(&failure, ctx)) {
                Ok(crate::AfterPanic::CarryOn) => {
                    info!(target: "pykka", "{self} carries on after: {}", failure.message());
                    Decision::Resume
                }
                Ok(crate::AfterPanic::Stop) => Decision::Die,
                Err(p) => {
                    self.log_unhandled(p);
                    Decision::Die
                }
            },
            (None, _, _) => Decision::Die,
        };
        match decision {
            Decision::Resume => None,
            Decision::Die | Decision::Escalate => {
                // Found before the death, which ends the supervision.
                let parent = match decision {
                    Decision::Escalate => self.parent(),
                    _ => None,
                };
                // Unregistered and dead first, then on_failure (Pykka's order); not after on_start.
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
                        s.restart_at = Some(saturating_deadline(now, wait));
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
        batch: &mut Batch<Envelope<A>>,
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
        let (supervisor, failure) = {
            let ext = self.ext();
            let mut life = ext.life();
            let s = life.supervised.as_mut()?;
            (s.supervisor.take(), s.failure.take())
        };
        let mut supervisor = supervisor?;
        let made = match supervisor.factory().downcast_mut::<Factory<A>>() {
            Some(f) => catch(f),
            None => Err(Box::new("pykka: the factory made another type") as Box<dyn Any + Send>),
        };
        if let Some(s) = self.ext().life().supervised.as_mut() {
            s.supervisor = Some(supervisor);
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
        life.supervised.as_mut().is_some_and(|s| {
            s.backoff = None;
            s.stop_asked = false;
            s.restart_at.take().is_some()
        })
    }

    /// Whether a restart is owed (the actor is in its backoff, or its fresh value is due).
    pub(crate) fn restart_owed(&self) -> bool {
        self.ext_if_any().is_some_and(|ext| {
            ext.life()
                .supervised
                .as_ref()
                .is_some_and(|s| s.restart_at.is_some())
        })
    }
}
