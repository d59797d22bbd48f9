//! The crate's error: what failed, and where.

use std::fmt;
use std::time::Duration;

/// Why a remote operation failed.
///
/// Carried inside [`pykka::Error::Remote`] when it fails an ask's future; get it back with
/// [`RemoteError::of`]. New variants may be added.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemoteError {
    /// The engine refused the configuration, or could not open the session (a listen address in
    /// use, an unreachable `connect` endpoint with `exit_on_failure`, refused credentials).
    Engine(String),
    /// A name is empty, too long, or uses a character outside `[A-Za-z0-9_.-]`.
    InvalidName(String),
    /// This node already exposes an actor under that name.
    AlreadyExposed(String),
    /// No node exposes an actor under that name.
    NotFound(String),
    /// The two ends disagree on the message and reply types: `exposed` names the types the
    /// exposed actor takes (the names include crate paths: both ends must be built from the
    /// same definitions).
    TypeMismatch {
        /// `"<message type> -> <reply type>"` on the exposing side.
        exposed: String,
    },
    /// A frame longer than the configured `max_message`.
    TooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A frame that is not a well-formed message of the expected type (truncated, garbage,
    /// trailing bytes, another wire version).
    Malformed(String),
    /// The message could not be serialised.
    Encode(String),
    /// The actor's node could not be reached: it is lost, or nothing answered. For an ask,
    /// `after` is how long the engine waited.
    Unreachable {
        /// The remote actor, `name@node`.
        actor: String,
        /// How long the ask waited before the engine gave up (zero for a tell, refused at once).
        after: Duration,
    },
    /// The far side refused the request before its actor saw it; its reason follows.
    Rejected(String),
    /// The remote actor had stopped (a tell; an ask fails with [`pykka::Error::ActorDead`]).
    ActorDead(String),
    /// The remote handler panicked; the panic's text follows. The remote actor lives on.
    Panicked(String),
    /// The node was closed.
    Closed,
}

impl RemoteError {
    /// The `RemoteError` inside a [`pykka::Error`], if it is one.
    ///
    /// ```
    /// use pykka_remote::RemoteError;
    /// let e: pykka::Error = RemoteError::NotFound("orders".into()).into();
    /// assert_eq!(RemoteError::of(&e), Some(&RemoteError::NotFound("orders".into())));
    /// ```
    pub fn of(error: &pykka::Error) -> Option<&RemoteError> {
        match error {
            pykka::Error::Remote(f) => f.downcast_ref::<RemoteError>(),
            _ => None,
        }
    }
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteError::Engine(e) => write!(f, "zenoh: {e}"),
            RemoteError::InvalidName(n) => {
                write!(f, "invalid name {n:?}: use 1 to 128 of [A-Za-z0-9_.-]")
            }
            RemoteError::AlreadyExposed(n) => {
                write!(f, "an actor is already exposed as {n:?} on this node")
            }
            RemoteError::NotFound(n) => write!(f, "no node exposes an actor as {n:?}"),
            RemoteError::TypeMismatch { exposed } => {
                write!(f, "type mismatch: the exposed actor takes {exposed}")
            }
            RemoteError::TooLarge { len, max } => {
                write!(f, "a frame of {len} bytes is over the limit of {max}")
            }
            RemoteError::Malformed(e) => write!(f, "malformed frame: {e}"),
            RemoteError::Encode(e) => write!(f, "could not encode the message: {e}"),
            RemoteError::Unreachable { actor, after } => {
                write!(
                    f,
                    "{actor} unreachable (after {} seconds)",
                    after.as_secs_f64()
                )
            }
            RemoteError::Rejected(e) => write!(f, "refused by the far side: {e}"),
            RemoteError::ActorDead(e) => f.write_str(e),
            RemoteError::Panicked(e) => write!(f, "the remote handler panicked: {e}"),
            RemoteError::Closed => f.write_str("the node is closed"),
        }
    }
}

impl std::error::Error for RemoteError {}

impl From<RemoteError> for pykka::Error {
    fn from(e: RemoteError) -> Self {
        pykka::Error::Remote(pykka::RemoteFailure::new(e))
    }
}

/// A tell that was not sent: the message back, and why.
#[derive(Debug)]
pub struct RemoteTellError<M> {
    pub(crate) message: M,
    pub(crate) error: RemoteError,
}

impl<M> RemoteTellError<M> {
    /// The message, back.
    pub fn into_inner(self) -> M {
        self.message
    }

    /// Why it was not sent.
    pub fn error(&self) -> &RemoteError {
        &self.error
    }
}

impl<M> fmt::Display for RemoteTellError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tell not sent: {}", self.error)
    }
}

impl<M: fmt::Debug> std::error::Error for RemoteTellError<M> {}
