//! Attacks on timers at shutdown (manual, "Timers and dead letters", and `sched::timer`), with
//! a program larger than the other stress tests: shutdown while 10 000 timers are pending, periodic
//! ones tick, and other threads keep scheduling and cancelling.
//!
//! Every payload whose fate matters counts its own drops. No sleep synchronises anything: the tests
//! use replies, channels, counters and barriers; timeouts and watchdogs are hang guards. The hang
//! guard, the worker counts and the spin are in `tests/common/stress_graphs.rs`.

mod common;

use common::stress_graphs::{runtime, spin_until, HANG};
use common::{watchdog, Rng};
use pykka::{
    schedule_tell, schedule_tell_periodic, Actor, Context, Receive, ScheduleError, Scheduled,
};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

// =============================================================================================
// 1. Shutdown while 10 000 timers are pending, periodic ones tick, and others schedule.
/// Every payload (and every clone) has its own serial; each drop is recorded.
#[derive(Default)]
struct Ledger {
    next: AtomicU64,
    live: AtomicI64,
    dropped: Mutex<HashSet<u64>>,
    double_drops: AtomicUsize,
    delivered: Mutex<HashSet<u64>>,
    ticks: AtomicUsize,
    after_stopped: AtomicBool,
    late: AtomicUsize,
}

struct Payload {
    serial: u64,
    periodic: bool,
    ledger: Arc<Ledger>,
}
impl Payload {
    fn new(ledger: &Arc<Ledger>, periodic: bool) -> Self {
        ledger.live.fetch_add(1, Ordering::SeqCst);
        Payload {
            serial: ledger.next.fetch_add(1, Ordering::SeqCst),
            periodic,
            ledger: ledger.clone(),
        }
    }
}
impl Clone for Payload {
    fn clone(&self) -> Self {
        Payload::new(&self.ledger, self.periodic)
    }
}
impl Drop for Payload {
    fn drop(&mut self) {
        if !self.ledger.dropped.lock().unwrap().insert(self.serial) {
            self.ledger.double_drops.fetch_add(1, Ordering::SeqCst);
        }
        self.ledger.live.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Sink {
    ledger: Arc<Ledger>,
}
impl Actor for Sink {
    fn on_stop(&mut self, ctx: &mut Context<Self>) {
        // Scheduled during shutdown: sent to a dead actor, or dropped with the timers.
        let me = ctx.actor_ref();
        let _ = schedule_tell(&me, Payload::new(&self.ledger, false), Duration::ZERO);
        let _ = schedule_tell(
            &me,
            Payload::new(&self.ledger, false),
            Duration::from_secs(3600),
        );
    }
}
impl Receive for Sink {
    type Message = Payload;
    type Reply = ();
    fn on_receive(&mut self, p: Payload, _: &mut Context<Self>) {
        if self.ledger.after_stopped.load(Ordering::SeqCst) {
            self.ledger.late.fetch_add(1, Ordering::SeqCst);
        }
        if p.periodic {
            self.ledger.ticks.fetch_add(1, Ordering::SeqCst);
        }
        self.ledger.delivered.lock().unwrap().insert(p.serial);
    }
}

/// Attacks the manual's timers at shutdown: "`Runtime::stopped` is a future resolved once the
/// runtime has shut down", `sched::timer`'s "The runtime stops the timer after it has
/// stopped its actors ... drops the pending tasks", `Scheduled::cancel`'s "`true` means that this call stopped
/// it and that nothing more is sent", `ScheduleError::RuntimeShutDown`, and
/// `docs/reliability.md`'s "every message is dropped exactly once". 10 000 one-shot timers are
/// pending (a quarter due within 50 ms), 40 periodic timers tick every millisecond, two threads
/// keep scheduling and one keeps cancelling while the runtime shuts down, and the actors
/// schedule more in `on_stop`. Shutdown returns; nothing is delivered once `stopped()`
/// resolved; no one-shot whose `cancel` returned `true` is delivered; every scheduling call
/// after shutdown fails with `RuntimeShutDown`; every payload and clone is dropped exactly once.
#[test]
fn shutdown_with_10000_pending_timers_and_racing_schedulers_drops_every_payload_exactly_once() {
    let _dog = watchdog("timers at shutdown", 120);
    let ledger = Arc::new(Ledger::default());
    let rt = runtime(2);
    let sinks: Vec<_> = (0..40)
        .map(|_| {
            Sink {
                ledger: ledger.clone(),
            }
            .start_in(&rt)
        })
        .collect();
    let mut one_shots: Vec<(u64, Scheduled)> = Vec::new();
    for i in 0..10_000usize {
        let p = Payload::new(&ledger, false);
        let serial = p.serial;
        let delay = if i % 4 == 0 {
            Duration::from_millis((i % 50) as u64)
        } else {
            Duration::from_secs(3600 + i as u64)
        };
        one_shots.push((serial, schedule_tell(&sinks[i % 40], p, delay).unwrap()));
    }
    let periodic: Vec<Scheduled> = sinks
        .iter()
        .map(|s| {
            schedule_tell_periodic(
                s,
                Payload::new(&ledger, true),
                Duration::ZERO,
                Duration::from_millis(1),
            )
            .unwrap()
        })
        .collect();
    let shut = AtomicBool::new(false);
    let cancelled_true: Mutex<Vec<u64>> = Mutex::new(Vec::new());
    let start = Barrier::new(4);
    let stopped = rt.stopped();
    thread::scope(|s| {
        let racers: Vec<_> = (0..2usize)
            .map(|t| {
                let (sinks, ledger, start, shut) = (&sinks, &ledger, &start, &shut);
                s.spawn(move || {
                    start.wait();
                    let mut k = 0usize;
                    loop {
                        // Throttled (a bounded backlog: the timer thread must keep up), until
                        // the runtime has shut down.
                        if ledger.live.load(Ordering::SeqCst) > 40_000
                            && !shut.load(Ordering::SeqCst)
                        {
                            thread::yield_now();
                            continue;
                        }
                        let delay = Duration::from_millis((k % 3) as u64);
                        let sink = &sinks[(k * 7 + t) % sinks.len()];
                        match schedule_tell(sink, Payload::new(ledger, false), delay) {
                            Ok(_) => k += 1,
                            Err(e) => return (k, e),
                        }
                    }
                })
            })
            .collect();
        let canceller = {
            let (one_shots, shut, cancelled_true, start) =
                (&one_shots, &shut, &cancelled_true, &start);
            s.spawn(move || {
                start.wait();
                let mut rng = Rng(99);
                while !shut.load(Ordering::SeqCst) {
                    let (serial, h) = &one_shots[rng.below(one_shots.len())];
                    if h.cancel() {
                        cancelled_true.lock().unwrap().push(*serial);
                    }
                }
            })
        };
        start.wait();
        spin_until("periodic ticks", || {
            ledger.ticks.load(Ordering::SeqCst) >= 200
        });
        rt.shutdown().unwrap();
        stopped.get_timeout(HANG).expect("stopped() resolves");
        ledger.after_stopped.store(true, Ordering::SeqCst);
        shut.store(true, Ordering::SeqCst);
        canceller.join().unwrap();
        for r in racers {
            let (k, e) = r.join().unwrap();
            assert_eq!(
                e,
                ScheduleError::RuntimeShutDown,
                "a racer's schedule failed after {k}"
            );
        }
    });
    assert_eq!(
        rt.pending_timers(),
        0,
        "shutdown dropped every pending timer"
    );
    assert!(!periodic.iter().any(Scheduled::is_pending));
    assert!(!one_shots.iter().any(|(_, h)| h.is_pending()));
    // After shutdown: refused, and the payload goes at once.
    let late = schedule_tell(&sinks[0], Payload::new(&ledger, false), Duration::ZERO);
    assert_eq!(late.unwrap_err(), ScheduleError::RuntimeShutDown);
    drop(rt);
    drop(sinks);
    assert_eq!(
        ledger.late.load(Ordering::SeqCst),
        0,
        "delivered after stopped()"
    );
    let delivered = ledger.delivered.lock().unwrap().clone();
    for serial in cancelled_true.lock().unwrap().iter() {
        assert!(
            !delivered.contains(serial),
            "one-shot {serial} delivered after cancel() returned true"
        );
    }
    assert_eq!(
        ledger.double_drops.load(Ordering::SeqCst),
        0,
        "payloads dropped twice"
    );
    assert_eq!(
        ledger.live.load(Ordering::SeqCst),
        0,
        "payloads never dropped ({} made, {} dropped)",
        ledger.next.load(Ordering::SeqCst),
        ledger.dropped.lock().unwrap().len()
    );
}
