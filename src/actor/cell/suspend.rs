//! An activation's side of async handlers (see `actor::asynchronous` for the design): starting
//! an async message, polling a suspended handler, and parking the token while it waits.

use super::{Cell, Core, Run};
use crate::actor::asynchronous::{AsyncJob, Parts, Resume, Suspended};
use crate::actor::envelope::Envelope;
use crate::actor::{Actor, Context};
use crate::base::error::{ActorDeadError, Error};
use crate::base::logging::info;
use crate::base::panic::{catch, drop_payload};
use crate::mailbox::{Batch, Suspend};
use crate::sched::wake::TokenWake;
use std::sync::{Arc, PoisonError};
use std::task::{Context as TaskContext, Poll};

impl<A: Actor> Cell<A> {
    /// The actor's token goes back to where it runs: the pool, or its dedicated thread.
    pub(crate) fn reschedule(self: &Arc<Self>) {
        if self.mailbox.is_dedicated() {
            self.system
                .homes
                .notify(self.id(), Arc::clone(self) as crate::sched::Token);
        } else {
            self.submit();
        }
    }

    /// The waker and home of this actor's async handlers (made once).
    fn async_parts(self: &Arc<Self>) -> &Parts<A> {
        let any = self.ext().async_parts.get_or_init(|| {
            let wake = Arc::new(TokenWake::new(Resume(Arc::downgrade(self))));
            Box::new(Parts::<A>::new(wake))
        });
        match any.downcast_ref::<Parts<A>>() {
            Some(parts) => parts,
            None => unreachable!("made above for this actor type"),
        }
    }

    /// The async parts, if this actor has had an async message.
    pub(super) fn parts(&self) -> Option<&Parts<A>> {
        self.ext
            .get()?
            .async_parts
            .get()?
            .downcast_ref::<Parts<A>>()
    }

    /// A lent value whose future panicked or was dropped comes back here (`Lend`'s drop).
    pub(crate) fn give_back(self: &Arc<Self>, value: A) {
        *self
            .async_parts()
            .home
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(value);
    }

    /// The value given back by a future that panicked or was dropped.
    fn take_home(&self) -> Option<A> {
        self.parts()?
            .home
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Starts an async message: the value is lent to its handler's future, which is polled at
    /// once. `None`: it finished (the value is back in `core`); else what the activation does.
    pub(super) fn start_async(
        self: &Arc<Self>,
        core: &mut Core<A>,
        batch: &mut Batch<Envelope<A>>,
        ctx: &mut Context<A>,
        job: &mut dyn AsyncJob<A>,
        holder: bool,
    ) -> Option<Run> {
        let value = core.actor.take()?;
        let context = Context::new(Arc::clone(self));
        let suspended = match job.start(value, context) {
            Ok(suspended) => suspended,
            Err(value) => {
                core.actor = Some(value);
                return None;
            }
        };
        self.poll_suspension(core, batch, ctx, suspended, holder)
    }

    /// Polls the suspended handler, if any, before anything else runs. A thread that holds no
    /// token (an inline run) does not: it would race the token holder for the waker's state.
    pub(super) fn resume(
        self: &Arc<Self>,
        core: &mut Core<A>,
        batch: &mut Batch<Envelope<A>>,
        ctx: &mut Context<A>,
        holder: bool,
    ) -> Option<Run> {
        if !core.suspended {
            return None;
        }
        core.suspended = false;
        let suspended = self.take_suspension()?;
        if !holder {
            core.suspended = true;
            self.store_suspension(suspended);
            return Some(Run::Suspended { parked: false });
        }
        if self.ext.get().is_some_and(|e| e.is_killed()) {
            // Killed while it waited: the value comes home; the batch loop sees the kill.
            core.actor = core
                .actor
                .take()
                .or_else(|| self.abort_suspension(Some(suspended)));
            return None;
        }
        self.poll_suspension(core, batch, ctx, suspended, holder)
    }

    fn poll_suspension(
        self: &Arc<Self>,
        core: &mut Core<A>,
        batch: &mut Batch<Envelope<A>>,
        ctx: &mut Context<A>,
        mut suspended: Suspended<A>,
        holder: bool,
    ) -> Option<Run> {
        let parts = self.async_parts();
        parts.wake.begin_poll();
        let polled = {
            let mut cx = TaskContext::from_waker(&parts.waker);
            suspended.poll(&mut cx)
        };
        let outcome = match polled {
            Poll::Pending => {
                let parked = if holder {
                    parts.wake.park()
                } else {
                    parts.wake.end_poll();
                    false
                };
                core.suspended = true;
                self.store_suspension(suspended);
                return Some(Run::Suspended { parked });
            }
            Poll::Ready(outcome) => outcome,
        };
        let payload = match outcome {
            Ok(value) => {
                // The handler ended and returned the value. Dropping the finished future runs
                // no user code, but the ask's slot handle may drop a reply nobody took.
                if let Err(p) = catch(move || drop(suspended)) {
                    self.log_drop_panic(p);
                }
                core.actor = value.or_else(|| self.take_home());
                return None;
            }
            Err(payload) => payload,
        };
        // An ask's panic fails its future (the actor lives on); a tell's is a tell's panic.
        let failure = self.failure(&*payload);
        let answered = suspended.fail(Error::Panicked(failure.clone()));
        let sender = suspended.take_sender();
        // The panicked future: its guard gave the value back.
        if let Err(p) = catch(move || drop(suspended)) {
            self.log_drop_panic(p);
        }
        core.actor = self.take_home();
        if answered {
            info!(
                target: "pykka",
                "Exception returned from {self} to caller: {}",
                failure.message()
            );
            drop_payload(payload);
            return None;
        }
        // A tell's panic: `after_panic` sees the failed message's sender, then it is cleared
        // (the activation's context serves the next envelopes).
        ctx.sender = sender;
        let held = self.panicked(core, batch, ctx, payload, false);
        ctx.sender = None;
        held.map(Run::Held)
    }

    /// After `Run::Suspended` on the token holder: release the claim, keep the token (new
    /// messages only queue), and leave it with the waker (`parked`) or resubmit it. Returns
    /// whether the actor is alive.
    pub(super) fn suspend(self: &Arc<Self>, batch: &mut Batch<Envelope<A>>, parked: bool) -> bool {
        match self.mailbox.suspend(batch, parked) {
            Suspend::Closed => {
                self.finalize(batch);
                false
            }
            Suspend::Held => {
                if !parked {
                    self.reschedule();
                }
                true
            }
            Suspend::TokenBack => {
                // The waker resubmitted the parked token while this thread still held the
                // claim; a worker handed it back here.
                self.reschedule();
                true
            }
        }
    }

    pub(super) fn take_suspension(&self) -> Option<Suspended<A>> {
        self.parts()?.take_suspension()
    }

    fn store_suspension(self: &Arc<Self>, suspended: Suspended<A>) {
        self.async_parts().store_suspension(suspended);
    }

    /// Ends a suspended handler that will never be polled again (the actor was killed or
    /// closed): an ask waiting on it fails with `ActorDead`, the future is dropped (user code:
    /// under `catch`), and the lent value comes back.
    pub(super) fn abort_suspension(&self, suspended: Option<Suspended<A>>) -> Option<A> {
        let mut suspended = suspended?;
        let error = Error::ActorDead(ActorDeadError::stopped_before_handling(self));
        if let Err(p) = catch(move || {
            suspended.fail(error);
            drop(suspended);
        }) {
            self.log_drop_panic(p);
        }
        self.take_home()
    }
}
