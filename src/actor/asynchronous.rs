//! Async handlers: [`AsyncReceive`], and how a suspended handler waits without a thread.
//!
//! # The design
//!
//! An async handler's future borrows the actor (`&mut self`) across its awaits. To keep it
//! between polls without `unsafe`, the actor value is *lent* to the future: the activation takes
//! it out of the cell's core and moves it into the future (an `async move` block that owns it,
//! through a [`Lend`] guard, with the handler's `Context`). The future's output is the value:
//! when the handler ends, the activation puts it back in the core, with no lock; if the future
//! panics or is dropped first, the guard gives it back to the actor's `Parts::home`. kameo's
//! actor loop owns its actor the same way; here the loan lasts one message.
//!
//! - **Fast path.** The activation polls the future at once. Most handlers finish in that poll
//!   (they await a reply that is there, or nothing): the value goes back into the core and the
//!   next envelope runs, as for a sync handler.
//! - **Suspended.** If the poll returns `Pending`, the activation stores the future (the
//!   *suspension*, in the actor's extension), keeps the actor's token (the mailbox stays
//!   scheduled, so new messages queue behind and schedule nothing: one message at a time) and
//!   parks the token with the suspension's waker (`sched::wake`, with its loom model). No thread
//!   is held. The first wake resubmits the token; the next activation polls the suspension
//!   before any envelope, and on `Ready` carries on with the batch.
//! - **Inline runs** (a blocked `get()` running the actor on its own thread) poll a suspension
//!   too, but hold no token: on `Pending` they leave it for the token's next activation.
//! - **Panics** in a poll are caught: an ask's future fails with `Error::Panicked` and the actor
//!   lives on (its value comes back through the guard); a tell's panic is a tell's panic
//!   (supervision, `after_panic`, or death and `on_failure`), as for sync handlers. The ask's
//!   promise lives inside the future (which sets it: one allocation per message, the future);
//!   a type-erased handle to its slot stays outside (`Suspended`), and a promise dropped with
//!   its future lets go of the slot without completing it, so the handle's `Panicked` or
//!   `ActorDead` is what the asker sees (a slot's first completion wins).
//! - **Kill** while suspended wakes the suspension's waker, so that an activation finds the
//!   actor closed: the suspension is dropped (the value comes home), an ask waiting on it fails
//!   with `ActorDead`, and the value is retired as usual.
//!
//! # Sync and async actors together
//!
//! `AsyncReceive` actors are `Receive` actors too (a blanket impl), so `tell`, `ask`, proxies,
//! broadcast and every other `A: Receive` API work on them unchanged, and a sync handler's
//! blocking `get()` on an async actor's reply keeps the blocking guarantee (the asked actor runs
//! inline when it can; if its handler suspends, the waiting thread hands its slot over and
//! blocks, and the suspension is resumed by its waker on any worker). The blanket impl's
//! `on_receive` (called only by code that calls it directly) runs the future to completion on
//! the calling thread.

use crate::actor::envelope::{AskMsg, AsyncKind, Envelope, Once, SenderSlot, TellMsg};
use crate::actor::{Actor, Context, Receive};
use crate::base::error::Error;
use crate::base::panic::catch;
use crate::future::Promise;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll, Wake, Waker};

/// An actor whose handler is `async`: it may await other actors' replies, timers
/// ([`sleep`](crate::sleep)) and any `std::future::Future`, without holding a pool thread while
/// it waits. The actor still handles one message at a time: messages sent meanwhile wait in
/// its mailbox, in order.
///
/// Everything that works on a [`Receive`] actor works on an `AsyncReceive` one (`tell`, `ask`,
/// `get()`, `.await`, proxies), and sync and async actors talk to each other freely.
///
/// ```
/// use pykka::{Actor, ActorRef, AsyncReceive, Context, Receive};
///
/// struct Doubler;
/// impl Actor for Doubler {}
/// impl Receive for Doubler {
///     type Message = u32;
///     type Reply = u32;
///     fn on_receive(&mut self, n: u32, _ctx: &mut Context<Self>) -> u32 { n * 2 }
/// }
///
/// struct Summer { doubler: ActorRef<Doubler>, total: u32 }
/// impl Actor for Summer {}
/// impl AsyncReceive for Summer {
///     type Message = u32;
///     type Reply = u32;
///     async fn on_receive(&mut self, n: u32, _ctx: &mut Context<Self>) -> u32 {
///         // Awaiting the reply holds no thread; the next message waits for this one.
///         self.total += self.doubler.ask(n).await.unwrap();
///         self.total
///     }
/// }
///
/// let doubler = Doubler.start();
/// let summer = Summer { doubler, total: 0 }.start();
/// assert_eq!(summer.ask(1).get().unwrap(), 2);
/// assert_eq!(summer.ask(2).get().unwrap(), 6);
/// ```
pub trait AsyncReceive: Actor {
    /// What the actor receives.
    type Message: Send + 'static;
    /// What `ask` gets back.
    type Reply: Send + 'static;

    /// Handles one message; the actor handles no other until this future completes.
    fn on_receive(
        &mut self,
        message: Self::Message,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Self::Reply> + Send;
}

impl<T: AsyncReceive> Receive for T {
    type Message = <T as AsyncReceive>::Message;
    type Reply = <T as AsyncReceive>::Reply;

    /// Runs the async handler to completion on the calling thread. The library never calls this
    /// for an `AsyncReceive` actor: its messages are polled on the pool, without a thread of
    /// their own while they wait.
    fn on_receive(&mut self, message: Self::Message, ctx: &mut Context<Self>) -> Self::Reply {
        block_on(AsyncReceive::on_receive(self, message, ctx))
    }

    fn __tell_envelope<S: crate::__private::SenderSlot>(
        job: crate::__private::TellMsg<Self::Message, S>,
    ) -> crate::__private::Env<Self> {
        crate::__private::Env(Envelope::run_async(job))
    }

    fn __ask_envelope<S: crate::__private::SenderSlot>(
        job: crate::__private::AskMsg<Self::Message, Self::Reply, S>,
    ) -> crate::__private::Env<Self> {
        crate::__private::Env(Envelope::run_async(job))
    }

    fn __tell_via_envelope<M: Send + 'static>(
        job: crate::__private::TellVia<M>,
    ) -> crate::__private::Env<Self>
    where
        Self::Message: From<M>,
    {
        crate::__private::Env(Envelope::run_async(job))
    }

    fn __ask_via_envelope<M: Send + 'static, R: From<Self::Reply> + Send + 'static>(
        job: crate::__private::AskVia<M, R>,
    ) -> crate::__private::Env<Self>
    where
        Self::Message: From<M>,
    {
        crate::__private::Env(Envelope::run_async(job))
    }
}

/// Runs `future` to completion on this thread (the blanket `Receive::on_receive`).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = TaskContext::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

/// The actor value lent to a handler's future, with the handler's context. A future that ends
/// returns the value (the activation puts it back in the core: no lock); one that panics or is
/// dropped first gives it back through this guard, to its actor's `Parts::home`.
struct Lend<A: Actor> {
    value: Option<A>,
    ctx: Context<A>,
}

impl<A: Actor> Drop for Lend<A> {
    fn drop(&mut self) {
        if let Some(v) = self.value.take() {
            self.ctx.cell.give_back(v);
        }
    }
}

/// An async handler's message, by value: told (no promise) or asked.
pub(crate) trait AsyncOnce<A: Actor>: Send + Sized + 'static {
    /// Sent urgent (see `TellOnce::URGENT`).
    const URGENT: bool = false;
    /// Starts the handler on `actor`, lent until the returned suspension ends or is dropped.
    fn start(self, actor: A, ctx: Context<A>) -> Suspended<A>;
    /// Answers the job without running it: an ask's future fails with `error`.
    fn fail(self, error: Error);
    /// A tell's message type, for the dead letters; `None` for an ask.
    fn message_type(&self) -> Option<&'static str>;
    /// As `TellOnce::into_returned`: a message told from inside an actor, to hand back.
    fn into_returned(self) -> Option<crate::actor::envelope::Returned> {
        None
    }
}

/// [`AsyncOnce`] as the mailbox calls it, through `&mut` (see `envelope::Once`).
/// `into_returned` takes the job out, dropping it unless it gives a message back.
pub(crate) trait AsyncJob<A: Actor>: Send {
    /// As [`AsyncOnce::start`]; `Err` gives the value back if the job was spent (never, as
    /// the library calls each job once).
    fn start(&mut self, actor: A, ctx: Context<A>) -> Result<Suspended<A>, A>;
    fn fail(&mut self, error: Error);
    fn message_type(&self) -> Option<&'static str>;
    fn take_returned(&mut self) -> Option<crate::actor::envelope::Returned>;
}

impl<A: Actor, J: AsyncOnce<A>> AsyncJob<A> for Once<J, AsyncKind> {
    fn start(&mut self, actor: A, ctx: Context<A>) -> Result<Suspended<A>, A> {
        match self.0.take() {
            Some(job) => Ok(job.start(actor, ctx)),
            None => Err(actor),
        }
    }

    fn fail(&mut self, error: Error) {
        if let Some(job) = self.0.take() {
            job.fail(error);
        }
    }

    fn message_type(&self) -> Option<&'static str> {
        self.0.as_ref()?.message_type()
    }

    fn take_returned(&mut self) -> Option<crate::actor::envelope::Returned> {
        self.0.take()?.into_returned()
    }
}

/// Starts `A`'s handler on `message`, the value lent to its future. One allocation: the
/// future, which sets the promise itself; a type-erased handle to the promise's slot stays
/// outside it, to fail the ask if the future panics or is dropped.
fn start_handler<A: AsyncReceive, R: From<<A as AsyncReceive>::Reply> + Send + 'static>(
    message: <A as AsyncReceive>::Message,
    promise: Option<Promise<R>>,
    sender: Option<crate::AnyActorRef>,
    actor: A,
    ctx: Context<A>,
    #[cfg(feature = "tracing")] traced: Option<tracing::Span>,
) -> Suspended<A> {
    #[cfg(feature = "tracing")]
    let urn = ctx.actor_urn().to_owned();
    let fail = promise.as_ref().and_then(Promise::fail_handle);
    let kept = sender.clone();
    let future = async move {
        let mut lent = Lend {
            value: Some(actor),
            ctx,
        };
        lent.ctx.sender = sender;
        let Lend { value, ctx } = &mut lent;
        let Some(actor) = value.as_mut() else {
            unreachable!("the value is lent until the guard is dropped")
        };
        let reply_to = ReplyTo(promise);
        let reply = AsyncReceive::on_receive(actor, message, ctx).await;
        reply_to.set(R::from(reply));
        lent.value.take()
    };
    #[cfg(feature = "tracing")]
    let future = tracing::Instrument::instrument(
        future,
        crate::base::tracing::message_span::<A, <A as AsyncReceive>::Message>(
            traced.as_ref(),
            &urn,
        ),
    );
    Suspended {
        future: Box::pin(future),
        fail,
        sender: kept,
    }
}

/// A message told to an async actor through a `Recipient<M>`: converted when its handler starts.
impl<A, M> AsyncOnce<A> for crate::actor::recipient::TellVia<M>
where
    A: AsyncReceive,
    <A as AsyncReceive>::Message: From<M>,
    M: Send + 'static,
{
    fn start(self, actor: A, ctx: Context<A>) -> Suspended<A> {
        let message = <A as AsyncReceive>::Message::from(self.0);
        start_handler::<A, <A as AsyncReceive>::Reply>(
            message,
            None,
            None,
            actor,
            ctx,
            #[cfg(feature = "tracing")]
            None,
        )
    }

    fn fail(self, _: Error) {}

    fn message_type(&self) -> Option<&'static str> {
        Some(std::any::type_name::<M>())
    }
}

/// A message asked of an async actor through a `ReplyRecipient<M, R>`.
impl<A, M, R> AsyncOnce<A> for crate::actor::recipient::AskVia<M, R>
where
    A: AsyncReceive,
    <A as AsyncReceive>::Message: From<M>,
    R: From<<A as AsyncReceive>::Reply> + Send + 'static,
    M: Send + 'static,
{
    fn start(self, actor: A, ctx: Context<A>) -> Suspended<A> {
        let message = <A as AsyncReceive>::Message::from(self.message);
        start_handler(
            message,
            Some(self.promise),
            None,
            actor,
            ctx,
            #[cfg(feature = "tracing")]
            None,
        )
    }

    fn fail(self, error: Error) {
        self.promise.fail(error);
    }

    fn message_type(&self) -> Option<&'static str> {
        None
    }
}

/// A told message to an async actor: the same box as a sync actor's, queued as an async job
/// (no second allocation, nothing allocated under the mailbox's lock).
impl<A: AsyncReceive, S: SenderSlot> AsyncOnce<A> for TellMsg<<A as AsyncReceive>::Message, S> {
    const URGENT: bool = S::URGENT;
    fn start(self, actor: A, ctx: Context<A>) -> Suspended<A> {
        let TellMsg(message, sender) = self;
        #[cfg(feature = "tracing")]
        let traced = sender.span().cloned();
        start_handler::<A, <A as AsyncReceive>::Reply>(
            message,
            None,
            sender.into_sender(),
            actor,
            ctx,
            #[cfg(feature = "tracing")]
            traced,
        )
    }

    fn fail(self, _: Error) {}

    fn message_type(&self) -> Option<&'static str> {
        Some(std::any::type_name::<<A as AsyncReceive>::Message>())
    }

    fn into_returned(self) -> Option<crate::actor::envelope::Returned> {
        let TellMsg(message, sender) = self;
        Some((sender.into_sender()?, Box::new(message)))
    }
}

impl<A: AsyncReceive, S: SenderSlot> AsyncOnce<A>
    for AskMsg<<A as AsyncReceive>::Message, <A as AsyncReceive>::Reply, S>
{
    const URGENT: bool = S::URGENT;

    fn start(self, actor: A, ctx: Context<A>) -> Suspended<A> {
        let AskMsg {
            message,
            promise,
            sender,
        } = self;
        #[cfg(feature = "tracing")]
        let traced = sender.span().cloned();
        start_handler(
            message,
            Some(promise),
            sender.into_sender(),
            actor,
            ctx,
            #[cfg(feature = "tracing")]
            traced,
        )
    }

    fn fail(self, error: Error) {
        self.promise.fail(error);
    }

    fn message_type(&self) -> Option<&'static str> {
        None
    }
}

/// A boxed future borrowing for `'a`: what an async proxy call's closure returns.
pub type BoxFuture<'a, R> = Pin<Box<dyn Future<Output = R> + Send + 'a>>;

/// An async proxy call (`ActorProxy::call_async`, a proxied `async fn`), asked or deferred.
pub(crate) struct AsyncCall<F, R> {
    pub(crate) f: F,
    pub(crate) promise: Option<Promise<R>>,
}

impl<A, R, F> AsyncOnce<A> for AsyncCall<F, R>
where
    A: Actor,
    R: Send + 'static,
    F: for<'a> FnOnce(&'a mut A, &'a mut Context<A>) -> BoxFuture<'a, R> + Send + 'static,
{
    fn start(self, actor: A, ctx: Context<A>) -> Suspended<A> {
        let AsyncCall { f, promise } = self;
        let fail = promise.as_ref().and_then(Promise::fail_handle);
        let future = async move {
            let mut lent = Lend {
                value: Some(actor),
                ctx,
            };
            let Lend { value, ctx } = &mut lent;
            let Some(actor) = value.as_mut() else {
                unreachable!("the value is lent until the guard is dropped")
            };
            let reply_to = ReplyTo(promise);
            let reply = f(actor, ctx).await;
            reply_to.set(reply);
            lent.value.take()
        };
        Suspended {
            future: Box::pin(future),
            fail,
            sender: None,
        }
    }

    fn fail(self, error: Error) {
        if let Some(p) = self.promise {
            p.fail(error);
        }
    }

    fn message_type(&self) -> Option<&'static str> {
        match self.promise {
            Some(_) => None,
            None => Some("deferred call"),
        }
    }
}

/// An ask's promise inside its handler's future. Set when the handler returns; if the future
/// panics or is dropped first, it lets go of the slot without completing it, and the
/// [`Suspended`]'s handle completes it (`Panicked`, `ActorDead`, or `BrokenPromise`).
struct ReplyTo<R>(Option<Promise<R>>);

impl<R> ReplyTo<R> {
    fn set(mut self, reply: R) {
        if let Some(p) = self.0.take() {
            p.set(reply);
        }
    }
}

impl<R> Drop for ReplyTo<R> {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            p.disarm();
        }
    }
}

/// A handler's future between polls (one allocation: the future), with what the activation
/// needs beside it: the handle that fails an ask's future, and the message's sender. The
/// future's output is the lent value, given back when the handler ends.
pub(crate) struct Suspended<A> {
    future: Pin<Box<dyn Future<Output = Option<A>> + Send>>,
    fail: Option<Arc<dyn crate::future::FailSlot>>,
    sender: Option<crate::AnyActorRef>,
}

/// A suspension dropped without an outcome (nothing set the reply, nothing failed it): the asker
/// is not left waiting.
impl<A> Drop for Suspended<A> {
    fn drop(&mut self) {
        if let Some(f) = self.fail.take() {
            f.fail(Error::BrokenPromise);
        }
    }
}

/// What polling a [`Suspended`] gave: the handler ended (its value returned), or it panicked.
pub(crate) type Polled<A> = Result<Option<A>, Box<dyn Any + Send>>;

impl<A> Suspended<A> {
    /// Polls it under `catch`: `Ready(Ok(value))` when it is done (an ask's reply set, the lent
    /// value returned), `Ready(Err(payload))` if it panicked (the value went home through its
    /// guard).
    pub(crate) fn poll(&mut self, cx: &mut TaskContext<'_>) -> Poll<Polled<A>> {
        let future = &mut self.future;
        match catch(|| future.as_mut().poll(cx)) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }

    /// Fails an ask's future with `error` (`true`: it was an ask; a reply already set stays);
    /// `false` for a tell.
    pub(crate) fn fail(&mut self, error: Error) -> bool {
        match self.fail.take() {
            Some(f) => {
                f.fail(error);
                true
            }
            None => false,
        }
    }

    /// The sender of the message being handled, if it had one (for `after_panic`).
    pub(crate) fn take_sender(&mut self) -> Option<crate::AnyActorRef> {
        self.sender.take()
    }
}

/// What an actor's async handlers share across messages, made on its first async message and
/// kept in its extension: the waker (one per actor: a stale wake of an earlier future only
/// causes a spurious poll), the home a lent value comes back to when its future panics or is
/// dropped, and the suspended handler between polls.
pub(crate) struct Parts<A: Actor> {
    pub(crate) wake: Arc<crate::sched::wake::TokenWake<Resume<A>>>,
    pub(crate) waker: Waker,
    pub(crate) home: Mutex<Option<A>>,
    /// Taken and stored only by the claim holder, or by a killer holding the core.
    suspension: Mutex<Option<Suspended<A>>>,
    /// Whether `suspension` holds one: read without its lock at the start of each activation.
    suspended: AtomicBool,
}

impl<A: Actor> Parts<A> {
    pub(crate) fn new(wake: Arc<crate::sched::wake::TokenWake<Resume<A>>>) -> Self {
        Parts {
            waker: Waker::from(Arc::clone(&wake)),
            wake,
            home: Mutex::new(None),
            suspension: Mutex::new(None),
            suspended: AtomicBool::new(false),
        }
    }

    /// Takes the suspended handler, if any.
    pub(crate) fn take_suspension(&self) -> Option<Suspended<A>> {
        // ORDERING: Acquire pairs with `store_suspension`'s Release; the suspension itself is
        // under its lock, and whoever takes it holds the actor's claim or core, which the
        // storing thread released after storing.
        if !self.suspended.load(Ordering::Acquire) {
            return None;
        }
        let taken = self
            .suspension
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        // ORDERING: Release, see above.
        self.suspended.store(false, Ordering::Release);
        taken
    }

    pub(crate) fn store_suspension(&self, suspended: Suspended<A>) {
        *self
            .suspension
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(suspended);
        // ORDERING: Release, see `take_suspension`.
        self.suspended.store(true, Ordering::Release);
    }

    /// Whether a handler is suspended (for the debug snapshot).
    pub(crate) fn is_suspended(&self) -> bool {
        // ORDERING: Acquire, see `take_suspension`; a snapshot only.
        self.suspended.load(Ordering::Acquire)
    }
}

/// Where a suspension's parked token goes: back to its actor's run queue (or dedicated thread).
pub(crate) struct Resume<A: Actor>(pub(crate) std::sync::Weak<crate::actor::cell::Cell<A>>);

impl<A: Actor> crate::sched::wake::Resubmit for Resume<A> {
    fn resubmit(&self) {
        if let Some(cell) = self.0.upgrade() {
            cell.reschedule();
        }
    }
}

impl<A: Actor> Wake for crate::sched::wake::TokenWake<Resume<A>> {
    fn wake(self: Arc<Self>) {
        crate::sched::wake::TokenWake::wake(&self);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        crate::sched::wake::TokenWake::wake(self);
    }
}
