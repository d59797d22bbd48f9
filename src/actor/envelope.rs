//! What a mailbox holds: envelopes, and the jobs inside them (a told or asked message, a proxy
//! call or deferred call), with how each runs inside its actor.

use crate::actor::actor_ref::AnyActorRef;
use crate::actor::{Actor, Context, Receive};
use crate::base::error::Error;
use crate::base::panic::{catch, drop_payload, Failure};
use crate::future::Promise;

/// A fire-and-forget job: a told message, or a deferred proxy call.
pub(crate) trait TellJob<A: Actor>: Send {
    fn run(self: Box<Self>, actor: &mut A, ctx: &mut Context<A>);
    /// What a dead letter calls it; `None` for the library's own notifications, which are not
    /// dead letters.
    fn message_type(&self) -> Option<&'static str>;
    /// A message told from inside an actor (`Context::tell`) that will never be handled: its
    /// sender and the message, to hand back. `None` for the others (the job is dropped).
    fn into_returned(self: Box<Self>) -> Option<Returned> {
        None
    }
}

/// A told message handed back to its sender: the sender, and the message, type-erased.
pub(crate) type Returned = (AnyActorRef, Box<dyn std::any::Any + Send>);

/// A job with a reply: an asked message, or a proxy call.
pub(crate) trait AskJob<A: Actor>: Send {
    /// Runs the job and resolves its promise; a panic fails the promise with
    /// `Error::Panicked` and is returned for logging.
    fn run(self: Box<Self>, actor: &mut A, ctx: &mut Context<A>) -> Option<Failure>;
    /// Answers the job without running it.
    fn fail(self: Box<Self>, error: Error);
}

pub(crate) enum Envelope<A: Actor> {
    Tell(Box<dyn TellJob<A>>),
    Ask(Box<dyn AskJob<A>>),
    /// A message to an async handler, told or asked (`actor::asynchronous`).
    Async(Box<dyn crate::actor::asynchronous::AsyncJob<A>>),
    Stop(Option<Promise<bool>>),
}

/// A told message (public only for `Receive`'s hidden methods).
#[derive(Debug)]
pub struct TellMsg<M, S = NoSender>(pub(crate) M, pub(crate) S);

/// Where a message keeps its sender: nowhere ([`NoSender`], zero bytes: a plain tell or ask
/// costs what it did before senders existed) or an [`AnyActorRef`] (sent with `Context::tell`
/// or `Context::ask`). Public only for `Receive`'s hidden methods.
pub trait SenderSlot: Send + 'static {
    /// The sender, if there is one.
    fn into_sender(self) -> Option<AnyActorRef>;
}

/// No sender (see [`SenderSlot`]).
#[derive(Debug, Clone, Copy)]
pub struct NoSender;

impl SenderSlot for NoSender {
    fn into_sender(self) -> Option<AnyActorRef> {
        None
    }
}

impl SenderSlot for AnyActorRef {
    fn into_sender(self) -> Option<AnyActorRef> {
        Some(self)
    }
}

impl<A: Receive, S: SenderSlot> TellJob<A> for TellMsg<A::Message, S> {
    fn run(self: Box<Self>, actor: &mut A, ctx: &mut Context<A>) {
        let TellMsg(message, sender) = *self;
        match sender.into_sender() {
            // A plain tell (`NoSender`): no sender to set, and nothing more than before.
            None => {
                let _ = actor.on_receive(message, ctx);
            }
            // Cleared after the handler; a panic leaves it set for `after_panic`, and the
            // caller clears it then.
            Some(s) => {
                ctx.sender = Some(s);
                let _ = actor.on_receive(message, ctx);
                ctx.sender = None;
            }
        }
    }

    fn message_type(&self) -> Option<&'static str> {
        Some(std::any::type_name::<A::Message>())
    }

    fn into_returned(self: Box<Self>) -> Option<Returned> {
        let TellMsg(message, sender) = *self;
        Some((sender.into_sender()?, Box::new(message)))
    }
}

/// An asked message and its promise (public only for `Receive`'s hidden methods).
#[derive(Debug)]
pub struct AskMsg<M, R, S = NoSender> {
    pub(crate) message: M,
    pub(crate) promise: Promise<R>,
    pub(crate) sender: S,
}

impl<A: Receive, S: SenderSlot> AskJob<A> for AskMsg<A::Message, A::Reply, S> {
    fn run(self: Box<Self>, actor: &mut A, ctx: &mut Context<A>) -> Option<Failure> {
        let AskMsg {
            message,
            promise,
            sender,
        } = *self;
        match sender.into_sender() {
            None => answer(promise, ctx, |ctx| actor.on_receive(message, ctx)),
            Some(s) => {
                ctx.sender = Some(s);
                let failure = answer(promise, ctx, |ctx| actor.on_receive(message, ctx));
                ctx.sender = None;
                failure
            }
        }
    }

    fn fail(self: Box<Self>, error: Error) {
        self.promise.fail(error);
    }
}

/// A proxy `call`: a closure run inside the actor, its result returned through a future.
pub(crate) struct CallFn<F, R> {
    pub(crate) f: F,
    pub(crate) promise: Promise<R>,
}

impl<A, R, F> AskJob<A> for CallFn<F, R>
where
    A: Actor,
    R: Send,
    F: FnOnce(&mut A, &mut Context<A>) -> R + Send,
{
    fn run(self: Box<Self>, actor: &mut A, ctx: &mut Context<A>) -> Option<Failure> {
        let CallFn { f, promise } = *self;
        answer(promise, ctx, |ctx| f(actor, ctx))
    }

    fn fail(self: Box<Self>, error: Error) {
        self.promise.fail(error);
    }
}

/// A proxy `defer`: a closure run inside the actor with tell semantics.
pub(crate) struct DeferFn<F>(pub(crate) F);

impl<A, F> TellJob<A> for DeferFn<F>
where
    A: Actor,
    F: FnOnce(&mut A, &mut Context<A>) + Send,
{
    fn run(self: Box<Self>, actor: &mut A, ctx: &mut Context<A>) {
        (self.0)(actor, ctx)
    }

    fn message_type(&self) -> Option<&'static str> {
        Some("deferred call")
    }
}

/// The library's own message to an actor (a `Terminated` notification, an escalated failure):
/// tell semantics, never a dead letter.
pub(crate) struct SystemFn<F>(pub(crate) F);

impl<A, F> TellJob<A> for SystemFn<F>
where
    A: Actor,
    F: FnOnce(&mut A, &mut Context<A>) + Send,
{
    fn run(self: Box<Self>, actor: &mut A, ctx: &mut Context<A>) {
        (self.0)(actor, ctx)
    }

    fn message_type(&self) -> Option<&'static str> {
        None
    }
}

/// Runs `handler` and resolves `promise` with what it returns, both under one `catch`: the
/// reply goes from the handler's return slot straight into the promise, and no frame beneath the
/// handler holds a copy of it (a large reply would otherwise be copied through several frames
/// at every level of nested inline runs). A panic before the promise was taken is the
/// handler's: the future fails with `Error::Panicked` and the failure is returned for logging.
/// A panic after it is the reply's drop glue (nobody waits for it): logged, never unwound.
fn answer<A: Actor, R>(
    promise: Promise<R>,
    ctx: &mut Context<A>,
    handler: impl FnOnce(&mut Context<A>) -> R,
) -> Option<Failure> {
    let mut promise = Some(promise);
    let outcome = catch(|| {
        let reply = handler(ctx);
        if let Some(p) = promise.take() {
            p.set(reply);
        }
    });
    let payload = outcome.err()?;
    match promise {
        Some(p) => {
            let failure = ctx.cell.failure(&*payload);
            drop_payload(payload);
            p.fail(Error::Panicked(failure.clone()));
            Some(failure)
        }
        None => {
            ctx.cell.log_drop_panic(payload);
            None
        }
    }
}
