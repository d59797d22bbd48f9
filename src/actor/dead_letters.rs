//! The dead-letter sink of a runtime: tells that could not be delivered are counted and shown to
//! subscribers instead of vanishing (pyctor's `DeadLetter`).
//!
//! Two kinds: a tell to an actor that is already dead (the sender also gets the message back in
//! its [`TellError`](crate::TellError)), and a tell still in an actor's mailbox when it died.
//! Asks are not dead letters: their futures fail with `ActorDead`, so the asker always learns.
//! Stop requests and the library's own notifications are not counted either.
//!
//! Cost when nobody listens: a relaxed counter. Subscribers (callbacks, or an actor told each
//! `DeadLetter`) sit behind a mutex that is consulted only when a flag says there are any. A
//! thread-local guard stops a subscriber's own undeliverable tell from being shown again (it is
//! still counted), so a subscriber cannot feed itself.

use crate::base::logging::{debug, error};
use crate::base::panic::catch;
use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

/// Why a message became a dead letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadLetterReason {
    /// It was told to an actor that had already died.
    RecipientDead,
    /// It was queued, and the actor died (stopped, failed or was killed) before handling it.
    LeftInMailbox,
}

/// A message told from inside an actor ([`Context::tell`](crate::Context::tell)) that its
/// recipient never handled (it stopped, failed or was killed with the message still queued),
/// handed back to the sender's [`Actor::on_undelivered`](crate::Actor::on_undelivered) with the
/// message itself: pyctor's `DeadLetter(actor, message)` sent back to the sender. (It is a
/// runtime-wide [`DeadLetter`] too.)
pub struct Undelivered {
    pub(crate) letter: DeadLetter,
    pub(crate) message: Box<dyn std::any::Any + Send>,
}

impl Undelivered {
    /// What the runtime's dead letters say of it: recipient, message type, reason.
    pub fn letter(&self) -> &DeadLetter {
        &self.letter
    }

    /// The message, if it is an `M`; otherwise `self` back.
    ///
    /// ```
    /// use pykka::{Actor, ActorRef, Context, Receive, Undelivered};
    /// use std::sync::mpsc::{channel, Sender};
    ///
    /// /// Killed by its first message: what is queued behind it is never handled.
    /// struct Slow;
    /// impl Actor for Slow {}
    /// impl Receive for Slow {
    ///     type Message = String;
    ///     type Reply = ();
    ///     fn on_receive(&mut self, _: String, ctx: &mut Context<Self>) { ctx.kill(); }
    /// }
    ///
    /// struct Sender_ { to: ActorRef<Slow>, back: Sender<String> }
    /// impl Actor for Sender_ {
    ///     fn on_undelivered(&mut self, letter: Undelivered, _ctx: &mut Context<Self>) {
    ///         if let Ok(text) = letter.downcast::<String>() {
    ///             self.back.send(text).unwrap();
    ///         }
    ///     }
    /// }
    /// impl Receive for Sender_ {
    ///     type Message = ();
    ///     type Reply = ();
    ///     fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) {
    ///         // The first kills the recipient; the second is left in its mailbox.
    ///         ctx.tell(&self.to, "first".to_owned()).unwrap();
    ///         ctx.tell(&self.to, "second".to_owned()).unwrap();
    ///     }
    /// }
    ///
    /// let (tx, rx) = channel();
    /// let s = Sender_ { to: Slow.start(), back: tx }.start();
    /// s.tell(()).unwrap();
    /// assert_eq!(rx.recv().unwrap(), "second");
    /// s.stop();
    /// ```
    pub fn downcast<M: 'static>(self) -> Result<M, Self> {
        match self.message.downcast::<M>() {
            Ok(m) => Ok(*m),
            Err(message) => Err(Undelivered {
                letter: self.letter,
                message,
            }),
        }
    }
}

impl fmt::Debug for Undelivered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Undelivered")
            .field("letter", &self.letter)
            .finish_non_exhaustive()
    }
}

/// A message that was never handled. The message itself is not kept (the sender of a tell to
/// a dead actor got it back; one left in a mailbox is dropped): its type name says what it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub(crate) recipient_urn: String,
    pub(crate) recipient_class: &'static str,
    pub(crate) message_type: &'static str,
    pub(crate) reason: DeadLetterReason,
}

impl DeadLetter {
    /// A dead letter made outside the library, for [`Runtime::record_dead_letter`]: by a
    /// transport (`pykka-remote`) for a message that never reached an actor.
    ///
    /// [`Runtime::record_dead_letter`]: crate::Runtime::record_dead_letter
    pub fn new(
        recipient_urn: impl Into<String>,
        recipient_class: &'static str,
        message_type: &'static str,
        reason: DeadLetterReason,
    ) -> Self {
        DeadLetter {
            recipient_urn: recipient_urn.into(),
            recipient_class,
            message_type,
            reason,
        }
    }

    /// The URN of the actor the message was for.
    pub fn recipient_urn(&self) -> &str {
        &self.recipient_urn
    }

    /// The class (short type name) of the actor the message was for.
    pub fn recipient_class(&self) -> &'static str {
        self.recipient_class
    }

    /// The message's type name (`std::any::type_name`), or `"deferred call"` for a proxy
    /// `defer`.
    pub fn message_type(&self) -> &'static str {
        self.message_type
    }

    /// Why it was not handled.
    pub fn reason(&self) -> DeadLetterReason {
        self.reason
    }
}

impl fmt::Display for DeadLetter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.reason {
            DeadLetterReason::RecipientDead => "it was dead",
            DeadLetterReason::LeftInMailbox => "it died first",
        };
        write!(
            f,
            "dead letter: {} to {} ({}): {why}",
            self.message_type, self.recipient_class, self.recipient_urn
        )
    }
}

pub(crate) type Subscriber = Arc<dyn Fn(&DeadLetter) + Send + Sync>;

/// The sink: a count, and the subscribers.
#[derive(Default)]
pub(crate) struct Sink {
    count: AtomicU64,
    /// Whether `subscribers` is non-empty: a dead letter with nobody listening costs one add.
    any: AtomicBool,
    subscribers: Mutex<Vec<(u64, Subscriber)>>,
    next_id: AtomicU64,
}

thread_local! {
    /// Set while this thread runs subscribers: a subscriber's own undeliverable tell (to a dead
    /// subscribing actor, say) is counted but not shown again, so there is no loop.
    static DELIVERING: Cell<bool> = const { Cell::new(false) };
}

impl Sink {
    pub(crate) fn count(&self) -> u64 {
        // ORDERING: Relaxed; a statistic, read with no other data.
        self.count.load(Ordering::Relaxed)
    }

    pub(crate) fn record(&self, letter: impl FnOnce() -> DeadLetter) {
        // ORDERING: Relaxed; a statistic.
        self.count.fetch_add(1, Ordering::Relaxed);
        // ORDERING: Relaxed; a subscriber added concurrently with this dead letter may miss it
        // either way, and the list itself is read under its lock.
        let any = self.any.load(Ordering::Relaxed);
        if !any && !crate::base::logging::enabled(log::Level::Debug) {
            return;
        }
        let letter = letter();
        debug!(target: "pykka", "{letter}");
        if !any || DELIVERING.with(Cell::get) {
            return;
        }
        let subscribers: Vec<Subscriber> = self
            .subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(_, s)| Arc::clone(s))
            .collect();
        DELIVERING.with(|d| d.set(true));
        for s in subscribers {
            // The subscriber is called, and its `Arc` dropped (the last reference, if it was
            // unsubscribed meanwhile: its captures' drop glue), under the catch.
            let letter = &letter;
            if let Err(p) = catch(move || s(letter)) {
                error!(
                    target: "pykka",
                    "Dead-letter subscriber panicked: {}",
                    crate::base::panic::payload_text(&*p)
                );
                crate::base::panic::drop_payload(p);
            }
        }
        DELIVERING.with(|d| d.set(false));
    }

    pub(crate) fn subscribe(self: &Arc<Self>, f: Subscriber) -> DeadLetterSubscription {
        // ORDERING: Relaxed; only unique.
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut subs = self
            .subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        subs.push((id, f));
        // ORDERING: Relaxed; see `record`.
        self.any.store(true, Ordering::Relaxed);
        DeadLetterSubscription {
            id,
            sink: Arc::downgrade(self),
        }
    }

    fn unsubscribe(&self, id: u64) {
        let mut subs = self
            .subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        subs.retain(|(i, _)| *i != id);
        // ORDERING: Relaxed; see `record`.
        self.any.store(!subs.is_empty(), Ordering::Relaxed);
    }
}

/// A subscription to a runtime's dead letters; dropping it unsubscribes.
#[must_use = "dropping the subscription unsubscribes at once"]
pub struct DeadLetterSubscription {
    id: u64,
    sink: Weak<Sink>,
}

impl DeadLetterSubscription {
    /// Stops the deliveries (the same as dropping it).
    pub fn unsubscribe(self) {}
}

impl Drop for DeadLetterSubscription {
    fn drop(&mut self) {
        if let Some(sink) = self.sink.upgrade() {
            sink.unsubscribe(self.id);
        }
    }
}

impl fmt::Debug for DeadLetterSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeadLetterSubscription({})", self.id)
    }
}
