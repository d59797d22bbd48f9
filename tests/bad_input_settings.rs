//! Issue F (reliability): bad input: builder settings at their limits. Each must give an error, a
//! log record or a documented outcome: never a hang, an overflow, a lost worker or a panic escaping
//! the library.
//!
//! A capturing `log` logger and a panic hook quiet for deliberate panics are installed once for
//! this binary (`setup`, in `tests/common/bad_input.rs` with the shared actors); assertions only
//! look at the records naming the test's own actor. Timeouts are hang guards only. Tests whose pool
//! may end up dead (the bugs) leak their runtime: dropping it would run `shutdown`, whose blocking
//! stops would hang on a dead pool.

mod common;

use common::bad_input::{leak, setup, BlockOn, Echo, GUARD, SHORT_GUARD};
use pykka::{Actor, BuildError, Error, Runtime};
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// Builder settings.

#[test]
fn zero_threads_and_zero_throughput_are_build_errors() {
    let e = Runtime::builder().threads(0).build().unwrap_err();
    assert!(matches!(e, BuildError::ZeroThreads), "{e:?}");
    assert!(!e.to_string().is_empty());
    let e = Runtime::builder().throughput(0).build().unwrap_err();
    assert!(matches!(e, BuildError::ZeroThroughput), "{e:?}");
    assert!(!e.to_string().is_empty());
}

#[test]
fn an_impossible_stack_size_is_a_spawn_build_error() {
    let e = Runtime::builder()
        .threads(2)
        .stack_size(usize::MAX)
        .build()
        .unwrap_err();
    assert!(matches!(e, BuildError::Spawn(_)), "{e:?}");
}

#[test]
fn settings_at_their_extremes_still_run_actors() {
    // A zero stack size is raised to the platform's minimum; an unlimited throughput and inline
    // depth only give up fairness and stack bounds.
    let rt = Runtime::builder()
        .threads(1)
        .stack_size(0)
        .throughput(usize::MAX)
        .max_inline_depth(usize::MAX)
        .spare_keep_alive(Duration::ZERO)
        .thread_name("")
        .build()
        .unwrap();
    let e = Echo.start_in(&rt);
    assert_eq!(e.ask(5).get_timeout(GUARD).unwrap(), 5);
    let b = BlockOn.start_in(&rt);
    let (p, f) = pykka::promise();
    let r = b.ask(f);
    assert_eq!(e.ask(6).get_timeout(GUARD).unwrap(), 6);
    p.set(());
    assert!(r.get_timeout(GUARD).unwrap().is_ok());
}

#[test]
fn a_thread_name_with_a_nul_byte_is_a_build_error_not_a_panic() {
    setup();
    let r = std::panic::catch_unwind(|| Runtime::builder().threads(1).thread_name("a\0b").build());
    assert!(
        matches!(r, Ok(Err(_))),
        "build() panicked on a thread name with a NUL byte"
    );
}

#[test]
fn an_absurd_thread_count_is_a_build_error_not_a_panic() {
    setup();
    let r = std::panic::catch_unwind(|| Runtime::builder().threads(usize::MAX).build());
    assert!(
        matches!(r, Ok(Err(_))),
        "build() panicked for threads(usize::MAX)"
    );
}

#[test]
fn reaching_the_spare_cap_is_pool_exhausted_not_a_hang() {
    for threads in [1, 3] {
        let rt = Runtime::builder()
            .threads(threads)
            .max_spare_threads(0)
            .build()
            .unwrap();
        let b = BlockOn.start_in(&rt);
        let (p, f) = pykka::promise::<()>();
        let r = b.ask(f).get_timeout(GUARD).expect("the handler hung");
        match r {
            Err(Error::PoolExhausted(e)) => {
                let text = e.to_string();
                assert!(text.contains("max_spare_threads"), "{text}");
            }
            other => panic!("expected PoolExhausted, got {other:?}"),
        }
        drop(p);
        assert_eq!(Echo.start_in(&rt).ask(1).get_timeout(GUARD).unwrap(), 1);
    }
}

#[test]
fn unlimited_spares_let_a_handler_block_and_keep_the_pool_alive() {
    setup();
    // "usize::MAX spares" reads as "no limit"; the cap check adds it to the thread count.
    let rt = leak(
        Runtime::builder()
            .threads(1)
            .max_spare_threads(usize::MAX)
            .build()
            .unwrap(),
    );
    let b = BlockOn.start_in(rt);
    let (p, f) = pykka::promise::<()>();
    let blocked = b.ask(f);
    let echo = Echo.start_in(rt);
    let r = echo.ask(1).get_timeout(SHORT_GUARD);
    assert!(
        matches!(r, Ok(1)),
        "the pool stopped running actors while a handler blocked: {r:?}"
    );
    p.set(());
    let r = blocked.get_timeout(SHORT_GUARD);
    assert!(matches!(r, Ok(Ok(()))), "the blocking wait gave {r:?}");
}
