//! Issue F (reliability): bad input. Settings at their limits, extreme timeouts, panics with
//! odd payloads or from `Drop`, huge values, and calls made from where they cannot be honoured
//! (stopping or joining from inside). Each must give an error, a log record or a documented
//! outcome: never a hang, an overflow, a lost worker or a panic escaping the library.
//!
//! A capturing `log` logger is installed once for this binary; assertions only look at the
//! records naming the test's own actor. Deliberate panics are kept out of the output by a panic
//! hook. Timeouts are hang guards only. Tests whose pool may end up dead (the bugs) leak their
//! runtime: dropping it would run `shutdown`, whose blocking stops would hang on a dead pool.

mod common;

use common::{in_child, passes_in_child};
use log::{Level, LevelFilter, Log, Metadata, Record};
use pykka::{
    Actor, ActorRef, BuildError, Context, Error, Failure, Future, Receive, Runtime, RuntimeError,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Barrier, Mutex, Once};
use std::thread;
use std::time::{Duration, Instant};

/// Hang guard for waits that must complete.
const GUARD: Duration = Duration::from_secs(20);
/// Hang guard for the bug tests, whose failure mode is a hang.
const SHORT_GUARD: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// Logging and panic output.

struct Captured {
    level: Level,
    message: String,
}

struct CaptureLogger {
    records: Mutex<Vec<Captured>>,
}

static LOGGER: CaptureLogger = CaptureLogger {
    records: Mutex::new(Vec::new()),
};

impl Log for CaptureLogger {
    fn enabled(&self, m: &Metadata<'_>) -> bool {
        m.level() <= Level::Info
    }

    fn log(&self, record: &Record<'_>) {
        if record.target() == "pykka" && record.level() <= Level::Info {
            let captured = Captured {
                level: record.level(),
                message: record.args().to_string(),
            };
            self.records
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(captured);
        }
    }

    fn flush(&self) {}
}

/// Installs the logger and a panic hook quiet for deliberate panics, once for the binary.
fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&LOGGER).expect("no other logger in this test binary");
        log::set_max_level(LevelFilter::Info);
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let p = info.payload();
            let text = p
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| p.downcast_ref::<String>().map(String::as_str));
            let deliberate = text.is_some_and(|t| t.starts_with("deliberate"))
                || p.is::<u32>()
                || p.is::<Bomb>();
            if !deliberate {
                default(info);
            }
        }));
    });
}

/// The `pykka` records at `level` that name `urn`.
fn logged(urn: &str, level: Level) -> Vec<String> {
    LOGGER
        .records
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter(|r| r.level == level && r.message.contains(urn))
        .map(|r| r.message.clone())
        .collect()
}

fn leak(rt: Runtime) -> &'static Runtime {
    Box::leak(Box::new(rt))
}

// ---------------------------------------------------------------------------------------------
// Actors used throughout.

struct Echo;
impl Actor for Echo {}
impl Receive for Echo {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 {
        n
    }
}

/// Blocks on the future it is given and replies with the outcome.
struct BlockOn;
impl Actor for BlockOn {}
impl Receive for BlockOn {
    type Message = Future<()>;
    type Reply = Result<(), Error>;
    fn on_receive(&mut self, f: Future<()>, _: &mut Context<Self>) -> Result<(), Error> {
        f.get()
    }
}

/// `Some`: signals entry, then blocks until released (by a send or by dropping the sender).
/// `None`: returns at once.
struct Gate;
impl Actor for Gate {}
impl Receive for Gate {
    type Message = Option<(Sender<()>, Receiver<()>)>;
    type Reply = ();
    fn on_receive(&mut self, m: Self::Message, _: &mut Context<Self>) {
        let Some((entered, release)) = m else { return };
        entered.send(()).unwrap();
        let r = release.recv_timeout(GUARD);
        assert_ne!(
            r,
            Err(RecvTimeoutError::Timeout),
            "hang guard: never released"
        );
    }
}

/// Gates the actor; returns the release handle and the gate's reply.
fn close_gate(g: &ActorRef<Gate>) -> (Sender<()>, Future<()>) {
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    let f = g.ask(Some((entered_tx, release_rx)));
    entered_rx.recv_timeout(GUARD).expect("gate never entered");
    (release_tx, f)
}

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

// ---------------------------------------------------------------------------------------------
// Extreme timeouts.

#[test]
fn get_timeout_duration_max_on_resolved_futures_returns_the_value() {
    assert_eq!(Future::ready(1).get_timeout(Duration::MAX).unwrap(), 1);
    let (p, f) = pykka::promise();
    p.set(2);
    assert_eq!(f.get_timeout(Duration::MAX).unwrap(), 2);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let e = Echo.start_in(&rt);
    let f = e.ask(3);
    assert_eq!(e.ask(0).get_timeout(GUARD).unwrap(), 0); // now the first reply is there too
    assert!(f.is_ready());
    assert_eq!(f.get_timeout(Duration::MAX).unwrap(), 3);
    let joined = e.ask(4).join([e.ask(5)]).map(|v| v.iter().sum::<u32>());
    assert_eq!(joined.get_timeout(Duration::MAX).unwrap(), 9);
    assert_eq!(
        pykka::get_all_timeout(vec![e.ask(6), Future::ready(7)], Duration::MAX).unwrap(),
        vec![6, 7]
    );
}

#[test]
fn get_timeout_duration_max_on_pending_futures_waits_for_the_value() {
    // From outside the pool: a promise set by another thread once the reader is about to wait.
    for timeout in [
        Duration::MAX,
        Duration::from_secs(u64::MAX),
        Duration::from_secs(1 << 40),
    ] {
        let (p, f) = pykka::promise();
        let go = Arc::new(Barrier::new(2));
        let setter = {
            let go = Arc::clone(&go);
            thread::spawn(move || {
                go.wait();
                p.set(8);
            })
        };
        go.wait();
        assert_eq!(f.get_timeout(timeout).unwrap(), 8);
        setter.join().unwrap();
    }
    // An ask to a gated actor, released from another thread.
    let rt = Runtime::builder().threads(2).build().unwrap();
    let g = Gate.start_in(&rt);
    let (release, gated) = close_gate(&g);
    let go = Arc::new(Barrier::new(2));
    let releaser = {
        let go = Arc::clone(&go);
        thread::spawn(move || {
            go.wait();
            release.send(()).unwrap();
        })
    };
    go.wait();
    gated.get_timeout(Duration::MAX).unwrap();
    releaser.join().unwrap();
}

/// Waits on what it is given with the timeout it is given.
struct TimedWaiter {
    echo: ActorRef<Echo>,
}
impl Actor for TimedWaiter {}
impl Receive for TimedWaiter {
    type Message = (Option<Future<()>>, Duration);
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, (f, t): Self::Message, _: &mut Context<Self>) -> Result<u32, Error> {
        match f {
            // A promise set by the test thread.
            Some(f) => f.get_timeout(t).map(|()| 0),
            // An ask to another actor of this pool (may run inline).
            None => self.echo.ask(9).get_timeout(t),
        }
    }
}

#[test]
fn get_timeout_duration_max_inside_a_handler_waits_for_the_value() {
    for threads in [1, 2] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let echo = Echo.start_in(&rt);
        let w = TimedWaiter { echo }.start_in(&rt);
        for t in [Duration::MAX, Duration::from_secs(1 << 40)] {
            assert_eq!(w.ask((None, t)).get_timeout(GUARD).unwrap().unwrap(), 9);
            let (p, f) = pykka::promise();
            let r = w.ask((Some(f), t));
            p.set(());
            assert_eq!(r.get_timeout(GUARD).unwrap().unwrap(), 0);
        }
    }
}

#[test]
fn get_timeout_zero_on_a_pending_future_times_out_at_once() {
    let started = Instant::now();
    let (_p, f) = pykka::promise::<()>();
    match f.get_timeout(Duration::ZERO) {
        Err(Error::Timeout(t)) => {
            assert_eq!(t.duration(), Duration::ZERO);
            assert_eq!(t.to_string(), "0 seconds");
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    // An ask to a gated actor.
    let rt = Runtime::builder().threads(2).build().unwrap();
    let g = Gate.start_in(&rt);
    let (release, gated) = close_gate(&g);
    let queued = g.ask(None);
    assert!(matches!(
        queued.get_timeout(Duration::ZERO),
        Err(Error::Timeout(_))
    ));
    assert!(matches!(
        pykka::get_all_timeout(vec![Future::ready(()), g.ask(None)], Duration::ZERO),
        Err(Error::Timeout(_))
    ));
    // Inside a handler: neither an idle actor is run inline nor a spare started for it.
    let echo = Echo.start_in(&rt);
    let w = TimedWaiter { echo }.start_in(&rt);
    let (_p, f) = pykka::promise::<()>();
    let r = w.ask((Some(f), Duration::ZERO)).get_timeout(GUARD).unwrap();
    assert!(matches!(r, Err(Error::Timeout(_))), "{r:?}");
    drop(release);
    gated.get_timeout(GUARD).unwrap();
    assert!(
        started.elapsed() < GUARD,
        "zero timeouts took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_dropped_promise_is_broken_promise_inside_and_outside_the_pool() {
    let (p, f) = pykka::promise::<()>();
    drop(p);
    assert!(matches!(f.get_timeout(GUARD), Err(Error::BrokenPromise)));
    let rt = Runtime::builder().threads(1).build().unwrap();
    let b = BlockOn.start_in(&rt);
    let (p, f) = pykka::promise::<()>();
    drop(p);
    assert!(matches!(
        b.ask(f).get_timeout(GUARD).unwrap(),
        Err(Error::BrokenPromise)
    ));
}

// ---------------------------------------------------------------------------------------------
// Odd panics.

/// A panic payload whose own `Drop` panics.
struct Bomb;
impl Drop for Bomb {
    fn drop(&mut self) {
        if !thread::panicking() {
            panic!("deliberate panic while dropping a panic payload");
        }
    }
}

enum Odd {
    /// `panic_any(42u32)`.
    Number,
    /// `panic_any(Bomb)`.
    Bomb,
    Ping,
}

struct OddPanicker {
    failures: Sender<Failure>,
}
impl Actor for OddPanicker {
    fn on_failure(&mut self, f: &Failure, _: &mut Context<Self>) {
        self.failures.send(f.clone()).unwrap();
    }
}
impl Receive for OddPanicker {
    type Message = Odd;
    type Reply = u32;
    fn on_receive(&mut self, m: Odd, _: &mut Context<Self>) -> u32 {
        match m {
            Odd::Number => std::panic::panic_any(42u32),
            Odd::Bomb => std::panic::panic_any(Bomb),
            Odd::Ping => 1,
        }
    }
}

const NON_STRING: &str = "<non-string panic payload>";

#[test]
fn non_string_panic_payloads_on_asks_fail_the_future_and_the_actor_lives() {
    setup();
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (tx, _rx) = mpsc::channel();
    let a = OddPanicker { failures: tx }.start_in(&rt);
    for m in [Odd::Number, Odd::Bomb, Odd::Number] {
        match a.ask(m).get_timeout(GUARD) {
            Err(Error::Panicked(f)) => {
                assert_eq!(f.message(), NON_STRING);
                assert_eq!(f.actor_urn(), a.actor_urn());
                assert!(f.to_string().ends_with(&format!("panicked: {NON_STRING}")));
            }
            other => panic!("expected Panicked, got {other:?}"),
        }
        assert_eq!(a.ask(Odd::Ping).get_timeout(GUARD).unwrap(), 1);
    }
    assert!(a.is_alive());
    let infos = logged(a.actor_urn(), Level::Info);
    assert_eq!(infos.len(), 3, "{infos:?}");
    assert!(infos.iter().all(|m| m.ends_with(NON_STRING)), "{infos:?}");
    // The worker survived the panicking payload.
    assert_eq!(Echo.start_in(&rt).ask(2).get_timeout(GUARD).unwrap(), 2);
}

#[test]
fn non_string_panic_payloads_on_tells_kill_the_actor_and_reach_on_failure() {
    setup();
    let rt = Runtime::builder().threads(1).build().unwrap();
    for m in [Odd::Number, Odd::Bomb] {
        let (tx, rx) = mpsc::channel();
        let a = OddPanicker { failures: tx }.start_in(&rt);
        a.tell(m).unwrap();
        let f = rx.recv_timeout(GUARD).expect("on_failure ran");
        assert_eq!(f.message(), NON_STRING);
        assert!(!a.is_alive());
        assert!(matches!(
            a.ask(Odd::Ping).get_timeout(GUARD),
            Err(Error::ActorDead(_))
        ));
        let errors = logged(a.actor_urn(), Level::Error);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("Unhandled exception in OddPanicker"));
        assert!(errors[0].ends_with(NON_STRING));
    }
    assert_eq!(Echo.start_in(&rt).ask(2).get_timeout(GUARD).unwrap(), 2);
}

// ---------------------------------------------------------------------------------------------
// A panic in the actor value's Drop.

/// Its `Drop` panics (counted first).
struct BadDrop {
    drops: Arc<AtomicUsize>,
}
impl Drop for BadDrop {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        if !thread::panicking() {
            panic!("deliberate panic in the actor value's drop");
        }
    }
}
impl Actor for BadDrop {}
impl Receive for BadDrop {
    type Message = Option<Receiver<()>>;
    type Reply = ();
    fn on_receive(&mut self, m: Option<Receiver<()>>, _: &mut Context<Self>) {
        match m {
            // Blocks until released (a gate).
            Some(release) => {
                let _ = release.recv_timeout(GUARD);
            }
            None => panic!("deliberate tell panic"),
        }
    }
}

#[test]
fn a_panic_in_the_actor_values_drop_is_logged_and_stop_returns() {
    setup();
    let rt = Runtime::builder().threads(1).build().unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    // Stopped: stop() returns, the value was dropped once, the panic logged once.
    let a = BadDrop {
        drops: Arc::clone(&drops),
    }
    .start_in(&rt);
    assert!(a.stop());
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let errors = logged(a.actor_urn(), Level::Error);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("Panic while dropping a value of BadDrop"));
    assert!(errors[0].ends_with("deliberate panic in the actor value's drop"));
    // Died of a tell panic: same.
    let b = BadDrop {
        drops: Arc::clone(&drops),
    }
    .start_in(&rt);
    b.tell(None).unwrap();
    assert!(matches!(
        b.ask(None).get_timeout(GUARD),
        Err(Error::ActorDead(_))
    ));
    assert_eq!(drops.load(Ordering::SeqCst), 2);
    // The pool still works; shutdown drops the last one and returns.
    assert_eq!(Echo.start_in(&rt).ask(3).get_timeout(GUARD).unwrap(), 3);
    let c = BadDrop {
        drops: Arc::clone(&drops),
    }
    .start_in(&rt);
    rt.shutdown().unwrap();
    assert!(!c.is_alive());
    assert_eq!(drops.load(Ordering::SeqCst), 3);
    assert_eq!(logged(c.actor_urn(), Level::Error).len(), 1);
}

#[test]
fn a_panic_in_the_drop_of_an_unregistered_actor_dropped_by_a_worker_spares_the_worker() {
    setup();
    let rt = leak(
        Runtime::builder()
            .threads(1)
            .register_actors(false)
            .build()
            .unwrap(),
    );
    let drops = Arc::new(AtomicUsize::new(0));
    let a = BadDrop {
        drops: Arc::clone(&drops),
    }
    .start_in(rt);
    let (release, gate) = mpsc::channel();
    a.tell(Some(gate)).unwrap();
    // The worker's token is now the last reference: when its activation ends, it drops the
    // actor (never stopped, so its value is still inside).
    drop(a);
    drop(release);
    let r = Echo.start_in(rt).ask(4).get_timeout(SHORT_GUARD);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert!(matches!(r, Ok(4)), "the pool's only worker died: {r:?}");
}

/// Whether `rt.join()` returns within `SHORT_GUARD` (the waiting thread is left behind if not).
fn join_returns(rt: &Arc<Runtime>) -> bool {
    let (tx, rx) = mpsc::channel();
    let rt = Arc::clone(rt);
    thread::spawn(move || {
        rt.join().unwrap();
        let _ = tx.send(());
    });
    rx.recv_timeout(SHORT_GUARD).is_ok()
}

#[test]
fn join_returns_once_an_unregistered_actor_is_dropped_without_a_stop() {
    let rt = Arc::new(
        Runtime::builder()
            .threads(1)
            .register_actors(false)
            .build()
            .unwrap(),
    );
    let a = Echo.start_in(&rt);
    assert_eq!(a.ask(1).get_timeout(GUARD).unwrap(), 1);
    // Its value is dropped with the last reference: it can never run or be stopped again.
    drop(a);
    assert!(
        join_returns(&rt),
        "join hung for an actor that no longer exists"
    );
    std::mem::forget(rt); // a hung joiner holds a clone
}

#[test]
fn join_returns_after_shutdown_with_idle_unregistered_actors() {
    let rt = Arc::new(
        Runtime::builder()
            .threads(1)
            .register_actors(false)
            .build()
            .unwrap(),
    );
    let a = Echo.start_in(&rt);
    assert_eq!(a.ask(1).get_timeout(GUARD).unwrap(), 1);
    rt.shutdown().unwrap();
    // No thread will ever run it again.
    assert!(
        join_returns(&rt),
        "join hung after shutdown (actor alive: {})",
        a.is_alive()
    );
    std::mem::forget(rt);
}

// ---------------------------------------------------------------------------------------------
// Large values. The senders and readers below run on threads with room for their own copies:
// what is tested is the library's use of the worker's stack (4 MiB by default).

const BIG: usize = 256 * 1024;

/// Replies with a 256 KiB array, unboxed.
struct BigReply;
impl Actor for BigReply {}
impl Receive for BigReply {
    type Message = u8;
    type Reply = [u8; BIG];
    fn on_receive(&mut self, n: u8, _: &mut Context<Self>) -> [u8; BIG] {
        [n; BIG]
    }
}

/// Takes a 256 KiB array, unboxed.
struct BigMessage;
impl Actor for BigMessage {}
impl Receive for BigMessage {
    type Message = [u8; BIG];
    type Reply = u8;
    fn on_receive(&mut self, m: [u8; BIG], _: &mut Context<Self>) -> u8 {
        m[0] ^ m[BIG - 1]
    }
}

/// Runs `f` on a thread with a 64 MiB stack.
fn on_roomy_thread<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn a_256_kib_unboxed_reply_does_not_overflow_the_worker_stack() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let big = BigReply.start_in(&rt);
    let got = on_roomy_thread(move || {
        let reply = big.ask(5).get_timeout(GUARD).unwrap();
        (reply[0], reply[BIG - 1])
    });
    assert_eq!(got, (5, 5));
}

#[test]
fn a_256_kib_unboxed_message_does_not_overflow_the_worker_stack() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let big = BigMessage.start_in(&rt);
    let got = on_roomy_thread(move || {
        big.tell([1; BIG]).unwrap();
        let mut m = [0; BIG];
        m[BIG - 1] = 9;
        big.ask(m).get_timeout(GUARD).unwrap()
    });
    assert_eq!(got, 9);
}

// Larger values, or a large reply read inside a handler, do overflow in debug builds. An
// overflow aborts the process, so each of these runs its body in a child process.

/// Asks `BigReply` from inside a handler and reads the 256 KiB reply on the worker.
struct BigAsker {
    big: ActorRef<BigReply>,
}
impl Actor for BigAsker {}
impl Receive for BigAsker {
    type Message = u8;
    type Reply = u8;
    fn on_receive(&mut self, n: u8, _: &mut Context<Self>) -> u8 {
        let reply = self.big.ask(n).get().unwrap();
        reply[BIG - 1]
    }
}

#[test]
fn child_256_kib_reply_read_inside_a_handler() {
    if !in_child() {
        return;
    }
    for inline in [true, false] {
        let b = Runtime::builder().threads(1);
        let rt = if inline { b } else { b.max_inline_depth(0) }
            .build()
            .unwrap();
        let big = BigReply.start_in(&rt);
        let asker = BigAsker { big }.start_in(&rt);
        assert_eq!(asker.ask(7).get_timeout(GUARD).unwrap(), 7);
    }
}

#[test]
fn a_256_kib_reply_read_inside_a_handler_does_not_overflow_the_worker_stack() {
    assert!(
        passes_in_child("child_256_kib_reply_read_inside_a_handler"),
        "the child process failed (stack overflow: it aborts)"
    );
}

/// Echoes a 256 KiB array: 256 KiB in, 256 KiB out.
struct BigEcho;
impl Actor for BigEcho {}
impl Receive for BigEcho {
    type Message = [u8; BIG];
    type Reply = [u8; BIG];
    fn on_receive(&mut self, m: [u8; BIG], _: &mut Context<Self>) -> [u8; BIG] {
        m
    }
}

#[test]
fn child_256_kib_message_and_reply() {
    if !in_child() {
        return;
    }
    let rt = Runtime::builder().threads(1).build().unwrap();
    let big = BigEcho.start_in(&rt);
    let got = on_roomy_thread(move || big.ask([4; BIG]).get_timeout(GUARD).unwrap()[BIG - 1]);
    assert_eq!(got, 4);
}

#[test]
fn a_256_kib_message_with_a_256_kib_reply_does_not_overflow_the_worker_stack() {
    assert!(
        passes_in_child("child_256_kib_message_and_reply"),
        "the child process failed (stack overflow: it aborts)"
    );
}

const HUGE: usize = 512 * 1024;

struct HugeReply;
impl Actor for HugeReply {}
impl Receive for HugeReply {
    type Message = u8;
    type Reply = [u8; HUGE];
    fn on_receive(&mut self, n: u8, _: &mut Context<Self>) -> [u8; HUGE] {
        [n; HUGE]
    }
}

#[test]
fn child_512_kib_reply() {
    if !in_child() {
        return;
    }
    let rt = Runtime::builder().threads(1).build().unwrap();
    let h = HugeReply.start_in(&rt);
    let got = on_roomy_thread(move || h.ask(3).get_timeout(GUARD).unwrap()[HUGE - 1]);
    assert_eq!(got, 3);
}

#[test]
fn a_512_kib_unboxed_reply_does_not_overflow_the_worker_stack() {
    assert!(
        passes_in_child("child_512_kib_reply"),
        "the child process failed (stack overflow: it aborts)"
    );
}

#[test]
fn child_256_kib_reply_read_on_a_2_mib_thread() {
    if !in_child() {
        return;
    }
    let rt = Runtime::builder().threads(1).build().unwrap();
    let big = BigReply.start_in(&rt);
    // 2 MiB: the default stack of a spawned thread (and of a test thread).
    let got = thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || big.ask(6).get_timeout(GUARD).unwrap()[BIG - 1])
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(got, 6);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "debug builds: unoptimised code copies a 256 KiB value through too many frames for a 2 MiB thread; std's mpsc recv of the same value overflows it too (checked); passes in release"
)]
fn a_256_kib_reply_read_on_a_default_size_thread_does_not_overflow_it() {
    assert!(
        passes_in_child("child_256_kib_reply_read_on_a_2_mib_thread"),
        "the child process failed (stack overflow: it aborts)"
    );
}

// ---------------------------------------------------------------------------------------------
// Calls made from where they cannot be honoured.

/// Records what `stop` and friends return inside its hooks.
struct StopInHooks {
    results: Sender<(&'static str, bool)>,
}
impl Actor for StopInHooks {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        // Alive: a stop request is queued (behind nothing), and the actor stops after start.
        self.results
            .send(("on_start ctx.stop", ctx.stop()))
            .unwrap();
    }
    fn on_stop(&mut self, ctx: &mut Context<Self>) {
        let me = ctx.actor_ref();
        self.results.send(("on_stop ctx.stop", ctx.stop())).unwrap();
        self.results.send(("on_stop ref.stop", me.stop())).unwrap();
        let dead = matches!(me.ask(()).get_timeout(GUARD), Err(Error::ActorDead(_)));
        self.results
            .send(("on_stop ask is ActorDead", dead))
            .unwrap();
        self.results
            .send(("on_stop tell is Err", me.tell(()).is_err()))
            .unwrap();
    }
}
impl Receive for StopInHooks {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {}
}

#[test]
fn stopping_from_inside_on_stop_and_on_failure_is_harmless_and_returns_false() {
    setup();
    let rt = Runtime::builder().threads(2).build().unwrap();
    // on_start queues a stop; then on_stop runs.
    let (tx, rx) = mpsc::channel();
    let a = StopInHooks { results: tx }.start_in(&rt);
    let got: Vec<_> = (0..5).map(|_| rx.recv_timeout(GUARD).unwrap()).collect();
    assert_eq!(
        got,
        vec![
            ("on_start ctx.stop", true),
            ("on_stop ctx.stop", false),
            ("on_stop ref.stop", false),
            ("on_stop ask is ActorDead", true),
            ("on_stop tell is Err", true),
        ]
    );
    assert!(!a.is_alive());
    assert!(!a.stop());

    // A tell panic: on_failure runs on a dead actor.
    struct Failing {
        results: Sender<(&'static str, bool)>,
    }
    impl Actor for Failing {
        fn on_failure(&mut self, _: &Failure, ctx: &mut Context<Self>) {
            self.results.send(("ctx.stop", ctx.stop())).unwrap();
            self.results
                .send(("ref.stop", ctx.actor_ref().stop()))
                .unwrap();
        }
    }
    impl Receive for Failing {
        type Message = ();
        type Reply = ();
        fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
            panic!("deliberate tell panic");
        }
    }
    let (tx, rx) = mpsc::channel();
    let f = Failing { results: tx }.start_in(&rt);
    f.tell(()).unwrap();
    let got: Vec<_> = (0..2).map(|_| rx.recv_timeout(GUARD).unwrap()).collect();
    assert_eq!(got, vec![("ctx.stop", false), ("ref.stop", false)]);
    assert!(!f.is_alive());
    assert!(rt.registered().is_empty());
    // No WARN or ERROR beyond the panic itself.
    assert_eq!(logged(f.actor_urn(), Level::Error).len(), 1);
    assert!(logged(f.actor_urn(), Level::Warn).is_empty());
    assert!(logged(a.actor_urn(), Level::Warn).is_empty());
}

/// Calls `join` or `shutdown` on its own runtime from a handler.
struct WaitsForItsRuntime {
    rt: Arc<Runtime>,
}
impl Actor for WaitsForItsRuntime {}
impl Receive for WaitsForItsRuntime {
    type Message = bool;
    type Reply = Result<(), RuntimeError>;
    fn on_receive(&mut self, shutdown: bool, _: &mut Context<Self>) -> Result<(), RuntimeError> {
        if shutdown {
            self.rt.shutdown()
        } else {
            self.rt.join()
        }
    }
}

#[test]
fn join_and_shutdown_from_a_worker_are_own_thread_errors_not_deadlocks() {
    for threads in [1, 2] {
        let rt = Arc::new(Runtime::builder().threads(threads).build().unwrap());
        let w = WaitsForItsRuntime {
            rt: Arc::clone(&rt),
        }
        .start_in(&rt);
        for shutdown in [false, true] {
            let r = w.ask(shutdown).get_timeout(GUARD).expect("hang");
            assert_eq!(r, Err(RuntimeError::OwnThread));
        }
        // From a handler that blocked (and so may run on a spare thread) too.
        let b = BlockOn.start_in(&rt);
        let (p, f) = pykka::promise();
        let blocked = b.ask(f);
        assert_eq!(
            w.ask(false).get_timeout(GUARD).unwrap(),
            Err(RuntimeError::OwnThread)
        );
        p.set(());
        assert!(blocked.get_timeout(GUARD).unwrap().is_ok());
        // The runtime is untouched; the actor's handle goes before the test's.
        assert!(w.is_alive());
        assert!(w.stop());
        drop(w);
        assert_eq!(Arc::strong_count(&rt), 1);
        rt.shutdown().unwrap();
    }
}

/// Stops itself, blocking, from its own handler: Pykka's issue #76.
struct SelfStopper {
    stopped: Sender<()>,
}
impl Actor for SelfStopper {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        self.stopped.send(()).unwrap();
    }
}
impl Receive for SelfStopper {
    /// 0: `ActorRef::stop`; 1: `request_stop().get()`; 2: `AnyActorRef::stop` via the registry.
    type Message = u8;
    type Reply = Result<bool, Error>;
    fn on_receive(&mut self, how: u8, ctx: &mut Context<Self>) -> Result<bool, Error> {
        let me = ctx.actor_ref();
        match how {
            0 => Ok(me.stop()),
            1 => me.request_stop().get(),
            _ => {
                let any: pykka::AnyActorRef = me.into();
                Ok(any.stop())
            }
        }
    }
}

#[test]
fn a_blocking_stop_of_itself_from_its_own_handler_returns_and_the_actor_stops() {
    setup();
    for threads in [1, 4] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        for how in 0..3 {
            let (tx, rx) = mpsc::channel();
            let a = SelfStopper { stopped: tx }.start_in(&rt);
            let r = a.ask(how).get_timeout(GUARD).expect("a self-stop hung");
            match how {
                // The stop was queued (the actor was alive): true. The wait itself was refused
                // as a deadlock and logged at WARN.
                0 => {
                    assert!(r.unwrap());
                    let warns = logged(a.actor_urn(), Level::Warn);
                    assert_eq!(warns.len(), 1, "{warns:?}");
                    assert!(warns[0].contains("could not wait"), "{warns:?}");
                    assert!(warns[0].contains("deadlock"), "{warns:?}");
                }
                1 => assert!(matches!(r, Err(Error::Deadlock(_))), "{r:?}"),
                _ => assert!(r.unwrap()),
            }
            rx.recv_timeout(GUARD).expect("the queued stop ran");
            assert!(matches!(
                a.ask(0).get_timeout(GUARD),
                Err(Error::ActorDead(_))
            ));
            assert!(!a.is_alive());
        }
    }
}

#[test]
fn a_blocking_stop_of_itself_from_a_dedicated_actor_returns_and_the_actor_stops() {
    setup();
    let (tx, rx) = mpsc::channel();
    let a = SelfStopper { stopped: tx }.start_dedicated();
    assert!(a
        .ask(0)
        .get_timeout(GUARD)
        .expect("a self-stop hung")
        .unwrap());
    rx.recv_timeout(GUARD).expect("the queued stop ran");
    assert!(!a.is_alive());
}

/// Stops itself, blocking, from `on_start`.
struct StopsInOnStart {
    stopped: Sender<bool>,
}
impl Actor for StopsInOnStart {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        let r = ctx.actor_ref().stop();
        self.stopped.send(r).unwrap();
    }
}
impl Receive for StopsInOnStart {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {}
}

#[test]
fn a_blocking_stop_of_itself_from_on_start_returns_and_messages_queued_before_it_run() {
    setup();
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (tx, rx) = mpsc::channel();
    let a = StopsInOnStart { stopped: tx }.start_in(&rt);
    // Queued before on_start ran (the only worker runs it after this ask is queued or not;
    // either way the reply resolves).
    let early = a.ask(());
    assert!(rx.recv_timeout(GUARD).expect("on_start hung"));
    let r = early.get_timeout(GUARD);
    assert!(
        matches!(r, Ok(()) | Err(Error::ActorDead(_))),
        "unexpected {r:?}"
    );
    assert!(matches!(
        a.ask(()).get_timeout(GUARD),
        Err(Error::ActorDead(_))
    ));
}
