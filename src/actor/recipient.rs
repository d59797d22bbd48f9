//! Recipients: a handle typed by the message, not by the actor ([`Recipient<M>`] for tells,
//! [`ReplyRecipient<M, R>`] for asks). A component that only sends `M` can hold "anything that
//! takes `M`" (actix's `Recipient`, Akka's typed `ActorRef[M]`, ractor's and kameo's
//! recipients), whatever actor is behind it.
//!
//! A recipient converts the message in the actor, when it is handled (`A::Message: From<M>`),
//! not when it is sent: a message to a dead actor comes back as the `M` that was sent, and the
//! job costs what a plain tell costs (stored inline up to three words, no allocation).

use crate::actor::actor_ref::{ActorRef, AnyActorRef};
use crate::actor::envelope::{answer_or_stash, AskOnce, TellOnce};
use crate::actor::{Actor, Context, Receive};
use crate::base::error::{Error, TellError};
use crate::base::panic::Failure;
use crate::future::{Future, Promise};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A told `M`, converted into the actor's message type when handled.
pub struct TellVia<M>(pub(crate) M);

impl<M> fmt::Debug for TellVia<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TellVia { .. }")
    }
}

impl<A, M> TellOnce<A> for TellVia<M>
where
    A: Receive,
    A::Message: From<M>,
    M: Send + 'static,
{
    fn run(self, actor: &mut A, ctx: &mut Context<A>) {
        // A recipient's message carries no span of its sender: a root span.
        #[cfg(feature = "tracing")]
        let _span = crate::base::tracing::message_span::<A, M>(None, ctx.actor_urn()).entered();
        let _ = actor.on_receive(A::Message::from(self.0), ctx);
    }

    fn message_type(&self) -> Option<&'static str> {
        Some(std::any::type_name::<M>())
    }
}

/// An asked `M`, converted into the actor's message type when handled, and its reply converted
/// into `R`.
pub struct AskVia<M, R> {
    pub(crate) message: M,
    pub(crate) promise: Promise<R>,
}

impl<M, R> fmt::Debug for AskVia<M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AskVia { .. }")
    }
}

impl<A, M, R> AskOnce<A> for AskVia<M, R>
where
    A: Receive,
    A::Message: From<M>,
    R: From<A::Reply> + Send + 'static,
    M: Send + 'static,
{
    fn run(self, actor: &mut A, ctx: &mut Context<A>) -> Option<Failure> {
        let AskVia { message, promise } = self;
        #[cfg(feature = "tracing")]
        let _span = crate::base::tracing::message_span::<A, M>(None, ctx.actor_urn()).entered();
        answer_or_stash(
            promise,
            ctx,
            |ctx| R::from(actor.on_receive(A::Message::from(message), ctx)),
            // Stashed, it is asked again as the actor's own message type, still answered as `R`.
            |stashed, promise| {
                A::__ask_via_envelope::<A::Message, R>(AskVia {
                    message: stashed.message,
                    promise,
                })
                .0
            },
        )
    }

    fn fail(self, error: Error) {
        self.promise.fail(error);
    }
}

/// What a recipient needs of the actor behind it.
trait Deliver<M>: Send + Sync {
    fn tell(&self, message: M) -> Result<(), TellError<M>>;
    fn any(&self) -> AnyActorRef;
}

/// What a reply recipient needs of the actor behind it.
trait Answer<M, R>: Send + Sync {
    fn ask(&self, message: M) -> Future<R>;
    fn any(&self) -> AnyActorRef;
}

/// The actor behind a recipient.
struct Via<A: Actor>(ActorRef<A>);

impl<A, M> Deliver<M> for Via<A>
where
    A: Receive,
    A::Message: From<M>,
    M: Send + 'static,
{
    fn tell(&self, message: M) -> Result<(), TellError<M>> {
        self.0.cell().tell_via(message)
    }

    fn any(&self) -> AnyActorRef {
        self.0.clone().into()
    }
}

impl<A, M, R> Answer<M, R> for Via<A>
where
    A: Receive,
    A::Message: From<M>,
    R: From<A::Reply> + Send + 'static,
    M: Send + 'static,
{
    fn ask(&self, message: M) -> Future<R> {
        self.0.cell().ask_via(message)
    }

    fn any(&self) -> AnyActorRef {
        self.0.clone().into()
    }
}

/// Any actor that takes `M`: an [`ActorRef<A>`] whose message type is `M` or converts from it
/// (`A::Message: From<M>`), with the actor type erased. Cheap to clone (one reference count),
/// `Send + Sync`; equal, hashed and shown as the actor behind it.
///
/// The message is converted inside the actor, when it is handled. A tell to a dead actor hands
/// back the `M` that was sent, as [`ActorRef::tell`] does.
///
/// ```
/// use pykka::{Actor, Context, Receive, Recipient};
///
/// // Two actors with their own message types, both able to take a `Tick`.
/// struct Tick;
/// enum ClockMsg { Tick, Reset }
/// impl From<Tick> for ClockMsg {
///     fn from(_: Tick) -> Self { ClockMsg::Tick }
/// }
/// struct Clock(u32);
/// impl Actor for Clock {}
/// impl Receive for Clock {
///     type Message = ClockMsg;
///     type Reply = u32;
///     fn on_receive(&mut self, m: ClockMsg, _: &mut Context<Self>) -> u32 {
///         match m { ClockMsg::Tick => self.0 += 1, ClockMsg::Reset => self.0 = 0 }
///         self.0
///     }
/// }
/// struct Counter(u32);
/// impl Actor for Counter {}
/// impl Receive for Counter {
///     type Message = Tick;
///     type Reply = u32;
///     fn on_receive(&mut self, _: Tick, _: &mut Context<Self>) -> u32 { self.0 += 1; self.0 }
/// }
///
/// let clock = Clock(0).start();
/// let counter = Counter(0).start();
/// let tickers: Vec<Recipient<Tick>> = vec![clock.recipient(), counter.recipient()];
/// for t in &tickers {
///     t.tell(Tick).unwrap();
/// }
/// assert_eq!(clock.ask(ClockMsg::Tick).get().unwrap(), 2);
/// assert_eq!(counter.ask(Tick).get().unwrap(), 2);
/// clock.stop();
/// // A dead recipient hands the message back.
/// assert!(tickers[0].tell(Tick).is_err());
/// # counter.stop();
/// ```
pub struct Recipient<M> {
    inner: Arc<dyn Deliver<M>>,
}

impl<M: Send + 'static> Recipient<M> {
    /// Queues `message` for the actor behind this recipient. Never blocks. A dead actor hands
    /// the message back in the error.
    pub fn tell(&self, message: M) -> Result<(), TellError<M>> {
        self.inner.tell(message)
    }

    /// The actor behind this recipient, type-erased (its URN, class, `stop`, `watch`).
    pub fn actor_ref(&self) -> AnyActorRef {
        self.inner.any()
    }

    /// Whether the actor behind it is alive.
    pub fn is_alive(&self) -> bool {
        self.inner.any().is_alive()
    }
}

/// Any actor that takes `M` and replies with something that converts into `R`
/// (`A::Message: From<M>`, `R: From<A::Reply>`), with the actor type erased: the ask form of
/// [`Recipient`].
///
/// ```
/// use pykka::{Actor, Context, Receive, ReplyRecipient};
/// struct Doubler;
/// impl Actor for Doubler {}
/// impl Receive for Doubler {
///     type Message = u32;
///     type Reply = u32;
///     fn on_receive(&mut self, m: u32, _: &mut Context<Self>) -> u32 { m * 2 }
/// }
/// let d = Doubler.start();
/// // Asked with a `u16`, answered as a `u64`.
/// let r: ReplyRecipient<u16, u64> = d.reply_recipient();
/// assert_eq!(r.ask(21).get().unwrap(), 42u64);
/// d.stop();
/// assert!(matches!(r.ask(1).get(), Err(pykka::Error::ActorDead(_))));
/// ```
pub struct ReplyRecipient<M, R> {
    inner: Arc<dyn Answer<M, R>>,
}

impl<M: Send + 'static, R: Send + 'static> ReplyRecipient<M, R> {
    /// Queues `message` with a reply slot and returns its future at once, as [`ActorRef::ask`].
    pub fn ask(&self, message: M) -> Future<R> {
        self.inner.ask(message)
    }

    /// The actor behind this recipient, type-erased.
    pub fn actor_ref(&self) -> AnyActorRef {
        self.inner.any()
    }

    /// Whether the actor behind it is alive.
    pub fn is_alive(&self) -> bool {
        self.inner.any().is_alive()
    }
}

impl<A: Receive> ActorRef<A> {
    /// This actor as a [`Recipient`] of `M`: anything that converts into its message type
    /// (`M = A::Message` included).
    pub fn recipient<M>(&self) -> Recipient<M>
    where
        A::Message: From<M>,
        M: Send + 'static,
    {
        Recipient {
            inner: Arc::new(Via(self.clone())),
        }
    }

    /// This actor as a [`ReplyRecipient`] of `M`, answering `R`.
    pub fn reply_recipient<M, R>(&self) -> ReplyRecipient<M, R>
    where
        A::Message: From<M>,
        R: From<A::Reply> + Send + 'static,
        M: Send + 'static,
    {
        ReplyRecipient {
            inner: Arc::new(Via(self.clone())),
        }
    }
}

impl<A: Receive> From<ActorRef<A>> for Recipient<A::Message> {
    fn from(actor: ActorRef<A>) -> Self {
        Recipient {
            inner: Arc::new(Via(actor)),
        }
    }
}

impl<A: Receive> From<ActorRef<A>> for ReplyRecipient<A::Message, A::Reply> {
    fn from(actor: ActorRef<A>) -> Self {
        ReplyRecipient {
            inner: Arc::new(Via(actor)),
        }
    }
}

macro_rules! handle_traits {
    ($name:ident < $($p:ident),+ >) => {
        impl<$($p),+> Clone for $name<$($p),+> {
            fn clone(&self) -> Self {
                $name {
                    inner: Arc::clone(&self.inner),
                }
            }
        }

        impl<$($p),+> PartialEq for $name<$($p),+> {
            fn eq(&self, other: &Self) -> bool {
                self.inner.any() == other.inner.any()
            }
        }

        impl<$($p),+> Eq for $name<$($p),+> {}

        impl<$($p),+> Hash for $name<$($p),+> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.inner.any().hash(state);
            }
        }

        impl<$($p),+> fmt::Display for $name<$($p),+> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.inner.any(), f)
            }
        }

        impl<$($p),+> fmt::Debug for $name<$($p),+> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.inner.any()).finish()
            }
        }
    };
}

handle_traits!(Recipient<M>);
handle_traits!(ReplyRecipient<M, R>);
