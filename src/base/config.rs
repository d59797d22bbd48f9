//! A runtime's settings, fixed when it is built.

use std::time::Duration;

/// The most worker slots a runtime may have (`Builder::MAX_THREADS`).
pub(crate) const MAX_THREADS: usize = 1 << 16;

/// Messages an actor may handle per activation before its worker moves on.
pub(crate) const DEFAULT_THROUGHPUT: usize = 32;
/// Spare threads a pool may start while handlers block.
pub(crate) const DEFAULT_MAX_SPARE_THREADS: usize = 4096;
/// How long an idle spare waits for work before it exits.
pub(crate) const DEFAULT_SPARE_KEEP_ALIVE: Duration = Duration::from_secs(10);
/// Nested inline runs a waiting handler may make.
pub(crate) const DEFAULT_MAX_INLINE_DEPTH: usize = 64;
/// Stack a handler run inline must have: what Rust gives a thread of its own.
pub(crate) const DEFAULT_INLINE_STACK_RESERVE: usize = 2 << 20;
/// 4 MiB; debug builds on 64-bit targets get 16 MiB (unoptimised code copies large values
/// through many frames).
pub(crate) const DEFAULT_STACK_SIZE: usize =
    if cfg!(all(debug_assertions, target_pointer_width = "64")) {
        16 << 20
    } else {
        4 << 20
    };
/// Pool threads are named `<prefix>-N`.
pub(crate) const DEFAULT_THREAD_NAME: &str = "pykka-worker";

/// Runs a thread's whole body inside a context (a tokio runtime's, with the `tokio` feature):
/// the runtime's own threads call it with their loop.
#[derive(Clone)]
pub(crate) struct ThreadContext(pub(crate) std::sync::Arc<RunInside>);

/// A function that runs a thread's body inside some context.
pub(crate) type RunInside = dyn Fn(&mut dyn FnMut()) + Send + Sync;

impl std::fmt::Debug for ThreadContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ThreadContext")
    }
}

impl ThreadContext {
    /// Runs `body` inside the context, if there is one.
    pub(crate) fn run(context: Option<&ThreadContext>, body: impl FnOnce()) {
        let mut body = Some(body);
        let mut once = || {
            if let Some(b) = body.take() {
                b();
            }
        };
        match context {
            Some(c) => (c.0)(&mut once),
            None => once(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) threads: usize,
    pub(crate) throughput: usize,
    pub(crate) max_spare_threads: usize,
    pub(crate) spare_keep_alive: Duration,
    pub(crate) max_inline_depth: usize,
    /// Stack a waiting pool thread must have left to run the awaited actor inline.
    pub(crate) inline_stack_reserve: usize,
    pub(crate) stack_size: usize,
    pub(crate) thread_name: String,
    pub(crate) register_actors: bool,
    /// Per-actor metrics (`Runtime::builder().actor_metrics(true)`): messages handled, time in
    /// handlers, the mailbox's high-water mark.
    pub(crate) actor_metrics: bool,
    /// Panics on this runtime's threads skip Rust's panic hook (`log` only).
    pub(crate) quiet_panics: crate::base::panic::Quiet,
    /// What the runtime's threads run inside (a tokio runtime's context), if anything.
    pub(crate) thread_context: Option<ThreadContext>,
}

impl Config {
    /// The default settings, with `threads` workers (one per core if `None`).
    pub(crate) fn defaults(threads: Option<usize>) -> Config {
        Config {
            threads: threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
            throughput: DEFAULT_THROUGHPUT,
            max_spare_threads: DEFAULT_MAX_SPARE_THREADS,
            spare_keep_alive: DEFAULT_SPARE_KEEP_ALIVE,
            max_inline_depth: DEFAULT_MAX_INLINE_DEPTH,
            inline_stack_reserve: default_inline_stack_reserve(DEFAULT_STACK_SIZE),
            stack_size: DEFAULT_STACK_SIZE,
            thread_name: DEFAULT_THREAD_NAME.to_owned(),
            register_actors: true,
            actor_metrics: false,
            quiet_panics: crate::base::panic::Quiet::default(),
            thread_context: None,
        }
    }
}

/// The inline stack reserve for a stack of `stack_size` bytes: the default, at most half.
pub(crate) fn default_inline_stack_reserve(stack_size: usize) -> usize {
    DEFAULT_INLINE_STACK_RESERVE.min(stack_size / 2)
}
