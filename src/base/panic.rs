//! Panics at the actor boundary: the Rust form of Pykka's exceptions.
//!
//! Every hook, handler and proxied closure runs under `catch_unwind` ([`catch`]). What was
//! caught becomes a [`Failure`]: the panic message as text, plus the actor's class and URN.
//!
//! # User code and the library's threads
//!
//! Every piece of user code that the library runs on one of its own threads (pool workers and
//! spares, the timer thread, dedicated threads, the shutdown thread of a runtime dropped on its
//! own thread) runs under [`catch`], so that no panic of the user's unwinds through a thread
//! that other actors depend on:
//!
//! - handlers and hooks (`on_start`, `on_receive`, `on_stop`, `on_failure`, `on_restart`, proxy
//!   closures), and the factories of supervised children;
//! - drop glue: of actor values, of messages never handled, of replies nobody reads, of a
//!   child's factory, of timer tasks (their captured messages); a payload whose own `Drop`
//!   panics is leaked ([`drop_payload`]);
//! - wakers (woken when a promise is set), dead-letter subscribers, and timer tasks;
//! - the `log` backend: every record goes through `base::logging`, whose macros call the `log`
//!   macro of the same name under `catch`.
//!
//! As a last line, the pool's `run_guarded` catches a panic that unwinds out of an activation
//! (a library bug, since user code is caught inside) and logs it; the thread goes on. Where
//! there is no actor to name (a waker, a subscriber, a timer's task), a caught panic is logged
//! by [`log_user_panic`].
//!
//! # Quiet panics
//!
//! Rust's panic hook runs before any `catch_unwind` sees the panic, so by default every caught
//! panic is also printed to stderr (with a backtrace under `RUST_BACKTRACE=1`). A runtime built
//! with `Builder::quiet_panics(true)` (or switched with `Runtime::set_quiet_panics`) has its
//! threads skip the hook: each of its threads holds the runtime's [`Quiet`] flag
//! ([`quiet_on_this_thread`]), and the hook that [`install_quiet_hook`] puts in front of the
//! program's own hook (once, the first time a flag is set) returns early on a thread whose flag
//! is set. Every panic on those threads is caught (above), and is logged where it is caught, so
//! `log` is then the only output. Panics on other threads, and the program's own hook on them,
//! are untouched. A hook set by the program *after* the quiet one replaces it.

use crate::base::logging::error;
use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};

/// A runtime's "quiet panics" switch, shared by its threads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Quiet(Arc<AtomicBool>);

impl Quiet {
    pub(crate) fn new(on: bool) -> Quiet {
        let q = Quiet::default();
        q.set(on);
        q
    }

    /// Switches it; the quiet hook is installed the first time any flag is switched on.
    pub(crate) fn set(&self, on: bool) {
        if on {
            install_quiet_hook();
        }
        // ORDERING: Relaxed; a switch, read by the hook on the runtime's threads, which takes
        // effect for the panics after it (no data depends on it).
        self.0.store(on, Ordering::Relaxed);
    }

    fn get(&self) -> bool {
        // ORDERING: Relaxed; see `set`.
        self.0.load(Ordering::Relaxed)
    }
}

thread_local! {
    /// The quiet switch of the runtime this thread belongs to, if any.
    static QUIET: RefCell<Option<Quiet>> = const { RefCell::new(None) };
}

/// Marks the calling thread (one of a runtime's own) as following `quiet`.
pub(crate) fn quiet_on_this_thread(quiet: &Quiet) {
    let _ = QUIET.try_with(|q| *q.borrow_mut() = Some(quiet.clone()));
}

fn quiet_here() -> bool {
    QUIET
        .try_with(|q| q.try_borrow().ok().and_then(|q| q.as_ref().map(Quiet::get)))
        .ok()
        .flatten()
        .unwrap_or(false)
}

/// Puts a hook in front of the program's panic hook that skips it on the threads of a quiet
/// runtime (see the module docs). Once per process.
pub(crate) fn install_quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let program_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !quiet_here() {
                program_hook(info);
            }
        }));
    });
}

/// A panic caught inside an actor: what it said, and which actor it came from.
#[derive(Clone, PartialEq, Eq)]
pub struct Failure {
    message: String,
    actor_class: &'static str,
    actor_urn: String,
}

impl Failure {
    pub(crate) fn new(
        payload: &(dyn Any + Send),
        actor_class: &'static str,
        actor_urn: String,
    ) -> Self {
        Failure {
            message: payload_text(payload),
            actor_class,
            actor_urn,
        }
    }

    /// The panic message (`"<non-string panic payload>"` when it was not text).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The short type name of the actor that panicked.
    pub fn actor_class(&self) -> &'static str {
        self.actor_class
    }

    /// The URN of the actor that panicked.
    pub fn actor_urn(&self) -> &str {
        &self.actor_urn
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("message", &self.message)
            .field("actor_class", &self.actor_class)
            .field("actor_urn", &self.actor_urn)
            .finish()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) panicked: {}",
            self.actor_class, self.actor_urn, self.message
        )
    }
}

impl std::error::Error for Failure {}

/// The text of a panic payload: `&str` and `String` as they are, anything else named as such.
pub(crate) fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

/// Runs `f`, catching a panic. A panic payload whose own `Drop` panics is leaked rather than
/// allowed to unwind out of the library.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Box<dyn Any + Send>> {
    catch_unwind(AssertUnwindSafe(f))
}

/// Drops a caught payload without letting a panicking `Drop` escape.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(inner) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(inner);
    }
}

/// Logs a panic of user code that the library caught where it has no actor to name (a waker, a
/// dead-letter subscriber, a timer's task), then drops the payload safely.
pub(crate) fn log_user_panic(what: &str, payload: Box<dyn Any + Send>) {
    error!(target: "pykka", "{what}: {}", payload_text(&*payload));
    drop_payload(payload);
}
