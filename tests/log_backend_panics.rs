//! A `log` backend that panics on every record (and in `enabled`) is user code running on the
//! library's threads: it must not take down a pool worker, the timer thread or a dedicated
//! thread. One process: the logger is global.

mod common;

use common::watchdog;
use log::{LevelFilter, Log, Metadata, Record};
use pykka::{schedule_tell, Actor, Context, Error, Receive, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::time::Duration;

const HANG: Duration = Duration::from_secs(20);

/// Panics on everything it is asked, counting the records it refused.
struct Exploding;
static REFUSED: AtomicUsize = AtomicUsize::new(0);

impl Log for Exploding {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        panic!("the logger explodes in enabled()");
    }
    fn log(&self, _: &Record<'_>) {
        REFUSED.fetch_add(1, Ordering::SeqCst);
        panic!("the logger explodes in log()");
    }
    fn flush(&self) {}
}

static LOGGER: Exploding = Exploding;

enum Msg {
    Fail,
    Echo(u32, Option<Sender<u32>>),
}

struct Victim;
impl Actor for Victim {}
impl Receive for Victim {
    type Message = Msg;
    type Reply = u32;
    fn on_receive(&mut self, m: Msg, _: &mut Context<Self>) -> u32 {
        match m {
            Msg::Fail => panic!("the handler fails on purpose"),
            Msg::Echo(n, tx) => {
                if let Some(tx) = tx {
                    tx.send(n).unwrap();
                }
                n
            }
        }
    }
}

/// Every record the library writes on a worker, a spare, the timer thread and a dedicated
/// thread meets a panicking logger: panics in handlers of asks (INFO) and tells (ERROR), actor
/// starts and stops (DEBUG), dead letters (`enabled`), a scheduled message to a dead actor.
/// Every thread lives on: the pool answers, the timer fires, the dedicated actor answers.
#[test]
fn a_panicking_logger_takes_down_no_thread_of_the_library() {
    let _guard = watchdog("panicking logger", 60);
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(LevelFilter::Trace);
    for threads in [1, 2, 8] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let a = Victim.start_in(&rt);
        // An ask whose handler panics: INFO on the worker.
        assert!(matches!(
            a.ask(Msg::Fail).get_timeout(HANG),
            Err(Error::Panicked(_))
        ));
        // A tell whose handler panics: ERROR on the worker, the actor dies.
        a.tell(Msg::Fail).unwrap();
        let b = Victim.start_in(&rt);
        for n in 0..(threads as u32 * 4) {
            assert_eq!(b.ask(Msg::Echo(n, None)).get_timeout(HANG).unwrap(), n);
        }
        // Dead letters: the dead actor's tells.
        while a.is_alive() {
            std::thread::yield_now();
        }
        assert!(a.tell(Msg::Echo(0, None)).is_err());
        // The timer thread logs a dead letter too, then fires the next timer.
        schedule_tell(&a, Msg::Echo(1, None), Duration::ZERO).unwrap();
        let (tx, rx) = channel();
        schedule_tell(&b, Msg::Echo(7, Some(tx)), Duration::from_millis(1)).unwrap();
        assert_eq!(rx.recv_timeout(HANG).unwrap(), 7);
        assert!(b.stop());
        rt.shutdown().unwrap();
    }
    // A dedicated actor's thread.
    let d = Victim.start_dedicated();
    assert!(matches!(
        d.ask(Msg::Fail).get_timeout(HANG),
        Err(Error::Panicked(_))
    ));
    assert_eq!(d.ask(Msg::Echo(5, None)).get_timeout(HANG).unwrap(), 5);
    assert!(d.stop());
    assert!(REFUSED.load(Ordering::SeqCst) > 0, "the logger was called");
}
