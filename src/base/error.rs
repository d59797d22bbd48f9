//! The library's errors, named after what failed, each `Clone`, `Debug`, `Display` (lowercase,
//! crossbeam style) and `std::error::Error`.

use crate::base::panic::Failure;
use std::fmt;
use std::time::Duration;

/// Why a [`Future`](crate::Future) yields no value.
///
/// Match it as `Err(Error::Timeout { .. })`. New variants may be added.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error {
    /// The actor was dead before it handled the message (Pykka's `ActorDeadError`).
    ActorDead(ActorDeadError),
    /// The future was not resolved within the time given.
    Timeout(Timeout),
    /// The handler panicked; the panic is returned to the caller and the actor lives on.
    Panicked(Failure),
    /// The [`Promise`](crate::Promise) was dropped without being set.
    BrokenPromise,
    /// A handler on a pool worker blocked in `get()`, the asked actor could not be run inline,
    /// and every spare thread the runtime allows is in use: blocking would risk starving the
    /// pool, so the wait is refused.
    PoolExhausted(PoolExhausted),
    /// The wait could never end: it would close a cycle of handlers each blocked waiting for the
    /// next one's reply (a handler asking its own actor and blocking, A asking B while B asks A,
    /// or any longer cycle), whether they run on one thread or on several (pool workers, spare
    /// threads, dedicated threads). Pykka hangs here; this library refuses the wait that would
    /// close the cycle, at once, and names the cycle ([`Deadlock::cycle`]). A cycle is refused
    /// even if one of its waits has a deadline that would have broken it.
    Deadlock(Deadlock),
    /// The message crossed a process boundary and the transport failed it: the peer was
    /// unreachable, its reply could not be decoded, the two ends disagree on the message type,
    /// and so on. Raised by transport crates (`pykka-remote`), never by this crate; the
    /// transport's own typed error is inside ([`RemoteFailure::downcast_ref`]).
    Remote(RemoteFailure),
}

/// A transport's failure, carried by [`Error::Remote`]: the transport crate's own error type,
/// kept whole so that it can be matched again with [`downcast_ref`](Self::downcast_ref).
///
/// ```
/// use pykka::{Error, RemoteFailure};
///
/// #[derive(Debug, PartialEq)]
/// struct Unreachable;
/// impl std::fmt::Display for Unreachable {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("node unreachable")
///     }
/// }
/// impl std::error::Error for Unreachable {}
///
/// let e = Error::Remote(RemoteFailure::new(Unreachable));
/// assert_eq!(e.to_string(), "node unreachable");
/// let Error::Remote(failure) = e else { unreachable!() };
/// assert_eq!(failure.downcast_ref::<Unreachable>(), Some(&Unreachable));
/// ```
#[derive(Clone)]
pub struct RemoteFailure(std::sync::Arc<dyn std::error::Error + Send + Sync>);

impl RemoteFailure {
    /// Wraps a transport's error.
    pub fn new<E: std::error::Error + Send + Sync + 'static>(error: E) -> Self {
        RemoteFailure(std::sync::Arc::new(error))
    }

    /// The transport's error, if it is an `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref::<E>()
    }
}

impl fmt::Debug for RemoteFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for RemoteFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl std::error::Error for RemoteFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ActorDead(e) => e.fmt(f),
            Error::Timeout(e) => e.fmt(f),
            Error::Panicked(e) => e.fmt(f),
            Error::BrokenPromise => f.write_str("promise dropped without a value"),
            Error::PoolExhausted(e) => e.fmt(f),
            Error::Deadlock(e) => e.fmt(f),
            Error::Remote(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::ActorDead(e) => Some(e),
            Error::Timeout(e) => Some(e),
            Error::Panicked(e) => Some(e),
            Error::PoolExhausted(e) => Some(e),
            Error::Deadlock(e) => Some(e),
            Error::Remote(e) => Some(e),
            Error::BrokenPromise => None,
        }
    }
}

/// The actor is dead or was stopped before it handled the message.
///
/// Its text is Pykka's: `"<Class> (<urn>) not found"`, or `"<Class> (<urn>) stopped before
/// handling the message"` for messages left in the mailbox when the actor stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorDeadError {
    message: String,
}

impl ActorDeadError {
    pub(crate) fn not_found(actor: &dyn fmt::Display) -> Self {
        ActorDeadError {
            message: format!("{actor} not found"),
        }
    }

    pub(crate) fn stopped_before_handling(actor: &dyn fmt::Display) -> Self {
        ActorDeadError {
            message: format!("{actor} stopped before handling the message"),
        }
    }

    /// An error with the given text: for transports (`pykka-remote`) that learn of an actor's
    /// death from elsewhere, and carry the far side's text (`"<Class> (<urn>) not found"`).
    pub fn new(message: impl Into<String>) -> Self {
        ActorDeadError {
            message: message.into(),
        }
    }

    /// The error's text.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ActorDeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ActorDeadError {}

impl From<ActorDeadError> for Error {
    fn from(e: ActorDeadError) -> Self {
        Error::ActorDead(e)
    }
}

/// A wait on a future ran out of time. Displays as Pykka's `"<t> seconds"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeout {
    after: Duration,
}

impl Timeout {
    pub(crate) fn after(after: Duration) -> Self {
        Timeout { after }
    }

    /// How long the caller was prepared to wait.
    pub fn duration(&self) -> Duration {
        self.after
    }
}

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} seconds", self.after.as_secs_f64())
    }
}

impl std::error::Error for Timeout {}

impl From<Timeout> for Error {
    fn from(e: Timeout) -> Self {
        Error::Timeout(e)
    }
}

/// Every thread the runtime may use is busy or blocked: see [`Error::PoolExhausted`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolExhausted {
    pub(crate) threads: usize,
    pub(crate) max_spare_threads: usize,
}

impl fmt::Display for PoolExhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot block in get(): all {} worker threads and {} spare threads are in use \
             (raise Runtime::builder().max_spare_threads)",
            self.threads, self.max_spare_threads
        )
    }
}

impl std::error::Error for PoolExhausted {}

/// A blocking wait that could never end: see [`Error::Deadlock`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlock {
    pub(crate) awaited: String,
    pub(crate) cycle: Vec<String>,
}

impl Deadlock {
    /// The actor whose reply was awaited, as `<Class> (<urn>)`.
    pub fn awaited(&self) -> &str {
        &self.awaited
    }

    /// The actors of the cycle, as `<Class> (<urn>)`, starting with the one whose wait was
    /// refused: each waits for the next one's reply, and the last for the first one's. A handler
    /// that asks its own actor and blocks is a cycle of one.
    ///
    /// ```
    /// use pykka::{Actor, Context, Error, Receive};
    ///
    /// struct Selfish;
    /// impl Actor for Selfish {}
    /// impl Receive for Selfish {
    ///     type Message = bool;
    ///     type Reply = Result<(), Error>;
    ///     fn on_receive(&mut self, outer: bool, ctx: &mut Context<Self>) -> Result<(), Error> {
    ///         if outer {
    ///             ctx.actor_ref().ask(false).get()?
    ///         } else {
    ///             Ok(())
    ///         }
    ///     }
    /// }
    ///
    /// let a = Selfish.start();
    /// let Err(Error::Deadlock(d)) = a.ask(true).get().unwrap() else { panic!() };
    /// assert_eq!(d.cycle(), [a.to_string()]);
    /// assert_eq!(d.awaited(), a.to_string());
    /// ```
    pub fn cycle(&self) -> &[String] {
        &self.cycle
    }
}

impl fmt::Display for Deadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "deadlock: waiting for a reply from {} would close a cycle of blocked handlers: ",
            self.awaited
        )?;
        for c in &self.cycle {
            write!(f, "{c} -> ")?;
        }
        match self.cycle.first() {
            Some(first) => f.write_str(first),
            None => f.write_str("?"),
        }
    }
}

impl std::error::Error for Deadlock {}

/// A `tell` to a dead actor. The message comes back (`into_inner`); the error converts into
/// [`ActorDeadError`] and [`Error`] with `?`.
pub struct TellError<M> {
    message: M,
    dead: ActorDeadError,
}

impl<M> TellError<M> {
    pub(crate) fn new(message: M, dead: ActorDeadError) -> Self {
        TellError { message, dead }
    }

    /// The message that was not delivered.
    pub fn into_inner(self) -> M {
        self.message
    }

    /// The message that was not delivered, borrowed.
    pub fn message(&self) -> &M {
        &self.message
    }

    /// The error without the message.
    pub fn error(&self) -> &ActorDeadError {
        &self.dead
    }
}

impl<M> fmt::Debug for TellError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TellError")
            .field("error", &self.dead)
            .finish_non_exhaustive()
    }
}

impl<M> fmt::Display for TellError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.dead.fmt(f)
    }
}

impl<M> std::error::Error for TellError<M> {}

impl<M> From<TellError<M>> for ActorDeadError {
    fn from(e: TellError<M>) -> Self {
        e.dead
    }
}

impl<M> From<TellError<M>> for Error {
    fn from(e: TellError<M>) -> Self {
        Error::ActorDead(e.dead)
    }
}

/// A [`try_tell`](crate::ActorRef::try_tell) or [`try_ask`](crate::ActorRef::try_ask) that
/// did not queue its message, which comes back (`into_inner`).
pub enum TryTellError<M> {
    /// The actor's bounded mailbox is full
    /// ([`Actor::MAILBOX_CAPACITY`](crate::Actor::MAILBOX_CAPACITY)); no dead letter is made.
    Full(M),
    /// The actor is dead, as for [`tell`](crate::ActorRef::tell).
    Dead(TellError<M>),
}

impl<M> TryTellError<M> {
    /// The message that was not queued.
    pub fn into_inner(self) -> M {
        match self {
            TryTellError::Full(m) => m,
            TryTellError::Dead(e) => e.into_inner(),
        }
    }

    /// Whether the mailbox was full (the actor is alive: try again later).
    pub fn is_full(&self) -> bool {
        matches!(self, TryTellError::Full(_))
    }
}

impl<M> fmt::Debug for TryTellError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryTellError::Full(_) => f.write_str("Full(..)"),
            TryTellError::Dead(e) => f.debug_tuple("Dead").field(e).finish(),
        }
    }
}

impl<M> fmt::Display for TryTellError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryTellError::Full(_) => f.write_str("the actor's mailbox is full"),
            TryTellError::Dead(e) => e.fmt(f),
        }
    }
}

impl<M> std::error::Error for TryTellError<M> {}

/// `Runtime::builder().build()` refused its settings.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// `threads(0)`: a pool needs at least one worker.
    ZeroThreads,
    /// `throughput(0)`: an activation must be allowed at least one message.
    ZeroThroughput,
    /// The operating system refused to start a worker thread.
    Spawn(std::io::Error),
    /// `threads(n)` with `n` above [`Builder::MAX_THREADS`](crate::Builder::MAX_THREADS).
    TooManyThreads(usize),
    /// `thread_name(..)` with a NUL byte, which no OS thread name may hold.
    InvalidThreadName,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::ZeroThreads => f.write_str("a runtime needs at least one worker thread"),
            BuildError::ZeroThroughput => {
                f.write_str("throughput must allow at least one message per activation")
            }
            BuildError::Spawn(e) => write!(f, "could not start a worker thread: {e}"),
            BuildError::TooManyThreads(n) => write!(
                f,
                "{n} worker threads requested; at most {} are allowed",
                crate::base::config::MAX_THREADS
            ),
            BuildError::InvalidThreadName => {
                f.write_str("a thread name prefix cannot contain a NUL byte")
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Spawn(e) => Some(e),
            _ => None,
        }
    }
}

/// `Runtime::join` or `Runtime::shutdown` cannot do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeError {
    /// Called from one of the runtime's own threads (a handler): waiting there would wait for
    /// the caller itself.
    OwnThread,
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuntimeError::OwnThread => {
                f.write_str("cannot wait for a runtime from one of its own threads")
            }
        }
    }
}

impl std::error::Error for RuntimeError {}

/// A message could not be scheduled ([`schedule_tell`](crate::schedule_tell),
/// [`schedule_tell_periodic`](crate::schedule_tell_periodic)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScheduleError {
    /// A periodic timer with a zero period would never let anything else run.
    ZeroPeriod,
    /// The delay reaches past what `Instant` can represent.
    DelayTooLong,
    /// A periodic message's period reaches past what `Instant` can represent, counted from its
    /// first due time (so its second tick could not be timed).
    PeriodTooLong,
    /// The actor's runtime was shut down: its timer thread is gone.
    RuntimeShutDown,
    /// The operating system refused to start the runtime's timer thread.
    TimerThread(String),
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScheduleError::ZeroPeriod => f.write_str("a periodic message needs a non-zero period"),
            ScheduleError::DelayTooLong => f.write_str("the delay is too long to represent"),
            ScheduleError::PeriodTooLong => f.write_str("the period is too long to represent"),
            ScheduleError::RuntimeShutDown => {
                f.write_str("the actor's runtime was shut down; nothing can be scheduled on it")
            }
            ScheduleError::TimerThread(e) => write!(f, "could not start the timer thread: {e}"),
        }
    }
}

impl std::error::Error for ScheduleError {}
