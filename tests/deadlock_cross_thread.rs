//! Cycles of blocking asks across threads fail with `Error::Deadlock`, on every schedule, and
//! acyclic ones never do.
//!
//! Pykka's `examples/deadlock_debugging.py` (A's `foo` asks B's `bar` and blocks; `bar` asks
//! A's `foo` and blocks) is ported with enum messages and with typed proxies, and run for many
//! rounds on 1, 2 and 8 workers, with waits that run the asked actor inline and waits that
//! cannot (a deadline), and with dedicated actors (a thread each, Pykka's model): every round
//! must report the cycle, none may hang. Timeouts are hang guards only.

mod common;

use common::{watchdog, Rng};
use pykka::{Actor, ActorRef, Context, Error, Future, Receive, Runtime};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(30);
const ROUNDS: usize = 200;

/// How A waits for B: `get()` (B may run inline on A's thread) or `get_timeout` (never inline:
/// B runs on another thread, A's thread blocks).
#[derive(Clone, Copy, Debug)]
enum Wait {
    Get,
    Deadline,
}

fn read<T>(f: Future<T>, how: Wait) -> Result<T, Error> {
    match how {
        Wait::Get => f.get(),
        Wait::Deadline => f.get_timeout(Duration::from_secs(3600)),
    }
}

enum AMsg {
    Foo(ActorRef<DeadlockB>, Wait),
    Ping,
}

/// Pykka's `DeadlockActorA`.
struct DeadlockA;
impl Actor for DeadlockA {}
impl Receive for DeadlockA {
    type Message = AMsg;
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, msg: AMsg, ctx: &mut Context<Self>) -> Result<u32, Error> {
        match msg {
            // "This is foo calling bar"
            AMsg::Foo(b, how) => read(b.ask(ctx.actor_ref()), how)?,
            AMsg::Ping => Ok(1),
        }
    }
}

/// Pykka's `DeadlockActorB`.
struct DeadlockB;
impl Actor for DeadlockB {}
impl Receive for DeadlockB {
    type Message = ActorRef<DeadlockA>;
    type Reply = Result<u32, Error>;
    fn on_receive(
        &mut self,
        a: ActorRef<DeadlockA>,
        ctx: &mut Context<Self>,
    ) -> Result<u32, Error> {
        // "This is bar calling foo; BOOM!"
        a.ask(AMsg::Foo(ctx.actor_ref(), Wait::Get)).get()?
    }
}

/// `Err(Deadlock)` naming A and B (whichever closed the cycle: its wait is the one refused).
#[track_caller]
fn assert_cycle_of(r: Result<u32, Error>, a: &ActorRef<DeadlockA>, b: &ActorRef<DeadlockB>) {
    let Err(Error::Deadlock(d)) = r else {
        panic!("expected the deadlock to be reported, got {r:?}");
    };
    let (a, b) = (a.to_string(), b.to_string());
    let cycle = d.cycle();
    assert!(
        cycle == [a.clone(), b.clone()] || cycle == [b.clone(), a.clone()],
        "{d}"
    );
    // The refused wait is the first one's, for the second one's reply.
    assert_eq!(d.awaited(), cycle[1], "{d}");
    assert!(
        d.to_string().contains(&a) && d.to_string().contains(&b),
        "{d}"
    );
}

fn rounds(a: &ActorRef<DeadlockA>, b: &ActorRef<DeadlockB>, how: Wait) {
    for round in 0..ROUNDS {
        let r = a
            .ask(AMsg::Foo(b.clone(), how))
            .get_timeout(GUARD)
            .unwrap_or_else(|e| panic!("round {round} ({how:?}): {e}"));
        assert_cycle_of(r, a, b);
        // Both live on.
        assert_eq!(a.ask(AMsg::Ping).get_timeout(GUARD).unwrap().unwrap(), 1);
    }
}

#[test]
fn pykkas_deadlock_example_reports_the_cycle_every_round_on_1_2_and_8_workers() {
    let _guard = watchdog("deadlock example on the pool", 120);
    for threads in [1, 2, 8] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        for how in [Wait::Get, Wait::Deadline] {
            let a = DeadlockA.start_in(&rt);
            let b = DeadlockB.start_in(&rt);
            rounds(&a, &b, how);
        }
        rt.shutdown().unwrap();
    }
}

#[test]
fn pykkas_deadlock_example_reports_the_cycle_every_round_with_dedicated_actors() {
    let _guard = watchdog("deadlock example, dedicated", 120);
    let a = DeadlockA.start_dedicated();
    let b = DeadlockB.start_dedicated();
    rounds(&a, &b, Wait::Get);
    // One of each: the pooled one's wait cannot run a dedicated actor inline, and the dedicated
    // one's thread cannot run a pooled one.
    let rt = Runtime::builder().threads(2).build().unwrap();
    let pooled_b = DeadlockB.start_in(&rt);
    rounds(&a, &pooled_b, Wait::Get);
    let pooled_a = DeadlockA.start_in(&rt);
    rounds(&pooled_a, &b, Wait::Get);
    a.stop();
    b.stop();
    rt.shutdown().unwrap();
}

// -- Longer cycles, across threads --------------------------------------------------------------

/// Asked, asks the next node (if any) and blocks, with a deadline so the next one never runs
/// inline: every link of the chain blocks its own thread.
struct Ring {
    next: Arc<Mutex<Option<ActorRef<Ring>>>>,
}
impl Actor for Ring {}
impl Receive for Ring {
    type Message = ();
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Result<u32, Error> {
        let next = self.next.lock().unwrap().clone();
        match next {
            Some(n) => n.ask(()).get_timeout(Duration::from_secs(3600))?,
            None => Ok(0),
        }
    }
}

#[test]
fn a_cycle_of_ten_actors_on_ten_threads_is_reported_with_every_member() {
    let _guard = watchdog("ring of ten", 120);
    let rt = Runtime::builder()
        .threads(2)
        .max_spare_threads(64)
        .build()
        .unwrap();
    let links: Vec<_> = (0..10).map(|_| Arc::new(Mutex::new(None))).collect();
    let ring: Vec<_> = links
        .iter()
        .map(|l| {
            Ring {
                next: Arc::clone(l),
            }
            .start_in(&rt)
        })
        .collect();
    for (i, l) in links.iter().enumerate() {
        *l.lock().unwrap() = Some(ring[(i + 1) % ring.len()].clone());
    }
    for _ in 0..20 {
        let r = ring[0].ask(()).get_timeout(GUARD).unwrap();
        let Err(Error::Deadlock(d)) = r else {
            panic!("expected the deadlock, got {r:?}");
        };
        // The cycle has every member once, each followed by the one it asked.
        let names: Vec<String> = ring.iter().map(ToString::to_string).collect();
        let cycle = d.cycle();
        assert_eq!(cycle.len(), 10, "{d}");
        let start = names.iter().position(|n| *n == cycle[0]).unwrap();
        for (k, c) in cycle.iter().enumerate() {
            assert_eq!(*c, names[(start + k) % 10], "{d}");
        }
    }
    // Open the ring: the same asks now complete.
    *links[9].lock().unwrap() = None;
    assert_eq!(ring[0].ask(()).get_timeout(GUARD).unwrap().unwrap(), 0);
    assert!(rt.snapshot().waits().is_empty());
    rt.shutdown().unwrap();
}

// -- No false reports ------------------------------------------------------------------------------

/// The futures of a run's ask-backs, read by the test once the run's trees have answered.
type Backs = Arc<Mutex<Vec<Future<Result<u32, Error>>>>>;

enum Node {
    /// Ask each child (with `Back` right behind, so that the child asks this actor back after it
    /// has answered), and wait for the answers.
    Ask(Vec<Plan>, Backs),
    /// Ask `parent` (whose wait for this actor is over: this actor answered it first).
    Back(ActorRef<Walker>, Wait),
    Ping,
}

/// One ask of a random tree: to whom, how the asker waits, and what the asked one asks.
#[derive(Clone)]
struct Plan {
    to: usize,
    how: Wait,
    children: Vec<Plan>,
}

struct Walker {
    /// Every walker (set once all are started: they know each other).
    peers: Arc<OnceLock<Vec<ActorRef<Walker>>>>,
    me: usize,
}
impl Actor for Walker {}
impl Receive for Walker {
    type Message = Node;
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, msg: Node, _: &mut Context<Self>) -> Result<u32, Error> {
        match msg {
            Node::Ask(children, backs) => {
                let mut sum = 0;
                let peers = self.peers.get().expect("peers set before the first ask");
                for plan in children {
                    let child = &peers[plan.to];
                    let answer = child.ask(Node::Ask(plan.children, Arc::clone(&backs)));
                    let back = child.ask(Node::Back(peers[self.me].clone(), plan.how));
                    backs.lock().unwrap().push(back);
                    sum += read(answer, plan.how)??;
                }
                Ok(sum + 1)
            }
            Node::Back(parent, how) => read(parent.ask(Node::Ping), how)?,
            Node::Ping => Ok(1),
        }
    }
}

/// A random tree over distinct actors taken from `free`: every wait-for relation it makes is
/// acyclic at every instant (a child asks its parent back only after answering it).
fn random_tree(rng: &mut Rng, free: &mut Vec<usize>, depth: usize) -> Vec<Plan> {
    let mut plans = Vec::new();
    let fanout = if depth == 0 { 0 } else { rng.below(3) };
    for _ in 0..fanout {
        if free.is_empty() {
            break;
        }
        let to = free.swap_remove(rng.below(free.len()));
        let how = if rng.below(2) == 0 {
            Wait::Get
        } else {
            Wait::Deadline
        };
        let children = random_tree(rng, free, depth - 1);
        plans.push(Plan { to, how, children });
    }
    plans
}

#[test]
fn random_acyclic_ask_graphs_never_report_a_deadlock() {
    const RUNS: usize = 10_000;
    const ACTORS: usize = 12;
    let _guard = watchdog("random acyclic ask graphs", 240);
    for threads in [2, 8] {
        let rt = Runtime::builder()
            .threads(threads)
            .max_spare_threads(256)
            .build()
            .unwrap();
        let walkers = start_walkers(&rt, ACTORS);
        let mut rng = Rng(threads as u64);
        let mut reports = Vec::new();
        for run in 0..RUNS / 2 {
            // Two trees at once, over disjoint actors, from two threads.
            let mut free: Vec<usize> = (0..ACTORS).collect();
            let mut roots = Vec::new();
            for half in [ACTORS / 2, 0] {
                // Each tree takes from its own half of what is left.
                let mut mine = free.split_off(half);
                let root = mine.swap_remove(rng.below(mine.len()));
                let tree = random_tree(&mut rng, &mut mine, 3);
                roots.push((root, tree));
            }
            let backs = Arc::new(Mutex::new(Vec::new()));
            let asks: Vec<_> = roots
                .into_iter()
                .map(|(root, tree)| walkers[root].ask(Node::Ask(tree, Arc::clone(&backs))))
                .collect();
            for f in asks {
                match f.get_timeout(GUARD).unwrap() {
                    Ok(_) => {}
                    Err(e) => reports.push(format!("run {run}: {e}")),
                }
            }
            // Every ask-back of this run is answered before the next run starts (runs overlap
            // in no actor's wait).
            let backs = std::mem::take(&mut *backs.lock().unwrap());
            for b in backs {
                if let Err(e) = b.get_timeout(GUARD).unwrap() {
                    reports.push(format!("run {run} (back): {e}"));
                }
            }
        }
        assert!(
            reports.is_empty(),
            "{} false reports: {:?}",
            reports.len(),
            &reports[..reports.len().min(5)]
        );
        rt.shutdown().unwrap();
    }
}

fn start_walkers(rt: &Runtime, n: usize) -> Vec<ActorRef<Walker>> {
    let peers: Arc<OnceLock<Vec<ActorRef<Walker>>>> = Arc::default();
    let walkers: Vec<_> = (0..n)
        .map(|me| {
            Walker {
                peers: Arc::clone(&peers),
                me,
            }
            .start_in(rt)
        })
        .collect();
    peers.set(walkers.clone()).unwrap();
    walkers
}

// -- Through proxies and blocking stops ---------------------------------------------------------

/// Pykka's example as written there, with proxies: `a.foo(b)` calls `b.bar()`, which calls
/// `a.foo()` again.
#[pykka::proxy]
struct ProxyA;

#[pykka::proxy]
impl ProxyA {
    pub(crate) fn foo(&mut self, b: Option<ProxyBProxy>) -> Result<u32, Error> {
        match b {
            Some(b) => b.bar().get()?,
            None => Ok(7),
        }
    }
}

impl Actor for ProxyA {}

#[pykka::proxy]
struct ProxyB {
    a: Option<ProxyAProxy>,
    me: Option<ProxyBProxy>,
}

#[pykka::proxy]
impl ProxyB {
    pub(crate) fn bar(&mut self) -> Result<u32, Error> {
        // "This is bar calling foo; BOOM!"
        let (a, me) = (self.a.clone().unwrap(), self.me.clone());
        a.foo(me).get()?
    }

    pub(crate) fn meet(&mut self, a: ProxyAProxy, me: ProxyBProxy) {
        self.a = Some(a);
        self.me = Some(me);
    }
}

impl Actor for ProxyB {}

#[test]
fn pykkas_deadlock_example_with_proxies_reports_the_cycle_pooled_and_dedicated() {
    let _guard = watchdog("deadlock example with proxies", 120);
    let rt = Runtime::builder().threads(2).build().unwrap();
    for dedicated in [false, true] {
        let (a, b) = if dedicated {
            (
                ProxyA.start_dedicated(),
                ProxyB { a: None, me: None }.start_dedicated(),
            )
        } else {
            (
                ProxyA.start_in(&rt),
                ProxyB { a: None, me: None }.start_in(&rt),
            )
        };
        let (pa, pb): (ProxyAProxy, ProxyBProxy) =
            (a.typed_proxy().unwrap(), b.typed_proxy().unwrap());
        pb.meet(pa.clone(), pb.clone()).get_timeout(GUARD).unwrap();
        for _ in 0..50 {
            let r = pa.foo(Some(pb.clone())).get_timeout(GUARD).unwrap();
            let Err(Error::Deadlock(d)) = r else {
                panic!("expected the deadlock, got {r:?}");
            };
            assert_eq!(d.cycle().len(), 2, "{d}");
            assert_eq!(pa.foo(None).get_timeout(GUARD).unwrap().unwrap(), 7);
        }
        // The proxies hold each other: stop both.
        a.stop();
        b.stop();
    }
    rt.shutdown().unwrap();
}

enum StopMsg {
    /// Stop this actor's peer, blocking until it has stopped.
    StopPeer(ActorRef<Stoppee>),
}

struct Stopper;
impl Actor for Stopper {}
impl Receive for Stopper {
    type Message = StopMsg;
    type Reply = Result<bool, Error>;
    fn on_receive(&mut self, m: StopMsg, _: &mut Context<Self>) -> Result<bool, Error> {
        let StopMsg::StopPeer(peer) = m;
        peer.request_stop().get()
    }
}

/// Asks the stopper (which is busy stopping this actor) and blocks.
struct Stoppee {
    stopper: ActorRef<Stopper>,
    asked: std::sync::mpsc::Sender<Result<Result<bool, Error>, Error>>,
}
impl Actor for Stoppee {}
impl Receive for Stoppee {
    type Message = ActorRef<Stoppee>;
    type Reply = ();
    fn on_receive(&mut self, me: ActorRef<Stoppee>, _: &mut Context<Self>) {
        let r = self
            .stopper
            .ask(StopMsg::StopPeer(me))
            .get_timeout(Duration::from_secs(3600));
        let _ = self.asked.send(r);
    }
}

#[test]
fn a_cycle_through_a_blocking_stop_is_reported() {
    let _guard = watchdog("cycle through a blocking stop", 60);
    // The stoppee's handler asks the stopper to stop it and blocks; the stopper's handler then
    // blocks on the stop, which is queued behind the stoppee's blocked handler.
    let stopper = Stopper.start_dedicated();
    let (tx, rx) = std::sync::mpsc::channel();
    let stoppee = Stoppee {
        stopper: stopper.clone(),
        asked: tx,
    }
    .start_dedicated();
    stoppee.tell(stoppee.clone()).unwrap();
    let r = rx.recv_timeout(GUARD).expect("the stoppee's ask returned");
    // Whichever wait closed the cycle was refused: the stopper's stop (its handler then
    // answers with the error), or the stoppee's ask.
    match r {
        Ok(Err(Error::Deadlock(d))) | Err(Error::Deadlock(d)) => {
            let names = [stopper.to_string(), stoppee.to_string()];
            assert!(d.cycle().iter().all(|c| names.contains(c)), "{d}");
            assert_eq!(d.cycle().len(), 2, "{d}");
        }
        other => panic!("expected the deadlock, got {other:?}"),
    }
    // The stop request stays queued: the stoppee stops once its handler returned.
    assert!(stoppee.request_stop().get_timeout(GUARD).is_ok());
    stopper.stop();
}
