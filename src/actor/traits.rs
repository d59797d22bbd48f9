//! The traits an actor implements.

use crate::actor::actor_ref::ActorRef;
use crate::actor::cell;
use crate::actor::context::Context;
use crate::actor::system::Runtime;
use crate::base::panic::Failure;

/// An actor: a value that lives on the pool and handles one message at a time.
///
/// A proxy-only actor needs nothing but `impl Actor for MyType {}`. Every hook has a default that
/// does nothing, and runs in the actor's context (never concurrently with its handlers). A panic
/// in a hook or handler is caught at the actor boundary and handled as Pykka handles an
/// exception (see [`Receive`]).
///
/// ```
/// use pykka::{Actor, Context, Receive};
///
/// struct Greeter { greeting: String }
///
/// impl Actor for Greeter {
///     fn on_start(&mut self, _ctx: &mut Context<Self>) { self.greeting.push('!'); }
/// }
///
/// impl Receive for Greeter {
///     type Message = String;
///     type Reply = String;
///     fn on_receive(&mut self, name: String, _ctx: &mut Context<Self>) -> String {
///         format!("{}, {name}", self.greeting)
///     }
/// }
///
/// let greeter = Greeter { greeting: "Hi".into() }.start();
/// assert_eq!(greeter.ask("Bob".into()).get().unwrap(), "Hi!, Bob");
/// assert!(greeter.stop());
/// ```
pub trait Actor: Sized + Send + 'static {
    /// Pykka's `use_daemon_thread`: a daemon actor does not keep [`Runtime::join`] waiting.
    const USE_DAEMON_THREAD: bool = false;

    /// How many messages may wait in the actor's mailbox: `None` (the default) for no bound,
    /// `Some(n)` for a bounded mailbox with backpressure. `Some(0)` does not compile.
    ///
    /// When `n` messages wait, [`tell`](crate::ActorRef::tell) and
    /// [`ask`](crate::ActorRef::ask) block the sending thread until the actor has taken one
    /// (on a pool worker the pool stays live, as for a blocking `get()`: the worker runs the
    /// actor itself if nobody else does, or hands its place to a spare thread);
    /// [`try_tell`](crate::ActorRef::try_tell) and [`try_ask`](crate::ActorRef::try_ask) hand
    /// the message back with [`TryTellError::Full`](crate::TryTellError::Full);
    /// [`tell_async`](crate::ActorRef::tell_async) and
    /// [`ask_async`](crate::ActorRef::ask_async) wait without blocking. The manual's "Bounded
    /// mailboxes" section has the details: what counts as waiting, what never waits (stop
    /// requests, timers), and what happens to a wait that could never end.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive, TryTellError};
    /// struct Slow;
    /// impl Actor for Slow {
    ///     const MAILBOX_CAPACITY: Option<usize> = Some(2);
    /// }
    /// impl Receive for Slow {
    ///     type Message = u32;
    ///     type Reply = ();
    ///     fn on_receive(&mut self, _m: u32, _c: &mut Context<Self>) {}
    /// }
    /// let (entered_tx, entered) = std::sync::mpsc::channel();
    /// let (gate, open) = std::sync::mpsc::channel::<()>();
    /// let slow = Slow.start();
    /// // Keep the actor busy so that what follows waits in its mailbox.
    /// let busy = slow.proxy().unwrap().call(move |_| {
    ///     entered_tx.send(()).unwrap();
    ///     open.recv().unwrap()
    /// });
    /// entered.recv().unwrap();
    /// slow.try_tell(1).unwrap();
    /// slow.try_tell(2).unwrap();
    /// assert!(matches!(slow.try_tell(3), Err(TryTellError::Full(3))));
    /// gate.send(()).unwrap();
    /// busy.get().unwrap();
    /// slow.tell(3).unwrap(); // blocks only while two messages wait
    /// slow.stop();
    /// ```
    const MAILBOX_CAPACITY: Option<usize> = None;

    /// Runs in the actor before its first message. A panic here: ERROR log, the actor is
    /// unregistered and dead, and neither `on_failure` nor `on_stop` runs.
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        let _ = ctx;
    }

    /// Runs in the actor when it is stopped (by a stop request, not by a failure).
    fn on_stop(&mut self, ctx: &mut Context<Self>) {
        let _ = ctx;
    }

    /// Runs after a panic in a handler of a `tell` (or proxy `defer`). The actor is already
    /// unregistered and dead when it runs; `on_stop` will not run.
    fn on_failure(&mut self, failure: &Failure, ctx: &mut Context<Self>) {
        let _ = (failure, ctx);
    }

    /// What a panic while handling a told message (or a deferred call) leads to, for an actor
    /// that no supervisor decides for: [`AfterPanic::Stop`] (the default, Pykka's rule: the
    /// actor stops and [`on_failure`](Self::on_failure) runs) or [`AfterPanic::CarryOn`] (the
    /// same value goes on with its next message: pyctor's `restarted`, called on the same
    /// instance). It runs on the failed value, with the failure, and with the failed message's
    /// [`sender`](Context::sender) still in `ctx`. A panic here stops the actor.
    ///
    /// ```
    /// use pykka::{Actor, AfterPanic, Context, Failure, Receive};
    ///
    /// struct Resilient { failures: u32 }
    /// impl Actor for Resilient {
    ///     fn after_panic(&mut self, _failure: &Failure, _ctx: &mut Context<Self>) -> AfterPanic {
    ///         self.failures += 1;
    ///         AfterPanic::CarryOn
    ///     }
    /// }
    /// impl Receive for Resilient {
    ///     type Message = bool;
    ///     type Reply = u32;
    ///     fn on_receive(&mut self, fail: bool, _ctx: &mut Context<Self>) -> u32 {
    ///         assert!(!fail, "bad message");
    ///         self.failures
    ///     }
    /// }
    ///
    /// let a = Resilient { failures: 0 }.start();
    /// a.tell(true).unwrap();
    /// assert_eq!(a.ask(false).get().unwrap(), 1); // the same value, still alive
    /// a.stop();
    /// ```
    fn after_panic(&mut self, failure: &Failure, ctx: &mut Context<Self>) -> crate::AfterPanic {
        let _ = (failure, ctx);
        crate::AfterPanic::Stop
    }

    /// Runs in the actor when a message it told from inside its handler
    /// ([`Context::tell`]) was never handled: its recipient stopped, failed or was killed with
    /// the message still queued. The message comes back in `letter`
    /// ([`Undelivered::downcast`](crate::Undelivered::downcast)). pyctor's dead letter to the
    /// sender. By default it is dropped (the runtime's dead letters count it either way). A panic
    /// here is handled as a panic handling a tell.
    fn on_undelivered(&mut self, letter: crate::Undelivered, ctx: &mut Context<Self>) {
        let _ = (letter, ctx);
    }

    /// Runs in the actor when an actor it [watches](Context::watch) has died, once per watch.
    /// A panic here is handled as a panic handling a tell.
    fn on_terminated(&mut self, terminated: &crate::Terminated, ctx: &mut Context<Self>) {
        let _ = (terminated, ctx);
    }

    /// Runs in a supervised child's fresh value after a restart
    /// ([`Directive::Restart`](crate::Directive::Restart)), in place of `on_start`, with the
    /// failure that caused it. The default calls `on_start`. A panic here ends the child.
    fn on_restart(&mut self, failure: &Failure, ctx: &mut Context<Self>) {
        let _ = failure;
        self.on_start(ctx);
    }

    /// Starts the actor on the default runtime ([`Runtime::global`]).
    ///
    /// The value is built by the caller (Pykka's `__init__`); `on_start` runs in the actor. The
    /// actor is registered before `on_start` runs.
    fn start(self) -> ActorRef<Self> {
        self.start_in(crate::actor::system::global_runtime())
    }

    /// Starts the actor on `runtime`. On a runtime that was shut down, the returned actor is
    /// dead from the start (its messages fail with `ActorDead`) and a WARN record says so.
    fn start_in(self, runtime: &Runtime) -> ActorRef<Self> {
        cell::start(self, &runtime.system, None)
    }

    /// Starts the actor on its own OS thread, named after its class: Pykka's thread-per-actor
    /// model. It belongs to the default runtime's registry and daemon policy.
    fn start_dedicated(self) -> ActorRef<Self> {
        crate::actor::dedicated::start(self)
    }
}

/// An actor that handles messages of one type: Pykka's `on_receive`.
///
/// A panic in `on_receive` while handling an `ask` fails the asker's future with
/// [`Error::Panicked`](crate::Error::Panicked) (INFO log) and the actor lives on. While handling
/// a `tell`, it is an ERROR log; the actor is unregistered and dead, then `on_failure` runs.
pub trait Receive: Actor {
    /// What the actor receives; an enum when it takes several kinds.
    type Message: Send + 'static;
    /// What `ask` gets back; `()` when nothing is returned.
    type Reply: Send + 'static;

    /// Handles one message.
    fn on_receive(&mut self, message: Self::Message, ctx: &mut Context<Self>) -> Self::Reply;

    /// How a told message is queued (under the mailbox's lock: only a wrap, no allocation, for
    /// a sync handler); not part of the API. Async actors queue theirs to be polled.
    #[doc(hidden)]
    fn __tell_envelope<S: crate::__private::SenderSlot>(
        job: crate::__private::TellMsg<Self::Message, S>,
    ) -> crate::__private::Env<Self> {
        crate::__private::Env(crate::actor::envelope::Envelope::tell(job))
    }

    /// How an asked message is queued; not part of the API.
    #[doc(hidden)]
    fn __ask_envelope<S: crate::__private::SenderSlot>(
        job: crate::__private::AskMsg<Self::Message, Self::Reply, S>,
    ) -> crate::__private::Env<Self> {
        crate::__private::Env(crate::actor::envelope::Envelope::ask(job))
    }

    /// How a message told through a [`Recipient`](crate::Recipient) is queued; not part of the
    /// API.
    #[doc(hidden)]
    fn __tell_via_envelope<M: Send + 'static>(
        job: crate::__private::TellVia<M>,
    ) -> crate::__private::Env<Self>
    where
        Self::Message: From<M>,
    {
        crate::__private::Env(crate::actor::envelope::Envelope::tell(job))
    }

    /// How a message asked through a [`ReplyRecipient`](crate::ReplyRecipient) is queued; not
    /// part of the API.
    #[doc(hidden)]
    fn __ask_via_envelope<M: Send + 'static, R: From<Self::Reply> + Send + 'static>(
        job: crate::__private::AskVia<M, R>,
    ) -> crate::__private::Env<Self>
    where
        Self::Message: From<M>,
    {
        crate::__private::Env(crate::actor::envelope::Envelope::ask(job))
    }
}

/// What [`Actor::after_panic`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AfterPanic {
    /// The actor stops; `on_failure` runs (Pykka's rule, the default).
    Stop,
    /// The same value goes on with its next message.
    CarryOn,
}
