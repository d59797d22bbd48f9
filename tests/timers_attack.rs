//! Attacks on the timers (src/timer.rs): extreme durations, user code that panics in `Drop` or
//! `Clone` of a scheduled message, and `cancel` racing the due time. Each test has its own
//! runtime and a watchdog (a hang guard; no test waits on a timeout to synchronise).
//!
//! The binary installs a capturing logger (warnings and errors only) so that the tests can check
//! what the library logged; it panics on a record containing [`LOGGER_BOMB`], which one test
//! uses to make a panic escape the timer thread's loop.

mod common;

use common::{watchdog, Rng};
use log::{Level, LevelFilter, Log, Metadata, Record};
use pykka::{
    schedule_tell, schedule_tell_periodic, Actor, ActorRef, Context, Receive, Runtime,
    ScheduleError, Scheduled,
};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, Once, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// Hang guard for a wait that must end.
const HANG: Duration = Duration::from_secs(10);
const FAR: Duration = Duration::from_secs(3600);
const MS: Duration = Duration::from_millis(1);

fn rt() -> Runtime {
    Runtime::builder().threads(2).build().unwrap()
}

// ---------------------------------------------------------------------------------------------
// A capturing logger.

/// A record containing this makes the test logger panic.
const LOGGER_BOMB: &str = "LOGGER-BOMB";

struct Captured {
    level: Level,
    target: String,
    message: String,
}

struct TestLogger {
    records: Mutex<Vec<Captured>>,
}

static LOGGER: TestLogger = TestLogger {
    records: Mutex::new(Vec::new()),
};

impl Log for TestLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= Level::Warn
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        let explode = message.contains(LOGGER_BOMB);
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Captured {
                level: record.level(),
                target: record.target().to_owned(),
                message,
            });
        if explode {
            panic!("the test logger explodes");
        }
    }

    fn flush(&self) {}
}

fn install_logger() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&LOGGER).expect("no other logger in this test binary");
        log::set_max_level(LevelFilter::Warn);
    });
}

/// Whether an ERROR record of target `pykka` containing `text` was logged.
fn logged_error(text: &str) -> bool {
    LOGGER
        .records
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .any(|r| r.level == Level::Error && r.target == "pykka" && r.message.contains(text))
}

// ---------------------------------------------------------------------------------------------
// Messages whose `Drop` or `Clone` is hostile.

/// Panics when dropped while armed. A clone is never armed, so only the original (the one the
/// timer keeps) goes off.
struct Bomb {
    n: u32,
    armed: bool,
    tag: &'static str,
}

impl Bomb {
    fn armed(n: u32, tag: &'static str) -> Self {
        Bomb {
            n,
            armed: true,
            tag,
        }
    }
}

impl Clone for Bomb {
    fn clone(&self) -> Self {
        Bomb {
            n: self.n,
            armed: false,
            tag: self.tag,
        }
    }
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.armed && !std::thread::panicking() {
            panic!("bomb {} went off in Drop", self.tag);
        }
    }
}

impl fmt::Debug for Bomb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bomb({}, {})", self.n, self.tag)
    }
}

/// The two ends of a hold: a tick's `Clone` (on the timer thread) says it entered, then waits
/// to be released.
struct Hold {
    entered: Sender<()>,
    release: Mutex<Receiver<()>>,
}

/// A message whose `Clone` blocks in a [`Hold`]: a periodic tick of it stays in flight until
/// the test releases it.
struct Held(Arc<Hold>);

impl Clone for Held {
    fn clone(&self) -> Self {
        let _ = self.0.entered.send(());
        // Hang guard only: the test releases the hold.
        let _ = self
            .0
            .release
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv_timeout(HANG);
        Held(Arc::clone(&self.0))
    }
}

impl fmt::Debug for Held {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Held")
    }
}

/// A message whose `Clone` says so, then panics with [`LOGGER_BOMB`] in its payload.
struct CloneBomb(Sender<()>);

impl Clone for CloneBomb {
    fn clone(&self) -> Self {
        let _ = self.0.send(());
        panic!("{LOGGER_BOMB}: Clone panics");
    }
}

impl fmt::Debug for CloneBomb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CloneBomb")
    }
}

// ---------------------------------------------------------------------------------------------
// The probe actor: logs what it handles.

/// The tick number a [`Held`] message is logged as.
const HELD_TICK: u32 = u32::MAX;

#[derive(Clone, Debug)]
enum M {
    Tick(u32),
    Marker(u32),
    Bomb(Bomb),
    Held(Held),
    CloneBomb(CloneBomb),
    /// Replies with the log so far.
    Get,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    Tick(u32),
    Marker(u32),
}

struct Probe {
    out: Sender<u32>,
    log: Vec<Ev>,
    delivered: Arc<AtomicUsize>,
}

impl Actor for Probe {}

impl Receive for Probe {
    type Message = M;
    type Reply = Vec<Ev>;

    fn on_receive(&mut self, m: M, _: &mut Context<Self>) -> Vec<Ev> {
        let tick = match m {
            M::Tick(n) => n,
            M::Bomb(b) => b.n,
            M::Held(held) => {
                drop(held);
                HELD_TICK
            }
            M::Marker(n) => {
                self.log.push(Ev::Marker(n));
                return Vec::new();
            }
            M::CloneBomb(bomb) => {
                drop(bomb);
                return Vec::new();
            }
            M::Get => return self.log.clone(),
        };
        self.log.push(Ev::Tick(tick));
        // ORDERING: Relaxed; the test reads the count after an ask to this actor, whose reply
        // happens after this handler.
        self.delivered.fetch_add(1, Ordering::Relaxed);
        let _ = self.out.send(tick);
        Vec::new()
    }
}

/// A probe on `rt`, the receiver of the ticks it handles, and its count of ticks.
fn probe(rt: &Runtime) -> (ActorRef<Probe>, Receiver<u32>, Arc<AtomicUsize>) {
    let (tx, rx) = channel();
    let delivered = Arc::new(AtomicUsize::new(0));
    let a = Probe {
        out: tx,
        log: Vec::new(),
        delivered: Arc::clone(&delivered),
    }
    .start_in(rt);
    (a, rx, delivered)
}

/// Receives until tick `n` comes (ticks of other timers may come first), within [`HANG`].
fn recv_tick(rx: &Receiver<u32>, n: u32, what: &str) {
    let deadline = Instant::now() + HANG;
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(got) if got == n => return,
            Ok(_) => {}
            Err(e) => panic!("{what}: tick {n} never came ({e:?}): the timer thread is gone"),
        }
    }
}

/// Shuts `rt` down; a hang aborts through the watchdog.
fn shutdown(rt: &Runtime, what: &'static str) {
    let _w = watchdog(what, 30);
    rt.shutdown().unwrap();
}

fn spin_for(d: Duration) {
    let until = Instant::now() + d;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

// ---------------------------------------------------------------------------------------------
// 1 and 4: extreme durations.

/// A period of `Duration::MAX` cannot be added to any due time: it is a typed error
/// (`PeriodTooLong`), not a panic of the timer thread; a later timer on the same runtime still
/// fires, and shutdown returns.
#[test]
fn a_period_of_duration_max_does_not_kill_the_timer_thread() {
    install_logger();
    let _w = watchdog("period MAX", 60);
    let rt = rt();
    let (a, rx, _) = probe(&rt);
    let first = schedule_tell_periodic(&a, M::Tick(1), Duration::ZERO, Duration::MAX);
    let second = schedule_tell_periodic(&a, M::Tick(2), MS, Duration::MAX);
    schedule_tell(&a, M::Tick(3), MS).unwrap();
    recv_tick(&rx, 3, "a timer after a periodic one with period MAX");
    assert_eq!(first.unwrap_err(), ScheduleError::PeriodTooLong);
    assert_eq!(second.unwrap_err(), ScheduleError::PeriodTooLong);
    assert_eq!(rt.pending_timers(), 0);
    shutdown(&rt, "period MAX: shutdown");
}

/// A period that is huge but representable: the first tick comes, the timer stays pending
/// (its next tick is far away), other timers still fire, and it cancels.
#[test]
fn a_huge_representable_period_ticks_once_and_stays_pending() {
    install_logger();
    let _w = watchdog("huge period", 60);
    let rt = rt();
    let (a, rx, _) = probe(&rt);
    let huge = Duration::from_secs(u64::MAX / 4);
    let s = schedule_tell_periodic(&a, M::Tick(1), Duration::ZERO, huge).unwrap();
    recv_tick(&rx, 1, "first tick of a huge period");
    schedule_tell(&a, M::Tick(2), MS).unwrap();
    recv_tick(&rx, 2, "a timer beside a huge period");
    assert!(s.is_pending());
    assert!(s.cancel());
    assert!(!s.is_pending());
    shutdown(&rt, "huge period: shutdown");
}

/// Every combination of {ZERO, 1 ms, MAX} as delay and period: a zero delay fires, a delay of
/// MAX is `DelayTooLong`, a zero period is `ZeroPeriod`, a period of MAX is `PeriodTooLong`;
/// nothing panics, and the runtime's timers still work afterwards.
#[test]
fn zero_one_ms_and_max_as_delay_and_period() {
    install_logger();
    let _w = watchdog("ZERO/1ms/MAX", 60);
    let rt = rt();
    let (a, rx, _) = probe(&rt);
    let durations = [
        ("ZERO", Duration::ZERO),
        ("1ms", MS),
        ("MAX", Duration::MAX),
    ];
    let mut n = 0;
    for (dname, delay) in durations {
        n += 1;
        let r = schedule_tell(&a, M::Tick(n), delay);
        if delay == Duration::MAX {
            assert_eq!(r.unwrap_err(), ScheduleError::DelayTooLong, "once {dname}");
        } else {
            r.unwrap_or_else(|e| panic!("once {dname}: {e}"));
            recv_tick(&rx, n, dname);
        }
        for (pname, period) in durations {
            n += 1;
            let what = format!("periodic delay {dname} period {pname}");
            let r = schedule_tell_periodic(&a, M::Tick(n), delay, period);
            let expected = if period == Duration::ZERO {
                Some(ScheduleError::ZeroPeriod)
            } else if delay == Duration::MAX {
                Some(ScheduleError::DelayTooLong)
            } else if period == Duration::MAX {
                Some(ScheduleError::PeriodTooLong)
            } else {
                None
            };
            match (r, expected) {
                (Err(e), Some(x)) => assert_eq!(e, x, "{what}"),
                (Ok(s), None) => {
                    recv_tick(&rx, n, &what);
                    recv_tick(&rx, n, &what);
                    assert!(s.cancel(), "{what}: pending until cancelled");
                }
                (r, x) => panic!("{what}: got {r:?}, expected {x:?}"),
            }
        }
    }
    n += 1;
    schedule_tell(&a, M::Tick(n), Duration::ZERO).unwrap();
    recv_tick(&rx, n, "a timer after all the combinations");
    assert_eq!(rt.pending_timers(), 0);
    shutdown(&rt, "ZERO/1ms/MAX: shutdown");
}

/// Cancelled timers' heap entries are dropped once they outnumber the live ones (a heap of far
/// deadlines would otherwise only grow until they pass); the live timers are kept: every one of
/// them still fires, and a periodic one keeps ticking.
#[test]
fn cancelling_most_far_timers_keeps_the_others() {
    install_logger();
    let _w = watchdog("heap compaction", 60);
    let rt = rt();
    let (a, rx, _) = probe(&rt);
    let timers: Vec<Scheduled> = (0..1000u32)
        .map(|i| {
            let delay = if i < 900 {
                FAR
            } else {
                Duration::from_millis(50) + Duration::from_micros(i.into())
            };
            schedule_tell(&a, M::Tick(i), delay).unwrap()
        })
        .collect();
    let periodic = schedule_tell_periodic(&a, M::Tick(7000), MS, MS).unwrap();
    assert!(timers[..900].iter().all(Scheduled::cancel));
    assert!(timers[..900].iter().all(|s| !s.is_pending()));
    let mut fired = std::collections::HashSet::new();
    let deadline = Instant::now() + HANG;
    while fired.len() < 100 {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(n) if (900..1000).contains(&n) => assert!(fired.insert(n), "{n} fired twice"),
            Ok(n) => assert!(n == 7000, "cancelled timer {n} fired"),
            Err(e) => panic!("only {} of the 100 live timers fired ({e:?})", fired.len()),
        }
    }
    recv_tick(&rx, 7000, "a periodic tick after the compaction");
    assert!(periodic.cancel());
    assert_eq!(rt.pending_timers(), 0);
    shutdown(&rt, "heap compaction: shutdown");
}

// ---------------------------------------------------------------------------------------------
// 2: a scheduled message that panics in Drop (or Clone).

/// A periodic tell whose message panics in `Drop`: when its target stops, the timer ends and
/// drops the message on the timer thread; the panic is caught and logged at ERROR, and the
/// timer thread lives on (a later timer on the same runtime fires).
#[test]
fn a_periodic_message_panicking_in_drop_does_not_kill_the_timer_thread() {
    install_logger();
    let _w = watchdog("periodic Drop panic", 60);
    let rt = rt();
    let (a, rx_a, _) = probe(&rt);
    let (b, rx_b, _) = probe(&rt);
    let s = schedule_tell_periodic(&a, M::Bomb(Bomb::armed(7, "2a")), Duration::ZERO, MS).unwrap();
    recv_tick(&rx_a, 7, "the periodic bomb's first tick");
    a.stop();
    // The next tick fails and ends the timer (hang-guarded by the watchdog).
    while s.is_pending() {
        std::thread::yield_now();
    }
    schedule_tell(&b, M::Tick(8), Duration::ZERO).unwrap();
    recv_tick(&rx_b, 8, "a timer after the bomb went off");
    assert!(logged_error("bomb 2a went off in Drop"), "logged at ERROR");
    shutdown(&rt, "periodic Drop panic: shutdown");
}

/// A pending one-shot whose message panics in `Drop`: shutdown drops it under a catch (logged),
/// returns `Ok` without panicking, and the runtime is stopped.
#[test]
fn shutdown_with_a_pending_message_panicking_in_drop_returns_ok() {
    install_logger();
    let _w = watchdog("shutdown Drop panic", 60);
    let rt = rt();
    let (a, _, _) = probe(&rt);
    let s = schedule_tell(&a, M::Bomb(Bomb::armed(1, "2b")), FAR).unwrap();
    let r = catch_unwind(AssertUnwindSafe(|| rt.shutdown()));
    assert!(
        matches!(r, Ok(Ok(()))),
        "shutdown panicked or failed: {:?}",
        r.as_ref().map_err(|p| p.downcast_ref::<String>().cloned())
    );
    rt.stopped()
        .get_timeout(HANG)
        .expect("the runtime is stopped");
    assert!(!s.is_pending());
    assert!(logged_error("bomb 2b went off in Drop"), "logged at ERROR");
}

/// Cancelling a pending timer whose message panics in `Drop` drops it on the caller's thread
/// under a catch: `cancel` returns `true` and does not panic; the panic is logged.
#[test]
fn cancelling_a_message_panicking_in_drop_does_not_panic() {
    install_logger();
    let _w = watchdog("cancel Drop panic", 60);
    let rt = rt();
    let (a, _, _) = probe(&rt);
    let s = schedule_tell(&a, M::Bomb(Bomb::armed(1, "2c")), FAR).unwrap();
    let r = catch_unwind(AssertUnwindSafe(|| s.cancel()));
    assert!(matches!(r, Ok(true)), "cancel panicked or was not pending");
    assert!(logged_error("bomb 2c went off in Drop"), "logged at ERROR");
    let p = schedule_tell_periodic(&a, M::Bomb(Bomb::armed(1, "2c-p")), FAR, MS).unwrap();
    let r = catch_unwind(AssertUnwindSafe(|| p.cancel()));
    assert!(
        matches!(r, Ok(true)),
        "periodic cancel panicked or was not pending"
    );
    assert!(
        logged_error("bomb 2c-p went off in Drop"),
        "logged at ERROR"
    );
    shutdown(&rt, "cancel Drop panic: shutdown");
}

/// A rejected schedule (bad duration, or a shut-down runtime) drops the message under a catch:
/// the typed error comes back and nothing panics.
#[test]
fn a_rejected_message_panicking_in_drop_does_not_panic() {
    install_logger();
    let _w = watchdog("rejected Drop panic", 60);
    let rt = rt();
    let (a, _, _) = probe(&rt);
    let r = catch_unwind(AssertUnwindSafe(|| {
        schedule_tell(&a, M::Bomb(Bomb::armed(1, "2d-max")), Duration::MAX)
    }));
    assert!(
        matches!(r, Ok(Err(ScheduleError::DelayTooLong))),
        "too long"
    );
    let r = catch_unwind(AssertUnwindSafe(|| {
        schedule_tell_periodic(&a, M::Bomb(Bomb::armed(1, "2d-zero")), FAR, Duration::ZERO)
    }));
    assert!(
        matches!(r, Ok(Err(ScheduleError::ZeroPeriod))),
        "zero period"
    );
    shutdown(&rt, "rejected Drop panic: shutdown");
    let r = catch_unwind(AssertUnwindSafe(|| {
        schedule_tell(&a, M::Bomb(Bomb::armed(1, "2d-down")), Duration::ZERO)
    }));
    assert!(
        matches!(r, Ok(Err(ScheduleError::RuntimeShutDown))),
        "shut down"
    );
    for tag in ["2d-max", "2d-zero", "2d-down"] {
        assert!(
            logged_error(&format!("bomb {tag} went off")),
            "{tag} logged"
        );
    }
}

/// A logger that panics while the timer thread logs a task's panic (before, that panic escaped
/// the timer thread's loop): the logger's panic is caught where the record is written, the
/// failing timer ends, and later timers on the same runtime fire. (Were anything to unwind out
/// of the loop anyway, a guard would start a new timer thread.)
#[test]
fn a_panicking_logger_on_the_timer_thread_stops_no_timer() {
    install_logger();
    let _w = watchdog("timer thread restart", 60);
    let rt = rt();
    let (a, rx, _) = probe(&rt);
    let (tx, cloning) = channel();
    let s = schedule_tell_periodic(&a, M::CloneBomb(CloneBomb(tx)), Duration::ZERO, MS).unwrap();
    cloning
        .recv_timeout(HANG)
        .expect("the first tick clones the message");
    schedule_tell(&a, M::Tick(3), Duration::ZERO).unwrap();
    recv_tick(&rx, 3, "a timer after the timer thread's loop panicked");
    assert!(!s.is_pending(), "the failing timer ended");
    assert!(!s.cancel());
    assert!(
        logged_error(LOGGER_BOMB),
        "the logger was reached (and exploded)"
    );
    assert!(!logged_error("timer thread"), "no restart was needed");
    shutdown(&rt, "timer thread restart: shutdown");
}

// ---------------------------------------------------------------------------------------------
// 3: cancel at the due time.

/// `cancel` racing a one-shot's due time: `true` means never delivered, `false` means
/// delivered (already told when `cancel` returns). Every try is exactly one of the two.
#[test]
fn a_one_shot_cancelled_at_its_due_time_is_delivered_iff_cancel_is_false() {
    install_logger();
    let _w = watchdog("one-shot cancel race", 120);
    let rt = rt();
    let (a, _rx, delivered) = probe(&rt);
    let mut rng = Rng(0x5eed_0001);
    let tries: u32 = 15_000;
    let mut cancelled = vec![false; tries as usize];
    let mut trues = 0;
    for i in 0..tries {
        let delay = Duration::from_micros(rng.below(4) as u64);
        let s = schedule_tell(&a, M::Tick(i), delay).unwrap();
        spin_for(Duration::from_nanos(rng.below(60_000) as u64));
        if s.cancel() {
            cancelled[i as usize] = true;
            trues += 1;
        }
    }
    // The final ask comes after every delivered tick in the mailbox.
    let log = a.ask(M::Get).get().unwrap();
    // ORDERING: Relaxed; the ask's reply came after every handler that counted.
    let delivered = delivered.load(Ordering::Relaxed);
    let both: Vec<u32> = log
        .iter()
        .filter_map(|e| match e {
            Ev::Tick(n) if cancelled[*n as usize] => Some(*n),
            _ => None,
        })
        .collect();
    assert!(
        both.is_empty(),
        "cancel returned true but the message was delivered: tries {both:?}"
    );
    assert_eq!(
        delivered + trues,
        tries as usize,
        "delivered {delivered} + cancelled {trues} != tries {tries}"
    );
    shutdown(&rt, "one-shot cancel race: shutdown");
}

/// `cancel` racing a periodic timer's ticks: once `cancel` has returned `true` (from another
/// thread than the timer's), no tick of that timer is handled after a marker sent afterwards.
#[test]
fn no_periodic_tick_arrives_after_cancel_returned() {
    install_logger();
    let _w = watchdog("periodic cancel race", 120);
    let rt = rt();
    let (a, _rx, _) = probe(&rt);
    let mut rng = Rng(0x5eed_0002);
    let tries: u32 = 8_000;
    for i in 0..tries {
        let delay = Duration::from_micros(rng.below(4) as u64);
        let s = schedule_tell_periodic(&a, M::Tick(i), delay, Duration::from_micros(20)).unwrap();
        spin_for(Duration::from_nanos(rng.below(80_000) as u64));
        assert!(s.cancel(), "a periodic timer to a live actor is pending");
        a.tell(M::Marker(i)).unwrap();
    }
    let log = a.ask(M::Get).get().unwrap();
    let mut marked = vec![false; tries as usize];
    let mut late = Vec::new();
    for e in log {
        match e {
            Ev::Marker(i) => marked[i as usize] = true,
            Ev::Tick(i) if marked[i as usize] => late.push(i),
            Ev::Tick(_) => {}
        }
    }
    assert!(late.is_empty(), "ticks after cancel returned: {late:?}");
    shutdown(&rt, "periodic cancel race: shutdown");
}

/// The same guarantee, deterministically: a tick held in flight (its message's `Clone` blocks
/// on the timer thread) when another thread cancels. `cancel` must not return before the
/// in-flight tick is told, so the marker sent after it comes after the tick.
#[test]
fn cancel_waits_for_the_periodic_tick_in_flight() {
    install_logger();
    let _w = watchdog("cancel waits for the tick", 60);
    let rt = rt();
    let (a, _rx, _) = probe(&rt);
    let (entered_tx, entered) = channel();
    let (release, release_rx) = channel();
    let hold = Arc::new(Hold {
        entered: entered_tx,
        release: Mutex::new(release_rx),
    });
    let s = Arc::new(schedule_tell_periodic(&a, M::Held(Held(hold)), Duration::ZERO, MS).unwrap());
    entered
        .recv_timeout(HANG)
        .expect("the first tick clones its message");
    // The tick is in flight on the timer thread: another thread cancels.
    let (done_tx, done) = channel();
    let canceller = {
        let s = Arc::clone(&s);
        let a = a.clone();
        std::thread::spawn(move || {
            let r = s.cancel();
            a.tell(M::Marker(0)).unwrap();
            done_tx.send(r).unwrap();
        })
    };
    // It has marked the timer cancelled (hang-guarded by the watchdog)…
    while s.is_pending() {
        std::thread::yield_now();
    }
    // …but must still be waiting for the tick.
    assert!(
        done.try_recv().is_err(),
        "cancel returned while a tick was still in flight"
    );
    release.send(()).unwrap();
    assert_eq!(done.recv_timeout(HANG), Ok(true), "cancelled");
    canceller.join().unwrap();
    let log = a.ask(M::Get).get().unwrap();
    assert_eq!(
        log,
        [Ev::Tick(HELD_TICK), Ev::Marker(0)],
        "the in-flight tick, then the marker, and nothing after"
    );
    shutdown(&rt, "cancel waits for the tick: shutdown");
}

/// `cancel` called on the timer thread itself (here by a dead-letter subscriber that a tick to
/// a stopped actor runs) does not wait for the tick it is part of: it returns `true` at once,
/// and the timer ends.
#[test]
fn cancel_on_the_timer_thread_does_not_wait_for_itself() {
    install_logger();
    let _w = watchdog("cancel on the timer thread", 60);
    let rt = rt();
    let (a, rx, _) = probe(&rt);
    let slot: Arc<OnceLock<Scheduled>> = Arc::new(OnceLock::new());
    let (tx, results) = channel::<bool>();
    let _sub = {
        let slot = Arc::clone(&slot);
        rt.subscribe_dead_letters(move |_| {
            if std::thread::current().name() == Some("pykka-timer") {
                if let Some(s) = slot.get() {
                    let _ = tx.send(s.cancel());
                }
            }
        })
    };
    let s = schedule_tell_periodic(&a, M::Tick(1), Duration::ZERO, MS).unwrap();
    assert!(slot.set(s).is_ok());
    recv_tick(&rx, 1, "a tick to the live actor");
    a.stop();
    assert_eq!(
        results.recv_timeout(HANG),
        Ok(true),
        "cancel from the tick's dead-letter subscriber"
    );
    let s = slot.get().unwrap();
    assert!(!s.is_pending());
    assert!(!s.cancel());
    shutdown(&rt, "cancel on the timer thread: shutdown");
}
