//! Section 6 of the behaviour spec: logging (target `pykka`, through the `log` crate).
//!
//! The library installs no logger, so these tests install a capturing one. Records are global and
//! the tests run in parallel, so every assertion only looks at the records that name the test's
//! own actor (its messages contain `<Class> (<urn>)`).

use pykka::{Actor, Context, Error, Failure, Receive, Runtime};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, Once};
use std::time::Duration;

use log::{Level, LevelFilter, Log, Metadata, Record};

/// Hang guard for waits that must complete.
const GUARD: Duration = Duration::from_secs(10);

struct Captured {
    level: Level,
    target: String,
    message: String,
}

struct CaptureLogger {
    records: Mutex<Vec<Captured>>,
}

static LOGGER: CaptureLogger = CaptureLogger {
    records: Mutex::new(Vec::new()),
};

impl Log for CaptureLogger {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &Record<'_>) {
        let captured = Captured {
            level: record.level(),
            target: record.target().to_owned(),
            message: record.args().to_string(),
        };
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(captured);
    }

    fn flush(&self) {}
}

fn install_logger() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&LOGGER).expect("no other logger is installed in this test binary");
        log::set_max_level(LevelFilter::Trace);
    });
}

/// The `pykka` records naming the actor with this URN, in the order they were logged.
fn records_for(urn: &str) -> Vec<(Level, String)> {
    LOGGER
        .records
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter(|r| r.target == "pykka" && r.message.contains(urn))
        .map(|r| (r.level, r.message.clone()))
        .collect()
}

fn at_level(urn: &str, level: Level) -> Vec<String> {
    records_for(urn)
        .into_iter()
        .filter(|(l, _)| *l == level)
        .map(|(_, m)| m)
        .collect()
}

/// Waits until the actor value holding the sender has been dropped (the library drops it after
/// the last hook of a dying actor has run and been logged).
fn wait_dropped(rx: &mpsc::Receiver<()>) {
    assert_eq!(
        rx.recv_timeout(GUARD),
        Err(RecvTimeoutError::Disconnected),
        "the actor value was not dropped"
    );
}

fn private_runtime() -> Runtime {
    Runtime::builder().threads(2).build().unwrap()
}

// ---------------------------------------------------------------------------------------------

enum Msg {
    Panic(&'static str),
    Ping,
}

/// Panics on request; `_alive` disconnects its channel when the value is dropped.
struct Panicky {
    _alive: mpsc::Sender<()>,
}

impl Actor for Panicky {}

impl Receive for Panicky {
    type Message = Msg;
    type Reply = u32;
    fn on_receive(&mut self, msg: Msg, _: &mut Context<Self>) -> u32 {
        match msg {
            Msg::Panic(text) => panic!("{text}"),
            Msg::Ping => 7,
        }
    }
}

#[test]
fn b6_1_ask_panic_logs_exactly_one_info_naming_the_actor() {
    install_logger();
    let rt = private_runtime();
    let (tx, _rx) = mpsc::channel();
    let a = Panicky { _alive: tx }.start_in(&rt);

    match a.ask(Msg::Panic("boom-ask")).get_timeout(GUARD) {
        Err(Error::Panicked(f)) => assert_eq!(f.message(), "boom-ask"),
        other => panic!("expected Error::Panicked, got {other:?}"),
    }
    // FIFO fence: the INFO record is written after the reply is failed, but before the next
    // message is handled.
    assert_eq!(a.ask(Msg::Ping).get_timeout(GUARD).unwrap(), 7);

    let info = at_level(a.actor_urn(), Level::Info);
    assert_eq!(
        info,
        vec![format!("Exception returned from {a} to caller: boom-ask")],
        "exactly one INFO record naming the actor"
    );
    assert!(
        at_level(a.actor_urn(), Level::Error).is_empty(),
        "an ask-path panic is not an ERROR"
    );
    assert!(a.is_alive());
    assert!(a.stop());
}

#[test]
fn b6_2_tell_panic_logs_exactly_one_error_unhandled_exception() {
    install_logger();
    let rt = private_runtime();
    let (tx, rx) = mpsc::channel();
    let a = Panicky { _alive: tx }.start_in(&rt);

    a.tell(Msg::Panic("boom-tell")).unwrap();
    wait_dropped(&rx);

    let errors = at_level(a.actor_urn(), Level::Error);
    assert_eq!(
        errors,
        vec![format!("Unhandled exception in {a}: boom-tell")],
        "exactly one ERROR record naming the actor"
    );
    assert!(
        at_level(a.actor_urn(), Level::Info).is_empty(),
        "a tell-path panic is not returned to anyone"
    );
    assert!(!a.is_alive());
}

// ---------------------------------------------------------------------------------------------

struct PanicOnStart {
    _alive: mpsc::Sender<()>,
}

impl Actor for PanicOnStart {
    fn on_start(&mut self, _: &mut Context<Self>) {
        panic!("boom-on-start");
    }
}

#[test]
fn b6_3_on_start_panic_logs_exactly_one_error() {
    install_logger();
    let rt = private_runtime();
    let (tx, rx) = mpsc::channel();
    let a = PanicOnStart { _alive: tx }.start_in(&rt);

    wait_dropped(&rx);

    let errors = at_level(a.actor_urn(), Level::Error);
    assert_eq!(
        errors,
        vec![format!("Unhandled exception in {a}: boom-on-start")]
    );
    assert!(!a.is_alive());
}

struct PanicOnStop {
    _alive: mpsc::Sender<()>,
}

impl Actor for PanicOnStop {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        panic!("boom-on-stop");
    }
}

#[test]
fn b6_3_on_stop_panic_logs_exactly_one_error() {
    install_logger();
    let rt = private_runtime();
    let (tx, rx) = mpsc::channel();
    let a = PanicOnStop { _alive: tx }.start_in(&rt);

    // The stop reply is set after on_stop has returned (or panicked) and been logged.
    assert!(a.stop());
    wait_dropped(&rx);

    let errors = at_level(a.actor_urn(), Level::Error);
    assert_eq!(
        errors,
        vec![format!("Unhandled exception in {a}: boom-on-stop")]
    );
}

struct PanicOnFailure {
    _alive: mpsc::Sender<()>,
    failures: mpsc::Sender<Failure>,
}

impl Actor for PanicOnFailure {
    fn on_failure(&mut self, failure: &Failure, _: &mut Context<Self>) {
        self.failures.send(failure.clone()).unwrap();
        panic!("boom-on-failure");
    }
}

impl Receive for PanicOnFailure {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        panic!("boom-handler");
    }
}

#[test]
fn b6_3_on_failure_panic_logs_two_errors_in_all() {
    install_logger();
    let rt = private_runtime();
    let (tx, rx) = mpsc::channel();
    let (ftx, frx) = mpsc::channel();
    let a = PanicOnFailure {
        _alive: tx,
        failures: ftx,
    }
    .start_in(&rt);

    a.tell(()).unwrap();
    // on_failure ran (with the handler's panic), then the value was dropped after its own panic
    // was logged.
    assert_eq!(frx.recv_timeout(GUARD).unwrap().message(), "boom-handler");
    wait_dropped(&rx);

    let errors = at_level(a.actor_urn(), Level::Error);
    assert_eq!(
        errors,
        vec![
            format!("Unhandled exception in {a}: boom-handler"),
            format!("Unhandled exception in {a}: boom-on-failure"),
        ],
        "two ERROR records in all: the handler's first, then on_failure's"
    );
}

// ---------------------------------------------------------------------------------------------

struct Quiet;

impl Actor for Quiet {}

fn debug_for(urn: &str) -> Vec<String> {
    at_level(urn, Level::Debug)
}

#[test]
fn b6_4_start_logs_debug_starting() {
    install_logger();
    let rt = private_runtime();
    let a = Quiet.start_in(&rt);

    // Logged by start itself, before it returns.
    let starting = format!("Starting {a}");
    let debug = debug_for(a.actor_urn());
    assert_eq!(
        debug.iter().filter(|m| **m == starting).count(),
        1,
        "exactly one DEBUG `Starting` record, got {debug:?}"
    );
    assert!(a.stop());
}

/// Pykka's `start` registers the actor through `ActorRegistry.register`, which logs
/// `Registered <ref>` at DEBUG, and then logs `Starting <actor>` (reference 1.1, 1.9, 1.11).
#[test]
fn b6_4_start_logs_debug_registered_before_starting() {
    install_logger();
    let rt = private_runtime();
    let a = Quiet.start_in(&rt);

    let debug = debug_for(a.actor_urn());
    let registered = format!("Registered {a}");
    let starting = format!("Starting {a}");
    let pos_registered = debug.iter().position(|m| *m == registered);
    let pos_starting = debug.iter().position(|m| *m == starting);
    assert!(
        pos_registered.is_some(),
        "no DEBUG `Registered` record on start, got {debug:?}"
    );
    assert!(pos_registered < pos_starting, "got {debug:?}");
    assert_eq!(debug.iter().filter(|m| **m == registered).count(), 1);
    assert!(a.stop());
}

#[test]
fn b6_4_stop_logs_debug_unregistered_then_stopped() {
    install_logger();
    let rt = private_runtime();
    let a = Quiet.start_in(&rt);
    // `stop` returns once the actor has been unregistered and on_stop has run.
    assert!(a.stop());

    let debug = debug_for(a.actor_urn());
    let unregistered = format!("Unregistered {a}");
    let stopped = format!("Stopped {a}");
    assert_eq!(
        debug.iter().filter(|m| **m == unregistered).count(),
        1,
        "exactly one DEBUG `Unregistered` record, got {debug:?}"
    );
    assert_eq!(
        debug.iter().filter(|m| **m == stopped).count(),
        1,
        "exactly one DEBUG `Stopped` record, got {debug:?}"
    );
    // Pykka's order: unregister (logs), then `Stopped`, all after `Starting`.
    let pos = |text: &str| debug.iter().position(|m| m == text).unwrap();
    assert!(pos(&format!("Starting {a}")) < pos(&unregistered));
    assert!(pos(&unregistered) < pos(&stopped));
}

#[test]
fn b6_4_manual_unregister_and_register_log_debug() {
    install_logger();
    let rt = private_runtime();
    let a = Quiet.start_in(&rt);

    rt.unregister(&a);
    rt.unregister(&a);
    rt.register(&a);

    let debug = debug_for(a.actor_urn());
    let expected_tail = vec![
        format!("Unregistered {a}"),
        format!("Unregistered {a} (not found in registry)"),
        format!("Registered {a}"),
    ];
    assert!(
        debug.len() >= 3 && debug[debug.len() - 3..] == expected_tail[..],
        "expected {expected_tail:?} at the end of {debug:?}"
    );
    assert!(a.stop());
}

/// A `Receive` actor nobody declared for broadcasts by message type.
struct UndeclaredListener;
impl Actor for UndeclaredListener {}
impl Receive for UndeclaredListener {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, _: u64, _: &mut Context<Self>) {}
}

#[test]
fn a_broadcast_that_skips_an_undeclared_actor_type_says_so_once() {
    install_logger();
    let rt = private_runtime();
    let _a = UndeclaredListener.start_in(&rt);
    let _b = UndeclaredListener.start_in(&rt);
    assert_eq!(rt.broadcast(7u64), 0);
    assert_eq!(rt.broadcast(8u64), 0);
    let warns: Vec<String> = LOGGER
        .records
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter(|r| {
            r.target == "pykka"
                && r.level == Level::Warn
                && r.message.contains("UndeclaredListener")
        })
        .map(|r| r.message.clone())
        .collect();
    assert_eq!(warns.len(), 1, "{warns:?}");
    assert!(
        warns[0].contains("declare_receiver::<UndeclaredListener>") && warns[0].contains("u64"),
        "{}",
        warns[0]
    );
    // Declared, it is reached, and nothing more is logged.
    rt.declare_receiver::<UndeclaredListener>();
    assert_eq!(rt.broadcast(9u64), 2);
    rt.shutdown().unwrap();
}
