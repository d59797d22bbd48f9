// Denied, not forbidden: `actor::envelope::inline` holds the one `unsafe` block, the coercion of
// a job into its inline `SmallBox` (docs/design.md, "Inline envelopes").
#![deny(unsafe_code)]
#![doc = include_str!("../README.md")]
#![doc = include_str!("../docs/manual.md")]
//!
//! # Crate map
//!
//! - [`Actor`], [`Receive`], [`Context`]: define an actor (Pykka's `Actor` and `on_receive`).
//! - [`ActorRef`]: `tell`, `ask`, `stop`, `is_alive`; [`AnyActorRef`] for any actor type.
//! - [`Future`], [`Promise`], [`promise`], [`get_all`]: replies; `get`, `get_timeout`, `.await`,
//!   `map`, `filter`, `reduce`, `join`, `lazy`.
//! - [`ActorProxy`], [`proxy`](macro@proxy), [`Proxied`]: call an actor's methods and read its
//!   fields through futures (Pykka's proxies), with closures or typed proxies from the macro.
//! - [`Runtime`]: the pool (`threads`, `throughput`, spares), `join`, `shutdown`, the global one.
//! - [`ActorRegistry`]: the default runtime's running actors.
//! - Beyond Pykka: [`Context::watch`] and [`Terminated`] ([`StopReason`]),
//!   [`ActorRef::kill`], dead letters ([`Runtime::subscribe_dead_letters`], [`DeadLetter`]),
//!   [`schedule_tell`] / [`schedule_tell_periodic`] ([`Scheduled`]), child actors and
//!   supervision ([`Context::start_child`], [`Context::child`], [`Directive`]),
//!   [`Runtime::shutdown_timeout`], [`Runtime::stopped`].
//! - [`Error`], [`ActorDeadError`], [`Timeout`], [`TellError`], [`Failure`]: what went wrong.
//!
//! # Futures
//!
//! `ask` returns a [`Future`]: read it once, blocking ([`Future::get`],
//! [`Future::get_timeout`]) or from any async executor (`.await`, which parks no thread: the
//! reply wakes the task's waker). Pykka's blocking forms map as `ask(m)` → `ask(m).get()`,
//! `ask(m, timeout=t)` → `ask(m).get_timeout(t)`, `ask(m, block=False)` → `ask(m)`. Dropping a
//! future never cancels its message.
//!
//! Futures compose as in Pykka, lazily: [`Future::map`] (the whole value), [`Future::filter`],
//! [`Future::reduce`] (with an initial value), [`Future::join`], and [`Future::lazy`] (Pykka's
//! `set_get_hook`: a function run on first read, in the reader's context, with the reader's
//! remaining time). [`get_all`] gathers many; [`get_all_timeout`] gives the whole batch one
//! deadline (Pykka gives each future the full timeout in turn). [`promise`] makes a
//! [`Promise`]/[`Future`] pair; a promise is set once (`set` consumes it) and a promise dropped
//! unset fails its future with [`Error::BrokenPromise`].
//!
//! ```
//! use pykka::{Actor, Context, Future, Receive};
//!
//! struct Squarer;
//! impl Actor for Squarer {}
//! impl Receive for Squarer {
//!     type Message = u64;
//!     type Reply = u64;
//!     fn on_receive(&mut self, n: u64, _: &mut Context<Self>) -> u64 { n * n }
//! }
//!
//! let workers: Vec<_> = (0..4).map(|_| Squarer.start()).collect();
//! let replies: Vec<Future<u64>> = (1..=8u64).map(|n| workers[n as usize % 4].ask(n)).collect();
//! assert_eq!(pykka::get_all(replies).unwrap().iter().sum::<u64>(), 204);
//!
//! let total = workers[0].ask(3).join([workers[1].ask(4)]).reduce(|a, b| a + b, 0);
//! assert_eq!(total.get().unwrap(), 25);
//! for w in workers { w.stop(); }
//! ```
//!
//! # Blocking inside handlers
//!
//! A handler may call `get()` on another actor's reply, as Pykka programs do. On a pool worker
//! that never starves or deadlocks the pool: if the asked actor is idle it runs inline on the
//! waiting thread; otherwise a spare thread takes over the waiting thread's run queue. Any
//! program that completes with one thread per actor completes on a pool of any size, one thread
//! included. See `docs/design.md`, "A blocking `get()` on a pool worker", for the protocol.
//!
//! ```
//! use pykka::{Actor, ActorRef, Context, Receive, Runtime};
//!
//! struct Adder;
//! impl Actor for Adder {}
//! impl Receive for Adder {
//!     type Message = u32;
//!     type Reply = u32;
//!     fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 { n + 1 }
//! }
//!
//! struct Bookkeeper { adder: ActorRef<Adder> }
//! impl Actor for Bookkeeper {}
//! impl Receive for Bookkeeper {
//!     type Message = u32;
//!     type Reply = u32;
//!     fn on_receive(&mut self, mut n: u32, _: &mut Context<Self>) -> u32 {
//!         while n < 10 {
//!             n = self.adder.ask(n).get().unwrap(); // blocks inside a handler
//!         }
//!         n
//!     }
//! }
//!
//! let rt = Runtime::builder().threads(1).build().unwrap();
//! let adder = Adder.start_in(&rt);
//! let keeper = Bookkeeper { adder }.start_in(&rt);
//! assert_eq!(keeper.ask(0).get().unwrap(), 10);
//! ```
//!
//! # Logging
//!
//! Records go through the `log` crate on target `pykka`; the library installs no logger. ERROR:
//! `Unhandled exception in <actor>: <panic>` (tell-path panics, panics in `on_start`, `on_stop`,
//! `on_failure`). INFO: `Exception returned from <actor> to caller: <panic>`. DEBUG: `Starting`,
//! `Stopped`, `Registered`, `Unregistered`. Rust's panic hook also prints caught panics to
//! stderr, unless the runtime is built with [`Builder::quiet_panics`].

mod actor;
mod base;
pub mod debug;
#[doc = include_str!("../docs/pykka-mapping.md")]
pub mod pykka_mapping {}
mod future;
mod mailbox;
mod proxy;
mod registry;
mod router;
mod runtime;
mod sched;
mod supervision;

pub use actor::actor_ref::{ActorRef, AnyActorRef, ToAnyActorRef};
pub use actor::dead_letters::{DeadLetter, DeadLetterReason, DeadLetterSubscription, Undelivered};
pub use actor::lifecycle::{StopReason, Terminated, Watchable};
pub use actor::recipient::{Recipient, ReplyRecipient};
pub use actor::system::Runtime;
pub use actor::{Actor, AfterPanic, AsyncReceive, BoxFuture, Context, Receive};
pub use base::error::{
    ActorDeadError, BuildError, Deadlock, Error, PoolExhausted, RemoteFailure, RuntimeError,
    ScheduleError, TellError, Timeout, TryTellError,
};
pub use base::panic::Failure;
pub use future::{get_all, get_all_timeout, promise, Future, Promise, SharedFuture};
pub use proxy::{ActorProxy, Proxied};
pub use pykka_macros::proxy;
pub use router::{Router, Routing};
pub use runtime::actor_registry::ActorRegistry;
pub use runtime::schedule::{schedule_tell, schedule_tell_periodic};
pub use runtime::Builder;
pub use sched::timer::Scheduled;
pub use supervision::{ChildBuilder, Directive, DEFAULT_RESTART_LIMIT};

/// What the code generated by [`proxy`](macro@proxy) calls; not part of the API.
#[doc(hidden)]
pub mod __private {
    /// Fails to compile, at the offending type, when `T` cannot be sent to the actor's thread.
    pub fn assert_send<T: Send + ?Sized>() {}

    pub use crate::actor::envelope::{AskMsg, NoSender, SenderSlot, TellMsg, Urgent};
    pub use crate::actor::recipient::{AskVia, TellVia};

    /// A queued message, as `Receive`'s hidden methods build it.
    pub struct Env<A: crate::Actor>(pub(crate) crate::actor::envelope::Envelope<A>);

    impl<A: crate::Actor> std::fmt::Debug for Env<A> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Env { .. }")
        }
    }

    /// What a typed proxy's field getter reads: a clone of the field. Its error names the way
    /// out when the field's type is not `Clone`.
    #[diagnostic::on_unimplemented(
        message = "the public field's type `{Self}` is not `Clone`, so the typed proxy cannot read it",
        label = "a proxied field is read as a clone",
        note = "mark the field `#[proxy(skip)]` (or make it private) to leave it out of the proxy, or `#[proxy(traversable)]` to reach it through a nested proxy"
    )]
    pub trait ProxiedField {
        /// A clone of the field.
        fn clone_field(&self) -> Self;
    }

    impl<T: Clone> ProxiedField for T {
        fn clone_field(&self) -> Self {
            self.clone()
        }
    }
}

/// A future resolved after `duration` by the default runtime's timer thread
/// ([`Runtime::sleep`] for another runtime, [`Context::sleep`] inside an actor): what an async
/// handler awaits to wait without holding a thread.
///
/// ```
/// use std::time::Duration;
/// pykka::sleep(Duration::from_millis(1)).get().unwrap();
/// ```
pub fn sleep(duration: std::time::Duration) -> Future<()> {
    Runtime::global().sleep(duration)
}
