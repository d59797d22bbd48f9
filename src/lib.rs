#![doc = include_str!("../README.md")]
//!
//! # Crate map
//!
//! - [`Actor`], [`Receive`], [`Context`]: define an actor (Pykka's `Actor` and `on_receive`).
//! - [`ActorRef`]: `tell`, `ask`, `stop`, `is_alive`; [`AnyActorRef`] for any actor type.
//! - [`Future`], [`Promise`], [`promise`]: replies; `get`, `get_timeout`, `.await`.
//! - [`Runtime`]: the pool (`threads`, `throughput`, spares), `join`, `shutdown`, the global one.
//! - [`ActorRegistry`]: the default runtime's running actors.
//! - [`Error`], [`ActorDeadError`], [`Timeout`], [`TellError`], [`Failure`]: what went wrong.
//!
//! # Blocking inside handlers
//!
//! A handler may call `get()` on another actor's reply, as Pykka programs do. On a pool worker
//! that never starves or deadlocks the pool: if the asked actor is idle it runs inline on the
//! waiting thread; otherwise a spare thread takes over the waiting thread's run queue. Any
//! program that completes with one thread per actor completes on a pool of any size, one thread
//! included. See `docs/design.md` for the protocol.
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
//! `Stopped`, `Registered`, `Unregistered`. Rust's panic hook still prints caught panics to
//! stderr unless the program replaces it.

mod actor;
mod actor_ref;
mod blocking;
mod cell;
mod config;
mod dedicated;
mod error;
mod future;
mod mailbox;
mod panic;
mod registry;
mod runtime;
mod scheduler;
mod sync;
mod urn;

pub use actor::{Actor, Context, Receive};
pub use actor_ref::{ActorRef, AnyActorRef};
pub use error::{
    ActorDeadError, BuildError, Error, PoolExhausted, RuntimeError, TellError, Timeout,
};
pub use future::{promise, Future, Promise};
pub use panic::Failure;
pub use registry::ActorRegistry;
pub use runtime::{Builder, Runtime};
