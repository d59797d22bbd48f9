//! The actor layer: what an actor is and how it lives.
//!
//! - `traits`: `Actor`, `Receive`, `Context`;
//! - `actor_ref`: `ActorRef`, `AnyActorRef`;
//! - `cell`: the actor cell (value, mailbox, identity) and one activation; `cell::any_cell`: its
//!   type-erased face;
//! - `envelope`: what a mailbox holds and how each job runs inside its actor;
//! - `lifecycle`: how actors end (stop reasons, watch, kill) and the per-actor extension;
//! - `supervision`: children and what a child's panic leads to;
//! - `system`: a runtime's actor system (its pool and what actors share), and the `Runtime` type;
//! - `dead_letters`: the sink of messages that were never handled;
//! - `dedicated`: starting an actor on a thread of its own.

pub(crate) mod actor_ref;
pub(crate) mod cell;
pub(crate) mod dead_letters;
pub(crate) mod dedicated;
pub(crate) mod envelope;
pub(crate) mod lifecycle;
pub(crate) mod supervision;
pub(crate) mod system;
mod traits;

pub use traits::{Actor, Context, Receive};
