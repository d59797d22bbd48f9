//! Issue F (reliability): panics at scale. Thousands of actors of which 1 % (chosen by a seeded
//! pseudo-random generator) panic, in handlers of tells and asks and in hooks: no collateral
//! stop, the registry ends consistent, each panic is logged once, and the pool keeps working.
//!
//! A capturing `log` logger is installed once for this binary (records are counted per actor
//! URN, so tests running in parallel do not see each other's records). The panic hook is
//! replaced by one that stays quiet for the deliberate panics. Timeouts are hang guards only.

mod common;

use common::Rng;
use log::{Level, LevelFilter, Log, Metadata, Record};
use pykka::{Actor, ActorRef, Context, Error, Failure, Receive, Runtime};
use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, Once};
use std::thread;
use std::time::Duration;

/// Hang guard for one wait.
const GUARD: Duration = Duration::from_secs(20);

/// `debug` in debug builds (what CI runs), `release` otherwise.
fn scale(debug: usize, release: usize) -> usize {
    if cfg!(debug_assertions) {
        debug
    } else {
        release
    }
}

// ---------------------------------------------------------------------------------------------
// Logging and panic output.

/// Per actor URN: the ERROR and INFO records on target `pykka` that name it, and their texts.
#[derive(Default, Clone, Debug)]
struct Records {
    errors: Vec<String>,
    infos: Vec<String>,
}

struct CountingLogger {
    by_urn: Mutex<Option<HashMap<String, Records>>>,
}

static LOGGER: CountingLogger = CountingLogger {
    by_urn: Mutex::new(None),
};

const URN_LEN: usize = "urn:uuid:".len() + 36;

impl Log for CountingLogger {
    fn enabled(&self, m: &Metadata<'_>) -> bool {
        m.level() <= Level::Info
    }

    fn log(&self, record: &Record<'_>) {
        if record.target() != "pykka" || record.level() > Level::Info {
            return;
        }
        let text = record.args().to_string();
        let Some(at) = text.find("urn:uuid:") else {
            return;
        };
        let urn = text[at..(at + URN_LEN).min(text.len())].to_owned();
        let mut map = self.by_urn.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.get_or_insert_with(HashMap::new).entry(urn).or_default();
        match record.level() {
            Level::Error => entry.errors.push(text),
            Level::Info => entry.infos.push(text),
            _ => {}
        }
    }

    fn flush(&self) {}
}

/// Installs the logger and the quiet panic hook, once for the binary.
fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&LOGGER).expect("no other logger in this test binary");
        log::set_max_level(LevelFilter::Info);
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let p = info.payload();
            let text = p
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| p.downcast_ref::<String>().map(String::as_str));
            if !text.is_some_and(|t| t.starts_with("deliberate")) {
                default(info);
            }
        }));
    });
}

fn records(urn: &str) -> Records {
    LOGGER
        .by_urn
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|m| m.get(urn).cloned())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fate {
    Healthy,
    PanicsOnTell,
    PanicsOnAsk,
}

enum Msg {
    /// Told.
    Tell,
    /// Asked.
    Ask,
    /// Asked afterwards: the actor's index.
    Ping,
}

struct Worker {
    index: usize,
    fate: Fate,
    failed: Sender<usize>,
}

impl Actor for Worker {
    fn on_failure(&mut self, f: &Failure, _: &mut Context<Self>) {
        assert_eq!(
            f.message(),
            format!("deliberate tell panic in {}", self.index)
        );
        self.failed.send(self.index).unwrap();
    }
}

impl Receive for Worker {
    type Message = Msg;
    type Reply = usize;
    fn on_receive(&mut self, m: Msg, _: &mut Context<Self>) -> usize {
        match (m, self.fate) {
            (Msg::Tell, Fate::PanicsOnTell) => panic!("deliberate tell panic in {}", self.index),
            (Msg::Ask, Fate::PanicsOnAsk) => panic!("deliberate ask panic in {}", self.index),
            _ => self.index,
        }
    }
}

#[test]
fn one_percent_of_ten_thousand_actors_panic_on_tells_and_asks_without_collateral_damage() {
    setup();
    let n = scale(10_000, 20_000);
    let rt = Runtime::builder().threads(4).build().unwrap();
    let mut rng = Rng(0x5eed);
    let panicking = rng.pick(n, n / 100);
    let fates: Vec<Fate> = (0..n)
        .map(|i| match (panicking.contains(&i), rng.below(2)) {
            (false, _) => Fate::Healthy,
            (true, 0) => Fate::PanicsOnTell,
            (true, _) => Fate::PanicsOnAsk,
        })
        .collect();
    let count = |f: Fate| fates.iter().filter(|&&x| x == f).count();
    let (tell_panics, ask_panics) = (count(Fate::PanicsOnTell), count(Fate::PanicsOnAsk));
    assert!(tell_panics > 0 && ask_panics > 0);

    let (failed_tx, failed_rx) = mpsc::channel();
    let actors: Vec<ActorRef<Worker>> = fates
        .iter()
        .enumerate()
        .map(|(index, &fate)| {
            Worker {
                index,
                fate,
                failed: failed_tx.clone(),
            }
            .start_in(&rt)
        })
        .collect();
    drop(failed_tx);

    // Four threads each tell, then ask, their share of the actors, concurrently.
    let senders = 4;
    let outcomes: Vec<(usize, Result<usize, Error>)> = thread::scope(|s| {
        let handles: Vec<_> = (0..senders)
            .map(|k| {
                let actors = &actors;
                s.spawn(move || {
                    let mine: Vec<usize> = (k..actors.len()).step_by(senders).collect();
                    for &i in &mine {
                        actors[i].tell(Msg::Tell).unwrap(); // every actor is alive here
                    }
                    let futures: Vec<_> =
                        mine.iter().map(|&i| (i, actors[i].ask(Msg::Ask))).collect();
                    futures
                        .into_iter()
                        .map(|(i, f)| (i, f.get_timeout(GUARD)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(outcomes.len(), n);
    for (i, outcome) in outcomes {
        match (fates[i], outcome) {
            (Fate::Healthy, Ok(v)) => assert_eq!(v, i),
            (Fate::PanicsOnTell, Err(Error::ActorDead(_))) => {}
            (Fate::PanicsOnAsk, Err(Error::Panicked(f))) => {
                assert_eq!(f.message(), format!("deliberate ask panic in {i}"));
                assert_eq!(f.actor_urn(), actors[i].actor_urn());
                assert_eq!(f.actor_class(), "Worker");
            }
            (fate, other) => panic!("actor {i} ({fate:?}): unexpected ask outcome {other:?}"),
        }
    }

    // on_failure ran once for each tell-panicked actor, and for no other.
    let mut failed: Vec<usize> = (0..tell_panics)
        .map(|_| {
            failed_rx
                .recv_timeout(GUARD)
                .expect("an on_failure did not run")
        })
        .collect();
    failed.sort_unstable();
    let expected: Vec<usize> = (0..n).filter(|&i| fates[i] == Fate::PanicsOnTell).collect();
    assert_eq!(failed, expected);

    // No collateral stop: exactly the tell-panicked actors are dead; all others answer.
    let pings: Vec<_> = actors.iter().map(|a| a.ask(Msg::Ping)).collect();
    for (i, ping) in pings.into_iter().enumerate() {
        let r = ping.get_timeout(GUARD);
        if fates[i] == Fate::PanicsOnTell {
            assert!(
                !actors[i].is_alive(),
                "actor {i} panicked on a tell and lives"
            );
            assert!(matches!(r, Err(Error::ActorDead(_))), "actor {i}: {r:?}");
        } else {
            assert!(
                actors[i].is_alive(),
                "actor {i} ({:?}) was stopped",
                fates[i]
            );
            assert_eq!(r.unwrap(), i);
        }
    }

    // The registry lists exactly the live actors (their dying unregistered them before
    // on_failure ran, and on_failure has run for all of them).
    let registered: HashSet<String> = rt
        .registered()
        .iter()
        .map(|a| a.actor_urn().to_owned())
        .collect();
    let alive: HashSet<String> = actors
        .iter()
        .filter(|a| a.is_alive())
        .map(|a| a.actor_urn().to_owned())
        .collect();
    assert_eq!(registered.len(), n - tell_panics);
    assert_eq!(registered, alive, "registry and live actors differ");

    // Each panic logged once: ERROR for a tell, INFO for an ask; nothing for healthy actors.
    for (i, a) in actors.iter().enumerate() {
        let r = records(a.actor_urn());
        match fates[i] {
            Fate::Healthy => assert!(
                r.errors.is_empty() && r.infos.is_empty(),
                "actor {i}: unexpected records {r:?}"
            ),
            Fate::PanicsOnTell => {
                assert_eq!(r.errors.len(), 1, "actor {i}: {r:?}");
                assert!(r.errors[0].starts_with("Unhandled exception in Worker ("));
                assert!(r.errors[0].ends_with(&format!("deliberate tell panic in {i}")));
                assert!(r.infos.is_empty(), "actor {i}: {r:?}");
            }
            Fate::PanicsOnAsk => {
                assert_eq!(r.infos.len(), 1, "actor {i}: {r:?}");
                assert!(r.infos[0].starts_with("Exception returned from Worker ("));
                assert!(r.infos[0].ends_with(&format!("deliberate ask panic in {i}")));
                assert!(r.errors.is_empty(), "actor {i}: {r:?}");
            }
        }
    }

    // Stopping the survivors works and empties the registry.
    assert!(rt.stop_all().iter().all(|&b| b));
    assert!(rt.registered().is_empty());
}

// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum HookFate {
    Healthy,
    PanicsOnStart,
    PanicsOnStop,
}

struct Hooked {
    index: usize,
    fate: HookFate,
    stopped: Sender<usize>,
}

impl Actor for Hooked {
    fn on_start(&mut self, _: &mut Context<Self>) {
        if self.fate == HookFate::PanicsOnStart {
            panic!("deliberate on_start panic in {}", self.index);
        }
    }

    fn on_stop(&mut self, _: &mut Context<Self>) {
        self.stopped.send(self.index).unwrap();
        if self.fate == HookFate::PanicsOnStop {
            panic!("deliberate on_stop panic in {}", self.index);
        }
    }
}

impl Receive for Hooked {
    type Message = ();
    type Reply = usize;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> usize {
        self.index
    }
}

#[test]
fn one_percent_of_actors_panic_in_on_start_or_on_stop_and_the_rest_are_unaffected() {
    setup();
    let n = scale(10_000, 20_000);
    let rt = Runtime::builder().threads(3).build().unwrap();
    let mut rng = Rng(0xfeed);
    let panicking = rng.pick(n, n / 100);
    let fates: Vec<HookFate> = (0..n)
        .map(|i| match (panicking.contains(&i), rng.below(2)) {
            (false, _) => HookFate::Healthy,
            (true, 0) => HookFate::PanicsOnStart,
            (true, _) => HookFate::PanicsOnStop,
        })
        .collect();
    let (stopped_tx, stopped_rx) = mpsc::channel();
    let actors: Vec<_> = fates
        .iter()
        .enumerate()
        .map(|(index, &fate)| {
            Hooked {
                index,
                fate,
                stopped: stopped_tx.clone(),
            }
            .start_in(&rt)
        })
        .collect();
    drop(stopped_tx);

    // An ask is handled after on_start: it fails only where on_start panicked.
    let replies: Vec<_> = actors.iter().map(|a| a.ask(())).collect();
    for (i, r) in replies.into_iter().enumerate() {
        match (fates[i], r.get_timeout(GUARD)) {
            (HookFate::PanicsOnStart, Err(Error::ActorDead(_))) => {
                assert!(!actors[i].is_alive())
            }
            (HookFate::PanicsOnStart, other) => panic!("actor {i}: {other:?}"),
            (_, r) => assert_eq!(r.unwrap(), i),
        }
    }
    let started_dead = fates
        .iter()
        .filter(|&&f| f == HookFate::PanicsOnStart)
        .count();
    assert_eq!(rt.registered().len(), n - started_dead);

    // Stop everyone (blocking, concurrently from two threads): stop returns true for each
    // live actor, even where on_stop panics; on_stop ran for exactly the live ones.
    thread::scope(|s| {
        for k in 0..2 {
            let (actors, fates) = (&actors, &fates);
            s.spawn(move || {
                for i in (k..actors.len()).step_by(2) {
                    let stopped = actors[i].request_stop().get_timeout(GUARD).unwrap();
                    assert_eq!(stopped, fates[i] != HookFate::PanicsOnStart, "actor {i}");
                }
            });
        }
    });
    let mut stopped: Vec<usize> = stopped_rx.iter().collect();
    stopped.sort_unstable();
    let expected: Vec<usize> = (0..n)
        .filter(|&i| fates[i] != HookFate::PanicsOnStart)
        .collect();
    assert_eq!(
        stopped, expected,
        "on_stop ran for exactly the started actors"
    );
    assert!(rt.registered().is_empty());
    assert!(actors.iter().all(|a| !a.is_alive()));

    // Each hook panic logged once as ERROR; healthy actors logged nothing at INFO or above.
    for (i, a) in actors.iter().enumerate() {
        let r = records(a.actor_urn());
        assert!(r.infos.is_empty(), "actor {i}: {r:?}");
        match fates[i] {
            HookFate::Healthy => assert!(r.errors.is_empty(), "actor {i}: {r:?}"),
            HookFate::PanicsOnStart | HookFate::PanicsOnStop => {
                assert_eq!(r.errors.len(), 1, "actor {i}: {r:?}");
                assert!(r.errors[0].contains("deliberate on_"), "actor {i}: {r:?}");
            }
        }
    }

    // The pool is fine.
    let fresh = Hooked {
        index: 7,
        fate: HookFate::Healthy,
        stopped: mpsc::channel().0,
    }
    .start_in(&rt);
    assert_eq!(fresh.ask(()).get_timeout(GUARD).unwrap(), 7);
}

// ---------------------------------------------------------------------------------------------

/// Asks a random leaf and blocks on its reply; passes back what it got.
struct Relay {
    leaves: Vec<ActorRef<Worker>>,
}

impl Actor for Relay {}

impl Receive for Relay {
    type Message = usize;
    type Reply = Result<usize, Error>;
    fn on_receive(&mut self, pick: usize, _: &mut Context<Self>) -> Result<usize, Error> {
        let leaf = &self.leaves[pick % self.leaves.len()];
        leaf.ask(Msg::Ask).get()
    }
}

#[test]
fn panics_in_actors_asked_by_blocked_handlers_reach_the_asker_and_kill_no_one() {
    setup();
    let n_leaves = scale(500, 2_000);
    let n_relays = scale(50, 200);
    let asks = scale(5_000, 50_000);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let mut rng = Rng(0xbad);
    let panicking = rng.pick(n_leaves, n_leaves / 100);
    let (failed_tx, _failed_rx) = mpsc::channel();
    let leaves: Vec<_> = (0..n_leaves)
        .map(|index| {
            let fate = if panicking.contains(&index) {
                Fate::PanicsOnAsk
            } else {
                Fate::Healthy
            };
            Worker {
                index,
                fate,
                failed: failed_tx.clone(),
            }
            .start_in(&rt)
        })
        .collect();
    let relays: Vec<_> = (0..n_relays)
        .map(|_| {
            Relay {
                leaves: leaves.clone(),
            }
            .start_in(&rt)
        })
        .collect();

    let futures: Vec<_> = (0..asks)
        .map(|_| {
            let pick = rng.below(n_leaves);
            (pick, relays[rng.below(n_relays)].ask(pick))
        })
        .collect();
    let mut panicked = 0;
    for (pick, f) in futures {
        match f.get_timeout(GUARD).expect("the relay answered") {
            Ok(v) => assert_eq!(v, pick),
            Err(Error::Panicked(failure)) => {
                assert!(panicking.contains(&pick));
                assert_eq!(failure.actor_urn(), leaves[pick].actor_urn());
                panicked += 1;
            }
            Err(e) => panic!("relay got {e:?} from leaf {pick}"),
        }
    }
    assert!(panicked > 0, "no relayed ask hit a panicking leaf");
    assert!(relays.iter().all(ActorRef::is_alive), "a relay died");
    assert!(
        leaves.iter().all(ActorRef::is_alive),
        "a leaf died of an ask panic"
    );
    assert_eq!(rt.registered().len(), n_leaves + n_relays);
}
