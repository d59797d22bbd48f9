//! The pool layer: it runs tokens (`Runnable`) and knows nothing of what they are.
//!
//! - `pool`: the work-stealing pool: slots with run queues, the worker loop, sleep and wake,
//!   handing a blocked thread's slot to a spare, and the pool's side of a blocking wait
//!   (`future::PoolHook`);
//! - `sleep`: workers asleep and the wake-up protocol (loom models);
//! - `spares`: the accounting of spare threads;
//! - `dedicated`: one OS thread per dedicated actor;
//! - `timer`: the timer thread of a runtime (deadlines, periodic tasks, cancel);
//! - `wake`: who holds a token while a suspended job's future waits (loom model).

pub(crate) mod dedicated;
pub(crate) mod pool;
mod sleep;
pub(crate) mod spares;
pub(crate) mod timer;
pub(crate) mod wake;

pub(crate) use pool::{on_own_thread, pool_id, Pool, PoolCounts, Runnable, Token};
