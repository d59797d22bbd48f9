//! The logger, panic hook, actors and hang guards shared by the `bad_input_*` test files (bad
//! input: settings at their limits, extreme timeouts, odd panics, huge values, calls made from
//! where they cannot be honoured).
//!
//! A capturing `log` logger is installed once per test binary by `setup`; `logged` only looks at
//! the records naming one actor. Deliberate panics are kept out of the output by a panic hook.

use log::{Level, LevelFilter, Log, Metadata, Record};
use pykka::{Actor, Context, Error, Future, Receive, Runtime};
use std::sync::{Mutex, Once};
use std::thread;
use std::time::Duration;

/// Hang guard for waits that must complete.
pub(crate) const GUARD: Duration = Duration::from_secs(20);
/// Hang guard for the bug tests, whose failure mode is a hang.
pub(crate) const SHORT_GUARD: Duration = Duration::from_secs(5);

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
pub(crate) fn setup() {
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
pub(crate) fn logged(urn: &str, level: Level) -> Vec<String> {
    LOGGER
        .records
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter(|r| r.level == level && r.message.contains(urn))
        .map(|r| r.message.clone())
        .collect()
}

pub(crate) fn leak(rt: Runtime) -> &'static Runtime {
    Box::leak(Box::new(rt))
}

// ---------------------------------------------------------------------------------------------
// Actors used throughout.

pub(crate) struct Echo;
impl Actor for Echo {}
impl Receive for Echo {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 {
        n
    }
}

/// Blocks on the future it is given and replies with the outcome.
pub(crate) struct BlockOn;
impl Actor for BlockOn {}
impl Receive for BlockOn {
    type Message = Future<()>;
    type Reply = Result<(), Error>;
    fn on_receive(&mut self, f: Future<()>, _: &mut Context<Self>) -> Result<(), Error> {
        f.get()
    }
}

// ---------------------------------------------------------------------------------------------
// A panic payload (`bad_input_panics`), here because the panic hook of `setup` knows it.

/// A panic payload whose own `Drop` panics.
pub(crate) struct Bomb;
impl Drop for Bomb {
    fn drop(&mut self) {
        if !thread::panicking() {
            panic!("deliberate panic while dropping a panic payload");
        }
    }
}
