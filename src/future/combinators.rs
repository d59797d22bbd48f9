//! Pykka's future combinators (`map`, `filter`, `reduce`, `join`), lazily computed futures
//! (Pykka's `set_get_hook`), and `get_all`.
//!
//! A derived future computes its function when it is read, in the reader's context (blocking
//! `get`, or `.await`), once. Every future a read waits on shares the read's one deadline: a
//! `join` or `get_all_timeout` of N futures waits at most the time asked, not N times it
//! (Pykka waits up to N × the timeout).

use crate::base::error::Error;
use crate::future::{Derived, Future, Limit};
use std::collections::VecDeque;
use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

/// `source`, then `f` applied to its value.
struct Map<S, F> {
    source: Future<S>,
    f: Option<F>,
}

impl<S, T, F> Derived<T> for Map<S, F>
where
    S: Send,
    F: FnOnce(S) -> T + Send,
{
    fn wait(self: Box<Self>, limit: Limit) -> Result<T, Error> {
        let Map { source, f } = *self;
        let v = source.wait_until(limit)?;
        f.map(|f| f(v)).ok_or(Error::BrokenPromise)
    }

    fn poll(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<T, Error>> {
        match Pin::new(&mut self.source).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(r) => {
                Poll::Ready(r.and_then(|v| self.f.take().map(|f| f(v)).ok_or(Error::BrokenPromise)))
            }
        }
    }

    fn is_ready(&self) -> bool {
        self.source.is_ready()
    }
}

/// The values of several futures, in order.
struct Join<T> {
    pending: VecDeque<Future<T>>,
    done: Vec<T>,
}

impl<T: Send> Derived<Vec<T>> for Join<T> {
    fn wait(self: Box<Self>, limit: Limit) -> Result<Vec<T>, Error> {
        let Join { pending, mut done } = *self;
        for f in pending {
            done.push(f.wait_until(limit)?);
        }
        Ok(done)
    }

    fn poll(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<Vec<T>, Error>> {
        while let Some(front) = self.pending.front_mut() {
            match Pin::new(front).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(v)) => {
                    self.pending.pop_front();
                    self.done.push(v);
                }
            }
        }
        Poll::Ready(Ok(std::mem::take(&mut self.done)))
    }

    fn is_ready(&self) -> bool {
        self.pending.iter().all(Future::is_ready)
    }
}

/// A value computed by a function on first read.
struct Lazy<F>(Option<F>);

impl<T, F> Derived<T> for Lazy<F>
where
    F: FnOnce(Option<Duration>) -> Result<T, Error> + Send,
{
    fn wait(self: Box<Self>, limit: Limit) -> Result<T, Error> {
        match self.0 {
            Some(f) => f(limit.remaining()),
            None => Err(Error::BrokenPromise),
        }
    }

    fn poll(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<T, Error>> {
        Poll::Ready(match self.0.take() {
            Some(f) => f(None),
            None => Err(Error::BrokenPromise),
        })
    }

    fn is_ready(&self) -> bool {
        false
    }
}

impl<T: Send + 'static> Future<T> {
    /// A future whose value `f` computes when the future is first read (Pykka's
    /// `set_get_hook`). `f` runs in the reader's context with the reader's remaining time
    /// (`None`: no limit); awaited, it runs on the polling thread with no limit.
    ///
    /// ```
    /// use std::time::Duration;
    /// let f = pykka::Future::lazy(|remaining: Option<Duration>| Ok(remaining.is_some()));
    /// assert!(f.get_timeout(Duration::from_secs(1)).unwrap());
    /// ```
    #[doc(alias = "set_get_hook")]
    pub fn lazy<F>(f: F) -> Future<T>
    where
        F: FnOnce(Option<Duration>) -> Result<T, Error> + Send + 'static,
    {
        Future::derived(Box::new(Lazy(Some(f))))
    }

    /// A future of `f` applied to this future's whole value (Pykka's `map`; a map or list is
    /// passed whole, not item by item). `f` runs once, when the result is read. A failure or
    /// timeout of this future fails the result the same way.
    ///
    /// ```
    /// let f = pykka::Future::ready(30).map(|x| x + 10);
    /// assert_eq!(f.get().unwrap(), 40);
    /// ```
    pub fn map<U, F>(self, f: F) -> Future<U>
    where
        U: Send + 'static,
        F: FnOnce(T) -> U + Send + 'static,
    {
        Future::derived(Box::new(Map {
            source: self,
            f: Some(f),
        }))
    }

    /// A future of the items of this future's (iterable) value that pass `pred`, in order.
    ///
    /// ```
    /// let odd = pykka::Future::ready(vec![1, 3, 11, 13, 15]);
    /// assert_eq!(odd.filter(|x| *x > 10).get().unwrap(), vec![11, 13, 15]);
    /// ```
    pub fn filter<P>(self, mut pred: P) -> Future<Vec<T::Item>>
    where
        T: IntoIterator,
        T::Item: Send + 'static,
        P: FnMut(&T::Item) -> bool + Send + 'static,
    {
        self.map(move |v| v.into_iter().filter(|x| pred(x)).collect())
    }

    /// A future of this future's (iterable) value folded from the left, starting at `initial`
    /// (an empty value gives `initial`).
    ///
    /// ```
    /// let f = pykka::Future::ready(vec![1, 2, 3, 4]);
    /// assert_eq!(f.reduce(|acc, x| acc + x, 5).get().unwrap(), 15);
    /// ```
    pub fn reduce<A, F>(self, f: F, initial: A) -> Future<A>
    where
        T: IntoIterator,
        A: Send + 'static,
        F: FnMut(A, T::Item) -> A + Send + 'static,
    {
        self.map(move |v| v.into_iter().fold(initial, f))
    }

    /// A future of this future's value followed by the others', in order. A failure or timeout
    /// of any of them fails the result; one deadline covers all.
    ///
    /// ```
    /// use pykka::Future;
    /// let all = Future::ready(0).join([Future::ready(1), Future::ready(2)]);
    /// assert_eq!(all.get().unwrap(), vec![0, 1, 2]);
    /// ```
    pub fn join<I>(self, others: I) -> Future<Vec<T>>
    where
        I: IntoIterator<Item = Future<T>>,
    {
        let mut pending: VecDeque<Future<T>> = VecDeque::new();
        pending.push_back(self);
        pending.extend(others);
        Future::derived(Box::new(Join {
            done: Vec::with_capacity(pending.len()),
            pending,
        }))
    }
}

/// The values of all `futures`, in order, once all are there. The first failure is returned.
///
/// ```
/// let (promises, futures): (Vec<_>, Vec<_>) = (0..3).map(|_| pykka::promise()).unzip();
/// for (i, p) in promises.into_iter().enumerate() {
///     p.set(i);
/// }
/// assert_eq!(pykka::get_all(futures).unwrap(), vec![0, 1, 2]);
/// ```
pub fn get_all<T, I>(futures: I) -> Result<Vec<T>, Error>
where
    I: IntoIterator<Item = Future<T>>,
{
    futures
        .into_iter()
        .map(|f| f.wait_until(Limit::NONE))
        .collect()
}

/// Like [`get_all`], with one deadline, `timeout` from now, for the whole batch (Pykka gives
/// each future the full timeout in turn, so a batch may wait N × it).
///
/// ```
/// use pykka::Error;
/// use std::time::Duration;
/// let (_unset, never) = pykka::promise::<u32>();
/// let futures = vec![pykka::Future::ready(1), never];
/// let r = pykka::get_all_timeout(futures, Duration::ZERO);
/// assert!(matches!(r, Err(Error::Timeout { .. })));
/// ```
pub fn get_all_timeout<T, I>(futures: I, timeout: Duration) -> Result<Vec<T>, Error>
where
    I: IntoIterator<Item = Future<T>>,
{
    let limit = Limit::after(timeout);
    futures.into_iter().map(|f| f.wait_until(limit)).collect()
}
