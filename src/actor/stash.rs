//! Stash: a handler sets the message it is handling aside, and later puts every stashed message
//! back in front of its mailbox, in order (Akka's `stash` / `unstashAll`, Pykka issue #38).
//!
//! `Context::stash(message)` leaves the message in the handler's context (`Context::stash_now`).
//! When the handler returns, the job that ran it takes it from there: an ask moves its reply
//! promise along with it (the asker is answered when the message is handled again, and what the
//! handler returned is dropped); a tell keeps its sender. Whatever is left in the context (a
//! stash from a proxy call, a hook, an async handler, or a second stash in one handler) is kept
//! as a plain tell by the activation, or by the context's `Drop`: never lost.
//!
//! The stash itself lives in the actor's extension (`Ext::stash`, made on first use), as the
//! envelopes that will be queued again. `Context::unstash_all` asks the activation to put them
//! in front of its batch once the handler has returned: they run next, before anything that
//! was queued behind them. When the actor dies, what is still stashed is answered as queued
//! messages are (asks fail `ActorDead`, tells become dead letters).

use crate::actor::actor_ref::AnyActorRef;
use crate::actor::envelope::{slot, AskMsg, Envelope, NoSender, TellMsg};
use crate::actor::{Actor, Receive};
use crate::future::Promise;
use std::any::Any;

/// A stashed message, waiting in a handler's context to be turned into an envelope.
pub(crate) trait Restash<A: Actor>: Send {
    /// The envelope of a tell of the message, from its sender.
    fn into_tell(self: Box<Self>) -> Envelope<A>;
    /// For an ask's job, which knows the message type: see [`Stashed`].
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

/// The message and its sender, as `Context::stash` received them.
pub(crate) struct Stashed<A: Receive> {
    pub(crate) message: A::Message,
    pub(crate) sender: Option<AnyActorRef>,
}

impl<A: Receive> Restash<A> for Stashed<A> {
    fn into_tell(self: Box<Self>) -> Envelope<A> {
        let Stashed { message, sender } = *self;
        match sender {
            None => A::__tell_envelope(TellMsg(message, slot(NoSender))).0,
            Some(s) => A::__tell_envelope(TellMsg(message, slot(s))).0,
        }
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

impl<A: Receive> Stashed<A> {
    /// The envelope of an ask of the message, answered through `promise`.
    pub(crate) fn into_ask(self, promise: Promise<A::Reply>) -> Envelope<A> {
        let Stashed { message, sender } = self;
        match sender {
            None => {
                A::__ask_envelope(AskMsg {
                    message,
                    promise,
                    sender: slot(NoSender),
                })
                .0
            }
            Some(sender) => {
                A::__ask_envelope(AskMsg {
                    message,
                    promise,
                    sender: slot(sender),
                })
                .0
            }
        }
    }
}
