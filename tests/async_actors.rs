//! Async handlers (`AsyncReceive`): they await without holding a pool thread, keep one message
//! at a time and mailbox order, fail as sync handlers do, and end cleanly when stopped or
//! killed while suspended. Timeouts are hang guards only; nothing sleeps to synchronise.

mod common;

use common::watchdog;
use pykka::{
    Actor, ActorRef, AsyncReceive, Context, Error, Failure, Future, Promise, Receive, Runtime,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(30);

/// A sync actor that answers at once.
struct Doubler;
impl Actor for Doubler {}
impl Receive for Doubler {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 {
        n * 2
    }
}

enum Msg {
    /// Await this future (set by the test), then record `tag`.
    Wait(Future<u32>, &'static str),
    /// Record `tag` at once.
    Mark(&'static str),
    /// Ask the doubler and record the answer.
    Double(u32),
    /// Panic (after an await).
    Panic,
    /// Sleep on the runtime's timer.
    Sleep(Duration),
}

/// An async actor recording what it handled, in order.
struct Recorder {
    log: Arc<Mutex<Vec<String>>>,
    doubler: Option<ActorRef<Doubler>>,
    failures: Option<Sender<String>>,
    dropped: Arc<AtomicUsize>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

impl Actor for Recorder {
    fn on_failure(&mut self, failure: &Failure, _: &mut Context<Self>) {
        if let Some(f) = &self.failures {
            let _ = f.send(failure.message().to_owned());
        }
    }
}

impl AsyncReceive for Recorder {
    type Message = Msg;
    type Reply = u32;
    async fn on_receive(&mut self, m: Msg, ctx: &mut Context<Self>) -> u32 {
        let entry = match m {
            Msg::Wait(f, tag) => format!("{tag}={}", f.await.unwrap_or(0)),
            Msg::Mark(tag) => tag.to_owned(),
            Msg::Double(n) => {
                let d = self.doubler.as_ref().unwrap().ask(n).await.unwrap();
                format!("double={d}")
            }
            Msg::Panic => {
                ctx.sleep(Duration::ZERO).await.unwrap();
                panic!("async boom");
            }
            Msg::Sleep(d) => {
                ctx.sleep(d).await.unwrap();
                "slept".to_owned()
            }
        };
        let mut log = self.log.lock().unwrap();
        log.push(entry);
        log.len() as u32
    }
}

fn recorder(
    rt: &Runtime,
) -> (
    ActorRef<Recorder>,
    Arc<Mutex<Vec<String>>>,
    Arc<AtomicUsize>,
) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let dropped = Arc::new(AtomicUsize::new(0));
    let doubler = Doubler.start_in(rt);
    let r = Recorder {
        log: Arc::clone(&log),
        doubler: Some(doubler),
        failures: None,
        dropped: Arc::clone(&dropped),
    }
    .start_in(rt);
    (r, log, dropped)
}

#[test]
fn a_suspended_handler_holds_no_thread_and_keeps_mailbox_order() {
    let _guard = watchdog("suspended handler order", 60);
    // One worker: if the suspended handler held it, the doubler could never answer.
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (rec, log, _) = recorder(&rt);
    let (gate, gated) = pykka::promise::<u32>();
    let first = rec.ask(Msg::Wait(gated, "first"));
    rec.tell(Msg::Mark("second")).unwrap();
    let third = rec.ask(Msg::Double(21));
    // While `first` waits, the worker is free: another actor answers.
    let other = Doubler.start_in(&rt);
    for i in 0..100 {
        assert_eq!(other.ask(i).get_timeout(GUARD).unwrap(), i * 2);
    }
    // Nothing behind the suspended message has run, and the snapshot says it is suspended.
    assert!(log.lock().unwrap().is_empty());
    assert!(!third.is_ready());
    let snap = rt.snapshot();
    let state = snap
        .actors
        .iter()
        .find(|a| a.urn == rec.actor_urn())
        .map(|a| a.state.clone());
    assert_eq!(
        state,
        Some(pykka::debug::ActorState::Suspended),
        "{snap:#?}"
    );
    gate.set(7);
    assert_eq!(first.get_timeout(GUARD).unwrap(), 1);
    assert_eq!(third.get_timeout(GUARD).unwrap(), 3);
    assert_eq!(*log.lock().unwrap(), ["first=7", "second", "double=42"]);
    rt.shutdown().unwrap();
}

#[test]
fn async_handlers_work_on_every_pool_size_and_dedicated() {
    let _guard = watchdog("async on pools", 120);
    for threads in [1, 2, 8] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let (rec, log, _) = recorder(&rt);
        let replies: Vec<_> = (0..200).map(|i| rec.ask(Msg::Double(i))).collect();
        for (i, r) in replies.into_iter().enumerate() {
            assert_eq!(r.get_timeout(GUARD).unwrap(), i as u32 + 1);
        }
        assert_eq!(log.lock().unwrap().len(), 200);
        rt.shutdown().unwrap();
    }
    let log = Arc::new(Mutex::new(Vec::new()));
    let rec = Recorder {
        log: Arc::clone(&log),
        doubler: Some(Doubler.start()),
        failures: None,
        dropped: Arc::default(),
    }
    .start_dedicated();
    assert_eq!(rec.ask(Msg::Double(4)).get_timeout(GUARD).unwrap(), 1);
    assert_eq!(
        rec.ask(Msg::Sleep(Duration::from_millis(1)))
            .get_timeout(GUARD)
            .unwrap(),
        2
    );
    assert_eq!(*log.lock().unwrap(), ["double=8", "slept"]);
    assert!(rec.stop());
}

#[test]
fn many_actors_suspended_on_timers_need_one_worker() {
    let _guard = watchdog("suspended on timers", 120);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (tx, rx) = channel();
    let actors: Vec<_> = (0..2_000)
        .map(|_| {
            Recorder {
                log: Arc::default(),
                doubler: None,
                failures: None,
                dropped: Arc::default(),
            }
            .start_in(&rt)
        })
        .collect();
    let replies: Vec<_> = actors
        .iter()
        .map(|a| a.ask(Msg::Sleep(Duration::from_millis(20))))
        .collect();
    // All of them are suspended at once on one worker, and the worker still answers.
    let d = Doubler.start_in(&rt);
    assert_eq!(d.ask(1).get_timeout(GUARD).unwrap(), 2);
    assert_eq!(rt.thread_count(), 1);
    for r in replies {
        tx.send(r.get_timeout(GUARD).unwrap()).unwrap();
    }
    assert_eq!(rx.try_iter().filter(|&n| n == 1).count(), 2_000);
    rt.shutdown().unwrap();
}

#[test]
fn a_panic_in_an_async_ask_fails_the_caller_and_the_actor_lives_on() {
    let rt = Runtime::builder()
        .threads(1)
        .quiet_panics(true)
        .build()
        .unwrap();
    let (rec, log, dropped) = recorder(&rt);
    rec.tell(Msg::Mark("before")).unwrap();
    match rec.ask(Msg::Panic).get_timeout(GUARD) {
        Err(Error::Panicked(f)) => assert_eq!(f.message(), "async boom"),
        other => panic!("expected the panic, got {other:?}"),
    }
    // The same value handles the next message: its state is kept.
    assert_eq!(rec.ask(Msg::Mark("after")).get_timeout(GUARD).unwrap(), 2);
    assert_eq!(*log.lock().unwrap(), ["before", "after"]);
    assert_eq!(dropped.load(Ordering::SeqCst), 0);
    rt.shutdown().unwrap();
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
}

#[test]
fn a_panic_in_an_async_tell_stops_the_actor_and_runs_on_failure() {
    let rt = Runtime::builder()
        .threads(1)
        .quiet_panics(true)
        .build()
        .unwrap();
    let (tx, rx) = channel();
    let dropped = Arc::new(AtomicUsize::new(0));
    let rec = Recorder {
        log: Arc::default(),
        doubler: None,
        failures: Some(tx),
        dropped: Arc::clone(&dropped),
    }
    .start_in(&rt);
    rec.tell(Msg::Panic).unwrap();
    let queued = rec.ask(Msg::Mark("never"));
    assert_eq!(rx.recv_timeout(GUARD).unwrap(), "async boom");
    assert!(matches!(
        queued.get_timeout(GUARD),
        Err(Error::ActorDead(_))
    ));
    common::eventually("the value is dropped", || {
        dropped.load(Ordering::SeqCst) == 1
    });
    assert!(!rec.is_alive());
    rt.shutdown().unwrap();
}

#[test]
fn a_kill_while_suspended_fails_the_waiting_ask_and_drops_the_value_once() {
    let _guard = watchdog("kill while suspended", 60);
    for threads in [1, 2] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let (rec, log, dropped) = recorder(&rt);
        let (gate, gated) = pykka::promise::<u32>();
        let suspended = rec.ask(Msg::Wait(gated, "never"));
        let queued = rec.ask(Msg::Mark("never either"));
        // Wait until it is suspended: the doubler it does not use answers, and the first ask
        // is still pending (it awaits the gate).
        common::eventually("suspended", || {
            rt.snapshot()
                .actors
                .iter()
                .any(|a| a.urn == rec.actor_urn() && a.mailbox_len == 1)
        });
        rec.kill();
        assert!(matches!(
            suspended.get_timeout(GUARD),
            Err(Error::ActorDead(_))
        ));
        assert!(matches!(
            queued.get_timeout(GUARD),
            Err(Error::ActorDead(_))
        ));
        common::eventually("the value is dropped", || {
            dropped.load(Ordering::SeqCst) == 1
        });
        // The waker fires after the actor died: nothing happens, nothing breaks.
        gate.set(1);
        assert!(log.lock().unwrap().is_empty());
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
        rt.shutdown().unwrap();
    }
}

#[test]
fn a_stop_waits_for_the_suspended_handler_and_shutdown_timeout_kills_it() {
    let _guard = watchdog("stop while suspended", 60);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (rec, log, dropped) = recorder(&rt);
    let (gate, gated) = pykka::promise::<u32>();
    let first = rec.ask(Msg::Wait(gated, "first"));
    let stopped = rec.request_stop();
    // A waker fired from a foreign thread resumes it; the stop runs after.
    std::thread::spawn(move || gate.set(3));
    assert_eq!(first.get_timeout(GUARD).unwrap(), 1);
    assert!(stopped.get_timeout(GUARD).unwrap());
    assert_eq!(*log.lock().unwrap(), ["first=3"]);
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
    // A handler suspended for ever: shutdown_timeout kills it.
    let (rec, _, dropped) = recorder(&rt);
    let (_gate, gated) = pykka::promise::<u32>();
    let stuck = rec.ask(Msg::Wait(gated, "stuck"));
    assert_eq!(rt.shutdown_timeout(Duration::from_millis(50)), Ok(false));
    assert!(matches!(stuck.get_timeout(GUARD), Err(Error::ActorDead(_))));
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
}

/// A sync actor whose handler blocks in `get()` on an async actor's reply.
struct Blocker {
    target: ActorRef<Recorder>,
}
impl Actor for Blocker {}
impl Receive for Blocker {
    type Message = Future<u32>;
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, gate: Future<u32>, _: &mut Context<Self>) -> Result<u32, Error> {
        self.target
            .ask(Msg::Wait(gate, "from a blocked handler"))
            .get()
    }
}

#[test]
fn a_sync_handler_blocking_on_a_suspended_async_reply_keeps_the_pool_live() {
    let _guard = watchdog("blocking on async", 60);
    // One worker: the blocked handler runs the async actor inline, which suspends; the
    // worker's place goes to a spare, and the setter (another actor) still runs.
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (rec, log, _) = recorder(&rt);
    let blocker = Blocker {
        target: rec.clone(),
    }
    .start_in(&rt);
    let (gate, gated) = pykka::promise::<u32>();
    let reply = blocker.ask(gated);
    struct Setter(Option<Promise<u32>>);
    impl Actor for Setter {}
    impl Receive for Setter {
        type Message = ();
        type Reply = ();
        fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
            if let Some(p) = self.0.take() {
                p.set(5);
            }
        }
    }
    let setter = Setter(Some(gate)).start_in(&rt);
    setter.ask(()).get_timeout(GUARD).unwrap();
    assert_eq!(reply.get_timeout(GUARD).unwrap().unwrap(), 1);
    assert_eq!(*log.lock().unwrap(), ["from a blocked handler=5"]);
    rt.shutdown().unwrap();
}

/// An async handler that blocks in `get()` (allowed; it holds its thread while it does).
struct BlockingInsideAsync {
    doubler: ActorRef<Doubler>,
}
impl Actor for BlockingInsideAsync {}
impl AsyncReceive for BlockingInsideAsync {
    type Message = u32;
    type Reply = u32;
    async fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 {
        let a = self.doubler.ask(n).get().unwrap();
        let b = self.doubler.ask(a).await.unwrap();
        b
    }
}

#[test]
fn blocking_get_inside_an_async_handler_is_safe_on_one_worker() {
    let _guard = watchdog("get inside async", 60);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let a = BlockingInsideAsync {
        doubler: Doubler.start_in(&rt),
    }
    .start_in(&rt);
    for i in 0..50 {
        assert_eq!(a.ask(i).get_timeout(GUARD).unwrap(), i * 4);
    }
    rt.shutdown().unwrap();
}

// -- Async proxy methods ----------------------------------------------------------------------

#[pykka::proxy]
struct Fetcher {
    pub(crate) fetched: Vec<u32>,
    doubler: ActorRef<Doubler>,
}

#[pykka::proxy]
impl Fetcher {
    /// Awaits another actor's reply, then the timer, with the context.
    pub(crate) async fn fetch(&mut self, n: u32, ctx: &mut Context<Self>) -> u32 {
        let d = self.doubler.ask(n).await.unwrap();
        ctx.sleep(Duration::from_millis(1)).await.unwrap();
        self.fetched.push(d);
        d
    }

    pub(crate) async fn fail(&mut self) -> u32 {
        pykka::sleep(Duration::ZERO).await.unwrap();
        panic!("proxied async boom")
    }
}

impl Actor for Fetcher {}

#[test]
fn async_proxy_methods_run_in_order_on_pooled_and_dedicated_actors() {
    let _guard = watchdog("async proxy methods", 60);
    let rt = Runtime::builder()
        .threads(1)
        .quiet_panics(true)
        .build()
        .unwrap();
    for dedicated in [false, true] {
        let fetcher = Fetcher {
            fetched: Vec::new(),
            doubler: Doubler.start_in(&rt),
        };
        let f = if dedicated {
            fetcher.start_dedicated()
        } else {
            fetcher.start_in(&rt)
        };
        let p: FetcherProxy = f.typed_proxy().unwrap();
        let first = p.fetch(1);
        p.fetch_defer(2).unwrap();
        let third = p.fetch(3);
        // A field read queued behind them sees all three.
        assert_eq!(p.fetched().get_timeout(GUARD).unwrap(), [2, 4, 6]);
        assert_eq!(first.get_timeout(GUARD).unwrap(), 2);
        assert_eq!(third.get_timeout(GUARD).unwrap(), 6);
        assert!(matches!(
            p.fail().get_timeout(GUARD),
            Err(Error::Panicked(_))
        ));
        assert_eq!(p.fetched().get_timeout(GUARD).unwrap().len(), 3);
        assert!(f.stop());
    }
    rt.shutdown().unwrap();
}

// -- Found by review ---------------------------------------------------------------------------

/// Kills itself, then sleeps: the token parked with its waker when the actor was closed must
/// not come back as a second token (it tripped `claim_token`'s assertion, and in release ran
/// one more activation on the dead actor).
struct KillsItself;
impl Actor for KillsItself {}
impl AsyncReceive for KillsItself {
    type Message = ();
    type Reply = ();
    async fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) {
        ctx.kill();
        let _ = ctx.sleep(Duration::from_millis(20)).await;
    }
}

/// Set by the panic hook below if a worker trips over a second token.
static SECOND_TOKEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[test]
fn a_kill_while_the_token_is_parked_leaves_one_token_and_a_dead_actor() {
    let _guard = watchdog("kill with a parked token", 60);
    // The library catches a worker's panic (and logs it); the hook still sees it first.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info
            .to_string()
            .contains("a token exists only while scheduled")
        {
            SECOND_TOKEN.store(true, Ordering::SeqCst);
        }
        previous(info);
    }));
    for threads in [1, 2] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let k = KillsItself.start_in(&rt);
        assert!(matches!(
            k.ask(()).get_timeout(GUARD),
            Err(Error::ActorDead(_))
        ));
        // Keep the pool busy past the timer's wake-up of the aborted future's waker.
        let d = Doubler.start_in(&rt);
        let (p, f) = pykka::promise::<()>();
        let timer = rt.sleep(Duration::from_millis(40));
        std::thread::spawn(move || {
            let _ = timer.get();
            p.set(());
        });
        while !f.is_ready() {
            assert_eq!(d.ask(1).get_timeout(GUARD).unwrap(), 2);
        }
        assert!(!k.is_alive());
        assert!(matches!(
            k.ask(()).get_timeout(GUARD),
            Err(Error::ActorDead(_))
        ));
        assert_eq!(rt.shutdown_timeout(GUARD), Ok(true));
        assert!(
            !SECOND_TOKEN.load(Ordering::SeqCst),
            "a worker found a token of an actor that was not scheduled"
        );
    }
}
