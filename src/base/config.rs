//! A runtime's settings, fixed when it is built.

use std::time::Duration;

/// The most worker slots a runtime may have (`Builder::MAX_THREADS`).
pub(crate) const MAX_THREADS: usize = 1 << 16;

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
}
