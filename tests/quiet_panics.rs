//! `Builder::quiet_panics` / `Runtime::set_quiet_panics`: panics caught at the actor boundary go
//! to `log` only, without Rust's panic hook printing them; other runtimes' panics and the
//! program's own threads keep the hook.
//!
//! The panic hook is process-wide, so the scenario runs in a child process (this test binary,
//! re-run on the one test with an environment variable set) whose stdout and stderr the parent
//! reads: the child's logger writes each record to stdout as `LOG <level> <message>`.

use log::{LevelFilter, Log, Metadata, Record};
use pykka::{Actor, Context, Error, Receive, Runtime};
use std::io::Write;
use std::time::Duration;

const CHILD: &str = "PYKKA_QUIET_PANICS_CHILD";
const GUARD: Duration = Duration::from_secs(30);

struct StdoutLogger;
impl Log for StdoutLogger {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &Record<'_>) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "LOG {} {}", record.level(), record.args());
    }
    fn flush(&self) {}
}
static LOGGER: StdoutLogger = StdoutLogger;

enum Msg {
    Ask(&'static str),
    Tell(&'static str),
}

struct Fragile;
impl Actor for Fragile {}
impl Receive for Fragile {
    type Message = Msg;
    type Reply = ();
    fn on_receive(&mut self, m: Msg, _: &mut Context<Self>) {
        match m {
            Msg::Ask(marker) | Msg::Tell(marker) => panic!("{marker}"),
        }
    }
}

/// The child's scenario.
fn scenario() {
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(LevelFilter::Info);
    let quiet = Runtime::builder()
        .threads(2)
        .quiet_panics(true)
        .build()
        .unwrap();
    let loud = Runtime::builder().threads(1).build().unwrap();

    let a = Fragile.start_in(&quiet);
    assert!(matches!(
        a.ask(Msg::Ask("marker-quiet-ask")).get_timeout(GUARD),
        Err(Error::Panicked(_))
    ));
    let (watch, died) = pykka::promise::<()>();
    let watched = a.clone();
    std::thread::spawn(move || {
        while watched.is_alive() {
            std::thread::yield_now();
        }
        watch.set(());
    });
    a.tell(Msg::Tell("marker-quiet-tell")).unwrap();
    died.get_timeout(GUARD).unwrap();

    // The default runtime, switched at run time; a dedicated actor follows it.
    Runtime::global().set_quiet_panics(true);
    let d = Fragile.start_dedicated();
    assert!(matches!(
        d.ask(Msg::Ask("marker-quiet-dedicated")).get_timeout(GUARD),
        Err(Error::Panicked(_))
    ));
    d.stop();

    // Another runtime keeps the hook.
    let b = Fragile.start_in(&loud);
    assert!(matches!(
        b.ask(Msg::Ask("marker-loud-ask")).get_timeout(GUARD),
        Err(Error::Panicked(_))
    ));
    // So does the program's own thread.
    let caught = std::panic::catch_unwind(|| panic!("marker-own-thread"));
    assert!(caught.is_err());
    quiet.shutdown().unwrap();
    loud.shutdown().unwrap();
    println!("SCENARIO DONE");
}

#[test]
fn quiet_runtimes_send_caught_panics_to_log_only() {
    if std::env::var_os(CHILD).is_some() {
        scenario();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "quiet_runtimes_send_caught_panics_to_log_only",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("SCENARIO DONE"), "{stdout}");
    for quiet in [
        "marker-quiet-ask",
        "marker-quiet-tell",
        "marker-quiet-dedicated",
    ] {
        assert!(
            !stderr.contains(quiet),
            "{quiet} reached the panic hook:\n{stderr}"
        );
        assert!(
            stdout
                .lines()
                .any(|l| l.contains("LOG ") && l.contains(quiet)),
            "{quiet} was not logged:\n{stdout}"
        );
    }
    // The tell-path panic is an ERROR record, as without the option.
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("LOG ERROR") && l.contains("marker-quiet-tell")),
        "{stdout}"
    );
    for loud in ["marker-loud-ask", "marker-own-thread"] {
        assert!(
            stderr.contains(loud),
            "{loud} should have reached the hook:\n{stderr}"
        );
    }
}
