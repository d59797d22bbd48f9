//! The actor cell: the actor value, its mailbox, and its lifecycle (start, one activation,
//! stop, failure). See `docs/design.md` section 3.

use crate::actor::{Actor, Context, Receive};
use crate::actor_ref::ActorRef;
use crate::blocking::InlineTarget;
use crate::dedicated::DedicatedHome;
use crate::envelope::{AskMsg, CallFn, DeferFn, Envelope, TellMsg};
use crate::error::{ActorDeadError, Error, TellError};
use crate::future::{promise_for, Future, Promise};
use crate::mailbox::{InlineRelease, Mailbox, Pushed, Release};
use crate::panic::{catch, drop_payload, Failure};
use crate::scheduler::{Runnable, Shared};
use once_cell::race::OnceBox;
use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

struct Core<A> {
    actor: Option<A>,
    started: bool,
}

/// An actor: its identity, its home, its mailbox and (under `core`) its value.
///
/// Kept small (see docs/benchmarks.md, memory): the id is a `Uuid` (16 bytes, alignment 1; a
/// `u128` would align the cell to 16 and pad it), the URN text is made on first request.
pub(crate) struct Cell<A: Actor> {
    id: Uuid,
    shared: Arc<Shared>,
    mailbox: Mailbox<Envelope<A>>,
    /// Locked only by the holder of the mailbox claim, so never contended.
    core: Mutex<Core<A>>,
    urn: OnceBox<String>,
}

/// The last reference to an actor that never died is gone (possible only for an unregistered
/// actor, since the registry holds one): nobody can reach it again, so it is dead. Its value is
/// dropped here, under `catch` (a panicking `Drop` must not unwind through the worker that
/// dropped the last reference), and it stops counting for `Runtime::join`. `on_stop` does not
/// run: nothing asked it to stop.
impl<A: Actor> Drop for Cell<A> {
    fn drop(&mut self) {
        let core = self.core.get_mut().unwrap_or_else(PoisonError::into_inner);
        let value = core.actor.take();
        self.retire(value);
    }
}

/// Builds, registers and schedules a new actor (its first activation runs `on_start`). With a
/// `home`, the actor runs on that dedicated thread instead of the pool.
pub(crate) fn start<A: Actor>(
    actor: A,
    shared: &Arc<Shared>,
    home: Option<Arc<DedicatedHome>>,
) -> ActorRef<A> {
    let dedicated = home.is_some();
    let make = |top: Option<u128>| {
        Arc::new(Cell {
            id: Uuid::from_u128(crate::urn::next_id_with(top)),
            shared: Arc::clone(shared),
            mailbox: Mailbox::new_scheduled(dedicated),
            core: Mutex::new(Core {
                actor: Some(actor),
                started: false,
            }),
            urn: OnceBox::new(),
        })
    };
    // A registered actor's id names its registry slot (src/registry.rs); the cell is built and
    // registered under the slot's lock. (A full shard: a random id, registered by hash.)
    let (cell, registered) = if shared.config.register_actors {
        shared.registry.insert_with(make)
    } else {
        (make(None), false)
    };
    if !A::USE_DAEMON_THREAD {
        shared.live_inc();
    }
    if shared.is_shut_down() {
        if registered {
            shared.registry.unregister(cell.id());
        }
        log::warn!(target: "pykka", "{cell} not started: its runtime was shut down");
        AnyCell::abandon(&*cell);
        return ActorRef::from_cell(cell);
    }
    if shared.config.register_actors {
        if !registered {
            shared.registry.register(cell.clone());
        }
        log::debug!(target: "pykka", "Registered {cell}");
    }
    log::debug!(target: "pykka", "Starting {cell}");
    match home {
        Some(home) => {
            crate::dedicated::register_home(shared, cell.id(), Arc::clone(&home));
            home.notify(cell.clone());
        }
        None => Arc::clone(&cell).submit(),
    }
    ActorRef::from_cell(cell)
}

impl<A: Actor> Cell<A> {
    pub(crate) fn id(&self) -> u128 {
        self.id.as_u128()
    }

    pub(crate) fn class() -> &'static str {
        short_type_name::<A>()
    }

    pub(crate) fn urn(&self) -> &str {
        self.urn
            .get_or_init(|| Box::new(crate::urn::format(self.id.as_u128())))
    }

    pub(crate) fn is_alive(&self) -> bool {
        !self.mailbox.is_closed()
    }

    pub(crate) fn failure(&self, payload: &(dyn Any + Send)) -> Failure {
        Failure::new(payload, Self::class(), self.urn().to_owned())
    }

    /// Queues the token on the pool.
    fn submit(self: Arc<Self>) {
        let shared = Arc::clone(&self.shared);
        shared.submit(self);
    }

    fn push<T>(self: &Arc<Self>, value: T, make: impl FnOnce(T) -> Envelope<A>) -> Result<(), T> {
        match self.mailbox.push_with(value, make)? {
            Pushed::Schedule => Arc::clone(self).submit(),
            Pushed::ScheduleDedicated => {
                crate::dedicated::notify(&self.shared, self.id(), Arc::clone(self) as _)
            }
            Pushed::Queued => {}
        }
        Ok(())
    }

    pub(crate) fn dead_error(&self) -> ActorDeadError {
        ActorDeadError::not_found(self)
    }

    pub(crate) fn tell(self: &Arc<Self>, message: A::Message) -> Result<(), TellError<A::Message>>
    where
        A: Receive,
    {
        self.push(Box::new(TellMsg(message)), |b| Envelope::Tell(b))
            .map_err(|b| TellError::new(b.0, self.dead_error()))
    }

    pub(crate) fn ask(self: &Arc<Self>, message: A::Message) -> Future<A::Reply>
    where
        A: Receive,
    {
        let (promise, future) = promise_for(self.clone());
        let job = Box::new(AskMsg { message, promise });
        match self.push(job, |b| Envelope::Ask(b)) {
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
        match self.push(Box::new(CallFn { f, promise }), |b| Envelope::Ask(b)) {
            Ok(()) => future,
            Err(job) => {
                job.promise.fail(Error::ActorDead(self.dead_error()));
                future
            }
        }
    }

    /// Runs `f` inside the actor, in mailbox order, with tell semantics.
    pub(crate) fn defer<F>(self: &Arc<Self>, f: F) -> Result<(), ActorDeadError>
    where
        F: FnOnce(&mut A, &mut Context<A>) + Send + 'static,
    {
        self.push(Box::new(DeferFn(f)), |b| Envelope::Tell(b))
            .map_err(|_| self.dead_error())
    }

    /// Queues a stop request; `Err` if the actor is dead.
    pub(crate) fn queue_stop(self: &Arc<Self>, reply: Option<Promise<bool>>) -> Result<(), ()> {
        self.push(reply, Envelope::Stop).map_err(|_| ())
    }

    /// Runs envelopes from `batch` until it is empty, the budget is spent or `done()` holds
    /// (the caller refills). Returns whether the actor is still alive.
    fn run_batch(
        self: &Arc<Self>,
        batch: &mut VecDeque<Envelope<A>>,
        budget: &mut usize,
        done: &dyn Fn() -> bool,
    ) -> bool {
        let mut guard = self.core.lock().unwrap_or_else(PoisonError::into_inner);
        let core = &mut *guard;
        let _running = crate::blocking::running(self.id());
        let mut ctx = Context {
            cell: Arc::clone(self),
        };
        if !core.started {
            core.started = true;
            if let Some(actor) = core.actor.as_mut() {
                if let Err(payload) = catch(|| actor.on_start(&mut ctx)) {
                    self.log_unhandled(payload);
                    self.terminate(core, batch, &mut ctx, |_, _| {});
                }
            }
        }
        loop {
            let Some(actor) = core.actor.as_mut() else {
                self.answer_all(batch);
                return false;
            };
            if *budget == 0 || done() {
                return true;
            }
            let Some(envelope) = batch.pop_front() else {
                return true;
            };
            *budget -= 1;
            match envelope {
                Envelope::Tell(job) => {
                    if let Err(payload) = catch(|| job.run(actor, &mut ctx)) {
                        let failure = self.failure(&*payload);
                        self.log_unhandled(payload);
                        // Unregistered and dead first, then on_failure (b1_9).
                        self.terminate(core, batch, &mut ctx, |actor, ctx| {
                            if let Err(p) = catch(|| actor.on_failure(&failure, ctx)) {
                                self.log_unhandled(p);
                            }
                        });
                    }
                }
                Envelope::Ask(job) => {
                    if let Some(failure) = job.run(actor, &mut ctx) {
                        log::info!(
                            target: "pykka",
                            "Exception returned from {self} to caller: {}",
                            failure.message()
                        );
                    }
                }
                Envelope::Stop(reply) => {
                    self.terminate(core, batch, &mut ctx, |actor, ctx| {
                        log::debug!(target: "pykka", "Stopped {self}");
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

    /// The actor value goes (its `Drop` is user code, caught) and, if there was one, the actor
    /// counts as dead for `Runtime::join`. Whoever takes the value out of the core calls this,
    /// once.
    fn retire(&self, value: Option<A>) {
        let Some(value) = value else { return };
        if let Err(p) = catch(move || drop(value)) {
            self.log_drop_panic(p);
        }
        if !A::USE_DAEMON_THREAD {
            self.shared.live_dec();
        }
    }

    /// A user value's `Drop` panicked while the library dropped it (a reply nobody waits for, a
    /// message never handled): logged, never allowed to unwind through a worker.
    pub(crate) fn log_drop_panic(&self, payload: Box<dyn Any + Send>) {
        log::error!(
            target: "pykka",
            "Panic while dropping a value of {self}: {}",
            crate::panic::payload_text(&*payload)
        );
        drop_payload(payload);
    }

    fn log_unhandled(&self, payload: Box<dyn Any + Send>) {
        log::error!(
            target: "pykka",
            "Unhandled exception in {self}: {}",
            crate::panic::payload_text(&*payload)
        );
        drop_payload(payload);
    }

    /// The actor dies: close the mailbox (sends fail from here on), unregister, run `hook` (the
    /// actor is already dead inside it), drop the value, answer every envelope left.
    fn terminate(
        &self,
        core: &mut Core<A>,
        batch: &mut VecDeque<Envelope<A>>,
        ctx: &mut Context<A>,
        hook: impl FnOnce(&mut A, &mut Context<A>),
    ) {
        batch.extend(self.mailbox.close());
        self.unregister();
        if let Some(actor) = core.actor.as_mut() {
            hook(actor, ctx);
        }
        self.retire(core.actor.take());
        self.answer_all(batch);
    }

    /// After the mailbox closed: answer what the caller still holds, and if the actor value is
    /// still there (it was abandoned at shutdown while this thread ran it), drop it and count
    /// the actor dead. Idempotent: the value is taken once.
    fn finalize(&self, batch: &mut VecDeque<Envelope<A>>) {
        self.answer_all(batch);
        let value = {
            let mut core = self.core.lock().unwrap_or_else(PoisonError::into_inner);
            core.actor.take()
        };
        self.retire(value);
    }

    fn unregister(&self) {
        if self.shared.registry.unregister(self.id()) {
            log::debug!(target: "pykka", "Unregistered {self}");
        }
    }

    /// Answers envelopes that will never run (b1_11): asks fail `ActorDead`, stop requests
    /// resolve `true`, tells are dropped.
    fn answer_all(&self, batch: &mut VecDeque<Envelope<A>>) {
        for envelope in batch.drain(..) {
            match envelope {
                Envelope::Ask(job) => {
                    let error = Error::ActorDead(ActorDeadError::stopped_before_handling(self));
                    // Failing the job drops the message it carried: user code.
                    if let Err(p) = catch(move || job.fail(error)) {
                        self.log_drop_panic(p);
                    }
                }
                Envelope::Stop(Some(p)) => p.set(true),
                Envelope::Stop(None) => {}
                Envelope::Tell(job) => {
                    log::debug!(target: "pykka", "Dropped a message to {self}: it stopped first");
                    if let Err(p) = catch(move || drop(job)) {
                        self.log_drop_panic(p);
                    }
                }
            }
        }
    }
}

impl<A: Actor> Runnable for Cell<A> {
    fn run(self: Arc<Self>, budget: usize) -> bool {
        let mut batch = VecDeque::new();
        if !self.mailbox.claim_token(&mut batch) {
            // Handed to the thread running the actor inline; it resubmits on release.
            return true;
        }
        let mut budget = budget;
        loop {
            let alive = self.run_batch(&mut batch, &mut budget, &|| false);
            match self.mailbox.release_token(&mut batch, budget > 0) {
                Release::Continue => continue,
                Release::Idle => return alive,
                Release::Resubmit => {
                    // Only pooled actors: a dedicated thread runs with no budget limit.
                    self.submit();
                    return alive;
                }
                Release::Closed => {
                    self.finalize(&mut batch);
                    return false;
                }
            }
        }
    }

    fn abandon(self: Arc<Self>) {
        AnyCell::abandon(&*self);
    }
}

impl<A: Actor> InlineTarget for Cell<A> {
    fn actor_id(&self) -> u128 {
        self.id()
    }

    fn describe(&self) -> String {
        self.to_string()
    }

    fn run_inline(self: Arc<Self>, pool: &Shared, done: &dyn Fn() -> bool) {
        // Only actors of the waiting thread's own pool; dedicated ones refuse the claim.
        if !std::ptr::eq(&*self.shared, pool) {
            return;
        }
        let mut batch = VecDeque::new();
        if !self.mailbox.claim_inline(&mut batch) {
            return;
        }
        let mut budget = usize::MAX;
        while self.run_batch(&mut batch, &mut budget, done) && !done() {
            if !self.mailbox.refill(&mut batch) {
                break;
            }
        }
        match self.mailbox.release_inline(&mut batch) {
            InlineRelease::Done => {}
            InlineRelease::Resubmit => self.submit(),
            InlineRelease::Closed => self.finalize(&mut batch),
        }
    }
}

/// What the registry and `AnyActorRef` need of a cell, whatever its actor type.
pub(crate) trait AnyCell: Send + Sync + 'static {
    fn id(&self) -> u128;
    fn class(&self) -> &'static str;
    fn urn(&self) -> &str;
    fn is_alive(&self) -> bool;
    fn request_stop(self: Arc<Self>) -> Future<bool>;
    /// Kills an actor that will never run again (its runtime is gone): answers its mailbox.
    fn abandon(&self);
    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
    /// The actor type's `TypeId`.
    fn actor_type(&self) -> std::any::TypeId;
    /// (closed, running, scheduled, messages queued), for debug snapshots.
    fn debug_state(&self) -> (bool, bool, bool, usize);
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

    fn abandon(&self) {
        let mut leftovers = self.mailbox.close();
        self.unregister();
        self.answer_all(&mut leftovers);
        // If a thread runs the actor right now, it finalises it when it releases the claim
        // (`Release::Closed`); otherwise do it here.
        let value = match self.core.try_lock() {
            Ok(mut core) => core.actor.take(),
            Err(_) => None,
        };
        self.retire(value);
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
}

impl<A: Actor> fmt::Display for Cell<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", Self::class(), self.urn())
    }
}

/// The type's name without its module path: `a::b::Foo<c::Bar>` → `Foo<c::Bar>`.
pub(crate) fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let head_end = full.find('<').unwrap_or(full.len());
    let start = full[..head_end].rfind("::").map_or(0, |i| i + 2);
    &full[start..]
}
