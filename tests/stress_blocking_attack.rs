//! Attacks on the blocking guarantee ("any program that completes with one thread per actor
//! completes on a pool of any size, one thread included") with real programs rather than
//! small handlers: deep chains of handlers with large frames or large replies, a handler that
//! polls another actor in a loop, and wait-for records through inline runs.
//!
//! A stack overflow aborts the process, so the overflow tests run their bodies in a child
//! process. Every wait has a hang guard; nothing sleeps to synchronise.

mod common;

use common::{in_child, passes_in_child, snapshot_until, watchdog};
use pykka::{Actor, ActorRef, Context, Receive, Runtime};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::time::Duration;

const HANG: Duration = Duration::from_secs(30);

/// A link whose handler holds a large buffer on its stack across a blocking ask to the next.
struct Framed {
    next: Option<ActorRef<Framed>>,
}
impl Actor for Framed {}
impl Receive for Framed {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, depth: u32, _: &mut Context<Self>) -> u32 {
        let mut buf = [0u8; 80 << 10];
        std::hint::black_box(&mut buf);
        let reply = match &self.next {
            Some(next) => next.ask(depth + 1).get().expect("the next link answers"),
            None => depth,
        };
        buf[7] = reply as u8;
        std::hint::black_box(&buf);
        reply
    }
}

fn framed_chain(rt: &Runtime, len: usize) -> ActorRef<Framed> {
    let mut next = None;
    for _ in 0..len {
        next = Some(Framed { next }.start_in(rt));
    }
    next.unwrap()
}

#[test]
fn child_a_chain_of_200_handlers_with_80_kib_frames() {
    if !in_child() {
        return;
    }
    for threads in [1, 2, 8] {
        // 4 MiB: the release default. The level cap of 64 allowed 64 × 80 KiB = 5 MiB.
        let rt = Runtime::builder()
            .threads(threads)
            .stack_size(4 << 20)
            .build()
            .unwrap();
        let head = framed_chain(&rt, 200);
        assert_eq!(head.ask(0).get_timeout(HANG).unwrap(), 199);
        rt.shutdown().unwrap();
    }
}

/// 200 handlers, each holding 80 KiB on its stack while it blocks on the next: with a thread
/// per actor (2 MiB each) this completes; on one worker the nested inline runs must not
/// overflow the worker's stack: past what the stack can hold, the wait is handed to a spare
/// thread instead of run inline.
#[test]
fn a_chain_of_200_handlers_with_80_kib_frames_does_not_overflow() {
    assert!(
        passes_in_child("child_a_chain_of_200_handlers_with_80_kib_frames"),
        "the child process failed (a stack overflow aborts it)"
    );
}

const BIG: usize = 64 << 10;

/// A link that returns a 64 KiB reply, unboxed.
struct BigLink {
    next: Option<ActorRef<BigLink>>,
}
impl Actor for BigLink {}
impl Receive for BigLink {
    type Message = u32;
    type Reply = [u8; BIG];
    fn on_receive(&mut self, depth: u32, _: &mut Context<Self>) -> [u8; BIG] {
        let mut reply = match &self.next {
            Some(next) => next.ask(depth + 1).get().expect("the next link answers"),
            None => [0u8; BIG],
        };
        reply[depth as usize] = 1;
        reply
    }
}

#[test]
fn child_a_chain_of_40_handlers_with_64_kib_replies() {
    if !in_child() {
        return;
    }
    for (threads, stack) in [(1, None), (1, Some(4 << 20)), (2, Some(4 << 20)), (8, None)] {
        let b = Runtime::builder().threads(threads);
        let rt = match stack {
            Some(s) => b.stack_size(s),
            None => b,
        }
        .build()
        .unwrap();
        let mut next = None;
        for _ in 0..40 {
            next = Some(BigLink { next }.start_in(&rt));
        }
        let reply = next.unwrap().ask(0).get_timeout(HANG).unwrap();
        assert!(reply[..40].iter().all(|b| *b == 1));
        assert!(reply[40..].iter().all(|b| *b == 0));
        rt.shutdown().unwrap();
    }
}

/// 40 handlers, each returning a 64 KiB reply unboxed (each level once cost 385 KiB of stack
/// in release and 1155 KiB in debug, copied through the ask/answer path): completes on one
/// worker (and on 2 and 8).
#[test]
fn a_chain_of_40_handlers_with_64_kib_replies_does_not_overflow() {
    assert!(
        passes_in_child("child_a_chain_of_40_handlers_with_64_kib_replies"),
        "the child process failed (a stack overflow aborts it)"
    );
}

/// A flag: read it, or set it.
enum FlagMsg {
    Get,
    Set,
}
struct Flag(bool);
impl Actor for Flag {}
impl Receive for Flag {
    type Message = FlagMsg;
    type Reply = bool;
    fn on_receive(&mut self, m: FlagMsg, _: &mut Context<Self>) -> bool {
        if let FlagMsg::Set = m {
            self.0 = true;
        }
        self.0
    }
}

/// Loops on `flag.ask(Get).get()` until the flag is set; answers how many polls it took.
struct Poller {
    flag: ActorRef<Flag>,
    started: Sender<()>,
}
impl Actor for Poller {}
impl Receive for Poller {
    type Message = ();
    type Reply = u64;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> u64 {
        self.started.send(()).unwrap();
        let mut polls = 0;
        while !self.flag.ask(FlagMsg::Get).get().unwrap() {
            polls += 1;
        }
        polls
    }
}

/// Sets the flag when told.
struct Setter(ActorRef<Flag>);
impl Actor for Setter {}
impl Receive for Setter {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        self.0.tell(FlagMsg::Set).unwrap();
    }
}

/// As many handlers as workers poll a flag in a loop (each `get()` runs the idle flag actor
/// inline and succeeds, so the worker is never given up), and the actors that would set the
/// flags are queued behind them. With a thread per actor this completes at once; on the pool,
/// the queued actors must run.
#[test]
fn handlers_polling_another_actor_do_not_starve_the_queued_ones() {
    let _guard = watchdog("polling starvation", 120);
    for threads in [1, 2, 8] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let (started_tx, started) = channel();
        let mut polls = Vec::new();
        let mut setters = Vec::new();
        for _ in 0..threads {
            let flag = Flag(false).start_in(&rt);
            let poller = Poller {
                flag: flag.clone(),
                started: started_tx.clone(),
            }
            .start_in(&rt);
            polls.push(poller.ask(()));
            setters.push(Setter(flag).start_in(&rt));
        }
        for _ in 0..threads {
            started.recv_timeout(HANG).unwrap();
        }
        for s in &setters {
            s.tell(()).unwrap();
        }
        for p in polls {
            p.get_timeout(HANG).expect("the poller saw its flag set");
        }
        rt.shutdown().unwrap();
    }
}

/// A node of a three-actor cycle: asked, it asks `next` and blocks (the first time, after
/// `before` is received, if any), and passes on what it got.
struct CycleNode {
    next: Mutex<Option<ActorRef<CycleNode>>>,
    entered: Option<Sender<()>>,
    before: Option<Receiver<()>>,
}
impl Actor for CycleNode {}
impl Receive for CycleNode {
    type Message = ();
    type Reply = Result<u32, pykka::Error>;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Result<u32, pykka::Error> {
        // Only the first message waits for the go.
        if let Some(e) = self.entered.take() {
            e.send(()).unwrap();
        }
        if let Some(b) = self.before.take() {
            b.recv().unwrap();
        }
        let next = self.next.lock().unwrap().clone().unwrap();
        next.ask(()).get().and_then(|r| r)
    }
}

/// A → B → C → A on 2 workers, where A waits by running B inline and B then blocks on C
/// (running on the other worker), and C then asks A (whose handler is suspended beneath B's
/// inline run on the other thread). The snapshot shows A's wait too (A is not "running": it
/// waits for B), and C's ask, which would close the cycle through the inline run, is refused
/// with the cycle named, so that all three return instead of hanging.
#[test]
fn a_cycle_through_an_inline_run_is_recorded_and_refused() {
    let _guard = watchdog("cycle through an inline run", 60);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let (c_entered_tx, c_entered) = channel();
    let (c_go_tx, c_go) = channel();
    let c = CycleNode {
        next: Mutex::new(None),
        entered: Some(c_entered_tx),
        before: Some(c_go),
    }
    .start_in(&rt);
    let b = CycleNode {
        next: Mutex::new(Some(c.clone())),
        entered: None,
        before: None,
    }
    .start_in(&rt);
    let a = CycleNode {
        next: Mutex::new(Some(b.clone())),
        entered: None,
        before: None,
    }
    .start_in(&rt);
    let a2 = a.clone();
    c.proxy()
        .unwrap()
        .call(move |node: &mut CycleNode| *node.next.get_mut().unwrap() = Some(a2))
        .get_timeout(HANG)
        .unwrap();
    // C holds one worker (it waits for the go); A runs on the other and asks B, which is idle:
    // A's thread runs B inline, and B blocks on C.
    let fc = c.ask(());
    c_entered.recv_timeout(HANG).unwrap();
    let fa = a.ask(());
    let blocked = |s: &pykka::debug::Snapshot, who: &ActorRef<CycleNode>| {
        s.waits().iter().any(|(w, _)| *w == who.to_string())
    };
    let snap = snapshot_until(&rt, |s| blocked(s, &b));
    let mut waits = snap.waits();
    waits.sort();
    let mut expected = vec![
        (a.to_string(), b.to_string()),
        (b.to_string(), c.to_string()),
    ];
    expected.sort();
    assert_eq!(waits, expected, "{snap:#?}");
    // C now asks A: refused, naming C -> A -> B (-> C).
    c_go_tx.send(()).unwrap();
    let cycle = [c.to_string(), a.to_string(), b.to_string()];
    for (who, f) in [("C", fc), ("A", fa)] {
        match f.get_timeout(HANG).unwrap() {
            Err(pykka::Error::Deadlock(d)) => {
                assert_eq!(d.cycle(), cycle, "{who}: {d}");
                assert_eq!(d.awaited(), a.to_string());
            }
            other => panic!("{who}: expected the deadlock, got {other:?}"),
        }
    }
    // C's refused ask is still in A's mailbox (a refused `get()` does not take back the message
    // it waited for): A handles it once its first handler has returned, and waits for B again
    // for a moment. The records must all go once that chain has ended too (checking at once
    // failed about one run in ten: it saw that second, legitimate wait).
    snapshot_until(&rt, |s| s.waits().is_empty());
}
