//! `Promise` and `Future`: the one-shot reply slot.
//!
//! # The slot
//!
//! [`promise()`] allocates one `Arc<Slot<T>>`: a lock around `{value, waiting, waker}`, a
//! condvar, and a flag `set`. Setting stores the value and, under the same lock, the flag
//! (Release; never cleared); it notifies the condvar only when a thread waits (no system call
//! otherwise) and wakes a stored `Waker` (so `.await` parks no thread). A stored `Waker` is woken
//! under `catch`: a waker is user code, often woken on a pool worker. A [`Promise`] dropped
//! unset fails its future with [`Error::BrokenPromise`]: nothing waits forever.
//!
//! The flag answers `is_ready` without the lock (Acquire: a reader that sees it finds the value
//! under the lock), which a blocked `get()` running its target inline asks after every message
//! it runs. A blocking waiter first spins briefly on the flag (crossbeam `Backoff`, a few
//! microseconds at most): a reply that comes that soon costs no sleep and wake-up.
//!
//! # No `T` on the waiting path
//!
//! The value is always taken under the lock: by [`Future::wait_until`] (through `Slot::take`),
//! straight into its return value, or by a `poll` that returns it. The waiting path
//! (`wait::wait`, `Slot::wait_ready`) only waits for readiness and never holds a `T`, so a large
//! reply is not copied down the stack (a 256 KiB reply reads on a 2 MiB thread in release
//! builds), and nothing of it lies beneath an actor run inline by the wait. [`Future::ready`]
//! and [`Future::failed`] are completed slots too, so no variant of a `Future` holds a `T`: a
//! future is three words whatever its type. Derived futures (`map`, `join`, `lazy`, ..., in
//! `combinators`) compute their value when read, under one deadline shared by every future
//! they wait on ([`Limit`]).
//!
//! What a `get()` does when it must wait (inline runs, handing a pool thread's slot over,
//! deadlock refusal, the wait-for records) is the protocol of [`wait`](mod@wait).
//!
//! # Loom models
//!
//! The models below check a set against a blocking get (the value arrives, nobody hangs), a
//! promise dropped unset against a get (`BrokenPromise`), a set against a `poll` registering its
//! waker (the task is woken), and that `is_ready` without the lock means the value is there
//! (moving the flag's store before the value's makes it fail).

mod combinators;
mod shared;
pub(crate) mod wait;

pub use combinators::{get_all, get_all_timeout};
pub use shared::SharedFuture;
pub(crate) use wait::{install_pool_hook, is_running_here, running, InlineTarget, PoolHook};

use crate::base::error::{Error, Timeout};
use crate::base::sync::{lock, wait, wait_for, AtomicBool, Condvar, Mutex};
use std::fmt;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, Instant};

struct SlotState<T> {
    value: Option<Result<T, Error>>,
    /// Threads blocked in `wait_ready` (several for a `SharedFuture`).
    waiting: u32,
    waker: Option<Waker>,
    /// Set to `true` when the slot completes: the wait-for record of a handler blocked on it
    /// (`wait::Graph`), so that a record whose reply is in already is not read as a live wait.
    blocked: Option<Arc<AtomicBool>>,
}

pub(crate) struct Slot<T> {
    state: Mutex<SlotState<T>>,
    cv: Condvar,
    /// Set (under the lock, after the value) when the slot is completed, and never cleared: read
    /// without the lock by `is_ready` and by a waiter's short spin. The value itself is only ever
    /// taken under the lock.
    set: AtomicBool,
}

impl<T> Slot<T> {
    fn new() -> Self {
        Slot {
            state: Mutex::new(SlotState {
                value: None,
                waiting: 0,
                waker: None,
                blocked: None,
            }),
            cv: Condvar::new(),
            set: AtomicBool::new(false),
        }
    }

    /// Sets the value, unless the slot is complete already (the first completion wins: an async
    /// handler's promise is failed from outside its future when the future panics or is
    /// dropped, and the promise inside the future then completes nothing).
    fn complete(&self, value: Result<T, Error>) {
        let (notify, waker) = {
            let mut st = lock(&self.state);
            // ORDERING: Relaxed under the lock that sets it.
            if self.set.load(Ordering::Relaxed) {
                drop(st);
                drop(value);
                return;
            }
            st.value = Some(value);
            // ORDERING: Release so that a reader that sees the flag also sees the value (it takes
            // it under the lock anyway: `is_ready` true means `try_take` finds it).
            self.set.store(true, Ordering::Release);
            if let Some(over) = st.blocked.take() {
                // ORDERING: Release; a walk of the wait-for records that reads it (Acquire)
                // treats the waiter's record as ended. Set before this thread can take the
                // records' lock for a wait of its own, so its own walk always sees it.
                over.store(true, Ordering::Release);
            }
            (st.waiting > 0, st.waker.take())
        };
        if notify {
            // Several threads may wait on one slot (readers of a `SharedFuture`).
            self.cv.notify_all();
        }
        if let Some(w) = waker {
            // A waker is user code (an executor's), run here on whatever thread sets the
            // promise, often a pool worker: its panic must not unwind through that thread.
            if let Err(p) = crate::base::panic::catch(move || w.wake()) {
                crate::base::panic::log_user_panic("A task's waker panicked", p);
            }
        }
    }

    /// Completed (the value may have been taken since, by a `poll` that returned it). No lock:
    /// a blocked `get` on a pool worker asks this after each message it runs inline
    /// (docs/profiles.md, "Banking": the lock here was 9.8 % of Banking's samples).
    pub(crate) fn is_ready(&self) -> bool {
        // ORDERING: Acquire, pairs with the Release in `complete`: the value is visible after.
        self.set.load(Ordering::Acquire)
    }

    /// The `over` flag for the wait-for record of a handler about to block on this slot: the
    /// completion sets it. Handlers blocked on one slot together (readers of a
    /// `SharedFuture`) share it: it says that the slot is complete. `None` (nothing to record):
    /// the slot is complete already, there is nothing to wait for.
    pub(crate) fn watch_blocked(&self) -> Option<Arc<AtomicBool>> {
        let mut st = lock(&self.state);
        // ORDERING: Relaxed under the lock that `complete` sets it under.
        if self.set.load(Ordering::Relaxed) {
            return None;
        }
        Some(Arc::clone(
            st.blocked
                .get_or_insert_with(|| Arc::new(AtomicBool::new(false))),
        ))
    }

    /// A clone of the value, once ready (it stays in the slot); a timeout if the wait for it
    /// ended first.
    fn peek(&self, limit: Limit) -> Result<T, Error>
    where
        T: Clone,
    {
        let st = lock(&self.state);
        match &st.value {
            Some(v) => v.clone(),
            // ORDERING: Relaxed under the lock that `complete` sets it under.
            None if self.set.load(Ordering::Relaxed) => Err(Error::BrokenPromise),
            None => Err(limit.timeout()),
        }
    }

    #[cfg(all(test, loom))]
    pub(crate) fn try_take(&self) -> Option<Result<T, Error>> {
        lock(&self.state).value.take()
    }

    /// The value, once ready; a timeout if the wait for it ended first. Decided under one lock
    /// (`complete` sets the value and the flag under it): a value set between a look at the
    /// value and a look at the flag would otherwise read as "taken already".
    fn take(&self, limit: Limit) -> Result<T, Error> {
        let mut st = lock(&self.state);
        match st.value.take() {
            Some(v) => v,
            // ORDERING: Relaxed under the lock that `complete` sets it under.
            None if self.set.load(Ordering::Relaxed) => Err(Error::BrokenPromise), // read already
            None => Err(limit.timeout()),
        }
    }

    /// Blocks until the value is there (`true`) or `deadline` has passed (`false`), without
    /// taking it: the caller takes it with `try_take`, straight into its own return value, so
    /// no frame on the waiting path holds a `T` (a large reply is not copied down the stack).
    /// A reply that comes within a few microseconds is caught by a short spin instead of a sleep
    /// and a wake-up.
    pub(crate) fn wait_ready(&self, deadline: Option<Instant>) -> bool {
        #[cfg(not(loom))]
        {
            let backoff = crossbeam_utils::Backoff::new();
            // ORDERING: Acquire, pairs with the Release in `complete`; only a hint.
            while !self.set.load(Ordering::Acquire) && !backoff.is_completed() {
                backoff.snooze();
            }
        }
        let mut st = lock(&self.state);
        st.waiting += 1;
        let ready = loop {
            // ORDERING: Relaxed under the lock that `complete` sets it under.
            if self.set.load(Ordering::Relaxed) {
                break true;
            }
            match deadline {
                None => st = wait(&self.cv, st),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        break false;
                    }
                    st = wait_for(&self.cv, st, d - now);
                }
            }
        };
        st.waiting -= 1;
        ready
    }

    fn poll(&self, cx: &mut TaskContext<'_>) -> Poll<Result<T, Error>> {
        let mut st = lock(&self.state);
        if let Some(v) = st.value.take() {
            return Poll::Ready(v);
        }
        // ORDERING: Relaxed under the lock that `complete` sets it under.
        if self.set.load(Ordering::Relaxed) {
            // Polled again after it returned its value: there is nothing more to give.
            return Poll::Ready(Err(Error::BrokenPromise));
        }
        match &st.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => st.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

/// A promise's slot, failed from outside the code that holds the promise (an async handler's
/// future that panicked or was dropped), whatever its type.
pub(crate) trait FailSlot: Send + Sync {
    fn fail(&self, error: Error);
}

impl<T: Send> FailSlot for Slot<T> {
    fn fail(&self, error: Error) {
        self.complete(Err(error));
    }
}

/// The writing end of a [`Future`]: set it once, with a value or an error.
///
/// Ownership makes a second set impossible: `set` consumes the promise.
///
/// ```compile_fail
/// let (p, _f) = pykka::promise::<i32>();
/// p.set(1);
/// p.set(2); // error: use of moved value
/// ```
pub struct Promise<T> {
    slot: Option<Arc<Slot<T>>>,
}

impl<T> Promise<T> {
    /// Resolves the future with `value`.
    ///
    /// ```
    /// let (p, f) = pykka::promise();
    /// p.set("done");
    /// assert_eq!(f.get().unwrap(), "done");
    /// ```
    pub fn set(mut self, value: T) {
        if let Some(s) = self.slot.take() {
            s.complete(Ok(value));
        }
    }

    /// Fails the future with `error`.
    ///
    /// ```
    /// use pykka::Error;
    /// let (p, f) = pykka::promise::<()>();
    /// p.fail(Error::BrokenPromise);
    /// assert!(matches!(f.get(), Err(Error::BrokenPromise)));
    /// ```
    pub fn fail(mut self, error: Error) {
        if let Some(s) = self.slot.take() {
            s.complete(Err(error));
        }
    }
}

impl<T> Promise<T> {
    /// Whether nobody can read what this promise would set: its future (and every clone of its
    /// slot) is gone. A waiter list drops such promises instead of keeping them.
    ///
    /// ```
    /// let (p, f) = pykka::promise::<u32>();
    /// assert!(!p.is_abandoned());
    /// drop(f);
    /// assert!(p.is_abandoned());
    /// ```
    pub fn is_abandoned(&self) -> bool {
        self.slot.as_ref().is_none_or(|s| Arc::strong_count(s) == 1)
    }
}

impl<T: Send + 'static> Promise<T> {
    /// A handle that fails this promise's future (if nothing completed it first).
    pub(crate) fn fail_handle(&self) -> Option<Arc<dyn FailSlot>> {
        self.slot
            .as_ref()
            .map(|s| Arc::clone(s) as Arc<dyn FailSlot>)
    }
}

impl<T> Promise<T> {
    /// Lets go of the slot without completing it: whoever holds a [`FailSlot`] handle to it
    /// completes it instead.
    pub(crate) fn disarm(mut self) {
        self.slot.take();
    }
}

impl<T> Drop for Promise<T> {
    fn drop(&mut self) {
        if let Some(s) = self.slot.take() {
            s.complete(Err(Error::BrokenPromise));
        }
    }
}

impl<T> fmt::Debug for Promise<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Promise { .. }")
    }
}

/// A new promise and the future it resolves.
///
/// ```
/// let (promise, future) = pykka::promise::<u32>();
/// std::thread::spawn(move || promise.set(42));
/// assert_eq!(future.get().unwrap(), 42);
/// ```
pub fn promise<T>() -> (Promise<T>, Future<T>) {
    let slot = Arc::new(Slot::new());
    (
        Promise {
            slot: Some(Arc::clone(&slot)),
        },
        Future {
            inner: Inner::Pending { slot, target: None },
        },
    )
}

pub(crate) fn promise_for<T>(target: Arc<dyn InlineTarget>) -> (Promise<T>, Future<T>) {
    let (p, mut f) = promise();
    if let Inner::Pending { target: t, .. } = &mut f.inner {
        *t = Some(target);
    }
    (p, f)
}

/// A ready future is a completed slot too (`Future::ready`): no variant holds a `T` inline,
/// so a `Future` stays three words whatever `T` is, and a large reply is never copied with it
/// through the frames of `get`.
enum Inner<T> {
    Pending {
        slot: Arc<Slot<T>>,
        /// The actor that will set the slot, if an ask made it: a waiting pool thread may run it
        /// inline.
        target: Option<Arc<dyn InlineTarget>>,
    },
    /// Computed from other futures, or by a function, when read (`map`, `join`, `lazy`, ...).
    Derived(Box<dyn Derived<T>>),
}

/// A future computed when it is read: blocking (`wait`) or polled.
pub(crate) trait Derived<T>: Send {
    fn wait(self: Box<Self>, limit: Limit) -> Result<T, Error>;
    fn poll(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<T, Error>>;
    fn is_ready(&self) -> bool;
}

/// How long a read may wait: one deadline shared by every future a read waits on (so a batch
/// or a chain of derived futures waits at most the time asked, not that time per future), and
/// the time asked, for the `Timeout` error's text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    deadline: Option<Instant>,
    requested: Option<Duration>,
}

impl Limit {
    pub(crate) const NONE: Limit = Limit {
        deadline: None,
        requested: None,
    };

    /// A limit `d` from now; a `d` past what `Instant` can hold is no limit.
    pub(crate) fn after(d: Duration) -> Limit {
        Limit {
            deadline: Instant::now().checked_add(d),
            requested: Some(d),
        }
    }

    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The time left, `None` for no limit.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    pub(crate) fn timeout(&self) -> Error {
        Error::Timeout(Timeout::after(self.requested.unwrap_or(Duration::MAX)))
    }
}

/// A value that will be there later: the reply to an `ask`, or what a [`Promise`] sets.
///
/// Read it once, blocking ([`get`](Future::get), [`get_timeout`](Future::get_timeout)) or from
/// async code (`.await`, which parks no thread). Dropping it never cancels the message.
#[must_use = "the message is handled whether or not the reply is read; to send without a reply, use `tell`, `ActorProxy::defer` or a typed proxy's `<method>_defer`"]
pub struct Future<T> {
    inner: Inner<T>,
}

impl<T> Future<T> {
    /// A future that already holds `value`.
    ///
    /// ```
    /// assert_eq!(pykka::Future::ready(3).get().unwrap(), 3);
    /// ```
    pub fn ready(value: T) -> Self {
        let (p, f) = promise();
        p.set(value);
        f
    }

    /// A future that already failed with `error`.
    ///
    /// ```
    /// use pykka::{Error, Future};
    /// assert!(Future::<()>::failed(Error::BrokenPromise).get().is_err());
    /// ```
    pub fn failed(error: Error) -> Self {
        let (p, f) = promise();
        p.fail(error);
        f
    }

    /// Blocks until the value is there.
    ///
    /// Called inside a handler on a pool worker, it keeps the pool live: the asked actor is run
    /// on this thread if it is idle, otherwise a spare thread takes this thread's place while it
    /// waits (see the crate docs, "Blocking inside handlers").
    ///
    /// ```
    /// let (p, f) = pykka::promise();
    /// p.set(5);
    /// assert_eq!(f.get().unwrap(), 5);
    /// ```
    pub fn get(self) -> Result<T, Error> {
        self.wait_until(Limit::NONE)
    }

    /// Like [`get`](Future::get), but fails with [`Error::Timeout`] after `timeout`.
    ///
    /// ```
    /// use pykka::Error;
    /// use std::time::Duration;
    /// let (_p, f) = pykka::promise::<()>();
    /// assert!(matches!(f.get_timeout(Duration::ZERO), Err(Error::Timeout { .. })));
    /// ```
    pub fn get_timeout(self, timeout: Duration) -> Result<T, Error> {
        self.wait_until(Limit::after(timeout))
    }

    /// Whether the future has been resolved (with a value or an error), without blocking.
    ///
    /// ```
    /// let (p, f) = pykka::promise();
    /// assert!(!f.is_ready());
    /// p.set(());
    /// assert!(f.is_ready());
    /// ```
    pub fn is_ready(&self) -> bool {
        match &self.inner {
            Inner::Pending { slot, .. } => slot.is_ready(),
            Inner::Derived(d) => d.is_ready(),
        }
    }

    /// Reads the value, waiting at most until `limit`.
    ///
    /// No frame that lies beneath a wait holds a `T`: the wait (which may run the asked actor
    /// inline, nested on this stack) happens first, and the value is taken afterwards, once,
    /// straight into the return value (see `Slot::wait_ready`).
    pub(crate) fn wait_until(self, limit: Limit) -> Result<T, Error> {
        match self.inner {
            Inner::Pending { slot, target } => {
                wait::wait(&slot, target.as_ref(), limit.deadline())?;
                slot.take(limit)
            }
            Inner::Derived(d) => d.wait(limit),
        }
    }

    /// This future as a [`SharedFuture`]: read any number of times, by any number of readers,
    /// each read giving a clone of the value (Pykka's `get()` may be called again and again).
    ///
    /// A derived future (`map`, `join`, `lazy`, ...) is computed once, by the first read, with
    /// that read's time limit: what it gets, a timeout included, is what every read gets. Give
    /// the first read the longest limit you mean to wait.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive};
    /// struct Answer;
    /// impl Actor for Answer {}
    /// impl Receive for Answer {
    ///     type Message = ();
    ///     type Reply = Vec<u32>;
    ///     fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Vec<u32> { vec![42] }
    /// }
    /// let a = Answer.start();
    /// let reply = a.ask(()).shared();
    /// assert_eq!(reply.get().unwrap(), [42]);
    /// assert_eq!(reply.get().unwrap(), [42]);
    /// # a.stop();
    /// ```
    pub fn shared(self) -> SharedFuture<T>
    where
        T: Clone,
    {
        SharedFuture::new(self)
    }

    pub(crate) fn derived(d: Box<dyn Derived<T>>) -> Self {
        Future {
            inner: Inner::Derived(d),
        }
    }
}

impl<T, E: From<Error>> Future<Result<T, E>> {
    /// Blocks until the reply is there, and gives the handler's own `Result` with the library's
    /// error folded into `E`: `Result<T, E>` instead of `Result<Result<T, E>, Error>`, so that
    /// `?` composes in a function returning `Result<_, E>`.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive};
    ///
    /// #[derive(Debug)]
    /// enum BankError {
    ///     Insufficient,
    ///     Actor(pykka::Error),
    /// }
    /// impl From<pykka::Error> for BankError {
    ///     fn from(e: pykka::Error) -> Self { BankError::Actor(e) }
    /// }
    ///
    /// struct Account(u32);
    /// impl Actor for Account {}
    /// impl Receive for Account {
    ///     type Message = u32;
    ///     type Reply = Result<u32, BankError>;
    ///     fn on_receive(&mut self, amount: u32, _: &mut Context<Self>) -> Result<u32, BankError> {
    ///         self.0 = self.0.checked_sub(amount).ok_or(BankError::Insufficient)?;
    ///         Ok(self.0)
    ///     }
    /// }
    ///
    /// fn withdraw(a: &pykka::ActorRef<Account>, n: u32) -> Result<u32, BankError> {
    ///     let left = a.ask(n).try_get()?; // not Ok(Ok(left))
    ///     Ok(left)
    /// }
    ///
    /// let a = Account(100).start();
    /// assert_eq!(withdraw(&a, 30).unwrap(), 70);
    /// assert!(matches!(withdraw(&a, 500), Err(BankError::Insufficient)));
    /// a.stop();
    /// assert!(matches!(withdraw(&a, 1), Err(BankError::Actor(pykka::Error::ActorDead(_)))));
    /// ```
    pub fn try_get(self) -> Result<T, E> {
        self.get().map_err(E::from)?
    }

    /// Like [`try_get`](Self::try_get), but the wait fails with [`Error::Timeout`] (folded into
    /// `E`) after `timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let (p, f) = pykka::promise::<Result<u8, pykka::Error>>();
    /// p.set(Ok(7));
    /// assert_eq!(f.try_get_timeout(Duration::from_secs(1)).unwrap(), 7);
    /// ```
    pub fn try_get_timeout(self, timeout: Duration) -> Result<T, E> {
        self.get_timeout(timeout).map_err(E::from)?
    }
}

// The future is never pinned structurally: the value is behind an `Arc` or moved out whole.
impl<T> Unpin for Future<T> {}

impl<T> std::future::Future for Future<T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().inner {
            Inner::Pending { slot, .. } => slot.poll(cx),
            Inner::Derived(d) => d.poll(cx),
        }
    }
}

impl<T> fmt::Debug for Future<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Future")
            .field("ready", &self.is_ready())
            .finish()
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::thread;

    #[test]
    fn loom_set_vs_get() {
        loom::model(|| {
            let (p, f) = promise::<u32>();
            let t = thread::spawn(move || p.set(7));
            assert_eq!(f.get().unwrap(), 7);
            t.join().unwrap();
        });
    }

    #[test]
    fn loom_is_ready_without_the_lock_means_the_value_is_there() {
        loom::model(|| {
            let slot = Arc::new(Slot::<u32>::new());
            let setter = Arc::clone(&slot);
            let t = thread::spawn(move || setter.complete(Ok(7)));
            if slot.is_ready() {
                assert!(matches!(slot.try_take(), Some(Ok(7))));
            }
            t.join().unwrap();
            assert!(slot.is_ready(), "completed means ready");
        });
    }

    #[test]
    fn loom_drop_unset_vs_get() {
        loom::model(|| {
            let (p, f) = promise::<u32>();
            let t = thread::spawn(move || drop(p));
            assert!(matches!(f.get(), Err(Error::BrokenPromise)));
            t.join().unwrap();
        });
    }

    #[test]
    fn loom_set_vs_poll_registers_waker() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::task::{Wake, Waker};
        struct Flag(AtomicBool);
        impl Wake for Flag {
            fn wake(self: std::sync::Arc<Self>) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        loom::model(|| {
            let (p, mut f) = promise::<u32>();
            let flag = std::sync::Arc::new(Flag(AtomicBool::new(false)));
            let waker = Waker::from(flag.clone());
            let mut cx = TaskContext::from_waker(&waker);
            let t = thread::spawn(move || p.set(1));
            let first = std::future::Future::poll(Pin::new(&mut f), &mut cx);
            t.join().unwrap();
            match first {
                Poll::Ready(v) => assert_eq!(v.unwrap(), 1),
                Poll::Pending => {
                    // Pending means the waker was stored before the set: it must have been woken.
                    assert!(flag.0.load(Ordering::SeqCst), "lost wake-up");
                    let again = std::future::Future::poll(Pin::new(&mut f), &mut cx);
                    assert!(matches!(again, Poll::Ready(Ok(1))));
                }
            }
        });
    }
}
