//! Issue G, rule 4: scheduled messages. Each test has its own runtime.

mod common;

use common::watchdog;
use pykka::{
    schedule_tell, schedule_tell_periodic, Actor, ActorRef, Context, Receive, Runtime,
    ScheduleError, Scheduled,
};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

const HANG: Duration = Duration::from_secs(10);
const FAR: Duration = Duration::from_secs(3600);

fn rt() -> Runtime {
    Runtime::builder().threads(2).build().unwrap()
}

#[derive(Clone, Debug)]
enum Msg {
    Tick(u32),
    /// Keep this handle; cancel it at the `n`th tick.
    CancelAt(u32, std::sync::Arc<Scheduled>),
}

struct Ticker {
    out: Sender<u32>,
    ticks: u32,
    cancel: Option<(u32, std::sync::Arc<Scheduled>)>,
}
impl Actor for Ticker {}
impl Receive for Ticker {
    type Message = Msg;
    type Reply = ();
    fn on_receive(&mut self, m: Msg, _: &mut Context<Self>) {
        match m {
            Msg::Tick(n) => {
                self.ticks += 1;
                let _ = self.out.send(n);
                if let Some((at, s)) = &self.cancel {
                    if self.ticks == *at {
                        assert!(s.cancel(), "pending until cancelled");
                    }
                }
            }
            Msg::CancelAt(n, s) => self.cancel = Some((n, s)),
        }
    }
}

fn ticker(rt: &Runtime) -> (ActorRef<Ticker>, Receiver<u32>) {
    let (tx, rx) = channel();
    (
        Ticker {
            out: tx,
            ticks: 0,
            cancel: None,
        }
        .start_in(rt),
        rx,
    )
}

#[test]
fn g4_a_scheduled_tell_arrives_after_its_delay() {
    let _w = watchdog("g4 once", 30);
    let rt = rt();
    let (t, rx) = ticker(&rt);
    let delay = Duration::from_millis(20);
    let t0 = Instant::now();
    let s = schedule_tell(&t, Msg::Tick(7), delay).unwrap();
    assert_eq!(rx.recv_timeout(HANG).unwrap(), 7);
    assert!(t0.elapsed() >= delay, "never early");
    assert!(!s.is_pending());
    assert!(!s.cancel(), "already sent");
    assert_eq!(rt.pending_timers(), 0);
}

#[test]
fn g4_a_cancelled_tell_is_never_sent() {
    let _w = watchdog("g4 cancel", 30);
    let rt = rt();
    let (t, rx) = ticker(&rt);
    let s = schedule_tell(&t, Msg::Tick(1), FAR).unwrap();
    assert!(s.is_pending());
    assert_eq!(rt.pending_timers(), 1);
    assert!(s.cancel());
    assert!(!s.cancel(), "once");
    assert!(!s.is_pending());
    assert_eq!(rt.pending_timers(), 0);
    // A later timer still works, and the cancelled one never came.
    schedule_tell(&t, Msg::Tick(2), Duration::ZERO).unwrap();
    assert_eq!(rx.recv_timeout(HANG).unwrap(), 2);
    t.stop();
    assert!(rx.try_recv().is_err());
}

#[test]
fn g4_timers_fire_in_deadline_order() {
    let _w = watchdog("g4 order", 30);
    let rt = rt();
    let (t, rx) = ticker(&rt);
    for (n, ms) in [(3, 30), (1, 10), (2, 20)] {
        schedule_tell(&t, Msg::Tick(n), Duration::from_millis(ms)).unwrap();
    }
    let got: Vec<u32> = (0..3).map(|_| rx.recv_timeout(HANG).unwrap()).collect();
    assert_eq!(got, [1, 2, 3]);
}

#[test]
fn g4_a_periodic_tell_repeats_until_cancelled_from_inside_the_actor() {
    let _w = watchdog("g4 periodic", 30);
    let rt = rt();
    let (t, rx) = ticker(&rt);
    let s = std::sync::Arc::new(
        schedule_tell_periodic(&t, Msg::Tick(0), FAR, Duration::from_millis(2)).unwrap(),
    );
    // Tell the actor its handle before the first tick can come: cancel it.
    assert!(s.cancel());
    let s = std::sync::Arc::new(
        schedule_tell_periodic(
            &t,
            Msg::Tick(9),
            Duration::from_millis(5),
            Duration::from_millis(2),
        )
        .unwrap(),
    );
    t.ask(Msg::CancelAt(5, s.clone())).get().unwrap();
    for _ in 0..5 {
        assert_eq!(rx.recv_timeout(HANG).unwrap(), 9);
    }
    // Cancelled in the handler of the 5th. Ticks the timer sent while that handler ran may still
    // be queued around our marker 100 (seen on a loaded machine), but once the handler of 100
    // has run, the cancel has happened, so no tick can come after the marker 101.
    t.ask(Msg::Tick(100)).get().unwrap();
    assert!(!s.is_pending());
    assert_eq!(rt.pending_timers(), 0);
    t.ask(Msg::Tick(101)).get().unwrap();
    let mut rest = Vec::new();
    while let Ok(n) = rx.try_recv() {
        rest.push(n);
    }
    assert_eq!(
        rest.last(),
        Some(&101),
        "nothing after the last marker: {rest:?}"
    );
    assert!(
        rest.iter().all(|&n| n == 9 || n >= 100) && rest.contains(&100),
        "only ticks sent before the cancel, and the markers: {rest:?}"
    );
}

#[test]
fn g4_a_periodic_tell_ends_when_its_actor_dies() {
    let _w = watchdog("g4 dies", 30);
    let rt = rt();
    let (t, rx) = ticker(&rt);
    let s =
        schedule_tell_periodic(&t, Msg::Tick(1), Duration::ZERO, Duration::from_millis(1)).unwrap();
    rx.recv_timeout(HANG).unwrap();
    t.stop();
    // The next tick fails (one dead letter) and ends the timer.
    let _w2 = watchdog("g4 dies: timer ends", 30);
    while s.is_pending() {
        std::thread::yield_now();
    }
    assert_eq!(rt.pending_timers(), 0);
    // The failed tick, and any tick queued behind the stop.
    assert!(rt.dead_letter_count() >= 1);
}

#[test]
fn g4_bad_schedules_are_typed_errors() {
    let rt = rt();
    let (t, _) = ticker(&rt);
    assert_eq!(
        schedule_tell_periodic(&t, Msg::Tick(0), FAR, Duration::ZERO).unwrap_err(),
        ScheduleError::ZeroPeriod
    );
    assert_eq!(
        schedule_tell(&t, Msg::Tick(0), Duration::MAX).unwrap_err(),
        ScheduleError::DelayTooLong
    );
    rt.shutdown().unwrap();
    assert_eq!(
        schedule_tell(&t, Msg::Tick(0), Duration::ZERO).unwrap_err(),
        ScheduleError::RuntimeShutDown
    );
}

#[test]
fn g4_shutdown_drops_pending_timers() {
    let rt = rt();
    let (t, _) = ticker(&rt);
    let s = schedule_tell(&t, Msg::Tick(0), FAR).unwrap();
    rt.shutdown().unwrap();
    assert_eq!(rt.pending_timers(), 0);
    assert!(!s.is_pending());
    assert!(!s.cancel());
}

#[test]
fn g4_a_hundred_thousand_pending_timers_on_one_thread() {
    let _w = watchdog("g4 100k", 120);
    let rt = rt();
    let (t, rx) = ticker(&rt);
    let handles: Vec<Scheduled> = (0..100_000)
        .map(|i| schedule_tell(&t, Msg::Tick(i), FAR).unwrap())
        .collect();
    assert_eq!(rt.pending_timers(), 100_000);
    // A due timer is not delayed behind them.
    schedule_tell(&t, Msg::Tick(1), Duration::ZERO).unwrap();
    assert_eq!(rx.recv_timeout(HANG).unwrap(), 1);
    assert!(handles.iter().all(Scheduled::cancel));
    assert_eq!(rt.pending_timers(), 0);
}
