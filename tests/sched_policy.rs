//! The pool's scheduling policy (`sched::pool`, "Scheduling policy"): what it promises besides
//! speed. A chain does not starve outside work on one worker; a token stranded behind a long
//! activation is taken by another worker; an idle pool sleeps (nothing spins once all is done).
//! Every wait has a hang guard; no sleep synchronises anything; no timing is asserted.

mod common;

use common::{eventually, watchdog};
use pykka::{Actor, ActorRef, Context, Receive, Runtime};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const HANG: Duration = Duration::from_secs(20);

/// Bounces a ball with its peer until `stop` is set.
struct Bouncer {
    peer: Option<ActorRef<Bouncer>>,
    stop: Arc<AtomicBool>,
}
enum Bounce {
    Link(ActorRef<Bouncer>),
    Ball,
}
impl Actor for Bouncer {}
impl Receive for Bouncer {
    type Message = Bounce;
    type Reply = ();
    fn on_receive(&mut self, m: Bounce, _: &mut Context<Self>) {
        match m {
            Bounce::Link(p) => self.peer = Some(p),
            Bounce::Ball => {
                if !self.stop.load(Ordering::Relaxed) {
                    if let Some(p) = &self.peer {
                        let _ = p.tell(Bounce::Ball);
                    }
                }
            }
        }
    }
}

struct Echo;
impl Actor for Echo {}
impl Receive for Echo {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 {
        n
    }
}

/// On one worker, two actors that bounce a message for ever always have a next token in the
/// worker's own deque; an ask from outside the pool goes to the global queue. The worker reads
/// that queue at a bounded interval, so the ask is answered while the chain goes on. (Before:
/// the global queue was read only when the local deque was empty, and the ask waited for the
/// chain to end, here for ever.)
#[test]
fn an_outside_ask_is_answered_while_a_chain_runs_on_one_worker() {
    let _guard = watchdog("outside ask during a chain", 60);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let bouncer = || {
        Bouncer {
            peer: None,
            stop: stop.clone(),
        }
        .start_in(&rt)
    };
    let (x, y) = (bouncer(), bouncer());
    x.tell(Bounce::Link(y.clone())).unwrap();
    y.tell(Bounce::Link(x.clone())).unwrap();
    let echo = Echo.start_in(&rt);
    assert_eq!(echo.ask(0).get_timeout(HANG).unwrap(), 0);
    x.tell(Bounce::Ball).unwrap();
    for i in 1..=100 {
        let answer = echo.ask(i).get_timeout(HANG);
        assert_eq!(answer.ok(), Some(i), "ask {i} while the chain runs");
    }
    stop.store(true, Ordering::Relaxed);
    rt.shutdown().unwrap();
}

/// Computes for `before` (the workload: long enough for an idle worker to go back to sleep),
/// tells `b`, then computes until `b` has started (never returning if nobody takes `b`).
struct Teller {
    b: ActorRef<Flag>,
    started: Arc<AtomicBool>,
    before: Duration,
}
impl Actor for Teller {}
impl Receive for Teller {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        let t = std::time::Instant::now();
        while t.elapsed() < self.before {
            std::hint::spin_loop();
        }
        self.b.tell(()).unwrap();
        let deadline = std::time::Instant::now() + HANG;
        while !self.started.load(Ordering::Acquire) {
            assert!(
                std::time::Instant::now() < deadline,
                "hang guard: b never ran"
            );
            std::hint::spin_loop();
        }
        self.started.store(false, Ordering::Release);
    }
}

/// Sets its flag when it runs.
struct Flag(Arc<AtomicBool>);
impl Actor for Flag {}
impl Receive for Flag {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        self.0.store(true, Ordering::Release);
    }
}

/// The trap of not waking anyone for a handler's tell: the told actor's token sits in the
/// teller's deque while the teller computes. With a second worker, it must be taken by that
/// worker while the teller still computes (here the teller computes until it has been: a
/// stranded token would hang it). The teller first computes for 2 ms, so that a worker woken
/// with it has searched, found nothing and would be asleep by the time of the tell but for
/// the watchman (checked: with the watchman disabled, this hangs), and once with no delay.
#[test]
fn a_token_stranded_behind_a_long_activation_is_taken_by_another_worker() {
    let _guard = watchdog("tell then compute", 120);
    for threads in [2, 3] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let started = Arc::new(AtomicBool::new(false));
        let b = Flag(started.clone()).start_in(&rt);
        let a = Teller {
            b,
            started,
            before: Duration::from_millis(2),
        }
        .start_in(&rt);
        for _ in 0..200 {
            a.ask(()).get_timeout(HANG).unwrap();
        }
        rt.shutdown().unwrap();
    }
}

/// Once the work is done, every worker of an idle pool goes to sleep: none keeps watching or
/// spinning. (A watchman that took its role again as soon as it gave it up never slept, and
/// kept a core busy on an idle pool.)
#[test]
fn an_idle_pool_sleeps() {
    let _guard = watchdog("idle pool sleeps", 60);
    for threads in [2, 4] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let started = Arc::new(AtomicBool::new(false));
        let b = Flag(started.clone()).start_in(&rt);
        let a = Teller {
            b,
            started,
            before: Duration::ZERO,
        }
        .start_in(&rt);
        for _ in 0..50 {
            a.ask(()).get_timeout(HANG).unwrap();
        }
        eventually("every worker asleep", || {
            rt.snapshot().threads.sleeping == threads
        });
        rt.shutdown().unwrap();
    }
}
