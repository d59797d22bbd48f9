//! Helpers shared by the integration tests (`mod common;`): a hang watchdog, a deterministic
//! pseudo-random generator, a gate that holds an actor inside a handler, and a chain of actors
//! that each block on the next. Each test file
//! uses what it needs.
//!
//! `ledger` holds payloads that count their own drops. The other submodules hold the actors and
//! helpers of one family of test files, named by its prefix: `actor_loop` (`actor_loop_*`),
//! `bad_input` (`bad_input_*`), `proxies` (`proxies_*`), `stress_graphs`
//! (`stress_graphs_attack_*`) and `stress_races` (`stress_races_attack_*`).
#![allow(dead_code)]

pub(crate) mod actor_loop;
pub(crate) mod bad_input;
pub(crate) mod ledger;
pub(crate) mod proxies;
pub(crate) mod stress_graphs;
pub(crate) mod stress_races;

use pykka::{Actor, ActorRef, Context, Receive, Runtime};
use std::collections::HashSet;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

/// Aborts the process with a message if it is not dropped within its time: a hang guard, never
/// a synchronisation.
pub(crate) struct Watchdog(#[allow(dead_code)] mpsc::Sender<()>);

/// A watchdog for `what`, firing after `secs` seconds.
pub(crate) fn watchdog(what: &'static str, secs: u64) -> Watchdog {
    let (tx, rx) = mpsc::channel::<()>();
    thread::spawn(move || {
        if rx.recv_timeout(Duration::from_secs(secs)) == Err(RecvTimeoutError::Timeout) {
            eprintln!("watchdog: {what} still running after {secs} s: hang; aborting");
            std::process::abort();
        }
    });
    Watchdog(tx)
}

/// splitmix64: deterministic pseudo-random numbers.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `count` distinct indices below `n`.
    pub(crate) fn pick(&mut self, n: usize, count: usize) -> HashSet<usize> {
        let mut set = HashSet::new();
        while set.len() < count {
            set.insert(self.below(n));
        }
        set
    }
}

/// How long a gate waits for the actor to enter before failing the test (a hang guard).
const GATE_HANG: Duration = Duration::from_secs(10);

/// The actor side of a gate: signals that it entered a handler, then blocks until opened.
pub(crate) struct Gate {
    entered: Sender<()>,
    release: Receiver<()>,
}

impl Gate {
    pub(crate) fn pass(&self) {
        self.entered.send(()).unwrap();
        self.release.recv().unwrap();
    }
}

/// The test side of a gate.
pub(crate) struct GateCtl {
    entered: Receiver<()>,
    release: Sender<()>,
}

impl GateCtl {
    pub(crate) fn wait_entered(&self) {
        self.entered
            .recv_timeout(GATE_HANG)
            .expect("hang guard: the actor never entered the gate");
    }

    pub(crate) fn open(&self) {
        self.release.send(()).unwrap();
    }
}

/// A closed gate: give the `Gate` to the actor, keep the `GateCtl`.
pub(crate) fn gate() -> (GateCtl, Gate) {
    let (etx, erx) = mpsc::channel();
    let (rtx, rrx) = mpsc::channel();
    (
        GateCtl {
            entered: erx,
            release: rtx,
        },
        Gate {
            entered: etx,
            release: rrx,
        },
    )
}

/// A link of a chain: asked `depth`, it blocks on the next link's reply to `depth + 1`; the last
/// link answers its depth.
pub(crate) struct Link {
    next: Option<ActorRef<Link>>,
}
impl Actor for Link {}
impl Receive for Link {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, depth: u32, _: &mut Context<Self>) -> u32 {
        match &self.next {
            Some(next) => next.ask(depth + 1).get().expect("the next link answers"),
            None => depth,
        }
    }
}

/// A chain of `len` links on `rt`; returns its head (asked 0, it answers `len - 1`).
pub(crate) fn chain(rt: &Runtime, len: usize) -> ActorRef<Link> {
    let mut next = None;
    for _ in 0..len {
        next = Some(Link { next }.start_in(rt));
    }
    next.expect("a chain has at least one link")
}

/// The environment variable that marks a child process of `passes_in_child`.
const CHILD: &str = "PYKKA_TEST_CHILD";

/// Runs test `name` of this test binary alone in a child process (so that an abort, such as a
/// stack overflow, fails the calling test and not the whole binary); `true` if it passed.
pub(crate) fn passes_in_child(name: &str) -> bool {
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--test-threads=1", "--include-ignored"])
        .env(CHILD, "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    status.success()
}

/// Whether this is the child process of `passes_in_child`: child bodies return at once in a
/// normal run.
pub(crate) fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// Reads `rt`'s debug snapshots until one satisfies `pred` (hang guard: 30 s).
pub(crate) fn snapshot_until(
    rt: &Runtime,
    pred: impl Fn(&pykka::debug::Snapshot) -> bool,
) -> pykka::debug::Snapshot {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let s = rt.snapshot();
        if pred(&s) {
            return s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "snapshot never matched: {s:?}"
        );
        thread::yield_now();
    }
}

/// Live threads of this process whose name starts with `prefix` (Linux: `/proc/self/task`; a
/// name is cut to 15 bytes there). A listing can miss threads while others start or exit, so
/// this is the largest count of three listings.
pub(crate) fn threads_named(prefix: &str) -> usize {
    (0..3)
        .map(|_| {
            std::fs::read_dir("/proc/self/task")
                .map(|dir| {
                    dir.filter_map(Result::ok)
                        .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
                        .filter(|name| name.trim_end().starts_with(prefix))
                        .count()
                })
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
}

/// The id of the live thread of this process named exactly `name` (at most 15 bytes), if any.
/// A listing of `/proc/self/task` can miss a live thread while other threads start or exit
/// (seen under load): look up a thread once, then check it by id with `thread_alive`.
pub(crate) fn thread_id_named(name: &str) -> Option<String> {
    std::fs::read_dir("/proc/self/task").ok()?.find_map(|t| {
        let t = t.ok()?;
        let comm = std::fs::read_to_string(t.path().join("comm")).ok()?;
        (comm.trim_end() == name).then(|| t.file_name().to_string_lossy().into_owned())
    })
}

/// Whether the thread with this id (from `thread_id_named`) is alive and still named `name`.
pub(crate) fn thread_alive(tid: &str, name: &str) -> bool {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/comm"))
        .is_ok_and(|comm| comm.trim_end() == name)
}

/// Polls `cond` until it holds (spinning, no sleep); panics after a 20 s hang guard.
pub(crate) fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(std::time::Instant::now() < deadline, "hang guard: {what}");
        thread::yield_now();
    }
}

/// A "nothing lost" check: `threads` threads each send `per` messages through `send` (which
/// says whether the message was accepted; a refused one must have come back) once all are
/// ready, while this thread runs `stop`. Then every message must be handled (`handled`, read
/// after `rt` shut down), handed back, or a dead letter left in a mailbox.
pub(crate) fn assert_nothing_lost<S>(
    rt: Runtime,
    threads: u64,
    per: u64,
    send: S,
    handled: &std::sync::atomic::AtomicU64,
    stop: impl FnOnce(),
) where
    S: Fn() -> bool + Clone + Send + 'static,
{
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Barrier};
    let left = Arc::new(AtomicU64::new(0));
    let l = left.clone();
    let _sub = rt.subscribe_dead_letters(move |d| {
        if d.reason() == pykka::DeadLetterReason::LeftInMailbox {
            l.fetch_add(1, Ordering::Relaxed);
        }
    });
    let start = Arc::new(Barrier::new(threads as usize + 1));
    let senders: Vec<_> = (0..threads)
        .map(|_| {
            let (send, start) = (send.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                (0..per).filter(|_| !send()).count() as u64
            })
        })
        .collect();
    start.wait();
    stop();
    let back: u64 = senders.into_iter().map(|s| s.join().unwrap()).sum();
    rt.shutdown().unwrap();
    let (handled, left) = (
        handled.load(Ordering::Relaxed),
        left.load(Ordering::Relaxed),
    );
    assert_eq!(
        handled + back + left,
        threads * per,
        "handled {handled} + handed back {back} + left in mailboxes {left}"
    );
}
