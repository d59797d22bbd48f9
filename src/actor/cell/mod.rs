//! The actor cell: the actor value, its mailbox, and one activation.
//!
//! # One activation
//!
//! A worker that pops an actor's token claims its mailbox (see `mailbox`, the state machine) and
//! runs up to `throughput` envelopes (default 32) in `run_batch`:
//!
//! 1. If the actor has not started, `on_start` runs first. A panic there: ERROR log, then what
//!    its supervisor decides (none: the actor is closed, unregistered and dead, and neither
//!    `on_failure` nor `on_stop` runs).
//! 2. For each envelope: a tell runs under `catch`; a panic is an ERROR log, then the
//!    supervisor's decision (none: close and unregister *first*, then `on_failure`). An ask runs
//!    and completes its promise; a panic is an INFO log and the asker's future fails with
//!    `Error::Panicked`, the actor lives on. A stop request terminates the actor (`terminate`:
//!    close, unregister, stop the children, `on_stop`, then the stop promise resolves `true`).
//!    A thread running the actor checks the `killed` flag before each message.
//! 3. Closing answers every envelope left, in the batch and the queue: asks fail `ActorDead`,
//!    stops resolve `true`, tells go to the dead letters. The value is dropped under `catch`
//!    (`retire`, then `death`).
//! 4. Release: idle, or resubmit the token to the **back** of the run queue when the budget is
//!    spent with work left. The budget keeps two actors that ping-pong from starving a third:
//!    each resubmission or wake goes behind the tokens already queued. A restart waiting out its
//!    backoff returns `Run::Held`: the token goes to the timer instead (`hold`).
//!
//! The same batch loop serves an inline run (`InlineTarget::run_inline`: a thread blocked in
//! `get()` on this actor's reply runs it while nobody else does) and a dedicated thread.
//!
//! All of `impl Cell` is in this folder: `any_cell` (the type-erased face), `death` (how it
//! ends, what a panic leads to, restarts).

use crate::actor::actor_ref::{ActorRef, AnyActorRef};
use crate::actor::envelope::{
    slot, AskMsg, CallFn, DeferFn, Envelope, NoSender, Opened, SenderSlot, Slot, SystemFn, TellMsg,
    Urgent,
};
use crate::actor::lifecycle::{Ext, StopReason};
use crate::actor::system::System;
use crate::actor::{Actor, Context, Receive};
use crate::base::error::{ActorDeadError, Error, TellError};
use crate::base::logging::{debug, error, info, warning};
use crate::base::panic::{catch, drop_payload, Failure};
use crate::future::{promise_for, Future, InlineTarget, Promise};
use crate::mailbox::{Batch, InlineRelease, Mailbox, Pushed, Refused, Release};
use crate::sched::dedicated::DedicatedHome;
use crate::sched::{Runnable, Token};
use once_cell::race::OnceBox;
use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

mod any_cell;
mod death;
mod suspend;
pub(crate) use any_cell::AnyCell;

pub(crate) struct Core<A> {
    pub(crate) actor: Option<A>,
    started: bool,
    /// An async handler may be suspended (its suspension stored in the actor's async parts):
    /// an activation looks there only then. Beside `started`, in what would be padding.
    pub(crate) suspended: bool,
}

/// An actor: its identity, its home, its mailbox and (under `core`) its value.
///
/// Kept small (see docs/benchmarks.md, memory): the id is a `Uuid` (16 bytes, alignment 1; a
/// `u128` would align the cell to 16 and pad it), the URN text is made on first request.
pub(crate) struct Cell<A: Actor> {
    id: Uuid,
    system: Arc<System>,
    mailbox: Mailbox<Envelope<A>>,
    /// Locked only by the holder of the mailbox claim, so never contended.
    core: Mutex<Core<A>>,
    /// The URN text and, for actors that watch, are watched, have children or are supervised,
    /// that state (src/lifecycle.rs); made on first need.
    ext: OnceBox<Ext>,
}

/// The last reference to an actor that never died is gone (possible only for an unregistered
/// actor, since the registry holds one): nobody can reach it again, so it is dead. Its value is
/// dropped here, under `catch` (a panicking `Drop` must not unwind through the worker that
/// dropped the last reference), and it stops counting for `Runtime::join`. `on_stop` does not
/// run: nothing asked it to stop.
///
/// Everything of the user's that the cell still holds goes here under `catch` too: messages
/// still queued (a token held by a timer that was dropped at shutdown), and a supervised
/// child's factory. The last reference may be dropped on a pool worker, which must survive it.
impl<A: Actor> Drop for Cell<A> {
    fn drop(&mut self) {
        let leftovers = self.mailbox.take_on_drop();
        self.answer_each(leftovers);
        let core = self.core.get_mut().unwrap_or_else(PoisonError::into_inner);
        let value = core.actor.take();
        let suspension = self.take_suspension();
        let value = value.or_else(|| self.abort_suspension(suspension));
        self.retire(value, StopReason::Killed);
        if let Some(ext) = self.ext.get() {
            let supervised = ext.life().supervised.take();
            if let Err(p) = catch(move || drop(supervised)) {
                self.log_drop_panic(p);
            }
        }
    }
}

/// Builds, registers and schedules a new actor (its first activation runs `on_start`). With a
/// `home`, the actor runs on that dedicated thread instead of the pool.
pub(crate) fn start<A: Actor>(
    actor: A,
    system: &Arc<System>,
    home: Option<Arc<DedicatedHome>>,
) -> ActorRef<A> {
    start_with(actor, system, home, |_| {})
}

/// [`start`], with `link` run on the new cell before it is scheduled (a child's supervision).
pub(crate) fn start_with<A: Actor>(
    actor: A,
    system: &Arc<System>,
    home: Option<Arc<DedicatedHome>>,
    link: impl FnOnce(&Arc<Cell<A>>),
) -> ActorRef<A> {
    const {
        assert!(
            !matches!(A::MAILBOX_CAPACITY, Some(0)),
            "Actor::MAILBOX_CAPACITY = Some(0): a mailbox must hold at least one message"
        )
    };
    let dedicated = home.is_some();
    let make = |place: Option<crate::registry::Place>| {
        Arc::new(Cell {
            id: Uuid::from_u128(crate::base::urn::next_id_with(place.map(|p| p.top))),
            system: Arc::clone(system),
            mailbox: Mailbox::new_scheduled_bounded(
                dedicated,
                place.map_or(0, |p| p.seq),
                A::MAILBOX_CAPACITY.is_some(),
            ),
            core: Mutex::new(Core {
                actor: Some(actor),
                started: false,
                suspended: false,
            }),
            ext: OnceBox::new(),
        })
    };
    // A registered actor's id names its registry slot (src/registry.rs); the cell is built and
    // registered under the slot's lock. (A full shard: a random id, registered by hash.)
    let (cell, registered) = if system.config().register_actors {
        system.registry.insert_with(make, |c| c as Arc<dyn AnyCell>)
    } else {
        (make(None), false)
    };
    if !A::USE_DAEMON_THREAD {
        system.live_inc();
    }
    if system.pool.is_shut_down() {
        if registered {
            system.registry.unregister(cell.id());
        }
        warning!(target: "pykka", "{cell} not started: its runtime was shut down");
        AnyCell::kill(&*cell);
        return ActorRef::from_cell(cell);
    }
    if system.config().register_actors {
        if !registered {
            system.registry.register(cell.clone());
        }
        debug!(target: "pykka", "Registered {cell}");
    }
    debug!(target: "pykka", "Starting {cell}");
    link(&cell);
    match home {
        Some(home) => {
            system.homes.insert(cell.id(), Arc::clone(&home));
            home.notify(cell.clone());
        }
        None => cell.submit(),
    }
    ActorRef::from_cell(cell)
}

impl<A: Actor> Cell<A> {
    pub(crate) fn id(&self) -> u128 {
        self.id.as_u128()
    }

    pub(crate) fn class() -> &'static str {
        crate::base::type_name::short_type_name::<A>()
    }

    pub(crate) fn urn(&self) -> &str {
        &self.ext().urn
    }

    pub(crate) fn ext(&self) -> &Ext {
        self.ext.get_or_init(|| Box::new(Ext::new(self.id())))
    }

    pub(crate) fn ext_if_any(&self) -> Option<&Ext> {
        self.ext.get()
    }

    pub(crate) fn system(&self) -> &Arc<System> {
        &self.system
    }

    pub(crate) fn mailbox(&self) -> &Mailbox<Envelope<A>> {
        &self.mailbox
    }

    pub(crate) fn is_alive(&self) -> bool {
        !self.mailbox.is_closed()
    }

    pub(crate) fn failure(&self, payload: &(dyn Any + Send)) -> Failure {
        Failure::new(payload, Self::class(), self.urn().to_owned())
    }

    /// Queues the token on the pool.
    /// Queues the actor's token (the clone of `self` is the token; the pool is only
    /// borrowed, so a submit touches no shared reference count).
    fn submit(self: &Arc<Self>) {
        self.system.pool.submit(Arc::clone(self) as Token);
    }

    /// Queues `make(value)`; `Err(value)` if the actor is dead. The envelope is made before the
    /// mailbox's lock is taken: a job too large to store inline is boxed here, so that no
    /// allocation (and no allocator lock) happens inside the mailbox's critical section.
    ///
    /// A bounded mailbox (`Actor::MAILBOX_CAPACITY`) that is full makes the caller wait for room
    /// ([`push_waiting`](Self::push_waiting)); the library's own messages (stop requests,
    /// notifications) go through [`push_control`](Self::push_control) and never wait.
    fn push<T: 'static>(
        self: &Arc<Self>,
        value: T,
        make: impl FnOnce(T) -> Envelope<A>,
    ) -> Result<(), T> {
        let envelope = make(value);
        let pushed = match A::MAILBOX_CAPACITY {
            None => self.mailbox.push_with(envelope, |envelope| envelope),
            Some(capacity) => self.push_waiting(envelope, capacity),
        };
        self.pushed(pushed)
    }

    /// [`push`](Self::push) that never waits for room: stop requests, the library's own
    /// messages and timers' tells may exceed a bounded mailbox's capacity.
    fn push_control<T: 'static>(
        self: &Arc<Self>,
        value: T,
        make: impl FnOnce(T) -> Envelope<A>,
    ) -> Result<(), T> {
        self.pushed(self.mailbox.push_with(make(value), |envelope| envelope))
    }

    /// Schedules the actor if the push asks for it, or gives back the refused job.
    fn pushed<T: 'static>(self: &Arc<Self>, pushed: Result<Pushed, Envelope<A>>) -> Result<(), T> {
        let pushed = match pushed {
            Ok(pushed) => pushed,
            Err(envelope) => {
                return Err(envelope.into_job::<T>().unwrap_or_else(|| {
                    unreachable!("a refused job comes back as the type it was made from")
                }))
            }
        };
        match pushed {
            Pushed::Schedule => self.submit(),
            Pushed::ScheduleDedicated => self.system.homes.notify(self.id(), Arc::clone(self) as _),
            Pushed::Queued => {}
        }
        Ok(())
    }

    /// Queues `envelope` in a mailbox bounded at `capacity`, waiting while it is full.
    ///
    /// The wait is a `get()` on a future whose target is this actor, so it is the wait of an
    /// ask (`future::wait`): on a pool thread it runs this actor inline when nobody else does
    /// (which makes the room it waits for) or hands its slot to a spare, and a wait that could
    /// never end (the actor's own handler is on this thread's stack, a cycle of blocked
    /// senders, the pool's spare cap) fails at once. Then the message is queued over capacity,
    /// with a warning: never a hang, never a lost message. `Err`: the actor is dead (also when
    /// it dies while the sender waits: closing wakes every waiter).
    #[inline]
    fn push_waiting(
        self: &Arc<Self>,
        envelope: Envelope<A>,
        capacity: usize,
    ) -> Result<Pushed, Envelope<A>> {
        match self.mailbox.push_bounded(envelope, capacity, || false) {
            Ok(pushed) => Ok(pushed),
            Err(Refused::Closed(envelope)) => Err(envelope),
            Err(Refused::Full(envelope)) => self.wait_for_room(envelope, capacity),
        }
    }

    /// [`push_waiting`](Self::push_waiting)'s slow path: the mailbox was full.
    #[cold]
    #[inline(never)]
    fn wait_for_room(
        self: &Arc<Self>,
        mut envelope: Envelope<A>,
        capacity: usize,
    ) -> Result<Pushed, Envelope<A>> {
        loop {
            let room = match self.register_for_room(envelope, capacity) {
                Ok(pushed) => return Ok(pushed),
                Err(Refused::Closed((envelope, _))) => return Err(envelope),
                Err(Refused::Full((back, room))) => {
                    envelope = back;
                    room
                }
            };
            if let Err(error) = room.get() {
                warning!(
                    target: "pykka",
                    "{self}: its mailbox is full ({capacity} messages) and waiting for room \
                     would never end ({error}); the message is queued over capacity"
                );
                return self.mailbox.push_with(envelope, |envelope| envelope);
            }
        }
    }

    /// One bounded push that, if the mailbox is full, leaves a waiter that the next take of
    /// the queue wakes, and returns the envelope with the waiter's future.
    #[allow(clippy::type_complexity)]
    fn register_for_room(
        self: &Arc<Self>,
        envelope: Envelope<A>,
        capacity: usize,
    ) -> Result<Pushed, Refused<(Envelope<A>, Future<()>)>> {
        let (promise, room) = promise_for::<()>(self.clone());
        // Made before the mailbox's lock: only the waiters' own (leaf) lock is taken under it.
        let waiters = &self.ext().full_waiters;
        let mut promise = Some(promise);
        let pushed = self.mailbox.push_bounded(envelope, capacity, || {
            if let Some(p) = promise.take() {
                let mut waiters = waiters.lock().unwrap_or_else(PoisonError::into_inner);
                // Senders that gave up (a dropped `tell_async`, a refused wait) leave their
                // promise behind: dropped here whenever the list reaches a power of two, so
                // the list stays within twice the senders really waiting, at O(1) a push.
                if waiters.len() >= 16 && waiters.len().is_power_of_two() {
                    waiters.retain(|w| !w.is_abandoned());
                }
                waiters.push(p);
            }
            true
        });
        match pushed {
            Ok(pushed) => Ok(pushed),
            Err(Refused::Closed(envelope)) => Err(Refused::Closed((envelope, room))),
            Err(Refused::Full(envelope)) => Err(Refused::Full((envelope, room))),
        }
    }

    /// [`push_waiting`](Self::push_waiting) for async senders: waits for room without blocking
    /// a thread. A sender that is a handler of this very actor cannot wait (the actor runs
    /// nothing else until the handler ends): its message is queued over capacity, as is
    /// one whose wait fails.
    pub(crate) async fn push_async<T: 'static>(
        self: &Arc<Self>,
        value: T,
        make: impl FnOnce(T) -> Envelope<A>,
    ) -> Result<(), T> {
        let Some(capacity) = A::MAILBOX_CAPACITY else {
            return self.push(value, make);
        };
        let mut envelope = make(value);
        loop {
            if crate::future::is_running_here(self.id()) {
                let pushed = self.mailbox.push_with(envelope, |envelope| envelope);
                return self.pushed(pushed);
            }
            let room = match self.register_for_room(envelope, capacity) {
                Ok(pushed) => return self.pushed(Ok(pushed)),
                Err(Refused::Closed((envelope, _))) => return self.pushed(Err(envelope)),
                Err(Refused::Full((back, room))) => {
                    envelope = back;
                    room
                }
            };
            if let Err(error) = room.await {
                warning!(
                    target: "pykka",
                    "{self}: its mailbox is full ({capacity} messages) and waiting for room \
                     failed ({error}); the message is queued over capacity"
                );
                let pushed = self.mailbox.push_with(envelope, |envelope| envelope);
                return self.pushed(pushed);
            }
        }
    }

    /// A push that never waits: `Err(Refused::Full)` when a bounded mailbox is full.
    fn try_push<T: 'static>(
        self: &Arc<Self>,
        value: T,
        make: impl FnOnce(T) -> Envelope<A>,
    ) -> Result<(), Refused<T>> {
        let envelope = make(value);
        let pushed = match A::MAILBOX_CAPACITY {
            None => self.mailbox.push_with(envelope, |envelope| envelope),
            Some(capacity) => match self.mailbox.push_bounded(envelope, capacity, || false) {
                Ok(pushed) => Ok(pushed),
                Err(Refused::Closed(envelope)) => Err(envelope),
                Err(Refused::Full(envelope)) => {
                    return Err(Refused::Full(envelope.into_job::<T>().unwrap_or_else(
                        || unreachable!("a refused job comes back as the type it was made from"),
                    )))
                }
            },
        };
        self.pushed(pushed).map_err(Refused::Closed)
    }

    /// Wakes the senders waiting for room in this actor's bounded mailbox: room was made (an
    /// envelope of a batch taken from the queue is about to run) or the actor died.
    fn wake_full_waiters(&self) {
        if let Some(ext) = self.ext_if_any() {
            let waiters = std::mem::take(
                &mut *ext
                    .full_waiters
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
            for waiter in waiters {
                waiter.set(());
            }
        }
    }

    /// An ask's job for `message` from `sender`, and the future of its reply.
    #[allow(clippy::type_complexity)]
    fn ask_job<S: SenderSlot>(
        self: &Arc<Self>,
        message: A::Message,
        sender: S,
    ) -> (AskMsg<A::Message, A::Reply, Slot<S>>, Future<A::Reply>)
    where
        A: Receive,
    {
        let (promise, future) = promise_for(self.clone());
        let job = AskMsg {
            message,
            promise,
            sender: slot(sender),
        };
        (job, future)
    }

    /// A tell refused because the actor is dead: a dead letter, and the message back in the
    /// error.
    fn refused<M>(&self, message: M) -> TellError<M> {
        self.dead_letter(
            std::any::type_name::<M>(),
            crate::DeadLetterReason::RecipientDead,
        );
        TellError::new(message, self.dead_error())
    }

    pub(crate) fn dead_error(&self) -> ActorDeadError {
        ActorDeadError::not_found(self)
    }

    pub(crate) fn tell(self: &Arc<Self>, message: A::Message) -> Result<(), TellError<A::Message>>
    where
        A: Receive,
    {
        self.tell_with(message, NoSender)
    }

    /// A tell, from `sender` (`Context::tell`).
    pub(crate) fn tell_from(
        self: &Arc<Self>,
        message: A::Message,
        sender: AnyActorRef,
    ) -> Result<(), TellError<A::Message>>
    where
        A: Receive,
    {
        self.tell_with(message, sender)
    }

    fn tell_with<S: SenderSlot>(
        self: &Arc<Self>,
        message: A::Message,
        sender: S,
    ) -> Result<(), TellError<A::Message>>
    where
        A: Receive,
    {
        self.push(TellMsg(message, slot(sender)), |m| A::__tell_envelope(m).0)
            .map_err(|b| self.refused(b.0))
    }

    /// [`tell`](Self::tell) that never waits for room in a bounded mailbox: `Full` hands the
    /// message back (no dead letter: the sender still has it).
    pub(crate) fn try_tell(
        self: &Arc<Self>,
        message: A::Message,
    ) -> Result<(), crate::TryTellError<A::Message>>
    where
        A: Receive,
    {
        self.try_push(TellMsg(message, slot(NoSender)), |m| {
            A::__tell_envelope(m).0
        })
        .map_err(|refused| match refused {
            Refused::Full(m) => crate::TryTellError::Full(m.0),
            Refused::Closed(m) => crate::TryTellError::Dead(self.refused(m.0)),
        })
    }

    /// [`ask`](Self::ask) that never waits for room in a bounded mailbox.
    pub(crate) fn try_ask(
        self: &Arc<Self>,
        message: A::Message,
    ) -> Result<Future<A::Reply>, crate::TryTellError<A::Message>>
    where
        A: Receive,
    {
        let (job, future) = self.ask_job(message, NoSender);
        // The refused job's promise is disarmed: its future is dropped here, unawaited.
        let back = |job: AskMsg<A::Message, A::Reply, Slot<NoSender>>| {
            job.promise.disarm();
            job.message
        };
        match self.try_push(job, |b| A::__ask_envelope(b).0) {
            Ok(()) => Ok(future),
            Err(Refused::Full(job)) => Err(crate::TryTellError::Full(back(job))),
            Err(Refused::Closed(job)) => Err(crate::TryTellError::Dead(TellError::new(
                back(job),
                self.dead_error(),
            ))),
        }
    }

    /// [`tell`](Self::tell) that waits for room in a bounded mailbox without blocking.
    pub(crate) async fn tell_async(
        self: &Arc<Self>,
        message: A::Message,
    ) -> Result<(), TellError<A::Message>>
    where
        A: Receive,
    {
        self.push_async(TellMsg(message, slot(NoSender)), |m| {
            A::__tell_envelope(m).0
        })
        .await
        .map_err(|b| self.refused(b.0))
    }

    /// [`ask`](Self::ask) that waits for room in a bounded mailbox without blocking, then for
    /// the reply.
    pub(crate) async fn ask_async(self: &Arc<Self>, message: A::Message) -> Result<A::Reply, Error>
    where
        A: Receive,
    {
        let (job, future) = self.ask_job(message, NoSender);
        match self.push_async(job, |b| A::__ask_envelope(b).0).await {
            Ok(()) => future.await,
            Err(_job) => Err(Error::ActorDead(self.dead_error())),
        }
    }

    /// A tell that passes the ordinary messages still queued (`ActorRef::tell_urgent`).
    pub(crate) fn tell_urgent(
        self: &Arc<Self>,
        message: A::Message,
    ) -> Result<(), TellError<A::Message>>
    where
        A: Receive,
    {
        let envelope = A::__tell_envelope(TellMsg(message, slot(Urgent(NoSender)))).0;
        self.push_urgent(envelope)
            .map_err(|e: TellMsg<A::Message, Slot<Urgent<NoSender>>>| self.refused(e.0))
    }

    /// An ask that passes the ordinary messages still queued (`ActorRef::ask_urgent`).
    pub(crate) fn ask_urgent(self: &Arc<Self>, message: A::Message) -> Future<A::Reply>
    where
        A: Receive,
    {
        let (job, future) = self.ask_job(message, Urgent(NoSender));
        let envelope = A::__ask_envelope(job).0;
        if let Err(job) =
            self.push_urgent::<AskMsg<A::Message, A::Reply, Slot<Urgent<NoSender>>>>(envelope)
        {
            job.promise.fail(Error::ActorDead(self.dead_error()));
        }
        future
    }

    /// Queues an urgent envelope made from a `J`, then signals the thread running the actor.
    fn push_urgent<J: 'static>(self: &Arc<Self>, envelope: Envelope<A>) -> Result<(), J> {
        // Made first: the signal must not allocate after the push.
        let ext = self.ext();
        let pushed = self.mailbox.push_urgent(envelope);
        let sent = self.pushed(pushed);
        if sent.is_ok() {
            // ORDERING: Relaxed: see `run_batch`; the queue itself is under the mailbox lock.
            ext.urgent.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        sent
    }

    /// A timer's tell: never waits for room (the timer thread serves every actor), so it may
    /// exceed a bounded mailbox's capacity.
    pub(crate) fn tell_timed(self: &Arc<Self>, message: A::Message) -> bool
    where
        A: Receive,
    {
        let sent = self.push_control(TellMsg(message, slot(NoSender)), |m| {
            A::__tell_envelope(m).0
        });
        if sent.is_err() {
            self.dead_letter(
                std::any::type_name::<A::Message>(),
                crate::DeadLetterReason::RecipientDead,
            );
        }
        sent.is_ok()
    }

    /// A plain tell that, refused, hands the message back without making a dead letter (a
    /// router sends it to another routee).
    pub(crate) fn tell_or_back(self: &Arc<Self>, message: A::Message) -> Result<(), A::Message>
    where
        A: Receive,
    {
        self.push(TellMsg(message, slot(NoSender)), |m| {
            A::__tell_envelope(m).0
        })
        .map_err(|m| m.0)
    }

    /// A tell through a `Recipient<M>`: `message` is converted when handled, so a dead actor
    /// hands back the `M` that was sent.
    pub(crate) fn tell_via<M: Send + 'static>(
        self: &Arc<Self>,
        message: M,
    ) -> Result<(), TellError<M>>
    where
        A: Receive,
        A::Message: From<M>,
    {
        self.push(crate::actor::recipient::TellVia(message), |j| {
            A::__tell_via_envelope(j).0
        })
        .map_err(|j| self.refused(j.0))
    }

    /// An ask through a `ReplyRecipient<M, R>`.
    pub(crate) fn ask_via<M: Send + 'static, R: From<A::Reply> + Send + 'static>(
        self: &Arc<Self>,
        message: M,
    ) -> Future<R>
    where
        A: Receive,
        A::Message: From<M>,
    {
        let (promise, future) = promise_for(self.clone());
        let job = crate::actor::recipient::AskVia { message, promise };
        match self.push(job, |j| A::__ask_via_envelope(j).0) {
            Ok(()) => future,
            Err(job) => {
                job.promise.fail(Error::ActorDead(self.dead_error()));
                future
            }
        }
    }

    pub(crate) fn ask(self: &Arc<Self>, message: A::Message) -> Future<A::Reply>
    where
        A: Receive,
    {
        self.ask_with(message, NoSender)
    }

    /// An ask, from `sender` (`Context::ask`).
    pub(crate) fn ask_from(
        self: &Arc<Self>,
        message: A::Message,
        sender: AnyActorRef,
    ) -> Future<A::Reply>
    where
        A: Receive,
    {
        self.ask_with(message, sender)
    }

    fn ask_with<S: SenderSlot>(self: &Arc<Self>, message: A::Message, sender: S) -> Future<A::Reply>
    where
        A: Receive,
    {
        let (job, future) = self.ask_job(message, sender);
        match self.push(job, |b| A::__ask_envelope(b).0) {
            Ok(()) => future,
            Err(job) => {
                job.promise.fail(Error::ActorDead(self.dead_error()));
                future
            }
        }
    }

    /// Runs `f` inside the actor, in mailbox order, with ask semantics.
    pub(crate) fn call<R, F>(self: &Arc<Self>, f: F) -> Future<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut A, &mut Context<A>) -> R + Send + 'static,
    {
        let (promise, future) = promise_for(self.clone());
        match self.push(CallFn { f, promise }, Envelope::ask) {
            Ok(()) => future,
            Err(job) => {
                job.promise.fail(Error::ActorDead(self.dead_error()));
                future
            }
        }
    }

    /// Runs the future `f` makes inside the actor, in mailbox order, with ask semantics: the
    /// actor handles nothing else until it completes, and holds no thread while it waits.
    pub(crate) fn call_async<R, F>(self: &Arc<Self>, f: F) -> Future<R>
    where
        R: Send + 'static,
        F: for<'a> FnOnce(&'a mut A, &'a mut Context<A>) -> crate::actor::BoxFuture<'a, R>
            + Send
            + 'static,
    {
        let (promise, future) = promise_for(self.clone());
        let job = crate::actor::asynchronous::AsyncCall {
            f,
            promise: Some(promise),
        };
        match self.push(job, Envelope::run_async) {
            Ok(()) => future,
            Err(job) => {
                if let Some(p) = job.promise {
                    p.fail(Error::ActorDead(self.dead_error()));
                }
                future
            }
        }
    }

    /// As [`call_async`](Self::call_async), with tell semantics.
    pub(crate) fn defer_async<F>(self: &Arc<Self>, f: F) -> Result<(), ActorDeadError>
    where
        F: for<'a> FnOnce(&'a mut A, &'a mut Context<A>) -> crate::actor::BoxFuture<'a, ()>
            + Send
            + 'static,
    {
        let job = crate::actor::asynchronous::AsyncCall::<F, ()> { f, promise: None };
        self.push(job, Envelope::run_async).map_err(|_| {
            self.dead_letter("deferred call", crate::DeadLetterReason::RecipientDead);
            self.dead_error()
        })
    }

    /// Runs `f` inside the actor, in mailbox order, with tell semantics.
    pub(crate) fn defer<F>(self: &Arc<Self>, f: F) -> Result<(), ActorDeadError>
    where
        F: FnOnce(&mut A, &mut Context<A>) + Send + 'static,
    {
        self.push(DeferFn(f), Envelope::tell).map_err(|_| {
            self.dead_letter("deferred call", crate::DeadLetterReason::RecipientDead);
            self.dead_error()
        })
    }

    /// Queues one of the library's own messages (never a dead letter); `false` if dead.
    pub(crate) fn system_message<F>(self: &Arc<Self>, f: F) -> bool
    where
        F: FnOnce(&mut A, &mut Context<A>) + Send + 'static,
    {
        self.push_control(SystemFn(f), Envelope::tell).is_ok()
    }

    /// A told message left in this actor's mailbox goes back to the actor that told it.
    fn hand_back(
        &self,
        message_type: &'static str,
        (sender, message): crate::actor::envelope::Returned,
    ) {
        let letter = crate::Undelivered {
            letter: crate::DeadLetter {
                recipient_urn: self.urn().to_owned(),
                recipient_class: Self::class(),
                message_type,
                reason: crate::DeadLetterReason::LeftInMailbox,
            },
            message,
        };
        sender.any_cell().hand_back(letter);
    }

    pub(crate) fn dead_letter(&self, message_type: &'static str, reason: crate::DeadLetterReason) {
        self.system.dead_letters.record(|| crate::DeadLetter {
            recipient_urn: self.urn().to_owned(),
            recipient_class: Self::class(),
            message_type,
            reason,
        });
    }

    /// Queues a stop request; `Err` if the actor is dead. An actor waiting out a restart's
    /// backoff is woken at once: it stops without restarting (`run_batch`).
    pub(crate) fn queue_stop(self: &Arc<Self>, reply: Option<Promise<bool>>) -> Result<(), ()> {
        self.push_control(reply, Envelope::stop).map_err(|_| ())?;
        if let Some(ext) = self.ext_if_any() {
            let mut life = ext.life();
            if let Some(s) = life.supervised.as_mut().filter(|s| s.restart_at.is_some()) {
                s.stop_asked = true;
                if let Some(timer) = &s.backoff {
                    timer.fire_now();
                }
            }
        }
        Ok(())
    }

    /// Runs envelopes from `batch` until it is empty, the budget is spent or `done()` holds
    /// (the caller refills), or the actor dies or must wait out a restart's backoff.
    fn run_batch(
        self: &Arc<Self>,
        batch: &mut Batch<Envelope<A>>,
        budget: &mut usize,
        done: &dyn Fn() -> bool,
        holder: bool,
    ) -> Run {
        let mut guard = self.core.lock().unwrap_or_else(PoisonError::into_inner);
        let core = &mut *guard;
        let _running = crate::future::running(self.id(), std::any::type_name::<A>());
        let mut ctx = Context::new(Arc::clone(self));
        if !core.started {
            core.started = true;
            if let Some(actor) = core.actor.as_mut() {
                if let Err(payload) = catch(|| actor.on_start(&mut ctx)) {
                    if let Some(wait) = self.panicked(core, batch, &mut ctx, payload, true) {
                        return Run::Held(wait);
                    }
                }
            }
        }
        // An async handler suspended earlier goes first: nothing else runs before it is done.
        if let Some(run) = self.resume(core, batch, &mut ctx, holder) {
            return run;
        }
        // A resumed async handler that ended may have asked to unstash.
        self.unstash_if_asked(batch);
        loop {
            // A stash or unstash asked by the handler that just ran, or by a hook before the
            // first message (`on_start`, `on_restart`, `after_panic`): done before anything
            // else runs, so that the next ask's job never takes a stash that is not its own.
            if ctx.stash_now.is_some() || ctx.unstash {
                self.after_stash(&mut ctx, batch);
            }
            let Some(actor) = core.actor.as_mut() else {
                // No value: dead, or (a supervised child) between a failure and its restart.
                // A stop request during the backoff ends it: the child stops without a fresh
                // value (no hook runs: there is no value to run it on), and what was queued
                // before the stop is answered as at any death.
                if self.restart_owed()
                    && (batch.any(Envelope::is_stop) || self.mailbox.stop_queued())
                {
                    self.terminate(core, batch, &mut ctx, StopReason::Stopped, |_, _| {});
                    return Run::Dead;
                }
                if let Some(wait) = self.pending_restart(core, batch, &mut ctx) {
                    return Run::Held(wait);
                }
                if core.actor.is_some() {
                    continue;
                }
                self.answer_all(batch);
                return Run::Dead;
            };
            if *budget == 0 || done() {
                return Run::Alive;
            }
            if let Some(ext) = self.ext.get() {
                if ext.is_killed() {
                    // Killed: the mailbox is closed; what this thread still holds is answered.
                    self.answer_all(batch);
                    return Run::Dead;
                }
                // ORDERING: Relaxed load, then the mailbox's lock (in `take_urgent`) orders the
                // queue: a signal seen late only delays the urgent message to the next check.
                if ext.urgent.load(std::sync::atomic::Ordering::Relaxed) {
                    ext.urgent
                        .store(false, std::sync::atomic::Ordering::Relaxed);
                    self.mailbox.take_urgent(batch);
                }
            }
            let Some(mut envelope) = batch.pop_front() else {
                return Run::Alive;
            };
            if batch.take_wake() {
                // This envelope runs now: the room its take made is real.
                self.wake_full_waiters();
            }
            *budget -= 1;
            match envelope.open() {
                Opened::Tell(job) => {
                    if let Err(payload) = catch(|| job.run(actor, &mut ctx)) {
                        // The panic is the message's outcome: a stash its handler made first
                        // is discarded, not replayed later.
                        ctx.discard_stashed();
                        // `after_panic` sees the failed message's sender, then it is cleared.
                        let held = self.panicked(core, batch, &mut ctx, payload, false);
                        ctx.sender = None;
                        if let Some(wait) = held {
                            return Run::Held(wait);
                        }
                    }
                }
                Opened::Ask(job) => {
                    if let Some(failure) = job.run(actor, &mut ctx) {
                        info!(
                            target: "pykka",
                            "Exception returned from {self} to caller: {}",
                            failure.message()
                        );
                    }
                }
                Opened::Async(job) => {
                    if let Some(run) = self.start_async(core, batch, &mut ctx, job, holder) {
                        return run;
                    }
                    self.unstash_if_asked(batch);
                }
                Opened::Stop(reply) => {
                    let reply = reply.take();
                    self.terminate(core, batch, &mut ctx, StopReason::Stopped, |actor, ctx| {
                        debug!(target: "pykka", "Stopped {self}");
                        if let Err(p) = catch(|| actor.on_stop(ctx)) {
                            self.log_unhandled(p);
                        }
                    });
                    if let Some(p) = reply {
                        p.set(true);
                    }
                }
            }
        }
    }

    /// After a handler that stashed (`Context::stash`; an ask's job has taken its stash
    /// already) or asked to unstash: the stashed message is kept, and the stash goes in front of
    /// the batch, to run next.
    fn after_stash(&self, ctx: &mut Context<A>, batch: &mut Batch<Envelope<A>>) {
        ctx.keep_stashed();
        if std::mem::take(&mut ctx.unstash) {
            batch.prepend(self.take_stash());
        }
    }

    /// An async handler's context asked to unstash (`Context::unstash_all`) when it ended
    /// (`Ext::unstash_asked`): the stash goes in front of the batch.
    fn unstash_if_asked(&self, batch: &mut Batch<Envelope<A>>) {
        let asked = self.ext_if_any().is_some_and(|ext| {
            // ORDERING: Relaxed: set and taken by the claim holder (the same thread, or one
            // that took the claim after it, through the mailbox lock).
            ext.unstash_asked
                .swap(false, std::sync::atomic::Ordering::Relaxed)
        });
        if asked {
            batch.prepend(self.take_stash());
        }
    }

    /// Called by a context that ends with an unstash asked and not done (an async handler's).
    pub(crate) fn ask_unstash(&self) {
        // ORDERING: Relaxed: see `unstash_if_asked`.
        self.ext()
            .unstash_asked
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    fn stash_store(&self) -> &Mutex<VecDeque<Envelope<A>>> {
        self.ext()
            .stash
            .get_or_init(|| Box::new(Mutex::new(VecDeque::<Envelope<A>>::new())))
            .downcast_ref()
            .unwrap_or_else(|| unreachable!("a cell's stash holds its own actor type's envelopes"))
    }

    /// Adds an envelope to the stash (`actor::stash`). A dead actor's stash was answered when it
    /// died: what comes after is answered at once.
    pub(crate) fn stash_push(&self, envelope: Envelope<A>) {
        if !self.is_alive() {
            return self.answer_each([envelope]);
        }
        self.stash_store()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(envelope);
    }

    /// Takes the whole stash, oldest first.
    pub(crate) fn take_stash(&self) -> VecDeque<Envelope<A>> {
        match self.ext_if_any().and_then(|ext| ext.stash.get()) {
            Some(_) => std::mem::take(
                &mut *self
                    .stash_store()
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            ),
            None => VecDeque::new(),
        }
    }

    /// How many messages are stashed.
    pub(crate) fn stashed_len(&self) -> usize {
        match self.ext_if_any().and_then(|ext| ext.stash.get()) {
            Some(_) => self
                .stash_store()
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .len(),
            None => 0,
        }
    }

    /// The actor value goes (its `Drop` is user code, caught) and, if there was one (or a
    /// restart was pending in its place), the actor counts as dead for `Runtime::join` and its
    /// death is made known (`died`). Whoever takes the value out of the core calls this, once.
    pub(crate) fn retire(&self, value: Option<A>, reason: StopReason) {
        // What is still stashed is answered as queued messages are.
        self.answer_each(self.take_stash());
        let had = value.is_some() || self.cancel_pending_restart();
        if let Some(value) = value {
            if let Err(p) = catch(move || drop(value)) {
                self.log_drop_panic(p);
            }
        }
        if !had {
            return;
        }
        if !A::USE_DAEMON_THREAD {
            self.system.live_dec();
        }
        self.died(reason);
    }

    /// A user value's `Drop` panicked while the library dropped it (a reply nobody waits for, a
    /// message never handled): logged, never allowed to unwind through a worker.
    pub(crate) fn log_drop_panic(&self, payload: Box<dyn Any + Send>) {
        error!(
            target: "pykka",
            "Panic while dropping a value of {self}: {}",
            crate::base::panic::payload_text(&*payload)
        );
        drop_payload(payload);
    }

    pub(crate) fn log_unhandled(&self, payload: Box<dyn Any + Send>) {
        error!(
            target: "pykka",
            "Unhandled exception in {self}: {}",
            crate::base::panic::payload_text(&*payload)
        );
        drop_payload(payload);
    }

    /// The actor dies: close the mailbox (sends fail from here on), unregister, run `hook` (the
    /// actor is already dead inside it), drop the value, answer every envelope left.
    pub(crate) fn terminate(
        &self,
        core: &mut Core<A>,
        batch: &mut Batch<Envelope<A>>,
        ctx: &mut Context<A>,
        reason: StopReason,
        hook: impl FnOnce(&mut A, &mut Context<A>),
    ) {
        batch.extend(self.mailbox.close());
        self.wake_full_waiters();
        self.unregister();
        // Children first, last started first, each finished before the next. Waiting for them,
        // this actor must not keep a child waiting for it: the asks and tells left over are
        // answered first (a child blocked on an ask queued behind this stop would wait for this
        // actor while this actor waits for the child). Without children, Pykka's order holds:
        // everything left is answered after the hook. Stop requests always come last: `stop()`
        // returns after `on_stop`.
        if self.ext_if_any().is_some_and(Ext::has_children) {
            self.answer_messages(batch);
            self.stop_children();
        }
        if let Some(actor) = core.actor.as_mut() {
            hook(actor, ctx);
        }
        self.retire(core.actor.take(), reason);
        self.answer_all(batch);
    }

    /// Answers the asks and tells in `batch` (as `answer_all`), keeping the stop requests, in
    /// order, for later.
    fn answer_messages(&self, batch: &mut Batch<Envelope<A>>) {
        let (messages, stops): (VecDeque<_>, VecDeque<_>) =
            batch.drain().partition(|e| !e.is_stop());
        *batch = Batch::from(stops);
        self.answer_each(messages);
    }

    /// After the mailbox closed: answer what the caller still holds, and if the actor value is
    /// still there (it was abandoned at shutdown while this thread ran it), drop it and count
    /// the actor dead. Idempotent: the value is taken once.
    fn finalize(&self, batch: &mut Batch<Envelope<A>>) {
        self.answer_all(batch);
        let (value, suspension) = {
            let mut core = self.core.lock().unwrap_or_else(PoisonError::into_inner);
            (core.actor.take(), self.take_suspension())
        };
        let value = value.or_else(|| self.abort_suspension(suspension));
        self.retire(value, StopReason::Killed);
    }

    fn unregister(&self) {
        if self.system.registry.unregister(self.id()) {
            debug!(target: "pykka", "Unregistered {self}");
        }
    }

    /// Answers envelopes that will never run: asks fail `ActorDead`, stop requests
    /// resolve `true`, tells are dropped.
    fn answer_all(&self, batch: &mut Batch<Envelope<A>>) {
        self.answer_each(batch.drain());
    }

    /// [`answer_all`](Self::answer_all), for any envelopes.
    fn answer_each(&self, envelopes: impl IntoIterator<Item = Envelope<A>>) {
        for mut envelope in envelopes {
            match envelope.open() {
                Opened::Ask(job) => {
                    let error = Error::ActorDead(ActorDeadError::stopped_before_handling(self));
                    // Failing the job drops the message it carried: user code.
                    if let Err(p) = catch(move || job.fail(error)) {
                        self.log_drop_panic(p);
                    }
                }
                Opened::Async(job) => {
                    if let Some(t) = job.message_type() {
                        self.dead_letter(t, crate::DeadLetterReason::LeftInMailbox);
                        if let Err(p) = catch(move || {
                            if let Some(returned) = job.take_returned() {
                                self.hand_back(t, returned);
                            }
                        }) {
                            self.log_drop_panic(p);
                        }
                        continue;
                    }
                    let error = Error::ActorDead(ActorDeadError::stopped_before_handling(self));
                    if let Err(p) = catch(move || job.fail(error)) {
                        self.log_drop_panic(p);
                    }
                }
                Opened::Stop(reply) => {
                    if let Some(p) = reply.take() {
                        p.set(true);
                    }
                }
                Opened::Tell(job) => {
                    let message_type = job.message_type();
                    if let Some(t) = message_type {
                        self.dead_letter(t, crate::DeadLetterReason::LeftInMailbox);
                    }
                    // Dropping the job drops its message (user code); a message told from
                    // inside an actor goes back to that actor instead.
                    if let Err(p) = catch(move || {
                        if let (Some(t), Some(returned)) = (message_type, job.take_returned()) {
                            self.hand_back(t, returned);
                        }
                    }) {
                        self.log_drop_panic(p);
                    }
                }
            }
        }
    }
}

impl<A: Actor> Runnable for Cell<A> {
    fn run(self: Arc<Self>, budget: usize) -> bool {
        match catch(|| self.activate(budget)) {
            Ok(alive) => alive,
            Err(p) => {
                // Every piece of user code in an activation runs under its own catch, so only a
                // library bug gets here. The claim and the batch are lost: rather than leave the
                // actor wedged (asks and stops unanswered for ever), kill it.
                crate::base::panic::log_user_panic(
                    &format!("pykka internal error while running {self}; the actor is killed"),
                    p,
                );
                AnyCell::kill(&*self);
                false
            }
        }
    }

    fn abandon(self: Arc<Self>) {
        AnyCell::kill(&*self);
    }
}

impl<A: Actor> Cell<A> {
    /// One activation of the token holder (see [`Runnable::run`]).
    fn activate(self: &Arc<Self>, budget: usize) -> bool {
        let mut batch = Batch::new();
        if !self.mailbox.claim_token(&mut batch) {
            // Handed to the thread running the actor inline; it resubmits on release.
            return true;
        }
        let mut left = budget;
        if !self.system.config().actor_metrics {
            return self.run_claimed(&mut batch, &mut left);
        }
        let start = std::time::Instant::now();
        let alive = self.run_claimed(&mut batch, &mut left);
        self.record(budget - left, start.elapsed(), batch.seen());
        alive
    }

    /// Adds an activation to the actor's metrics (`Runtime::builder().actor_metrics`).
    fn record(&self, handled: usize, busy: std::time::Duration, seen: usize) {
        self.ext()
            .metrics
            .get_or_init(Box::default)
            .record(handled, busy, seen);
    }

    /// The actor's metrics, if its runtime keeps them.
    pub(crate) fn metrics(&self) -> Option<crate::actor::lifecycle::ActorMetrics> {
        if !self.system.config().actor_metrics {
            return None;
        }
        Some(
            self.ext_if_any()
                .and_then(|ext| ext.metrics.get())
                .map_or_else(crate::actor::lifecycle::ActorMetrics::default, |c| c.read()),
        )
    }

    /// [`activate`](Self::activate) once the claim is held.
    fn run_claimed(self: &Arc<Self>, batch: &mut Batch<Envelope<A>>, budget: &mut usize) -> bool {
        loop {
            let alive = match self.run_batch(batch, budget, &|| false, true) {
                Run::Alive => true,
                Run::Dead => false,
                Run::Held(wait) => return Arc::clone(self).hold(batch, wait),
                Run::Suspended { parked } => return self.suspend(batch, parked),
            };
            match self.mailbox.release_token(batch, *budget > 0) {
                Release::Continue => continue,
                Release::Idle => return alive,
                Release::Resubmit => {
                    // Only pooled actors: a dedicated thread runs with no budget limit.
                    self.submit();
                    return alive;
                }
                Release::Closed => {
                    self.finalize(batch);
                    return false;
                }
            }
        }
    }
}

/// How an activation ended.
pub(crate) enum Run {
    /// Out of messages, budget or (inline) reasons to go on.
    Alive,
    Dead,
    /// A restart is waiting out its backoff for this long: run nothing until then.
    Held(std::time::Duration),
    /// An async handler is suspended: run nothing until its future is woken. `parked`: the
    /// token holder's token is with the future's waker; otherwise the holder keeps it (a wake
    /// came during the poll: resubmit) or the runner holds none (an inline run).
    Suspended {
        parked: bool,
    },
}

impl<A: Actor> Cell<A> {
    /// The token holder waits out a backoff: the claim is released, the token goes to the
    /// runtime's timer, which submits it when the wait is over. Returns whether it is alive.
    fn hold(self: Arc<Self>, batch: &mut Batch<Envelope<A>>, wait: std::time::Duration) -> bool {
        if !self.mailbox.hold(batch) {
            self.finalize(batch);
            return false;
        }
        let mut held = Held(Some(Arc::clone(&self)));
        let task = Box::new(move || {
            if let Some(cell) = held.0.take() {
                cell.submit();
            }
            false
        });
        // A stop request already queued (sent with the failing message, say) ends the backoff
        // at once. One sent later finds the timer (`queue_stop`), or sets `stop_asked` before
        // it is stored, which is read under the same lock below.
        let stop_queued = self.mailbox.stop_queued();
        match self.system.timers.add(wait, None, task) {
            Ok(timer) => {
                let ext = self.ext();
                let mut life = ext.life();
                if let Some(s) = life.supervised.as_mut() {
                    if s.stop_asked || stop_queued {
                        timer.fire_now();
                    }
                    s.backoff = Some(timer);
                }
            }
            Err(e) => {
                // The task, and the token in it, were dropped unrun: the actor is abandoned.
                warning!(target: "pykka", "{self}: its restart cannot be timed ({e}): killed");
            }
        }
        true
    }
}

/// The token of an actor waiting out a restart's backoff, held by the runtime's timer: the
/// task submits it when the wait is over. A timer that drops the task unrun (the runtime is
/// shutting down, or the task could not be added) abandons the actor instead: its mailbox is
/// closed and answered, and it dies (`Killed`). Never lost: a lost token would leave the
/// mailbox scheduled with nobody to run it, and every later ask unanswered.
struct Held<A: Actor>(Option<Arc<Cell<A>>>);

impl<A: Actor> Drop for Held<A> {
    fn drop(&mut self) {
        if let Some(cell) = self.0.take() {
            AnyCell::kill(&*cell);
        }
    }
}

impl<A: Actor> InlineTarget for Cell<A> {
    fn actor_id(&self) -> u128 {
        self.id()
    }

    fn type_name(&self) -> &'static str {
        std::any::type_name::<A>()
    }

    fn pool_id(&self) -> usize {
        crate::sched::pool_id(&self.system.pool)
    }

    fn run_inline(self: Arc<Self>, done: &dyn Fn() -> bool) {
        // Dedicated actors refuse the claim.
        let mut batch = Batch::new();
        if !self.mailbox.claim_inline(&mut batch) {
            return;
        }
        let mut budget = usize::MAX;
        let start = self
            .system
            .config()
            .actor_metrics
            .then(std::time::Instant::now);
        while matches!(
            self.run_batch(&mut batch, &mut budget, done, false),
            Run::Alive
        ) && !done()
        {
            if !self.mailbox.refill(&mut batch) {
                break;
            }
        }
        if let Some(start) = start {
            self.record(usize::MAX - budget, start.elapsed(), batch.seen());
        }
        match self.mailbox.release_inline(&mut batch) {
            InlineRelease::Done => {}
            InlineRelease::Resubmit => self.submit(),
            InlineRelease::Closed => self.finalize(&mut batch),
        }
    }
}

impl<A: Actor> fmt::Display for Cell<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", Self::class(), self.urn())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// The idle-actor figure (docs/benchmarks.md) rests on this: 88 bytes of cell and 16 of
    /// `Arc` counts fill a 112-byte malloc chunk exactly; 8 more bytes would cost 16.
    #[test]
    fn a_cell_of_a_zero_sized_actor_is_88_bytes() {
        struct Z;
        impl Actor for Z {}
        assert_eq!(std::mem::size_of::<Cell<Z>>(), 88);
    }
}
