//! The actor layer: what an actor is and how it lives.
//!
//! - `traits`: `Actor`, `Receive`;
//! - `context`: `Context`, all it can do from inside the actor (stop, kill, watch, children);
//! - `actor_ref`: `ActorRef`, `AnyActorRef`;
//! - `cell`: the actor cell (value, mailbox, identity) and one activation; `cell::any_cell`: its
//!   type-erased face; `cell::death`: how it ends and what a panic leads to;
//! - `envelope`: what a mailbox holds and how each job runs inside its actor;
//! - `asynchronous`: `AsyncReceive`, and how a suspended async handler waits without a thread;
//! - `lifecycle`: stop reasons, watch notifications, the per-actor extension;
//! - `supervisor`: the seam to the supervision layer above (the `Supervisor` trait that decides
//!   what a panic leads to, and a child's link to its parent);
//! - `system`: a runtime's actor system (its pool and what actors share), and the `Runtime` type;
//! - `dead_letters`: the sink of messages that were never handled;
//! - `dedicated`: starting an actor on a thread of its own;
//! - `recipient`: `Recipient<M>` and `ReplyRecipient<M, R>`, handles typed by the message;
//! - `stash`: messages a handler sets aside and re-queues later (`Context::stash`).

pub(crate) mod actor_ref;
pub(crate) mod asynchronous;
pub(crate) mod cell;
pub(crate) mod context;
pub(crate) mod dead_letters;
pub(crate) mod dedicated;
pub(crate) mod envelope;
pub(crate) mod lifecycle;
pub(crate) mod recipient;
pub(crate) mod stash;
pub(crate) mod supervisor;
pub(crate) mod system;
mod traits;

pub use asynchronous::{AsyncReceive, BoxFuture};
pub use context::Context;
pub use traits::{Actor, AfterPanic, Receive};
