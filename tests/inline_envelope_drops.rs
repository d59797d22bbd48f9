//! A message (or deferred closure) whose `Drop` panics, left unhandled on every path where the
//! library drops it, is dropped exactly once, never unwinds through a worker (on a one-thread
//! runtime, a dead worker would hang the echo that follows) and never aborts. Written by the
//! review of the inline envelopes: a job is now taken out of its envelope through `&mut`, where
//! a box used to be moved into the `catch`.

use pykka::{Actor, ActorRef, AsyncReceive, Context, Directive, Error, Receive, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(10);

struct Bomb(Arc<AtomicUsize>);
impl Drop for Bomb {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
        if !std::thread::panicking() {
            panic!("bomb in drop glue");
        }
    }
}

fn eventually(what: &str, f: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + GUARD;
    while !f() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        std::thread::yield_now();
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

fn alive(echo: &ActorRef<Echo>) {
    let r = echo.ask(7).get_timeout(GUARD);
    assert!(matches!(r, Ok(7)), "the worker is gone: {r:?}");
}

enum S {
    Block(Receiver<()>, Sender<()>),
    Go(Arc<AtomicUsize>),
    Bomb(Bomb),
}
struct Sink;
impl Actor for Sink {}
impl Receive for Sink {
    type Message = S;
    type Reply = ();
    fn on_receive(&mut self, m: S, ctx: &mut Context<Self>) {
        match m {
            S::Block(rx, started) => {
                started.send(()).unwrap();
                let _ = rx.recv();
            }
            S::Go(n) => {
                let me = ctx.actor_ref();
                ctx.stop();
                me.tell(S::Bomb(Bomb(n.clone()))).unwrap();
                drop(me.ask(S::Bomb(Bomb(n.clone()))));
                // A `Context::tell` to itself: handed back to a dead sender, dropped.
                ctx.tell(&me, S::Bomb(Bomb(n.clone()))).unwrap();
                let bomb = Bomb(n.clone());
                me.proxy()
                    .unwrap()
                    .defer(move |_| {
                        let _keep = &bomb;
                    })
                    .unwrap();
                let bomb = Bomb(n);
                drop(me.proxy().unwrap().call(move |_| {
                    let _keep = &bomb;
                }));
            }
            S::Bomb(b) => std::mem::forget(b),
        }
    }
}

/// Larger than the inline space: the boxed path of the `SmallBox`.
struct Big;
impl Actor for Big {}
impl Receive for Big {
    type Message = (Bomb, [u64; 16]);
    type Reply = ();
    fn on_receive(&mut self, m: (Bomb, [u64; 16]), _: &mut Context<Self>) {
        std::mem::forget(m);
    }
}

fn rt() -> Runtime {
    let rt = Runtime::builder().threads(1).build().unwrap();
    rt.set_quiet_panics(true);
    rt
}

/// Stop with leftovers: tell, ask, `Context::tell`, defer, call, all behind the stop.
#[test]
fn d1_leftovers_behind_a_stop() {
    let rt = rt();
    let echo = Echo.start_in(&rt);
    let n = Arc::new(AtomicUsize::new(0));
    let s = Sink.start_in(&rt);
    s.tell(S::Go(n.clone())).unwrap();
    eventually("5 bombs", || n.load(Ordering::SeqCst) == 5);
    alive(&echo);
}

/// Killed from outside while its handler runs: the queue is answered on the killer's thread;
/// then the worker finalises.
#[test]
fn d2_kill_with_queued_messages_small_and_boxed() {
    let rt = rt();
    let echo = Echo.start_in(&rt);
    let n = Arc::new(AtomicUsize::new(0));
    let s = Sink.start_in(&rt);
    let big = Big.start_in(&rt);
    let (tx, rx) = channel();
    let (stx, srx) = channel();
    s.tell(S::Block(rx, stx)).unwrap();
    srx.recv().unwrap();
    s.tell(S::Bomb(Bomb(n.clone()))).unwrap();
    let asked = s.ask(S::Bomb(Bomb(n.clone())));
    let bomb = Bomb(n.clone());
    s.proxy()
        .unwrap()
        .defer(move |_| {
            let _keep = &bomb;
        })
        .unwrap();
    big.tell((Bomb(n.clone()), [0; 16])).unwrap();
    big.tell((Bomb(n.clone()), [0; 16])).unwrap();
    s.kill();
    assert!(matches!(asked.get_timeout(GUARD), Err(Error::ActorDead(_))));
    big.kill();
    tx.send(()).unwrap();
    eventually("5 bombs", || n.load(Ordering::SeqCst) == 5);
    alive(&echo);
}

enum C {
    Panic,
    Bomb(Bomb),
}
struct Child;
impl Actor for Child {}
impl Receive for Child {
    type Message = C;
    type Reply = ();
    fn on_receive(&mut self, m: C, _: &mut Context<Self>) {
        match m {
            C::Panic => panic!("restart me"),
            C::Bomb(b) => std::mem::forget(b),
        }
    }
}
struct Sup;
impl Actor for Sup {}
impl Receive for Sup {
    type Message = ();
    type Reply = ActorRef<Child>;
    fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> ActorRef<Child> {
        ctx.child(|| Child)
            .on_panic(Directive::Restart)
            .backoff(Duration::from_secs(3600), Duration::from_secs(3600))
            .start()
    }
}

/// A restart's backoff holds the queue (the token with the timer); a kill answers it.
#[test]
fn d3_restart_backoff_then_kill() {
    let rt = rt();
    let echo = Echo.start_in(&rt);
    let n = Arc::new(AtomicUsize::new(0));
    let sup = Sup.start_in(&rt);
    let c = sup.ask(()).get_timeout(GUARD).unwrap();
    c.tell(C::Panic).unwrap();
    c.tell(C::Bomb(Bomb(n.clone()))).unwrap();
    drop(c.ask(C::Bomb(Bomb(n.clone()))));
    alive(&echo);
    c.kill();
    eventually("2 bombs", || n.load(Ordering::SeqCst) == 2);
    alive(&echo);
}

/// The same, ended by a shutdown: the timer drops the held token (`Held`'s drop kills).
#[test]
fn d4_restart_backoff_then_shutdown() {
    let rt = rt();
    let echo = Echo.start_in(&rt);
    let n = Arc::new(AtomicUsize::new(0));
    let sup = Sup.start_in(&rt);
    let c = sup.ask(()).get_timeout(GUARD).unwrap();
    c.tell(C::Panic).unwrap();
    c.tell(C::Bomb(Bomb(n.clone()))).unwrap();
    drop(c.ask(C::Bomb(Bomb(n.clone()))));
    alive(&echo);
    let _ = rt.shutdown_timeout(Duration::from_millis(300)).unwrap();
    eventually("2 bombs", || n.load(Ordering::SeqCst) == 2);
}

enum W {
    Wait(pykka::Future<()>),
    Bomb(Bomb),
}
struct Waiter;
impl Actor for Waiter {}
impl AsyncReceive for Waiter {
    type Message = W;
    type Reply = ();
    async fn on_receive(&mut self, m: W, _: &mut Context<Self>) {
        match m {
            W::Wait(f) => {
                let _ = f.await;
            }
            W::Bomb(b) => std::mem::forget(b),
        }
    }
}

/// A suspended async handler, messages queued behind it (async envelopes), then a kill; and a
/// stop queued behind one, then its promise dropped (the handler's future fails).
#[test]
fn d5_suspended_async_handler_then_kill() {
    let rt = rt();
    let echo = Echo.start_in(&rt);
    let n = Arc::new(AtomicUsize::new(0));
    let w = Waiter.start_in(&rt);
    let (p, f) = pykka::promise::<()>();
    w.tell(W::Wait(f)).unwrap();
    w.tell(W::Bomb(Bomb(n.clone()))).unwrap();
    let asked = w.ask(W::Bomb(Bomb(n.clone())));
    let bomb = Bomb(n.clone());
    w.proxy()
        .unwrap()
        .defer(move |_| {
            let _keep = &bomb;
        })
        .unwrap();
    alive(&echo);
    w.kill();
    assert!(matches!(asked.get_timeout(GUARD), Err(Error::ActorDead(_))));
    eventually("3 bombs", || n.load(Ordering::SeqCst) == 3);
    alive(&echo);
    drop(p);
}

/// A tell to a dead actor hands the message back, untouched.
#[test]
fn d6_a_tell_to_a_dead_actor_hands_the_message_back() {
    let rt = rt();
    let n = Arc::new(AtomicUsize::new(0));
    let s = Sink.start_in(&rt);
    assert!(s.stop());
    let e = s.tell(S::Bomb(Bomb(n.clone()))).unwrap_err();
    match e.into_inner() {
        S::Bomb(b) => std::mem::forget(b),
        _ => panic!("another message came back"),
    }
    let big = Big.start_in(&rt);
    assert!(big.stop());
    let e = big.tell((Bomb(n.clone()), [9; 16])).unwrap_err();
    let (b, words) = e.into_inner();
    assert_eq!(words, [9; 16]);
    std::mem::forget(b);
    assert_eq!(n.load(Ordering::SeqCst), 0);
}
