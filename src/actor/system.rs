//! The actor system of a runtime: its pool of threads and what the actors share above it (the
//! registry, the timers, the dead-letter sink, dedicated threads' homes, the count of live
//! actors that `join` waits for, and the `stopped()` promises).
//!
//! The pool (`sched::Pool`) runs tokens and knows nothing of this; a cell holds one pointer,
//! to its `System`, and reaches the pool through it.
//!
//! The live count is two counters, `started` and `died`, on separate cache lines (the thread
//! that starts actors and the worker that ends them never write the same line). The dying side
//! notifies, under the lock that `join` checks under, when `died` reaches `started`; `join`
//! reads `died` before `started`, and since `started` only grows and never trails `died`, equal
//! readings mean nothing was alive.

use crate::base::config::Config;
use crate::registry::Registry;
use crate::sched::Pool;
use crossbeam_utils::CachePadded;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};

/// Locks a std mutex (poisoning ignored: no user code runs under these locks).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A runtime's actor system.
pub(crate) struct System {
    pub(crate) pool: Arc<Pool>,
    pub(crate) registry: Registry<dyn crate::actor::cell::AnyCell>,
    pub(crate) timers: Arc<crate::sched::timer::Timers>,
    pub(crate) dead_letters: Arc<crate::actor::dead_letters::Sink>,
    pub(crate) homes: crate::sched::dedicated::Homes,
    /// Non-daemon actors started and died (see the module docs).
    started: CachePadded<AtomicUsize>,
    died: CachePadded<AtomicUsize>,
    /// `true` once `Runtime::shutdown` has finished: no pool actor can run again, so `join`
    /// stops waiting (an idle unregistered actor would otherwise count as alive for ever).
    live_lock: Mutex<bool>,
    live_cv: Condvar,
    /// Promises of `Runtime::stopped`, resolved when shutdown finishes (under `live_lock`'s
    /// flag: taken once it is set).
    stopped_waiters: Mutex<Vec<crate::future::Promise<()>>>,
}

impl System {
    /// Starts the pool's workers and builds the system around it.
    pub(crate) fn start(config: Config) -> Result<Arc<System>, std::io::Error> {
        let pool = Pool::start(config)?;
        let timers: Arc<crate::sched::timer::Timers> = Arc::default();
        // The timer thread is one of the runtime's own threads too: it cannot wait for the
        // runtime's shutdown (which stops it), nor be where a dropped runtime shuts down.
        timers.set_owner(crate::sched::pool_id(&pool));
        timers.set_quiet(pool.config.quiet_panics.clone());
        Ok(Arc::new(System {
            pool,
            registry: Registry::new(),
            timers,
            dead_letters: Arc::default(),
            homes: Default::default(),
            started: CachePadded::new(AtomicUsize::new(0)),
            died: CachePadded::new(AtomicUsize::new(0)),
            live_lock: Mutex::new(false),
            live_cv: Condvar::new(),
            stopped_waiters: Mutex::new(Vec::new()),
        }))
    }

    pub(crate) fn config(&self) -> &Config {
        &self.pool.config
    }

    /// A non-daemon actor started.
    pub(crate) fn live_inc(&self) {
        // ORDERING: SeqCst; `live_dec` and `wait_no_live` compare the two counters.
        self.started.fetch_add(1, Ordering::SeqCst);
    }

    /// `Runtime::shutdown` is done: wake every `join`, resolve every `stopped()`.
    pub(crate) fn finish_shutdown(&self) {
        let waiters = {
            let mut done = lock(&self.live_lock);
            *done = true;
            std::mem::take(&mut *lock(&self.stopped_waiters))
        };
        self.live_cv.notify_all();
        for p in waiters {
            p.set(());
        }
    }

    /// A future resolved when shutdown has finished (at once if it has).
    pub(crate) fn stopped(&self) -> crate::Future<()> {
        let (p, f) = crate::future::promise();
        let done = lock(&self.live_lock);
        if *done {
            drop(done);
            p.set(());
        } else {
            lock(&self.stopped_waiters).push(p);
        }
        f
    }

    /// A non-daemon actor died; if that was the last one, wake `join`.
    pub(crate) fn live_dec(&self) {
        // ORDERING: SeqCst; died is read before started everywhere, see wait_no_live.
        let died = self.died.fetch_add(1, Ordering::SeqCst) + 1;
        if died == self.started.load(Ordering::SeqCst) {
            // Notified under the lock that `wait_no_live` checks under: no lost wake-up.
            let _g = lock(&self.live_lock);
            self.live_cv.notify_all();
        }
    }

    /// Blocks until no non-daemon actor is alive.
    ///
    /// `died` is read before `started`: started only grows and never trails died, so equal
    /// readings mean that no actor was alive when `started` was read.
    pub(crate) fn wait_no_live(&self) {
        let mut g = lock(&self.live_lock);
        loop {
            if *g {
                return; // shut down: nothing on the pool will ever run again
            }
            // ORDERING: SeqCst, see live_dec.
            let died = self.died.load(Ordering::SeqCst);
            if self.started.load(Ordering::SeqCst) == died {
                return;
            }
            g = self.live_cv.wait(g).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// A pool of worker threads that runs actors, with its own registry.
///
/// ```
/// use pykka::{Actor, Runtime};
/// struct Idle;
/// impl Actor for Idle {}
///
/// let rt = Runtime::builder().threads(1).build().unwrap();
/// let a = Idle.start_in(&rt);
/// assert!(a.is_alive());
/// rt.shutdown().unwrap(); // stops every actor, last started first
/// assert!(!a.is_alive());
/// ```
///
/// The type lives here, beside the system it is the public face of, so that the actor layer
/// can name it (`Actor::start_in`); all of its methods are in `src/runtime.rs`.
pub struct Runtime {
    pub(crate) system: Arc<System>,
    /// Dropping it shuts the runtime down: a runtime built with `Builder::build`. The global
    /// runtime and the handles of `Context::runtime` do not own theirs.
    pub(crate) owner: bool,
}

impl Runtime {
    /// A handle on `system` that does not shut it down when dropped.
    pub(crate) fn handle(system: &Arc<System>) -> Runtime {
        Runtime {
            system: Arc::clone(system),
            owner: false,
        }
    }
}

/// The default runtime, built on first use with the default settings (one worker per core, or
/// one if the system refuses that many threads); never shut down implicitly.
///
/// # Panics
///
/// If the operating system cannot start even one worker thread.
pub(crate) fn global_runtime() -> &'static Runtime {
    static GLOBAL: OnceLock<Runtime> = OnceLock::new();
    GLOBAL.get_or_init(|| {
        let system = System::start(Config::defaults(None))
            .or_else(|_| System::start(Config::defaults(Some(1))))
            .unwrap_or_else(|e| panic!("pykka: cannot start the default runtime: {e}"));
        Runtime {
            system,
            owner: false,
        }
    })
}

impl System {
    /// A future resolved after `duration`, by this runtime's timer thread (`sleep`). If the timer
    /// cannot take it (the runtime is shut down), the future fails with `BrokenPromise` at once.
    pub(crate) fn sleep(&self, duration: std::time::Duration) -> crate::Future<()> {
        let (promise, future) = crate::promise();
        let mut promise = Some(promise);
        let task: crate::sched::timer::Task = Box::new(move || {
            if let Some(p) = promise.take() {
                p.set(());
            }
            false
        });
        // On `Err` the task was dropped, and with it the promise: the future fails.
        let _ = self.timers.add(duration, None, task);
        future
    }
}
