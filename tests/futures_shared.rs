//! Futures read more than once (`Future::shared`, Pykka's repeatable `get()`), and replies that
//! compose (`try_get`). Timeouts are hang guards only.

mod common;

use common::watchdog;
use pykka::{Actor, Context, Error, Future, Receive, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(30);

struct Echo;
impl Actor for Echo {}
impl Receive for Echo {
    type Message = Vec<u32>;
    type Reply = Vec<u32>;
    fn on_receive(&mut self, v: Vec<u32>, _: &mut Context<Self>) -> Vec<u32> {
        v
    }
}

#[test]
fn a_shared_reply_is_read_many_times_by_many_threads() {
    let rt = Runtime::builder().threads(2).build().unwrap();
    let echo = Echo.start_in(&rt);
    let shared = echo.ask(vec![1, 2, 3]).shared();
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let s = shared.clone();
            thread::spawn(move || (0..10).map(|_| s.get().unwrap()).collect::<Vec<_>>())
        })
        .collect();
    for r in readers {
        for v in r.join().unwrap() {
            assert_eq!(v, [1, 2, 3]);
        }
    }
    assert_eq!(shared.get_timeout(GUARD).unwrap(), [1, 2, 3]);
    rt.shutdown().unwrap();
}

#[test]
fn every_blocked_reader_is_woken_even_after_another_timed_out() {
    let _guard = watchdog("blocked shared readers", 60);
    let (p, f) = pykka::promise::<u32>();
    let shared = f.shared();
    let n = 6;
    let parked = Arc::new(Barrier::new(n + 1));
    let readers: Vec<_> = (0..n)
        .map(|_| {
            let s = shared.clone();
            let parked = Arc::clone(&parked);
            thread::spawn(move || {
                parked.wait();
                s.get()
            })
        })
        .collect();
    parked.wait();
    // A reader that gives up meanwhile must not leave the others unwoken.
    assert!(matches!(
        shared.get_timeout(Duration::from_millis(1)),
        Err(Error::Timeout(_))
    ));
    p.set(9);
    for r in readers {
        assert_eq!(r.join().unwrap().unwrap(), 9);
    }
}

#[test]
fn a_shared_error_is_the_same_error_each_time() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let echo = Echo.start_in(&rt);
    echo.stop();
    let shared = echo.ask(vec![]).shared();
    let first = shared.get().unwrap_err();
    let second = shared.get().unwrap_err();
    assert!(matches!(first, Error::ActorDead(_)));
    assert_eq!(first.to_string(), second.to_string());
}

#[test]
fn a_shared_derived_future_is_computed_once() {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&runs);
    let (p, f) = pykka::promise::<u32>();
    let shared = f
        .map(move |v| {
            r.fetch_add(1, Ordering::SeqCst);
            v * 2
        })
        .shared();
    p.set(21);
    for _ in 0..5 {
        assert_eq!(shared.get_timeout(GUARD).unwrap(), 42);
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let lazy = Future::lazy(|_| Ok(String::from("computed"))).shared();
    assert_eq!(lazy.get().unwrap(), "computed");
    assert_eq!(lazy.clone().get().unwrap(), "computed");
}

/// Reads a shared reply twice inside a handler.
struct Reader {
    echo: pykka::ActorRef<Echo>,
}
impl Actor for Reader {}
impl Receive for Reader {
    type Message = bool;
    type Reply = Result<usize, Error>;
    fn on_receive(&mut self, ask_self: bool, ctx: &mut Context<Self>) -> Result<usize, Error> {
        if ask_self {
            // Its own reply can never come while this handler waits.
            let me = ctx.actor_ref().ask(false).shared();
            return me.get()?;
        }
        let s = self.echo.ask(vec![7; 4]).shared();
        Ok(s.get()?.len() + s.get()?.len())
    }
}

#[test]
fn shared_reads_inside_a_handler_on_one_worker_run_the_asked_actor_and_refuse_deadlocks() {
    let _guard = watchdog("shared reads in a handler", 60);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let echo = Echo.start_in(&rt);
    let reader = Reader { echo }.start_in(&rt);
    assert_eq!(reader.ask(false).get_timeout(GUARD).unwrap().unwrap(), 8);
    assert!(matches!(
        reader.ask(true).get_timeout(GUARD).unwrap(),
        Err(Error::Deadlock(_))
    ));
    rt.shutdown().unwrap();
}

// -- try_get ----------------------------------------------------------------------------------

#[derive(Debug)]
enum AppError {
    Odd(u32),
    Actor(Error),
}
impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError::Actor(e)
    }
}

struct Halver;
impl Actor for Halver {}
impl Receive for Halver {
    type Message = u32;
    type Reply = Result<u32, AppError>;
    fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> Result<u32, AppError> {
        if n % 2 == 1 {
            return Err(AppError::Odd(n));
        }
        Ok(n / 2)
    }
}

fn quarter(h: &pykka::ActorRef<Halver>, n: u32) -> Result<u32, AppError> {
    let half = h.ask(n).try_get()?;
    h.ask(half).try_get_timeout(GUARD)
}

#[test]
fn try_get_flattens_the_handlers_result_and_the_librarys_error() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let h = Halver.start_in(&rt);
    assert_eq!(quarter(&h, 12).unwrap(), 3);
    assert!(matches!(quarter(&h, 6), Err(AppError::Odd(3))));
    h.stop();
    assert!(matches!(
        quarter(&h, 4),
        Err(AppError::Actor(Error::ActorDead(_)))
    ));
    // Boxed errors take the library's error too.
    let (p, f) = pykka::promise::<Result<u8, Box<dyn std::error::Error + Send + Sync>>>();
    drop(p);
    let e = f.try_get().unwrap_err();
    assert!(matches!(
        e.downcast_ref::<Error>(),
        Some(Error::BrokenPromise)
    ));
    let (_p, f) = pykka::promise::<Result<u8, Error>>();
    assert!(matches!(
        f.try_get_timeout(Duration::ZERO),
        Err(Error::Timeout(_))
    ));
}

// -- Derived shared futures: panics, readiness, cycles (found by review) ---------------------

#[test]
fn a_derived_shared_future_whose_computation_panics_fails_the_other_readers() {
    let _guard = watchdog("panicking derived shared future", 60);
    let shared = Future::ready(1u32)
        .map(|_| -> u32 { panic!("boom in map") })
        .shared();
    let first = shared.clone();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| first.get()));
    assert!(r.is_err(), "the first read panics: the closure is its code");
    assert!(matches!(shared.get(), Err(Error::BrokenPromise)));
}

#[test]
fn a_derived_shared_future_is_ready_when_its_sources_are() {
    let f = Future::ready(1u32).map(|x| x + 1);
    assert!(f.is_ready());
    let s = f.shared();
    assert!(s.is_ready(), "ready before anyone read it");
    assert_eq!(s.get().unwrap(), 2);
    assert!(s.is_ready());
}

type SharedCell = Arc<std::sync::Mutex<Option<pykka::SharedFuture<u32>>>>;

/// Reads the shared future kept in its cell.
struct LaterReader(SharedCell);
impl Actor for LaterReader {}
impl Receive for LaterReader {
    type Message = ();
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Result<u32, Error> {
        let s = self.0.lock().unwrap().clone().unwrap();
        s.get().map(|v| v + 1)
    }
}

/// Reads (first, so computes) the shared future it is given.
struct FirstReader;
impl Actor for FirstReader {}
impl Receive for FirstReader {
    type Message = pykka::SharedFuture<u32>;
    type Reply = Result<u32, Error>;
    fn on_receive(
        &mut self,
        s: pykka::SharedFuture<u32>,
        _: &mut Context<Self>,
    ) -> Result<u32, Error> {
        s.get()
    }
}

#[test]
fn a_cycle_through_a_derived_shared_future_being_computed_is_refused() {
    let _guard = watchdog("cycle through a derived shared future", 60);
    for dedicated in [false, true] {
        let rt = Runtime::builder().threads(2).build().unwrap();
        let cell: SharedCell = Arc::default();
        let later = if dedicated {
            LaterReader(Arc::clone(&cell)).start_dedicated()
        } else {
            LaterReader(Arc::clone(&cell)).start_in(&rt)
        };
        let first = FirstReader.start_in(&rt);
        // The first reader computes it by asking the later reader, whose handler reads the
        // same shared future: a cycle through the computation.
        let l = later.clone();
        let shared = Future::lazy(move |_| l.ask(()).get().and_then(|r| r)).shared();
        *cell.lock().unwrap() = Some(shared.clone());
        let r = first.ask(shared).get_timeout(GUARD).unwrap();
        assert!(matches!(r, Err(Error::Deadlock(_))), "{r:?}");
        assert!(later.stop());
        rt.shutdown().unwrap();
    }
}
