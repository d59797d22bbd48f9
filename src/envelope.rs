//! What a mailbox holds: envelopes, and the jobs inside them (a told or asked message, a proxy
//! call or deferred call), with how each runs inside its actor.

use crate::actor::{Actor, Context, Receive};
use crate::error::Error;
use crate::future::Promise;
use crate::panic::{catch, drop_payload, Failure};
use std::any::Any;

/// A fire-and-forget job: a told message, or a deferred proxy call.
pub(crate) trait TellJob<A: Actor>: Send {
    fn run(self: Box<Self>, actor: &mut A, ctx: &mut Context<A>);
    /// What a dead letter calls it; `None` for the library's own notifications, which are not
    /// dead letters.
    fn message_type(&self) -> Option<&'static str>;
}

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
    Stop(Option<Promise<bool>>),
}

pub(crate) struct TellMsg<M>(pub(crate) M);

impl<A: Receive> TellJob<A> for TellMsg<A::Message> {
    fn run(self: Box<Self>, actor: &mut A, ctx: &mut Context<A>) {
        let _ = actor.on_receive(self.0, ctx);
    }

    fn message_type(&self) -> Option<&'static str> {
        Some(std::any::type_name::<A::Message>())
    }
}

pub(crate) struct AskMsg<M, R> {
    pub(crate) message: M,
    pub(crate) promise: Promise<R>,
}

impl<A: Receive> AskJob<A> for AskMsg<A::Message, A::Reply> {
    fn run(self: Box<Self>, actor: &mut A, ctx: &mut Context<A>) -> Option<Failure> {
        let AskMsg { message, promise } = *self;
        answer(promise, catch(|| actor.on_receive(message, ctx)), ctx)
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
        answer(promise, catch(|| f(actor, ctx)), ctx)
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

fn answer<A: Actor, R>(
    promise: Promise<R>,
    result: Result<R, Box<dyn Any + Send>>,
    ctx: &Context<A>,
) -> Option<Failure> {
    match result {
        Ok(r) => {
            // If the asker dropped its future, the reply is dropped here, and its Drop is user code.
            if let Err(p) = catch(move || promise.set(r)) {
                ctx.cell.log_drop_panic(p);
            }
            None
        }
        Err(payload) => {
            let failure = ctx.cell.failure(&*payload);
            drop_payload(payload);
            promise.fail(Error::Panicked(failure.clone()));
            Some(failure)
        }
    }
}
