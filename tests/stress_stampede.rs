//! Issue F (reliability): stampedes. Many threads tell and ask many actors, some of whose
//! handlers block on asks to other actors, while other threads stop actors, stop them all, or
//! shut the runtime down. Every ask must resolve (a value or `Error::ActorDead`, never another
//! error, never a hang), every told message must be dropped exactly once, and the survivors must
//! have handled every message they accepted.
//!
//! Synchronisation is by barriers, channels and futures; every timeout is a hang guard only, and
//! a watchdog aborts the process (with a message) if a blocking call with no timeout of its own
//! (`stop_all`, `shutdown`) hangs.

mod common;

use common::{watchdog, Rng};
use pykka::{Actor, ActorRef, Context, Error, Future, Receive, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

/// Hang guard for one wait.
const GUARD: Duration = Duration::from_secs(20);
/// Hang guard for a whole test.
const WATCHDOG_SECS: u64 = 120;

/// `debug` in debug builds (what CI runs), `release` otherwise.
fn scale(debug: usize, release: usize) -> usize {
    if cfg!(debug_assertions) {
        debug
    } else {
        release
    }
}

/// Counts every told payload made and dropped.
#[derive(Default)]
struct Ledger {
    made: AtomicUsize,
    dropped: AtomicUsize,
}

/// A told payload: counts its own drop.
struct Tok(Arc<Ledger>);

impl Tok {
    fn new(ledger: &Arc<Ledger>) -> Tok {
        ledger.made.fetch_add(1, Ordering::SeqCst);
        Tok(Arc::clone(ledger))
    }
}

impl Drop for Tok {
    fn drop(&mut self) {
        self.0.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

enum Msg {
    /// Counted by the handler.
    Add(Tok),
    /// The number of `Add`s handled.
    Get,
    /// Ask a later node (blocking) `hops` more times; the last answers its count.
    Relay(u32),
}

/// The reply: a count, or the error a relayed ask met further down.
type Reply = Result<u64, Error>;

/// A node of a DAG: it only ever asks nodes started before it (higher indices), so blocking
/// relays never form a cycle.
struct Node {
    handled: u64,
    peers: Vec<ActorRef<Node>>,
    pick: u64,
}

impl Actor for Node {}

impl Receive for Node {
    type Message = Msg;
    type Reply = Reply;
    fn on_receive(&mut self, m: Msg, _: &mut Context<Self>) -> Reply {
        match m {
            Msg::Add(tok) => {
                drop(tok);
                self.handled += 1;
                Ok(self.handled)
            }
            Msg::Get => Ok(self.handled),
            Msg::Relay(hops) if hops == 0 || self.peers.is_empty() => Ok(self.handled),
            Msg::Relay(hops) => {
                self.pick = self.pick.wrapping_add(1);
                let peer = &self.peers[self.pick as usize % self.peers.len()];
                // Blocks inside a handler; the peer may be stopped meanwhile.
                match peer.ask(Msg::Relay(hops - 1)).get() {
                    Ok(inner) => inner,
                    Err(e) => Err(e),
                }
            }
        }
    }
}

/// Starts `n` nodes; node `i` relays to up to four of the nodes after it.
fn start_nodes(rt: &Runtime, n: usize) -> Vec<ActorRef<Node>> {
    start_nodes_with_dedicated(rt, n, 0)
}

/// As `start_nodes`; the last `dedicated` nodes (the leaves) run on threads of their own.
fn start_nodes_with_dedicated(rt: &Runtime, n: usize, dedicated: usize) -> Vec<ActorRef<Node>> {
    let mut nodes: Vec<ActorRef<Node>> = Vec::with_capacity(n);
    for i in 0..n {
        // Built from the last to the first, so that peers exist when a node starts.
        let peers = nodes.iter().rev().take(4).cloned().collect();
        let node = Node {
            handled: 0,
            peers,
            pick: i as u64,
        };
        nodes.push(if i < dedicated {
            node.start_dedicated()
        } else {
            node.start_in(rt)
        });
    }
    nodes.reverse();
    nodes
}

fn runtime(threads: usize) -> Runtime {
    Runtime::builder()
        .threads(threads)
        .max_spare_threads(1024)
        .build()
        .unwrap()
}

/// What the senders saw.
#[derive(Default)]
struct Outcomes {
    asks: AtomicUsize,
    values: AtomicUsize,
    dead: AtomicUsize,
    /// Asks whose relay met a dead actor further down the chain.
    dead_downstream: AtomicUsize,
    tells_accepted: AtomicUsize,
    tells_rejected: AtomicUsize,
}

impl Outcomes {
    /// Records one ask's outcome; anything but a value or `ActorDead` fails the test.
    fn record(&self, r: Result<Reply, Error>) {
        match r {
            Ok(Ok(_)) => self.values.fetch_add(1, Ordering::SeqCst),
            Ok(Err(Error::ActorDead(_))) => self.dead_downstream.fetch_add(1, Ordering::SeqCst),
            Err(Error::ActorDead(_)) => self.dead.fetch_add(1, Ordering::SeqCst),
            Err(Error::Timeout(_)) => panic!("an ask did not resolve within {GUARD:?}: hang"),
            Ok(Err(e)) | Err(e) => panic!("an ask resolved with an unexpected error: {e:?}"),
        };
    }

    fn report(&self, what: &str) {
        eprintln!(
            "{what}: {} asks ({} values, {} dead, {} dead downstream), {} tells accepted, {} rejected",
            self.asks.load(Ordering::SeqCst),
            self.values.load(Ordering::SeqCst),
            self.dead.load(Ordering::SeqCst),
            self.dead_downstream.load(Ordering::SeqCst),
            self.tells_accepted.load(Ordering::SeqCst),
            self.tells_rejected.load(Ordering::SeqCst),
        );
    }

    fn resolved(&self) -> usize {
        self.values.load(Ordering::SeqCst)
            + self.dead.load(Ordering::SeqCst)
            + self.dead_downstream.load(Ordering::SeqCst)
    }
}

/// One sender: `ops` random tells and asks (plain and relayed) to random nodes. Every eighth
/// op it reads the asks it has made so far (so some asks are read while stops race them).
/// `midway` is reached after half the ops. Returns per-node accepted tells.
fn send(
    nodes: &[ActorRef<Node>],
    seed: u64,
    ops: usize,
    ledger: &Arc<Ledger>,
    out: &Outcomes,
    midway: Option<&Barrier>,
) -> Vec<usize> {
    let mut rng = Rng(seed);
    let mut accepted = vec![0; nodes.len()];
    let mut pending: Vec<Future<Reply>> = Vec::new();
    for op in 0..ops {
        if op == ops / 2 {
            if let Some(b) = midway {
                b.wait();
            }
        }
        let i = rng.below(nodes.len());
        match rng.below(4) {
            0 | 1 => match nodes[i].tell(Msg::Add(Tok::new(ledger))) {
                Ok(()) => {
                    accepted[i] += 1;
                    out.tells_accepted.fetch_add(1, Ordering::SeqCst);
                }
                Err(e) => {
                    out.tells_rejected.fetch_add(1, Ordering::SeqCst);
                    drop(e.into_inner()); // the message comes back; dropping it counts
                }
            },
            2 => {
                out.asks.fetch_add(1, Ordering::SeqCst);
                pending.push(nodes[i].ask(Msg::Get));
            }
            _ => {
                out.asks.fetch_add(1, Ordering::SeqCst);
                pending.push(nodes[i].ask(Msg::Relay(1 + rng.below(3) as u32)));
            }
        }
        if op % 8 == 7 {
            for f in pending.drain(..) {
                out.record(f.get_timeout(GUARD));
            }
        }
    }
    for f in pending {
        out.record(f.get_timeout(GUARD));
    }
    accepted
}

/// Stops `count` random nodes among `mortal` (blocking, hang-guarded); returns which.
fn stop_some(nodes: &[ActorRef<Node>], mortal: &[usize], seed: u64, count: usize) -> Vec<usize> {
    let mut rng = Rng(seed);
    let mut stopped = Vec::new();
    for _ in 0..count {
        let i = mortal[rng.below(mortal.len())];
        let r = nodes[i].request_stop().get_timeout(GUARD);
        assert!(r.is_ok(), "stopping node {i} did not resolve: {r:?}");
        stopped.push(i);
    }
    stopped
}

fn sum(per_sender: &[Vec<usize>], n: usize) -> Vec<usize> {
    (0..n)
        .map(|i| per_sender.iter().map(|v| v[i]).sum())
        .collect()
}

#[test]
fn stampede_of_tells_and_asks_while_actors_are_stopped_resolves_every_ask_and_loses_nothing() {
    let _wd = watchdog("stampede with stops", WATCHDOG_SECS);
    let n = scale(64, 256);
    let senders = 4;
    let ops = scale(20_000, 200_000);
    let rt = runtime(4);
    let nodes = start_nodes(&rt, n);
    // Even nodes may be stopped; odd nodes live throughout.
    let mortal: Vec<usize> = (0..n).step_by(2).collect();
    let ledger = Arc::new(Ledger::default());
    let out = Arc::new(Outcomes::default());
    let start = Arc::new(Barrier::new(senders + 2));

    let (per_sender, stopped) = thread::scope(|s| {
        let handles: Vec<_> = (0..senders)
            .map(|k| {
                let (nodes, ledger, out, start) = (&nodes, &ledger, &out, &start);
                s.spawn(move || {
                    start.wait();
                    send(nodes, 1 + k as u64, ops, ledger, out, None)
                })
            })
            .collect();
        let stoppers: Vec<_> = (0..2u64)
            .map(|k| {
                let (nodes, mortal, start) = (&nodes, &mortal, &start);
                s.spawn(move || {
                    start.wait();
                    stop_some(nodes, mortal, 100 + k, mortal.len() / 3)
                })
            })
            .collect();
        let per_sender: Vec<Vec<usize>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let stopped: Vec<usize> = stoppers
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        (per_sender, stopped)
    });

    // Every ask resolved, with a value or ActorDead.
    out.report("stops");
    assert_eq!(out.resolved(), out.asks.load(Ordering::SeqCst));
    assert!(
        out.values.load(Ordering::SeqCst) > 0,
        "nothing was answered"
    );
    assert!(
        !stopped.is_empty() && mortal.iter().any(|i| !stopped.contains(i)),
        "the seeds should stop some but not all mortal nodes"
    );

    // Exactly the stopped nodes are dead; the registry lists exactly the live ones.
    for (i, node) in nodes.iter().enumerate() {
        assert_eq!(
            node.is_alive(),
            !stopped.contains(&i),
            "node {i}: alive iff never stopped"
        );
    }
    let alive = nodes.iter().filter(|a| a.is_alive()).count();
    assert_eq!(rt.registered().len(), alive, "registry out of step");

    // A live node handled every tell it accepted (its Get is queued behind all of them).
    let accepted = sum(&per_sender, n);
    for (i, node) in nodes.iter().enumerate() {
        if node.is_alive() {
            let handled = node.ask(Msg::Get).get_timeout(GUARD).unwrap().unwrap();
            assert_eq!(handled as usize, accepted[i], "node {i} lost told messages");
        }
    }

    // Every told payload is dropped exactly once: by a handler, by the mailbox of a stopped
    // node, or by the sender that got it back.
    let made = ledger.made.load(Ordering::SeqCst);
    assert_eq!(
        made,
        out.tells_accepted.load(Ordering::SeqCst) + out.tells_rejected.load(Ordering::SeqCst)
    );
    drop(nodes);
    drop(rt); // shutdown: stops the survivors
    assert_eq!(
        ledger.dropped.load(Ordering::SeqCst),
        made,
        "payloads leaked or dropped twice"
    );
}

/// Runs a stampede during which one thread, once every sender is midway, calls `disrupt`.
/// Returns the outcomes and the ledger.
fn stampede_with(
    rt: Runtime,
    disrupt: impl FnOnce(&Runtime) + Send,
    after: impl FnOnce(&Runtime, &[ActorRef<Node>]),
) -> (Arc<Outcomes>, Arc<Ledger>) {
    let n = scale(64, 256);
    let senders = 4;
    let ops = scale(20_000, 200_000);
    let nodes = start_nodes(&rt, n);
    let ledger = Arc::new(Ledger::default());
    let out = Arc::new(Outcomes::default());
    let midway = Barrier::new(senders + 1);

    thread::scope(|s| {
        for k in 0..senders {
            let (nodes, ledger, out, midway) = (&nodes, &ledger, &out, &midway);
            s.spawn(move || send(nodes, 7 + k as u64, ops, ledger, out, Some(midway)));
        }
        let (rt, midway) = (&rt, &midway);
        s.spawn(move || {
            midway.wait();
            disrupt(rt);
        });
    });

    out.report(&format!("{} threads", rt.threads()));
    assert_eq!(out.resolved(), out.asks.load(Ordering::SeqCst));
    after(&rt, &nodes);
    let made = ledger.made.load(Ordering::SeqCst);
    assert_eq!(
        made,
        out.tells_accepted.load(Ordering::SeqCst) + out.tells_rejected.load(Ordering::SeqCst)
    );
    drop(nodes);
    drop(rt);
    assert_eq!(
        ledger.dropped.load(Ordering::SeqCst),
        made,
        "payloads leaked or dropped twice"
    );
    (out, ledger)
}

#[test]
fn stop_all_during_a_stampede_stops_every_actor_and_resolves_every_ask() {
    let _wd = watchdog("stampede with stop_all", WATCHDOG_SECS);
    let (out, _) = stampede_with(
        runtime(4),
        |rt| {
            let stopped = rt.stop_all();
            assert!(
                stopped.iter().all(|&b| b),
                "every node was alive: {stopped:?}"
            );
        },
        |rt, nodes| {
            assert!(
                nodes.iter().all(|a| !a.is_alive()),
                "a node survived stop_all"
            );
            assert!(
                rt.registered().is_empty(),
                "the registry still lists actors"
            );
            // The runtime itself lives on.
            let fresh = start_nodes(rt, 3);
            assert_eq!(
                fresh[0]
                    .ask(Msg::Relay(2))
                    .get_timeout(GUARD)
                    .unwrap()
                    .unwrap(),
                0
            );
        },
    );
    assert!(
        out.dead.load(Ordering::SeqCst) > 0,
        "no ask met a stopped actor"
    );
}

#[test]
fn shutdown_during_a_stampede_resolves_every_ask_and_kills_every_actor() {
    let _wd = watchdog("stampede with shutdown", WATCHDOG_SECS);
    let (out, _) = stampede_with(
        runtime(4),
        |rt| rt.shutdown().expect("shutdown from outside the pool"),
        |rt, nodes| {
            assert!(
                nodes.iter().all(|a| !a.is_alive()),
                "a node survived shutdown"
            );
            assert!(
                rt.registered().is_empty(),
                "the registry still lists actors"
            );
            assert_eq!(rt.thread_count(), 0, "pool threads left after shutdown");
            // After shutdown: asks fail at once, tells come back, new actors are dead.
            assert!(matches!(
                nodes[0].ask(Msg::Get).get_timeout(GUARD),
                Err(Error::ActorDead(_))
            ));
            let late = start_nodes(rt, 1);
            assert!(!late[0].is_alive());
            assert!(matches!(
                late[0].ask(Msg::Get).get_timeout(GUARD),
                Err(Error::ActorDead(_))
            ));
        },
    );
    assert!(
        out.dead.load(Ordering::SeqCst) > 0,
        "no ask met a dead actor"
    );
}

#[test]
fn shutdown_from_several_threads_at_once_during_a_stampede_returns_everywhere() {
    let _wd = watchdog("stampede with concurrent shutdowns", WATCHDOG_SECS);
    stampede_with(
        runtime(2),
        |rt| {
            let go = Barrier::new(3);
            thread::scope(|s| {
                for _ in 0..3 {
                    let go = &go;
                    s.spawn(move || {
                        go.wait();
                        rt.shutdown().expect("shutdown from outside the pool");
                    });
                }
            });
        },
        |rt, nodes| {
            assert!(
                nodes.iter().all(|a| !a.is_alive()),
                "a node survived shutdown"
            );
            assert!(
                rt.registered().is_empty(),
                "the registry still lists actors"
            );
            assert_eq!(rt.thread_count(), 0, "pool threads left after shutdown");
        },
    );
}

#[test]
fn request_stop_all_during_a_stampede_resolves_every_stop_future() {
    let _wd = watchdog("stampede with request_stop_all", WATCHDOG_SECS);
    stampede_with(
        runtime(3),
        |rt| {
            let futures = rt.request_stop_all();
            assert!(!futures.is_empty());
            for f in futures {
                assert!(f.get_timeout(GUARD).expect("stop future resolved"));
            }
        },
        |rt, nodes| {
            assert!(nodes.iter().all(|a| !a.is_alive()), "a node survived");
            assert!(rt.registered().is_empty());
        },
    );
}

#[test]
fn shutdown_during_a_stampede_on_unregistered_actors_answers_them_when_next_messaged() {
    // Actors that are not registered are not stopped by shutdown; whatever is queued for them
    // at shutdown, or sent afterwards, must still be answered.
    let _wd = watchdog("stampede with shutdown, unregistered actors", WATCHDOG_SECS);
    let rt = Runtime::builder()
        .threads(3)
        .max_spare_threads(1024)
        .register_actors(false)
        .build()
        .unwrap();
    let (out, _) = stampede_with(
        rt,
        |rt| rt.shutdown().expect("shutdown from outside the pool"),
        |rt, nodes| {
            assert_eq!(rt.thread_count(), 0, "pool threads left after shutdown");
            for (i, node) in nodes.iter().enumerate() {
                let r = node.ask(Msg::Get).get_timeout(GUARD);
                assert!(
                    matches!(r, Err(Error::ActorDead(_))),
                    "node {i}: ask after shutdown gave {r:?}"
                );
                assert!(!node.is_alive(), "node {i} alive after being messaged");
            }
        },
    );
    assert!(
        out.dead.load(Ordering::SeqCst) > 0,
        "no ask met a dead actor"
    );
}

#[test]
fn stampede_with_dedicated_leaves_and_a_budget_of_one_resolves_every_ask_and_loses_nothing() {
    // Pool handlers block on dedicated actors (never run inline: a spare takes over), every
    // activation handles one message (the most resubmissions), and inline runs nest at most
    // two deep; stoppers stop pooled and dedicated nodes alike.
    let _wd = watchdog("stampede with dedicated leaves", WATCHDOG_SECS);
    let n = scale(48, 128);
    let dedicated = 6;
    let senders = 3;
    let ops = scale(10_000, 100_000);
    let rt = Runtime::builder()
        .threads(3)
        .throughput(1)
        .max_inline_depth(2)
        .max_spare_threads(1024)
        .build()
        .unwrap();
    let nodes = start_nodes_with_dedicated(&rt, n, dedicated);
    let ledger = Arc::new(Ledger::default());
    let out = Arc::new(Outcomes::default());
    let all: Vec<usize> = (0..n).collect();
    let start = Barrier::new(senders + 1);
    let (per_sender, stopped) = thread::scope(|s| {
        let handles: Vec<_> = (0..senders)
            .map(|k| {
                let (nodes, ledger, out, start) = (&nodes, &ledger, &out, &start);
                s.spawn(move || {
                    start.wait();
                    send(nodes, 31 + k as u64, ops, ledger, out, None)
                })
            })
            .collect();
        let stopped = {
            start.wait();
            stop_some(&nodes, &all, 77, n / 4)
        };
        let per_sender: Vec<Vec<usize>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        (per_sender, stopped)
    });
    out.report("dedicated leaves");
    assert_eq!(out.resolved(), out.asks.load(Ordering::SeqCst));
    let accepted = sum(&per_sender, n);
    for (i, node) in nodes.iter().enumerate() {
        assert_eq!(node.is_alive(), !stopped.contains(&i), "node {i}");
        if node.is_alive() {
            let handled = node.ask(Msg::Get).get_timeout(GUARD).unwrap().unwrap();
            assert_eq!(handled as usize, accepted[i], "node {i} lost told messages");
        }
    }
    // The dedicated nodes belong to the default runtime: stop them here.
    for node in &nodes[n - dedicated..] {
        node.request_stop().get_timeout(GUARD).unwrap();
    }
    let made = ledger.made.load(Ordering::SeqCst);
    drop(nodes);
    drop(rt);
    assert_eq!(
        ledger.dropped.load(Ordering::SeqCst),
        made,
        "payloads leaked or dropped twice"
    );
}

#[test]
fn actors_started_and_asked_during_shutdown_all_end_dead_and_join_returns() {
    let _wd = watchdog("starts during shutdown", WATCHDOG_SECS);
    let starters = 3;
    let per_starter = scale(2_000, 20_000);
    let rt = runtime(2);
    let midway = Barrier::new(starters + 1);
    let (values, dead) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let started: Vec<ActorRef<Node>> = thread::scope(|s| {
        let handles: Vec<_> = (0..starters)
            .map(|_| {
                let (rt, midway, values, dead) = (&rt, &midway, &values, &dead);
                s.spawn(move || {
                    let mut mine = Vec::with_capacity(per_starter);
                    let mut pending = Vec::new();
                    // Half before shutdown begins, then on until actors are born dead (the
                    // shutdown flag is set), then the other half.
                    let mut left = per_starter / 2;
                    let mut shut = false;
                    for k in 0.. {
                        assert!(k < 10_000_000, "shutdown never took effect");
                        if k == per_starter / 2 {
                            midway.wait();
                        }
                        if shut {
                            if left == 0 {
                                break;
                            }
                            left -= 1;
                        }
                        let a = start_nodes(rt, 1).pop().unwrap();
                        shut |= k >= per_starter / 2 && !a.is_alive();
                        pending.push(a.ask(Msg::Get));
                        mine.push(a);
                        if k % 16 == 15 {
                            for f in pending.drain(..) {
                                match f.get_timeout(GUARD) {
                                    Ok(Ok(0)) => values.fetch_add(1, Ordering::SeqCst),
                                    Err(Error::ActorDead(_)) => dead.fetch_add(1, Ordering::SeqCst),
                                    other => panic!("unexpected {other:?}"),
                                };
                            }
                        }
                    }
                    for f in pending {
                        match f.get_timeout(GUARD) {
                            Ok(Ok(0)) => values.fetch_add(1, Ordering::SeqCst),
                            Err(Error::ActorDead(_)) => dead.fetch_add(1, Ordering::SeqCst),
                            other => panic!("unexpected {other:?}"),
                        };
                    }
                    mine
                })
            })
            .collect();
        let (rt, midway) = (&rt, &midway);
        s.spawn(move || {
            midway.wait();
            rt.shutdown().expect("shutdown from outside the pool");
        });
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    eprintln!(
        "{} started, {} answered, {} dead",
        started.len(),
        values.load(Ordering::SeqCst),
        dead.load(Ordering::SeqCst)
    );
    assert_eq!(
        values.load(Ordering::SeqCst) + dead.load(Ordering::SeqCst),
        started.len()
    );
    assert!(dead.load(Ordering::SeqCst) > 0);
    for (i, a) in started.iter().enumerate() {
        assert!(!a.is_alive(), "actor {i} started around shutdown is alive");
    }
    assert!(rt.registered().is_empty());
    // Every actor was counted dead: join returns.
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        let rt = &rt;
        s.spawn(move || {
            rt.join().unwrap();
            tx.send(()).unwrap();
        });
        assert!(
            rx.recv_timeout(GUARD).is_ok(),
            "join hung after shutdown: an actor was never counted dead"
        );
    });
}
