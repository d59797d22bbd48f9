//! Attacks on the runtime's promises: a runtime dropped from its own threads, killed dedicated
//! actors and their threads, user wakers that panic on a pool worker, and `Duration` extremes.
//! Every wait has a hang guard; no sleep synchronises anything.

mod common;

use common::{eventually, threads_named, watchdog};
use pykka::{schedule_tell, Actor, ActorRef, Context, Directive, Error, Receive, Runtime};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::task::{Context as TaskContext, Wake, Waker};
use std::time::Duration;

const HANG: Duration = Duration::from_secs(20);

/// Reports its `on_stop` and the drop of its value.
struct Witness {
    events: Sender<&'static str>,
}
impl Actor for Witness {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        let _ = self.events.send("on_stop");
    }
}
impl Drop for Witness {
    fn drop(&mut self) {
        let _ = self.events.send("dropped");
    }
}

/// Holds the last handle to its runtime and drops it when told (from `on_receive`), or at its
/// own stop (from `on_stop`).
struct Holder {
    rt: Option<Arc<Runtime>>,
}
impl Actor for Holder {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        drop(self.rt.take());
    }
}
impl Receive for Holder {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        drop(self.rt.take());
    }
}

/// The last handle to a private runtime dropped inside a handler, or inside `on_stop`, on one of
/// its own workers: the runtime shuts down as a drop elsewhere does. Other actors' `on_stop`
/// runs, their values are dropped, `is_alive` turns false, `stopped()` resolves, and the pool's
/// threads exit.
#[test]
fn a_runtime_dropped_on_its_own_worker_shuts_down() {
    let _guard = watchdog("runtime dropped on its own thread", 60);
    for (threads, in_on_stop) in [(1, false), (2, false), (1, true), (8, true)] {
        let name = format!("rtdrop{threads}{}", u8::from(in_on_stop));
        let rt = Arc::new(
            Runtime::builder()
                .threads(threads)
                .thread_name(name.clone())
                .build()
                .unwrap(),
        );
        let stopped = rt.stopped();
        let (tx, events) = channel();
        let witness = Witness { events: tx }.start_in(&rt);
        let holder = Holder {
            rt: Some(Arc::clone(&rt)),
        }
        .start_in(&rt);
        drop(rt);
        if in_on_stop {
            holder.stop();
        } else {
            holder.tell(()).unwrap();
        }
        assert_eq!(events.recv_timeout(HANG).unwrap(), "on_stop");
        assert_eq!(events.recv_timeout(HANG).unwrap(), "dropped");
        stopped.get_timeout(HANG).unwrap();
        assert!(!witness.is_alive());
        assert!(!holder.is_alive());
        eventually("the pool's threads exit", || threads_named(&name) == 0);
    }
}

struct KilledIdle;
impl Actor for KilledIdle {}

/// Killing idle dedicated actors ends their threads: each was waiting for a token that would
/// never come.
#[test]
fn killing_idle_dedicated_actors_ends_their_threads() {
    let _guard = watchdog("killed dedicated actors' threads", 60);
    let actors: Vec<_> = (0..200).map(|_| KilledIdle.start_dedicated()).collect();
    eventually("the threads start", || threads_named("KilledIdle-") >= 200);
    for a in &actors {
        a.kill();
    }
    assert!(actors.iter().all(|a| !a.is_alive()));
    eventually("the killed actors' threads exit", || {
        threads_named("KilledIdle-") == 0
    });
}

/// A waker that panics when woken (a user's async executor gone wrong).
struct PanickingWaker(AtomicUsize);
impl Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("waker panics on purpose");
    }
}

/// Polls `f` once with a panicking waker, so that the waker is stored in its slot.
fn poll_with_panicking_waker<T>(f: &mut pykka::Future<T>) -> Arc<PanickingWaker> {
    let w = Arc::new(PanickingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&w));
    let mut cx = TaskContext::from_waker(&waker);
    assert!(std::future::Future::poll(Pin::new(f), &mut cx).is_pending());
    w
}

enum Job {
    Hold(Sender<()>, pykka::Future<()>),
    Fail,
    Echo(u32),
}

struct Worker;
impl Actor for Worker {}
impl Receive for Worker {
    type Message = Job;
    type Reply = u32;
    fn on_receive(&mut self, j: Job, _: &mut Context<Self>) -> u32 {
        match j {
            Job::Hold(entered, release) => {
                entered.send(()).unwrap();
                release.get().unwrap();
                0
            }
            Job::Fail => panic!("the handler fails on purpose"),
            Job::Echo(n) => n,
        }
    }
}

/// The pool still runs actors on every worker.
fn assert_pool_alive(rt: &Runtime, threads: usize) {
    let echo = Worker.start_in(rt);
    for n in 0..(threads as u32 * 4) {
        assert_eq!(echo.ask(Job::Echo(n)).get_timeout(HANG).unwrap(), n);
    }
    assert!(echo.stop());
}

/// A task awaits a reply with a waker that panics; the reply is set on a pool worker (a
/// failed ask, and a stop request): the panic is caught there and the worker lives on.
#[test]
fn a_panicking_waker_does_not_kill_the_worker_that_wakes_it() {
    let _guard = watchdog("panicking waker", 60);
    for threads in [1, 2, 8] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let w = Worker.start_in(&rt);
        // An ask whose handler panics: the future fails with Panicked on the worker.
        let (entered_tx, entered) = channel();
        let (p, f) = pykka::promise();
        w.tell(Job::Hold(entered_tx, f)).unwrap();
        entered.recv_timeout(HANG).unwrap();
        let mut failing = w.ask(Job::Fail);
        let waker = poll_with_panicking_waker(&mut failing);
        // A stop request: its reply is set on the worker too.
        let mut stopping = w.request_stop();
        let stop_waker = poll_with_panicking_waker(&mut stopping);
        p.set(());
        assert!(matches!(failing.get_timeout(HANG), Err(Error::Panicked(_))));
        assert!(stopping.get_timeout(HANG).unwrap());
        assert_pool_alive(&rt, threads);
        rt.shutdown().unwrap();
        // Woken after the value was set, outside the slot's lock: done once the threads are.
        assert_eq!(waker.0.load(Ordering::SeqCst), 1);
        assert_eq!(stop_waker.0.load(Ordering::SeqCst), 1);
    }
}

/// `shutdown_timeout(Duration::MAX)` is a shutdown without a deadline, not an overflow.
#[test]
fn shutdown_timeout_duration_max_shuts_down_gracefully() {
    let _guard = watchdog("shutdown_timeout(MAX)", 60);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let (tx, events) = channel();
    let w = Witness { events: tx }.start_in(&rt);
    assert_eq!(rt.shutdown_timeout(Duration::MAX), Ok(true));
    assert_eq!(events.recv_timeout(HANG).unwrap(), "on_stop");
    assert!(!w.is_alive());
    assert_eq!(rt.shutdown_timeout(Duration::ZERO), Ok(true));
}

/// A child that panics on every tell.
struct Fragile(Arc<AtomicUsize>);
impl Actor for Fragile {
    fn on_start(&mut self, _: &mut Context<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
impl Receive for Fragile {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        panic!("fragile");
    }
}

struct Sup(Arc<AtomicUsize>, Duration);
impl Actor for Sup {}
impl Receive for Sup {
    type Message = ();
    type Reply = ActorRef<Fragile>;
    fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> ActorRef<Fragile> {
        let starts = Arc::clone(&self.0);
        ctx.child(move || Fragile(Arc::clone(&starts)))
            .on_panic(Directive::Restart)
            .backoff(self.1, self.1)
            .start()
    }
}

/// A restart backoff of `Duration::MAX` (and of zero) panics nothing: MAX waits "for ever"
/// (a century) holding no thread, until the child is killed; zero restarts at once.
#[test]
fn backoff_duration_max_and_zero_do_not_panic_the_worker() {
    let _guard = watchdog("backoff(MAX, MAX)", 60);
    for threads in [1, 2, 8] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let starts = Arc::new(AtomicUsize::new(0));
        let sup = Sup(Arc::clone(&starts), Duration::MAX).start_in(&rt);
        let child = sup.ask(()).get_timeout(HANG).unwrap();
        child.tell(()).unwrap();
        // The restart waits: the child holds its token in the timer, no thread.
        eventually("the backoff began", || rt.pending_timers() == 1);
        assert_pool_alive(&rt, threads);
        assert_eq!(rt.thread_count(), threads);
        assert!(child.is_alive());
        assert_eq!(starts.load(Ordering::SeqCst), 1, "not restarted yet");
        child.kill();
        assert!(!child.is_alive());

        let zero = Sup(Arc::clone(&starts), Duration::ZERO).start_in(&rt);
        let child = zero.ask(()).get_timeout(HANG).unwrap();
        child.tell(()).unwrap();
        eventually("restarted at once", || starts.load(Ordering::SeqCst) == 3);
        assert!(child.is_alive());
        rt.shutdown().unwrap();
    }
}

/// Fails on any non-zero message: supervised with a short backoff.
struct Brittle;
impl Actor for Brittle {}
impl Receive for Brittle {
    type Message = u32;
    type Reply = ();
    fn on_receive(&mut self, m: u32, _: &mut Context<Self>) {
        assert_eq!(m, 0, "brittle");
    }
}

struct BrittleSup;
impl Actor for BrittleSup {}
impl Receive for BrittleSup {
    type Message = ();
    type Reply = ActorRef<Brittle>;
    fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> ActorRef<Brittle> {
        let backoff = Duration::from_millis(200);
        ctx.child(|| Brittle)
            .on_panic(Directive::Restart)
            .backoff(backoff, backoff)
            .start()
    }
}

/// Its message carries a runtime handle.
struct Carrier;
impl Actor for Carrier {}
impl Receive for Carrier {
    type Message = Option<Arc<Runtime>>;
    type Reply = ();
    fn on_receive(&mut self, _: Option<Arc<Runtime>>, _: &mut Context<Self>) {}
}

/// The timer thread is one of the runtime's own threads. The last handle of a runtime dropped
/// there (a scheduled message to a dead actor carried it) shuts it down on a thread of its own:
/// run on the timer thread, the shutdown waited for a child's restart backoff that only that
/// thread could end, for ever. And `shutdown`/`join` called there (from a dead-letter
/// subscriber) are `RuntimeError::OwnThread`.
#[test]
fn a_runtime_dropped_on_its_timer_thread_shuts_down() {
    let _guard = watchdog("runtime dropped on its timer thread", 60);
    let rt = Arc::new(Runtime::builder().threads(2).build().unwrap());
    let stopped = rt.stopped();
    let (tx, from_timer) = channel();
    let weak = Arc::downgrade(&rt);
    let sub = rt.subscribe_dead_letters(move |_| {
        if let Some(rt) = weak.upgrade() {
            let _ = tx.send((rt.shutdown(), rt.join()));
        }
    });
    let sup = BrittleSup.start_in(&rt);
    let child = sup.ask(()).get_timeout(HANG).unwrap();
    let carrier = Carrier.start_in(&rt);
    assert!(carrier.stop());
    // A scheduled tell to the dead carrier: a dead letter on the timer thread.
    schedule_tell(&carrier, None, Duration::ZERO).unwrap();
    let (shutdown, join) = from_timer.recv_timeout(HANG).unwrap();
    assert_eq!(shutdown, Err(pykka::RuntimeError::OwnThread));
    assert_eq!(join, Err(pykka::RuntimeError::OwnThread));
    drop(sub);
    // The child fails: its restart waits out the backoff in the timer.
    child.tell(1).unwrap();
    eventually("the backoff began", || rt.pending_timers() == 1);
    // The last handle travels in a message to the dead carrier, dropped on the timer thread.
    schedule_tell(&carrier, Some(rt), Duration::ZERO).unwrap();
    stopped
        .get_timeout(HANG)
        .expect("the runtime finished shutting down");
    assert!(!child.is_alive());
    assert!(!sup.is_alive());
}

/// Blocks in its handler on a future from outside, after saying it has begun.
struct Blocker {
    began: Sender<()>,
    until: Option<pykka::Future<()>>,
}
impl Actor for Blocker {}
impl Receive for Blocker {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        self.began.send(()).unwrap();
        if let Some(f) = self.until.take() {
            let _ = f.get();
        }
    }
}

/// A pool thread that gave its run queue to a spare to block in a handler, and comes back only
/// after the shutdown flag is set, leaves the live-thread count like every other pool thread:
/// after the shutdown, no pool thread is counted.
#[test]
fn a_thread_blocked_through_a_shutdown_leaves_the_thread_count() {
    let _guard = watchdog("thread blocked through a shutdown", 60);
    let rt = Arc::new(Runtime::builder().threads(1).build().unwrap());
    let (release, until) = pykka::promise::<()>();
    let (began, began_rx) = channel();
    let blocker = Blocker {
        began,
        until: Some(until),
    }
    .start_in(&rt);
    blocker.tell(()).unwrap();
    began_rx.recv_timeout(HANG).unwrap();
    // The blocked worker handed its slot to a spare: two pool threads.
    eventually("a spare took the slot", || {
        rt.snapshot().threads.live_threads == 2
    });
    let rt2 = Arc::clone(&rt);
    let shutdown = std::thread::spawn(move || rt2.shutdown_timeout(Duration::ZERO));
    // The flag is set once the spare has left: only the blocked thread is counted.
    eventually("the spare left at shutdown", || {
        rt.snapshot().threads.live_threads == 1
    });
    release.set(());
    let _ = shutdown.join().unwrap();
    assert_eq!(
        rt.snapshot().threads.live_threads,
        0,
        "{:?}",
        rt.snapshot().threads
    );
}
