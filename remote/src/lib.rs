//! Remote actors for [`pykka`]: expose a local actor under a name, look it up from another
//! process or machine, and `tell`/`ask` it with the same [`pykka::Future`] API.
//!
//! The transport is an existing, production messaging engine, [Eclipse Zenoh], in peer mode:
//! nodes dial each other directly, with no server to run and no cluster protocol of ours. See
//! `remote/DESIGN.md` for why Zenoh and not NATS, and the manual's chapter "Past one machine"
//! for the failure semantics.
//!
//! - [`Node`]: one per process; [`Node::open`] with a [`NodeConfig`].
//! - [`Node::expose`]: makes an actor reachable by name; nothing else is.
//! - [`Node::lookup`]: a [`RemoteRef<M, R>`] with `tell`, `ask` (a `pykka::Future<R>`),
//!   `terminated`, and [`RemoteRef::watchable`] for `Context::watch`.
//! - Errors: [`RemoteError`], inside [`pykka::Error::Remote`] when an ask fails.
//!
//! [Eclipse Zenoh]: https://zenoh.io
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod error;
mod limit;
mod node;
mod remote_ref;
mod task;
#[doc(hidden)]
pub mod wire;

pub use config::{NodeConfig, DEFAULT_MAX_MESSAGE};
pub use error::{RemoteError, RemoteTellError};
pub use node::{Exposed, Node};
pub use remote_ref::{RemoteEnd, RemoteRef, StandIn};

/// The recipient class of the dead letter a tell to a stopped or lost remote actor becomes
/// (reason `RecipientDead`, URN `pykka-remote:<cluster>/<node>/<name>`).
pub const REMOTE_ACTOR: &str = "RemoteActor";

/// The recipient class of the dead letter a refused frame becomes on the receiving node
/// (malformed, truncated, too large, of the wrong type; reason `RecipientDead`, URN of the
/// exposed actor it was for).
pub const REFUSED_FRAME: &str = "RefusedFrame";
