//! [`SharedFuture`]: a future that can be read any number of times, by any number of readers.
//!
//! Pykka's `get()` may be called again and again on one future and gives the same value (or
//! raises the same error) each time. A [`Future`] is read once (`get` consumes it, so a large
//! reply is moved out, never copied); [`Future::shared`] turns it into a `SharedFuture`, whose
//! `get(&self)` gives a clone of the value each time and which can itself be cloned and handed
//! to other threads.
//!
//! # How a read waits
//!
//! A future made by an `ask` or a [`promise`](crate::promise) is a slot: every reader waits on
//! it as a `Future::get` does (running the asked actor inline when it may, handing a pool
//! thread's slot over, deadlock refusal: see `future::wait`), and then clones the value under
//! the slot's lock; the value is never taken out. A derived future (`map`, `join`, `lazy`, ...)
//! is computed once: the first read computes it, with that read's time limit, into a slot that
//! every read then waits on and clones from. What that first read gets (a value or an error, a
//! timeout, a `Deadlock` or `PoolExhausted` refusal of its own wait included) is what every
//! read gets; if the computation panics, the panic is the first reader's and the others get
//! `Error::BrokenPromise`. While it is computed inside a handler, the other readers wait for
//! that handler's actor in the wait-for records, so a cycle through it is refused too.

use crate::base::error::Error;
use crate::base::sync::{lock, Mutex};
use crate::future::{wait, Derived, Future, InlineTarget, Inner, Limit, Slot};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A [`Future`] that can be read any number of times: each read gives a clone of the value, or
/// the same error. Made by [`Future::shared`]; cloning it gives another handle on the same value.
///
/// ```
/// let (promise, future) = pykka::promise::<String>();
/// let shared = future.shared();
/// let other = shared.clone();
/// let reader = std::thread::spawn(move || other.get().unwrap());
/// promise.set("hello".to_owned());
/// assert_eq!(shared.get().unwrap(), "hello");
/// assert_eq!(shared.get().unwrap(), "hello"); // again
/// assert_eq!(reader.join().unwrap(), "hello");
/// ```
pub struct SharedFuture<T> {
    inner: Arc<Source<T>>,
}

enum Source<T> {
    /// An ask's or a promise's slot, read in place.
    Slot {
        slot: Arc<Slot<T>>,
        target: Option<Arc<dyn InlineTarget>>,
    },
    /// A derived future, computed by the first read into `result`.
    Derived {
        pending: Mutex<Option<Box<dyn Derived<T>>>>,
        result: Arc<Slot<T>>,
        /// The actor whose handler computes it (the first reader's, if it reads inside a
        /// handler): what the other readers wait for, in the wait-for records, so that a
        /// cycle through the computation is refused like any other.
        computing: Mutex<Option<Arc<dyn InlineTarget>>>,
    },
}

impl<T: Clone> SharedFuture<T> {
    pub(crate) fn new(future: Future<T>) -> Self {
        let source = match future.inner {
            Inner::Pending { slot, target } => Source::Slot { slot, target },
            Inner::Derived(d) => Source::Derived {
                pending: Mutex::new(Some(d)),
                result: Arc::new(Slot::new()),
                computing: Mutex::new(None),
            },
        };
        SharedFuture {
            inner: Arc::new(source),
        }
    }

    /// Blocks until the value is there; a clone of it (or the error) each time.
    ///
    /// ```
    /// use pykka::Error;
    /// let (promise, future) = pykka::promise::<u32>();
    /// let shared = future.shared();
    /// promise.fail(Error::BrokenPromise);
    /// assert!(matches!(shared.get(), Err(Error::BrokenPromise)));
    /// assert!(matches!(shared.get(), Err(Error::BrokenPromise))); // the same error again
    /// ```
    pub fn get(&self) -> Result<T, Error> {
        self.read(Limit::NONE)
    }

    /// Like [`get`](Self::get), but fails with [`Error::Timeout`] after `timeout`; a later read
    /// may still get the value (unless this was the first read of a derived future: see
    /// [`Future::shared`]).
    ///
    /// ```
    /// use pykka::Error;
    /// use std::time::Duration;
    /// let (promise, future) = pykka::promise::<u32>();
    /// let shared = future.shared();
    /// assert!(matches!(shared.get_timeout(Duration::ZERO), Err(Error::Timeout(_))));
    /// promise.set(3);
    /// assert_eq!(shared.get_timeout(Duration::ZERO).unwrap(), 3);
    /// ```
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, Error> {
        self.read(Limit::after(timeout))
    }

    fn read(&self, limit: Limit) -> Result<T, Error> {
        let (slot, target) = match &*self.inner {
            Source::Slot { slot, target } => (slot, target.clone()),
            Source::Derived {
                pending,
                result,
                computing,
            } => {
                let first = {
                    let mut pending = lock(pending);
                    let first = pending.take();
                    if first.is_some() {
                        *lock(computing) = wait::current_actor();
                    }
                    first
                };
                if let Some(d) = first {
                    // The computation is user code: if it panics, the panic is this reader's,
                    // and every other reader gets an error instead of waiting for ever.
                    match crate::base::panic::catch(move || d.wait(limit)) {
                        Ok(r) => result.complete(r),
                        Err(payload) => {
                            result.complete(Err(Error::BrokenPromise));
                            std::panic::resume_unwind(payload);
                        }
                    }
                }
                let computing = lock(computing).clone();
                (result, computing)
            }
        };
        wait::wait(slot, target.as_ref(), limit.deadline())?;
        slot.peek(limit)
    }
}

impl<T> SharedFuture<T> {
    /// Whether the value (or an error) is there, without blocking.
    pub fn is_ready(&self) -> bool {
        match &*self.inner {
            Source::Slot { slot, .. } => slot.is_ready(),
            Source::Derived {
                result, pending, ..
            } => result.is_ready() || lock(pending).as_ref().is_some_and(|d| d.is_ready()),
        }
    }
}

impl<T> Clone for SharedFuture<T> {
    fn clone(&self) -> Self {
        SharedFuture {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T> fmt::Debug for SharedFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedFuture")
            .field("ready", &self.is_ready())
            .finish()
    }
}

impl<T: Clone> From<Future<T>> for SharedFuture<T> {
    fn from(future: Future<T>) -> Self {
        SharedFuture::new(future)
    }
}
