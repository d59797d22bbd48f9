//! `Runtime`: a pool of worker threads with its own registry; its builder; the global default.
//!
//! The `Runtime` type is declared by the actor layer (`actor::system`, beside the `System` it is
//! the public face of, so that `Actor::start_in` can name it); its methods, the [`Builder`], the
//! shutdown, `broadcast`, `schedule_tell` and `ActorRegistry` are here, in the top layer, which
//! may use every layer below.
//!
//! # Start, stop, `join` and the daemon policy
//!
//! `start` (the actor layer) builds the cell inside the registry's slot (see `registry`),
//! counts it as a live non-daemon actor unless `USE_DAEMON_THREAD`, and submits its first token,
//! which runs `on_start`. A stop is an envelope queued behind the earlier ones. When an actor
//! dies it unregisters and counts itself dead; [`Runtime::join`] waits until no non-daemon actor
//! is live (two counters on separate cache lines, `started` and `died`: see `actor::system`), or
//! until the runtime has shut down. An actor started on a runtime already shut down is dead from
//! the start.
//!
//! # Shutdown
//!
//! ```text
//! shutdown()  /  shutdown_timeout(d)  /  dropping a private runtime
//!   on one of the runtime's own threads: RuntimeError::OwnThread (a drop moves to a new thread)
//!   stop pass over the actors registered now, last started first (Pykka's stop_all):
//!       shutdown: a blocking stop() each
//!       shutdown_timeout: request_stop + get_timeout(time left); not stopped in time: kill
//!   finish_stopping, under Pool::stopping (a concurrent shutdown waits for the first):
//!       timers stop            pending tasks dropped (a restart's held token kills its actor)
//!       pool.begin_shutdown    the flag; sleeping workers and idle spares woken
//!       pool.join_threads      each worker exits, abandoning its slot's tokens and the injector's
//!       pool.abandon_queued    the final drain of the injector
//!       kill what is still registered, counting it (started meanwhile)
//!       close every dedicated home: a dedicated thread waiting for a token exits
//!       finish_shutdown        every join() returns, every stopped() resolves
//! ```
//!
//! The stop pass covers the actors registered when it starts; actors started meanwhile (from an
//! `on_stop`, say) are killed at the end, which counts them: `shutdown` logs a WARN record with
//! the count, and `shutdown_timeout` is `Ok(true)` only if none had to be killed. (Repeating the
//! pass until none is left never ends while another thread keeps starting actors.) The timer
//! is stopped only after the stop pass: a restart's backoff in progress must still be able to
//! finish. The end holds a lock, so a second, concurrent `shutdown` returns only once the first
//! has joined every pool thread; dedicated threads are not joined (each exits once its actor is
//! dead or its home closed).
//!
//! After the flag no pool thread runs a token again, so nothing may be left waiting on one
//! (how the pool answers the tokens it still holds, and what a handler that blocks meanwhile
//! does: `sched::pool`, "Shutdown"). Beyond the pool:
//!
//! - an actor killed while a thread runs it (its value is under that thread's claim) is
//!   finalised by that thread: releasing a closed mailbox gives `Release::Closed`, and the
//!   releaser answers its batch, drops the value and counts the actor dead (once: whoever takes
//!   the value does it);
//! - actors neither queued nor registered (`register_actors(false)`, or unregistered by hand)
//!   cannot be reached: they get no `on_stop`, and are answered as soon as a message schedules
//!   them (the submit sees the flag). The last reference to such an actor drops its value and
//!   counts it dead (the actor layer's `Drop for Cell`); until then, the end of the shutdown
//!   releases every `join` for good (an idle unregistered actor would otherwise count as alive
//!   for ever).
//!
//! # Dropping a runtime, and its own threads
//!
//! Dropping a private runtime shuts it down as `shutdown` does. The runtime's own threads are
//! its pool threads, its dedicated threads and its timer thread (`sched::pool`, "The runtime's
//! own threads"): `join`, `shutdown` and `shutdown_timeout` called on one of them are
//! [`RuntimeError::OwnThread`], since the thread would wait for itself. When the `Runtime` is
//! dropped on one of them (its last `Arc` released inside a handler or `on_stop`, or on the
//! timer thread by a scheduled message to a dead actor that carried it), the whole shutdown
//! runs on a thread of its own (`<thread_name>-shutdown`), and `stopped()` says when it is
//! done. If that thread cannot be started, the failure is logged and only the shutdown flag is
//! set.
//!
//! The global runtime ([`Runtime::global`]) is built on first use (`OnceLock`) with one worker
//! per core (one, if the system refuses that many threads) and is never shut down implicitly.
//!
//! # Lookup and broadcast
//!
//! `get_by_class::<A>()` compares each registered cell's `TypeId` and downcasts, so a lookup of
//! the wrong type fails at lookup (`None` or absent), never later. Broadcast by class
//! (`broadcast_to::<A>`) downcasts the registered cells the same way. Broadcast by message type
//! (`broadcast::<M>`, Pykka's `broadcast` without a target class) needs, per actor type, a
//! function that hands an `M` to that type's `on_receive`. Stable Rust cannot discover at
//! `start` (where only `A: Actor` is known) that `A` also implements `Receive`: that is
//! specialization, and `impl Actor for X {}` without a message type is the contract. So a type
//! is declared once (`declare_receiver::<A>()`, which records
//! `TypeId(A) → (TypeId(A::Message), deliver::<A>)`), and `broadcast::<M>` reaches the
//! registered actors of declared types whose message type is `M`. Registering the function
//! implicitly in `tell`/`ask` was rejected: a table lookup on every tell (about 10 % of the
//! Counting budget) for a rarely used feature, and still incomplete for actors never told
//! anything. A contract change (broadcast by class only) would be the clean fix. What is done
//! instead, so that a forgotten declaration is never silent: `broadcast::<M>` returns how many
//! actors it reached, and logs a WARN (once per message type and actor type) naming each
//! registered actor type it skipped because it was not declared, with the call that declares
//! it. (An actor type that does not implement `Receive` gets that WARN once too: the library
//! cannot tell the two apart.)

use crate::actor::actor_ref::{ActorRef, AnyActorRef, ToAnyActorRef};
pub(crate) mod actor_registry;
pub(crate) mod broadcast;
pub(crate) mod schedule;

use crate::actor::system::{Runtime, System};
use crate::base::config::Config;
use crate::base::error::{BuildError, RuntimeError};
use crate::base::logging::{debug, error, warning};
use crate::sched;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

impl Runtime {
    /// A builder with the defaults: one thread per core, 32 messages per activation, up to 4096
    /// spare threads kept 10 s.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The default runtime, built on first use with one worker per core. It is never shut down
    /// implicitly.
    ///
    /// # Panics
    ///
    /// If the operating system cannot start even one worker thread.
    pub fn global() -> &'static Runtime {
        crate::actor::system::global_runtime()
    }

    /// A future resolved after `duration` by this runtime's timer thread: for async handlers and
    /// tasks that wait without holding a thread. See [`Context::sleep`](crate::Context::sleep).
    pub fn sleep(&self, duration: Duration) -> crate::Future<()> {
        self.system.sleep(duration)
    }

    /// Switches [`Builder::quiet_panics`] on or off for this runtime's threads, from the next
    /// panic on; the way to quiet the default runtime ([`Runtime::global`]).
    ///
    /// ```
    /// pykka::Runtime::global().set_quiet_panics(true);
    /// # pykka::Runtime::global().set_quiet_panics(false);
    /// ```
    pub fn set_quiet_panics(&self, quiet: bool) {
        self.system.config().quiet_panics.set(quiet);
    }

    pub(crate) fn system(&self) -> &Arc<System> {
        &self.system
    }

    /// The number of worker slots (`threads` at build time).
    pub fn threads(&self) -> usize {
        self.system.config().threads
    }

    /// Live pool threads: the workers plus any spare threads started while handlers blocked.
    pub fn thread_count(&self) -> usize {
        self.system.pool.thread_count()
    }

    /// Waits until every non-daemon actor on this runtime has stopped (Python's rule for
    /// non-daemon threads at exit). Daemon actors (`USE_DAEMON_THREAD = true`) are not waited for.
    /// Once [`shutdown`](Self::shutdown) has returned, nothing on the pool can run again and
    /// `join` returns at once.
    ///
    /// Called from one of the runtime's own threads it returns [`RuntimeError::OwnThread`]
    /// instead of waiting for itself.
    pub fn join(&self) -> Result<(), RuntimeError> {
        if sched::on_own_thread(&self.system.pool) {
            return Err(RuntimeError::OwnThread);
        }
        self.system.wait_no_live();
        Ok(())
    }

    /// Stops every actor, last started first (each blocking until stopped), then stops the
    /// worker threads. Actors started meanwhile (from an `on_stop`, say) are killed (a WARN
    /// record counts them); actors started afterwards are dead from the start. A second call
    /// made meanwhile returns once the first has finished.
    ///
    /// Called from one of the runtime's own threads it returns [`RuntimeError::OwnThread`].
    pub fn shutdown(&self) -> Result<(), RuntimeError> {
        if sched::on_own_thread(&self.system.pool) {
            return Err(RuntimeError::OwnThread);
        }
        stop_registered(&self.system, None);
        let killed = finish_stopping(&self.system);
        if killed > 0 {
            warning!(
                target: "pykka",
                "shutdown killed {killed} actors started while the others stopped"
            );
        }
        Ok(())
    }

    /// [`shutdown`](Self::shutdown) with a deadline: actors are stopped as by `stop_all`, last
    /// started first, while time remains; those still alive when `timeout` has passed are
    /// [killed](ActorRef::kill), and so are actors started meanwhile. `Ok(true)` if every actor
    /// stopped gracefully, none killed.
    ///
    /// A kill does not interrupt a handler that is running: it takes effect when the handler
    /// returns, and the worker threads are then joined, so a handler stuck far past the
    /// deadline keeps this call waiting for it.
    ///
    /// ```
    /// use pykka::{Actor, Runtime};
    /// use std::time::Duration;
    /// struct Idle;
    /// impl Actor for Idle {}
    /// let rt = Runtime::builder().threads(1).build().unwrap();
    /// let a = Idle.start_in(&rt);
    /// assert_eq!(rt.shutdown_timeout(Duration::from_secs(5)), Ok(true));
    /// assert!(!a.is_alive());
    /// ```
    pub fn shutdown_timeout(&self, timeout: Duration) -> Result<bool, RuntimeError> {
        if sched::on_own_thread(&self.system.pool) {
            return Err(RuntimeError::OwnThread);
        }
        // `Duration::MAX` and other unrepresentable timeouts: a century, i.e. no deadline.
        let deadline = crate::base::time::saturating_deadline(std::time::Instant::now(), timeout);
        let graceful = stop_registered(&self.system, Some(deadline));
        let killed = finish_stopping(&self.system);
        Ok(graceful && killed == 0)
    }

    /// A future resolved once this runtime has shut down (pyctor's `stopped()`): `get()` it to
    /// block, or `.await` it.
    ///
    /// ```
    /// use pykka::Runtime;
    /// let rt = Runtime::builder().threads(1).build().unwrap();
    /// let stopped = rt.stopped();
    /// assert!(!stopped.is_ready());
    /// rt.shutdown().unwrap();
    /// stopped.get().unwrap();
    /// ```
    pub fn stopped(&self) -> crate::Future<()> {
        self.system.stopped()
    }

    /// How many messages this runtime could not deliver: tells to dead actors and tells left
    /// in a mailbox when its actor died (see [`DeadLetter`](crate::DeadLetter)).
    pub fn dead_letter_count(&self) -> u64 {
        self.system.dead_letters.count()
    }

    /// Calls `f` with every dead letter of this runtime from now on, on the thread where the
    /// message became one, until the subscription is dropped. A panic in `f` is logged.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive, Runtime};
    /// use std::sync::{Arc, Mutex};
    /// struct Echo;
    /// impl Actor for Echo {}
    /// impl Receive for Echo {
    ///     type Message = u32;
    ///     type Reply = ();
    ///     fn on_receive(&mut self, _: u32, _: &mut Context<Self>) {}
    /// }
    /// let rt = Runtime::builder().threads(1).build().unwrap();
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let sink = Arc::clone(&seen);
    /// let _sub = rt.subscribe_dead_letters(move |d| sink.lock().unwrap().push(d.clone()));
    /// let echo = Echo.start_in(&rt);
    /// echo.stop();
    /// assert!(echo.tell(7).is_err()); // the sender gets its message back, and…
    /// assert_eq!(rt.dead_letter_count(), 1); // …the runtime counts it
    /// assert_eq!(seen.lock().unwrap()[0].message_type(), "u32");
    /// ```
    pub fn subscribe_dead_letters<F>(&self, f: F) -> crate::DeadLetterSubscription
    where
        F: Fn(&crate::DeadLetter) + Send + Sync + 'static,
    {
        self.system.dead_letters.subscribe(std::sync::Arc::new(f))
    }

    /// A handle on this runtime that does not shut it down when dropped (what
    /// [`Context::runtime`](crate::Context::runtime) gives): for a component that keeps using
    /// the runtime it was given, such as a `pykka-remote` node.
    ///
    /// ```
    /// use pykka::Runtime;
    /// let rt = Runtime::builder().threads(1).build().unwrap();
    /// drop(rt.clone_handle()); // does not shut `rt` down
    /// assert_eq!(rt.threads(), 1);
    /// ```
    pub fn clone_handle(&self) -> Runtime {
        Runtime::handle(&self.system)
    }

    /// Counts `letter` as one of this runtime's dead letters and shows it to the subscribers,
    /// like the library's own: for transports (`pykka-remote`) whose messages can be lost
    /// outside any mailbox.
    ///
    /// ```
    /// use pykka::{DeadLetter, DeadLetterReason, Runtime};
    /// let rt = Runtime::builder().threads(1).build().unwrap();
    /// rt.record_dead_letter(DeadLetter::new(
    ///     "pykka-remote:default/n1/orders", "RemoteActor", "u32", DeadLetterReason::RecipientDead,
    /// ));
    /// assert_eq!(rt.dead_letter_count(), 1);
    /// ```
    pub fn record_dead_letter(&self, letter: crate::DeadLetter) {
        self.system.dead_letters.record(move || letter);
    }

    /// Tells every dead letter of this runtime from now on to `actor` (pyctor's `DeadLetter`
    /// messages), until the subscription is dropped. A dead letter of the subscriber itself is
    /// counted but not told again.
    pub fn subscribe_dead_letters_to<A>(&self, actor: &ActorRef<A>) -> crate::DeadLetterSubscription
    where
        A: crate::Receive,
        A::Message: From<crate::DeadLetter>,
    {
        self.system
            .dead_letters
            .subscribe(dead_letters_to(actor.clone()))
    }

    /// Timers not yet done: scheduled messages not yet sent (periodic ones until cancelled or
    /// ended), and the wait of any supervised child's restart backoff (which ends at its time
    /// even if the child was killed meanwhile).
    pub fn pending_timers(&self) -> usize {
        self.system.timers.pending()
    }

    /// What every registered actor of this runtime is doing, and its threads.
    pub fn snapshot(&self) -> crate::debug::Snapshot {
        crate::debug::snapshot_of(&self.system)
    }

    /// Logs this runtime's snapshot: one ERROR record per actor on target `pykka::debug`, then
    /// one for the threads.
    pub fn log_actor_states(&self) {
        crate::debug::log_snapshot(&self.snapshot());
    }

    /// Every actor registered on this runtime, in start order.
    pub fn registered(&self) -> Vec<AnyActorRef> {
        self.system
            .registry
            .all()
            .into_iter()
            .map(AnyActorRef::new)
            .collect()
    }

    /// The actor with this URN on this runtime, or `None`.
    pub fn get_by_urn(&self, urn: &str) -> Option<AnyActorRef> {
        let id = crate::base::urn::parse(urn)?;
        self.system.registry.get(id).map(AnyActorRef::new)
    }

    /// Stops every actor on this runtime, last started first, each blocking until stopped
    /// (Pykka's `stop_all(block=True)`: strict reverse start order).
    pub fn stop_all(&self) -> Vec<bool> {
        stop_all(&self.system)
    }

    /// Queues a stop request on every actor on this runtime, last started first, without
    /// waiting (Pykka's `stop_all(block=False)`): the actors stop concurrently.
    pub fn request_stop_all(&self) -> Vec<crate::Future<bool>> {
        let mut all = self.registered();
        all.reverse();
        all.iter().map(AnyActorRef::request_stop).collect()
    }

    /// Registers an actor (again) on this runtime; it goes to the end of the start order. Takes
    /// an [`ActorRef<A>`] or an [`AnyActorRef`] (what [`registered`](Self::registered) and
    /// `get_all()` hand out).
    ///
    /// ```
    /// use pykka::{Actor, Runtime};
    /// struct Worker;
    /// impl Actor for Worker {}
    /// let rt = Runtime::builder().threads(1).build().unwrap();
    /// let w = Worker.start_in(&rt);
    /// let any = rt.registered().pop().unwrap();
    /// rt.unregister(&any);
    /// assert!(rt.registered().is_empty());
    /// rt.register(&any);
    /// rt.unregister(&w);
    /// rt.register(&w);
    /// assert_eq!(rt.registered(), [any]);
    /// ```
    pub fn register<R: ToAnyActorRef + ?Sized>(&self, actor: &R) {
        let actor = actor.to_any_actor_ref();
        self.system.registry.register(actor.any_cell());
        debug!(target: "pykka", "Registered {actor}");
    }

    /// Unregisters an actor from this runtime. Unregistering twice is not an error.
    pub fn unregister<R: ToAnyActorRef + ?Sized>(&self, actor: &R) {
        let actor = actor.to_any_actor_ref();
        if self.system.registry.unregister(actor.any_cell().id()) {
            debug!(target: "pykka", "Unregistered {actor}");
        } else {
            debug!(target: "pykka", "Unregistered {actor} (not found in registry)");
        }
    }
}

/// Stops every actor of `system`, last started first, each blocking until stopped.
fn stop_all(system: &System) -> Vec<bool> {
    let mut all = system.registry.all();
    all.reverse();
    all.into_iter()
        .map(|c| AnyActorRef::new(c).stop())
        .collect()
}

/// The graceful part of a shutdown: every registered actor is stopped, last started first,
/// while `deadline` (if any) allows; one not stopped by then is killed. `true` if all stopped.
/// (One pass over the actors registered when it starts, as Pykka's `stop_all`: actors started
/// meanwhile are killed by `finish_stopping`. Repeating the pass until none is left never ends
/// while another thread keeps starting actors.)
fn stop_registered(system: &System, deadline: Option<std::time::Instant>) -> bool {
    let mut all = system.registry.all();
    all.reverse();
    let mut graceful = true;
    for cell in all {
        let actor = AnyActorRef::new(cell);
        let stopped = match deadline {
            None => {
                actor.stop();
                true
            }
            Some(d) => {
                let left = d.saturating_duration_since(std::time::Instant::now());
                !left.is_zero()
                    && match actor.request_stop().get_timeout(left) {
                        Ok(_) | Err(crate::Error::ActorDead(_)) => true,
                        Err(_) => false,
                    }
            }
        };
        if !stopped {
            graceful = false;
            actor.kill();
        }
    }
    graceful
}

/// The end of every shutdown: the timers, the threads, whatever is left. Returns how many
/// registered actors were still alive and had to be killed. Concurrent callers are serialised:
/// none returns (nor resolves `stopped()`) before every thread is joined.
fn finish_stopping(system: &System) -> usize {
    let _one_at_a_time = system
        .pool
        .stopping
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    system.timers.stop();
    system.pool.begin_shutdown();
    system.pool.join_threads();
    // Anything still queued or registered will never run: answer its mailbox. (Actors that
    // are neither are answered when a message schedules them: see Pool::submit.)
    system.pool.abandon_queued();
    let mut killed = 0;
    for cell in system.registry.all() {
        killed += usize::from(cell.is_alive());
        cell.kill();
    }
    system.homes.close_all();
    system.finish_shutdown();
    killed
}

/// Dropping a private runtime shuts it down. The last handle may be dropped on one of the
/// runtime's own threads (inside a handler, or `on_stop`), which cannot wait for itself: the
/// shutdown then runs on a thread of its own (`<thread_name>-shutdown`), and `stopped()` says
/// when it is done.
impl Drop for Runtime {
    fn drop(&mut self) {
        if !self.owner {
            return;
        }
        if !sched::on_own_thread(&self.system.pool) {
            let _ = self.shutdown();
            return;
        }
        let system = Arc::clone(&self.system);
        let spawned = std::thread::Builder::new()
            .name(format!("{}-shutdown", system.config().thread_name))
            .spawn(move || {
                crate::base::panic::quiet_on_this_thread(&system.config().quiet_panics);
                stop_registered(&system, None);
                finish_stopping(&system);
            });
        if let Err(e) = spawned {
            error!(
                target: "pykka",
                "could not start a thread to shut down a runtime dropped on its own thread: {e}"
            );
            self.system.pool.begin_shutdown();
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("threads", &self.system.config().threads)
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

/// Settings for a [`Runtime`]. `build()` checks them and starts the workers.
#[derive(Debug, Clone)]
pub struct Builder {
    threads: Option<usize>,
    throughput: usize,
    max_spare_threads: usize,
    spare_keep_alive: Duration,
    max_inline_depth: usize,
    inline_stack_reserve: Option<usize>,
    stack_size: usize,
    thread_name: String,
    register_actors: bool,
    actor_metrics: bool,
    quiet_panics: bool,
    thread_context: Option<crate::base::config::ThreadContext>,
}

impl Default for Builder {
    fn default() -> Self {
        use crate::base::config as c;
        Builder {
            threads: None,
            throughput: c::DEFAULT_THROUGHPUT,
            max_spare_threads: c::DEFAULT_MAX_SPARE_THREADS,
            spare_keep_alive: c::DEFAULT_SPARE_KEEP_ALIVE,
            max_inline_depth: c::DEFAULT_MAX_INLINE_DEPTH,
            inline_stack_reserve: None,
            stack_size: c::DEFAULT_STACK_SIZE,
            thread_name: c::DEFAULT_THREAD_NAME.to_owned(),
            register_actors: true,
            actor_metrics: false,
            quiet_panics: false,
            thread_context: None,
        }
    }
}

impl Builder {
    /// The most worker slots a runtime may have (`threads(n)` above it is
    /// [`BuildError::TooManyThreads`]); spares come on top, up to `max_spare_threads`.
    pub const MAX_THREADS: usize = crate::base::config::MAX_THREADS;

    /// The default of [`inline_stack_reserve`](Self::inline_stack_reserve): 2 MiB, the stack
    /// Rust gives a spawned thread (and so a dedicated actor).
    pub const DEFAULT_INLINE_STACK_RESERVE: usize =
        crate::base::config::DEFAULT_INLINE_STACK_RESERVE;

    /// Worker threads (slots). Default: the number of cores. `threads(0)` makes `build` fail.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n);
        self
    }

    /// Messages an actor may handle per activation before its worker moves on (fairness).
    /// Default 32; `0` makes `build` fail.
    pub fn throughput(mut self, n: usize) -> Self {
        self.throughput = n;
        self
    }

    /// Extra threads the pool may start so that handlers blocked in `get()` never take its
    /// workers away. Default 4096: a thread-per-actor program may have that many handlers
    /// blocked at once (Savina's Banking with 1 000 accounts needed about 400 on two workers), and
    /// a spare only exists while it is needed (it retires after `spare_keep_alive`). When all
    /// are in use, a blocking `get()` on the pool fails with
    /// [`Error::PoolExhausted`](crate::Error::PoolExhausted).
    pub fn max_spare_threads(mut self, n: usize) -> Self {
        self.max_spare_threads = n;
        self
    }

    /// How long an idle spare thread waits for work before it exits. Default 10 s.
    pub fn spare_keep_alive(mut self, d: Duration) -> Self {
        self.spare_keep_alive = d;
        self
    }

    /// How many actors a waiting handler may run inline, nested, before it falls back to a
    /// spare thread. Default 64; `0` disables inline running. Stack use is bounded separately,
    /// by bytes: see [`inline_stack_reserve`](Self::inline_stack_reserve).
    pub fn max_inline_depth(mut self, n: usize) -> Self {
        self.max_inline_depth = n;
        self
    }

    /// How much of its stack a pool thread blocked in `get()` must have left to run the awaited
    /// actor inline; with less, it hands its work to a spare thread and blocks instead. Default:
    /// [`DEFAULT_INLINE_STACK_RESERVE`](Self::DEFAULT_INLINE_STACK_RESERVE) (2 MiB, what a Rust
    /// thread of its own gets), at most half of [`stack_size`](Self::stack_size). So a handler
    /// run inline, nested under others, always has at least the stack it would have with a
    /// thread per actor, however deep the nesting and however large its frames.
    pub fn inline_stack_reserve(mut self, bytes: usize) -> Self {
        self.inline_stack_reserve = Some(bytes);
        self
    }

    /// Stack size of pool threads in bytes. Default 4 MiB; 16 MiB in debug builds on 64-bit
    /// targets, where unoptimised code copies large values through many frames (a stack is
    /// address space, reserved, not memory used).
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
        self
    }

    /// Thread name prefix; threads are named `<prefix>-N`. Default `pykka-worker`.
    pub fn thread_name(mut self, prefix: impl Into<String>) -> Self {
        self.thread_name = prefix.into();
        self
    }

    /// Whether actors started on this runtime are registered (default `true`, as in Pykka).
    ///
    /// With `false`, actors are not listed, looked up, broadcast to, or stopped by `stop_all`;
    /// `shutdown` cannot stop what it cannot find, so such actors get no `on_stop` at shutdown
    /// (their mailboxes are answered when next messaged). For programs that start very many
    /// short-lived actors and never look them up.
    pub fn register_actors(mut self, register: bool) -> Self {
        self.register_actors = register;
        self
    }

    /// Whether each actor of this runtime keeps metrics (default `false`): messages handled,
    /// time spent running its handlers, and its mailbox's high-water mark, read from
    /// [`Runtime::snapshot`] ([`ActorSnapshot::metrics`](crate::debug::ActorSnapshot::metrics)).
    /// They cost two clock reads and three relaxed atomic updates per activation (one
    /// activation runs up to `throughput` messages), nothing per message. The runtime's own
    /// counts (activations, steals, threads) are always kept.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive, Runtime};
    /// struct Echo;
    /// impl Actor for Echo {}
    /// impl Receive for Echo {
    ///     type Message = u32;
    ///     type Reply = u32;
    ///     fn on_receive(&mut self, m: u32, _: &mut Context<Self>) -> u32 { m }
    /// }
    /// let rt = Runtime::builder().actor_metrics(true).build().unwrap();
    /// let echo = Echo.start_in(&rt);
    /// for i in 0..10 {
    ///     echo.ask(i).get().unwrap();
    /// }
    /// let snap = rt.snapshot();
    /// let metrics = snap.actors[0].metrics.as_ref().unwrap();
    /// assert_eq!(metrics.handled, 10);
    /// assert!(metrics.mailbox_high_water >= 1);
    /// ```
    pub fn actor_metrics(mut self, on: bool) -> Self {
        self.actor_metrics = on;
        self
    }

    /// Whether panics on this runtime's threads (handlers, hooks, proxied closures, drop glue,
    /// timer tasks: every one caught at the actor boundary) skip Rust's panic hook, so that the
    /// library's `log` record is their only output (default `false`: the hook prints them to
    /// stderr first, with a backtrace under `RUST_BACKTRACE=1`). For tests that panic on
    /// purpose and programs whose supervisors expect panics. Panics on the program's own
    /// threads are untouched. See the crate docs, "Logging", and
    /// [`Runtime::set_quiet_panics`].
    ///
    /// ```
    /// use pykka::{Actor, Context, Error, Receive, Runtime};
    /// struct Fragile;
    /// impl Actor for Fragile {}
    /// impl Receive for Fragile {
    ///     type Message = ();
    ///     type Reply = ();
    ///     fn on_receive(&mut self, _: (), _: &mut Context<Self>) { panic!("expected") }
    /// }
    /// let rt = Runtime::builder().quiet_panics(true).build().unwrap();
    /// let a = Fragile.start_in(&rt);
    /// // Nothing is printed to stderr; the failure is returned and logged (INFO, target `pykka`).
    /// assert!(matches!(a.ask(()).get(), Err(Error::Panicked(_))));
    /// ```
    pub fn quiet_panics(mut self, quiet: bool) -> Self {
        self.quiet_panics = quiet;
        self
    }

    /// Runs this runtime's threads (pool workers, spares, dedicated threads) inside `handle`'s
    /// tokio runtime context, so that async handlers may use tokio's sockets, timers and
    /// `tokio::spawn` (the tokio runtime drives the I/O; the pool polls the handlers). Needs the
    /// `tokio` cargo feature. Keep the tokio runtime alive as long as this one.
    ///
    /// ```
    /// # #[cfg(feature = "tokio")] {
    /// use pykka::{Actor, AsyncReceive, Context, Runtime};
    /// use std::time::Duration;
    ///
    /// struct Napper;
    /// impl Actor for Napper {}
    /// impl AsyncReceive for Napper {
    ///     type Message = u64;
    ///     type Reply = u64;
    ///     async fn on_receive(&mut self, ms: u64, _ctx: &mut Context<Self>) -> u64 {
    ///         tokio::time::sleep(Duration::from_millis(ms)).await; // tokio's timer
    ///         ms
    ///     }
    /// }
    ///
    /// let tokio_rt = tokio::runtime::Builder::new_multi_thread()
    ///     .worker_threads(1)
    ///     .enable_all()
    ///     .build()
    ///     .unwrap();
    /// let rt = Runtime::builder().tokio_handle(tokio_rt.handle().clone()).build().unwrap();
    /// let napper = Napper.start_in(&rt);
    /// assert_eq!(napper.ask(2).get().unwrap(), 2);
    /// rt.shutdown().unwrap();
    /// # }
    /// ```
    #[cfg(feature = "tokio")]
    pub fn tokio_handle(mut self, handle: tokio::runtime::Handle) -> Self {
        self.thread_context = Some(crate::base::config::ThreadContext(Arc::new(
            move |body: &mut dyn FnMut()| {
                let _entered = handle.enter();
                body();
            },
        )));
        self
    }

    /// Checks the settings and starts the workers.
    ///
    /// ```
    /// use pykka::{BuildError, Runtime};
    /// assert!(matches!(Runtime::builder().threads(0).build(), Err(BuildError::ZeroThreads)));
    /// ```
    pub fn build(self) -> Result<Runtime, BuildError> {
        Ok(Runtime {
            system: self.build_system()?,
            owner: true,
        })
    }

    fn build_system(self) -> Result<Arc<System>, BuildError> {
        let threads = match self.threads {
            Some(0) => return Err(BuildError::ZeroThreads),
            Some(n) if n > Builder::MAX_THREADS => return Err(BuildError::TooManyThreads(n)),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        if self.throughput == 0 {
            return Err(BuildError::ZeroThroughput);
        }
        if self.thread_name.contains('\0') {
            return Err(BuildError::InvalidThreadName);
        }
        let config = Config {
            threads,
            throughput: self.throughput,
            max_spare_threads: self.max_spare_threads,
            spare_keep_alive: self.spare_keep_alive,
            max_inline_depth: self.max_inline_depth,
            inline_stack_reserve: self.inline_stack_reserve.unwrap_or(
                crate::base::config::default_inline_stack_reserve(self.stack_size),
            ),
            stack_size: self.stack_size,
            thread_name: self.thread_name,
            register_actors: self.register_actors,
            actor_metrics: self.actor_metrics,
            quiet_panics: crate::base::panic::Quiet::new(self.quiet_panics),
            thread_context: self.thread_context,
        };
        System::start(config).map_err(BuildError::Spawn)
    }
}

/// A subscriber that tells each dead letter to an actor.
fn dead_letters_to<A>(actor: ActorRef<A>) -> crate::actor::dead_letters::Subscriber
where
    A: crate::actor::Receive,
    A::Message: From<crate::DeadLetter>,
{
    Arc::new(move |letter: &crate::DeadLetter| {
        let _ = actor.tell(letter.clone().into());
    })
}
