//! Regression tests from the review of the concurrency core (2026-11-22). Each test
//! demonstrated one bug, now fixed; every wait has a generous timeout that is a hang guard only
//! (a hang shows as a failure, not as a stuck run).

use pykka::{promise, Actor, ActorRef, Context, Error, Future, Promise, Receive, Runtime};
use std::sync::mpsc;
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(10);

/// Tests whose pool may end up dead leak their runtime: `Drop` would call `shutdown`, whose
/// blocking `stop_all` hangs on a dead pool (and would hide the failure behind a hang).
fn leak(rt: Runtime) -> &'static Runtime {
    Box::leak(Box::new(rt))
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

/// Sets the promises it is told.
struct Setter;
impl Actor for Setter {}
impl Receive for Setter {
    type Message = Promise<()>;
    type Reply = ();
    fn on_receive(&mut self, p: Promise<()>, _: &mut Context<Self>) {
        p.set(());
    }
}

/// Blocks on a promise that only `setter` (queued behind it on the same slot) can set: forces
/// the compensation path (slot handed to a spare) deterministically, on one thread.
struct Blocker {
    setter: ActorRef<Setter>,
}
impl Actor for Blocker {}
impl Receive for Blocker {
    type Message = ();
    type Reply = Result<(), Error>;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Result<(), Error> {
        let (p, f) = promise::<()>();
        self.setter.tell(p).unwrap();
        f.get()
    }
}

// ---------------------------------------------------------------------------------------------
// Finding 1: `idle_spare` computes `Instant::now() + spare_keep_alive`, which panics for a large
// keep-alive (Duration::MAX = "keep spares forever"). The panic happens after the thread pushed
// its SpareSignal onto `spares.idle`, so the dead thread's signal stays there; the next blocking
// `get()` hands its slot to that dead thread. With threads(1) the pool has no slot left.
// ---------------------------------------------------------------------------------------------
#[test]
fn f1_huge_spare_keep_alive_kills_spares_and_strands_the_slot() {
    let rt = leak(
        Runtime::builder()
            .threads(1)
            .spare_keep_alive(Duration::MAX)
            .build()
            .unwrap(),
    );
    let setter = Setter.start_in(rt);
    let blocker = Blocker { setter }.start_in(rt);
    let echo = Echo.start_in(rt);
    for round in 0..20 {
        // Each round a handler blocks and hands its slot on; the thread that blocked in the
        // previous round went idle (and, with the bug, died after registering as idle).
        let r = blocker.ask(()).get_timeout(GUARD);
        assert!(
            matches!(r, Ok(Ok(()))),
            "round {round}: blocking ask not answered: {r:?}"
        );
    }
    assert_eq!(echo.ask(5).get_timeout(GUARD).unwrap(), 5);
}

// ---------------------------------------------------------------------------------------------
// Finding 2: user `Drop` code on the ask path runs outside `catch_unwind`. Here an ask left in
// the mailbox when the actor stops is answered by `answer_all` -> `job.fail(..)`, which drops the
// message; its `Drop` panics and unwinds out of `Cell::run`, killing the worker thread while it
// holds the actor's claim and the pool's only slot. (Same for a reply value whose `Drop` panics
// when the asker dropped its future: `Promise::set` drops the last `Arc<Slot>`.)
// ---------------------------------------------------------------------------------------------
struct Bomb;
impl Drop for Bomb {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("Bomb dropped");
        }
    }
}

enum DMsg {
    Go,
    Bomb(Bomb),
}

struct Doomed;
impl Actor for Doomed {}
impl Receive for Doomed {
    type Message = DMsg;
    type Reply = ();
    fn on_receive(&mut self, m: DMsg, ctx: &mut Context<Self>) {
        match m {
            DMsg::Go => {
                // Queue: [Stop, Ask(Bomb)]. The ask is answered ActorDead by answer_all.
                ctx.stop();
                drop(ctx.actor_ref().ask(DMsg::Bomb(Bomb)));
            }
            DMsg::Bomb(b) => std::mem::forget(b),
        }
    }
}

#[test]
fn f2_panicking_drop_of_an_unanswered_ask_kills_the_worker() {
    let rt = leak(Runtime::builder().threads(1).build().unwrap());
    let echo = Echo.start_in(rt);
    let d = Doomed.start_in(rt);
    d.ask(DMsg::Go).get_timeout(GUARD).unwrap();
    // The library promises to contain panics at the actor boundary; the pool must live on.
    let r = echo.ask(1).get_timeout(GUARD);
    assert!(
        matches!(r, Ok(1)),
        "pool dead after a panicking Drop: {r:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Finding 3a: `shutdown` only abandons *registered* actors. An actor that was unregistered (a
// public API) stays open: after shutdown an ask is accepted, its token goes to the injector, no
// thread will ever run it, and the future never resolves (and `join` never returns).
// ---------------------------------------------------------------------------------------------
#[test]
fn f3a_ask_to_unregistered_actor_after_shutdown_is_never_answered() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let a = Echo.start_in(&rt);
    assert_eq!(a.ask(1).get_timeout(GUARD).unwrap(), 1);
    rt.unregister(&a);
    rt.shutdown().unwrap();
    let r = a.ask(2).get_timeout(GUARD);
    assert!(
        matches!(r, Err(Error::ActorDead(_))),
        "expected ActorDead after shutdown, got {r:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Finding 3b: same root cause, worse effect: a handler blocked in `get()` on an actor whose token
// is resubmitted after the shutdown flag is set waits forever, and `shutdown` hangs in
// `join_threads` on that handler's thread.
// ---------------------------------------------------------------------------------------------
enum GMsg {
    Hold(Future<()>, Promise<()>),
    Ping,
}
struct Gatekeeper;
impl Actor for Gatekeeper {}
impl Receive for Gatekeeper {
    type Message = GMsg;
    type Reply = u32;
    fn on_receive(&mut self, m: GMsg, _: &mut Context<Self>) -> u32 {
        match m {
            GMsg::Hold(gate, holding) => {
                holding.set(());
                let _ = gate.get();
                0
            }
            GMsg::Ping => 7,
        }
    }
}

struct Asker {
    b: ActorRef<Gatekeeper>,
}
impl Actor for Asker {}
impl Receive for Asker {
    type Message = Promise<()>;
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, asked: Promise<()>, _: &mut Context<Self>) -> Result<u32, Error> {
        let f = self.b.ask(GMsg::Ping); // queued behind Hold
        asked.set(());
        f.get()
    }
}

struct Probe;
impl Actor for Probe {
    const USE_DAEMON_THREAD: bool = true;
}

#[test]
fn f3b_shutdown_hangs_when_a_handler_waits_on_a_stranded_token() {
    let rt: &'static Runtime = leak(Runtime::builder().threads(1).throughput(1).build().unwrap());
    let b = Gatekeeper.start_in(rt);
    let a = Asker { b: b.clone() }.start_in(rt);
    rt.unregister(&a);
    rt.unregister(&b);
    let (gate_p, gate_f) = promise::<()>();
    let (holding_p, holding_f) = promise::<()>();
    let _held = b.ask(GMsg::Hold(gate_f, holding_p));
    holding_f.get_timeout(GUARD).unwrap(); // B is inside Hold (its claim is held)
    let (asked_p, asked_f) = promise::<()>();
    let _a_reply = a.ask(asked_p);
    asked_f.get_timeout(GUARD).unwrap(); // Ping is queued; A is about to wait for it

    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = rt.shutdown();
        let _ = done_tx.send(());
    });
    // Wait (spinning, no sleep) until the shutdown flag is set: probes are then born dead.
    loop {
        if !Probe.start_in(rt).is_alive() {
            break;
        }
        std::thread::yield_now();
    }
    // B's Hold returns; its budget is spent, so Ping's token is resubmitted, after the flag.
    gate_p.set(());
    assert!(
        done_rx.recv_timeout(GUARD).is_ok(),
        "Runtime::shutdown hung: a handler waits for a token no worker will run"
    );
}

// ---------------------------------------------------------------------------------------------
// Finding 4: a spare that retires after its keep-alive leaves its JoinHandle in `handles` until
// the runtime shuts down, so the exited thread is never joined or detached and its stack stays
// mapped. With a pool that lives for the program (the global one), every burst of blocking asks
// spaced more than `spare_keep_alive` apart leaks one stack per spare.
// ---------------------------------------------------------------------------------------------
fn vm_size_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = s.lines().find(|l| l.starts_with("VmSize:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn f4_retired_spares_are_never_joined_and_keep_their_stacks() {
    const STACK: usize = 32 << 20;
    const ROUNDS: usize = 64;
    let rt = Runtime::builder()
        .threads(1)
        .spare_keep_alive(Duration::ZERO)
        .stack_size(STACK)
        .build()
        .unwrap();
    let setter = Setter.start_in(&rt);
    let blocker = Blocker { setter }.start_in(&rt);
    let before = vm_size_kib();
    for _ in 0..ROUNDS {
        blocker.ask(()).get_timeout(GUARD).unwrap().unwrap();
    }
    let grown_mib = (vm_size_kib().saturating_sub(before)) / 1024;
    let live = rt.thread_count();
    // Live pool threads stay few (spares retire at once), so their stacks should account for
    // at most a few STACKs of growth, not one per spare ever started.
    assert!(
        grown_mib < 16 * (STACK as u64 >> 20),
        "address space grew by {grown_mib} MiB over {ROUNDS} rounds with only {live} live pool \
         threads: retired spares' stacks are never released"
    );
}

// ---------------------------------------------------------------------------------------------
// Finding 3c: same root cause via `Drop for Runtime` on one of its own threads: only
// `begin_shutdown` runs, nothing is stopped or abandoned, so every actor of the runtime stays
// open and its asks are queued for threads that have exited. (Since then such a drop shuts the
// runtime down on a thread of its own: an ask sent meanwhile is answered or fails ActorDead,
// and once `stopped()` resolves every ask fails ActorDead.)
// ---------------------------------------------------------------------------------------------
struct Holder;
impl Actor for Holder {}
impl Receive for Holder {
    type Message = Option<Runtime>;
    type Reply = ();
    fn on_receive(&mut self, rt: Option<Runtime>, _: &mut Context<Self>) {
        drop(rt); // the last handle, dropped on its own pool thread
    }
}

#[test]
fn f3c_runtime_dropped_on_its_own_thread_leaves_asks_unanswered() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let stopped = rt.stopped();
    let echo = Echo.start_in(&rt);
    let holder = Holder.start_in(&rt);
    holder.ask(Some(rt)).get_timeout(GUARD).unwrap();
    let r = echo.ask(3).get_timeout(GUARD);
    assert!(
        matches!(r, Ok(3) | Err(Error::ActorDead(_))),
        "expected an answer or ActorDead from a runtime shutting down, got {r:?}"
    );
    stopped.get_timeout(GUARD).unwrap();
    let r = echo.ask(3).get_timeout(GUARD);
    assert!(
        matches!(r, Err(Error::ActorDead(_))),
        "expected ActorDead from a runtime that is gone, got {r:?}"
    );
}
