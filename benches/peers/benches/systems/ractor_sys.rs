//! ractor: each actor a tokio task (its mailboxes are unbounded), tells with `cast`, asks with
//! `call` (an `RpcReplyPort` in the message) awaited in `block_on` on the bench thread.
//! `Actor::spawn` is async and returns once `pre_start` has run: that wait is part of its
//! spawn figure (ractor has no spawn that does not wait).

use super::{idle_started, skynet_sum, tokio_runtime, Ask, Keep, Latch, Rng, Run, System};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::sync::Arc;
use tokio::sync::oneshot;

pub struct Ractor {
    rt: tokio::runtime::Runtime,
}

impl Ractor {
    pub fn new() -> Self {
        Ractor {
            rt: tokio_runtime(),
        }
    }
}

enum CountMsg {
    Add(u64),
    /// Adds, then answers the total.
    Total(u64, RpcReplyPort<u64>),
}

struct Counter;
impl Actor for Counter {
    type Msg = CountMsg;
    type State = u64;
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<CountMsg>, _: ()) -> Result<u64, ActorProcessingErr> {
        Ok(0)
    }

    async fn handle(
        &self,
        _: ActorRef<CountMsg>,
        m: CountMsg,
        total: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match m {
            CountMsg::Add(x) => *total = total.wrapping_add(x),
            CountMsg::Total(x, reply) => {
                *total = total.wrapping_add(x);
                let _ = reply.send(*total);
            }
        }
        Ok(())
    }
}

enum NodeMsg {
    Link(ActorRef<NodeMsg>),
    Token(u64, oneshot::Sender<()>),
}

struct Node;
impl Actor for Node {
    type Msg = NodeMsg;
    type State = Option<ActorRef<NodeMsg>>;
    type Arguments = ();

    async fn pre_start(
        &self,
        _: ActorRef<NodeMsg>,
        _: (),
    ) -> Result<Option<ActorRef<NodeMsg>>, ActorProcessingErr> {
        Ok(None)
    }

    async fn handle(
        &self,
        _: ActorRef<NodeMsg>,
        m: NodeMsg,
        next: &mut Option<ActorRef<NodeMsg>>,
    ) -> Result<(), ActorProcessingErr> {
        match m {
            NodeMsg::Link(n) => *next = Some(n),
            NodeMsg::Token(0, done) => {
                let _ = done.send(());
            }
            NodeMsg::Token(n, done) => {
                let _ = next
                    .as_ref()
                    .expect("linked")
                    .cast(NodeMsg::Token(n - 1, done));
            }
        }
        Ok(())
    }
}

/// Fork-join throughput worker: adds what it is told; `Done` counts the latch down.
enum WorkMsg {
    Add(u64),
    Done(Arc<Latch>),
}

struct Worker;
impl Actor for Worker {
    type Msg = WorkMsg;
    type State = u64;
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<WorkMsg>, _: ()) -> Result<u64, ActorProcessingErr> {
        Ok(0)
    }

    async fn handle(
        &self,
        _: ActorRef<WorkMsg>,
        m: WorkMsg,
        total: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match m {
            WorkMsg::Add(x) => *total = total.wrapping_add(x),
            WorkMsg::Done(latch) => latch.count_down(),
        }
        Ok(())
    }
}

/// Fork-join creation: keeps the latch of its one message, stops itself; `post_stop` counts
/// down.
struct OneShot;
impl Actor for OneShot {
    type Msg = Arc<Latch>;
    type State = Option<Arc<Latch>>;
    type Arguments = ();

    async fn pre_start(
        &self,
        _: ActorRef<Arc<Latch>>,
        _: (),
    ) -> Result<Option<Arc<Latch>>, ActorProcessingErr> {
        Ok(None)
    }

    async fn handle(
        &self,
        myself: ActorRef<Arc<Latch>>,
        latch: Arc<Latch>,
        state: &mut Option<Arc<Latch>>,
    ) -> Result<(), ActorProcessingErr> {
        *state = Some(latch);
        myself.stop(None);
        Ok(())
    }

    async fn post_stop(
        &self,
        _: ActorRef<Arc<Latch>>,
        state: &mut Option<Arc<Latch>>,
    ) -> Result<(), ActorProcessingErr> {
        if let Some(l) = state.take() {
            l.count_down();
        }
        Ok(())
    }
}

enum BigMsg {
    Link(Arc<Vec<ActorRef<BigMsg>>>),
    Start(u64, Arc<Latch>),
    Ping(usize),
    Pong,
}

struct BigState {
    me: usize,
    all: Arc<Vec<ActorRef<BigMsg>>>,
    rng: Rng,
    left: u64,
    latch: Option<Arc<Latch>>,
}
impl BigState {
    fn ping(&mut self) {
        let to = self.rng.neighbour(self.me, self.all.len());
        let _ = self.all[to].cast(BigMsg::Ping(self.me));
    }
}

struct BigNode;
impl Actor for BigNode {
    type Msg = BigMsg;
    type State = BigState;
    type Arguments = usize;

    async fn pre_start(
        &self,
        _: ActorRef<BigMsg>,
        me: usize,
    ) -> Result<BigState, ActorProcessingErr> {
        Ok(BigState {
            me,
            all: Arc::new(Vec::new()),
            rng: Rng::new(me as u64),
            left: 0,
            latch: None,
        })
    }

    async fn handle(
        &self,
        _: ActorRef<BigMsg>,
        m: BigMsg,
        s: &mut BigState,
    ) -> Result<(), ActorProcessingErr> {
        match m {
            BigMsg::Link(all) => s.all = all,
            BigMsg::Start(pings, latch) => {
                s.left = pings;
                s.latch = Some(latch);
                s.ping();
            }
            BigMsg::Ping(from) => {
                let _ = s.all[from].cast(BigMsg::Pong);
            }
            BigMsg::Pong => {
                s.left -= 1;
                if s.left == 0 {
                    s.latch.take().expect("started").count_down();
                } else {
                    s.ping();
                }
            }
        }
        Ok(())
    }
}

/// Where a Skynet actor answers: its parent, or the bench thread.
enum Parent {
    Actor(ActorRef<u64>),
    Root(oneshot::Sender<u64>),
}

struct SkyState {
    num: u64,
    below: u32,
    parent: Option<Parent>,
    sum: u64,
    waiting: u32,
}
impl SkyState {
    fn answer(&mut self, x: u64, myself: &ActorRef<u64>) {
        match self.parent.take().expect("answers once") {
            Parent::Actor(p) => {
                let _ = p.cast(x);
            }
            Parent::Root(p) => {
                let _ = p.send(x);
            }
        }
        myself.stop(None);
    }
}

/// Skynet: children are spawned in `post_start` (ractor's `spawn` waits for the child's
/// `pre_start`, so spawning there would build the tree depth-first, one level at a time).
struct SkyNode;
impl Actor for SkyNode {
    type Msg = u64;
    type State = SkyState;
    type Arguments = (u64, u32, Parent);

    async fn pre_start(
        &self,
        _: ActorRef<u64>,
        (num, below, parent): (u64, u32, Parent),
    ) -> Result<SkyState, ActorProcessingErr> {
        Ok(SkyState {
            num,
            below,
            parent: Some(parent),
            sum: 0,
            waiting: 0,
        })
    }

    async fn post_start(
        &self,
        myself: ActorRef<u64>,
        s: &mut SkyState,
    ) -> Result<(), ActorProcessingErr> {
        if s.below == 0 {
            s.answer(s.num, &myself);
            return Ok(());
        }
        s.waiting = 10;
        for k in 0..10 {
            let args = (s.num * 10 + k, s.below - 1, Parent::Actor(myself.clone()));
            Actor::spawn(None, SkyNode, args).await?;
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<u64>,
        x: u64,
        s: &mut SkyState,
    ) -> Result<(), ActorProcessingErr> {
        s.sum += x;
        s.waiting -= 1;
        if s.waiting == 0 {
            let sum = s.sum;
            s.answer(sum, &myself);
        }
        Ok(())
    }
}

struct Idle;
impl Actor for Idle {
    type Msg = ();
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<()>, _: ()) -> Result<(), ActorProcessingErr> {
        idle_started();
        Ok(())
    }
}

/// Stops its actors (and waits for them) when dropped.
struct Stopper<'a, M: ractor::Message> {
    rt: &'a tokio::runtime::Runtime,
    actors: Vec<ActorRef<M>>,
}
impl<M: ractor::Message> Drop for Stopper<'_, M> {
    fn drop(&mut self) {
        let actors = std::mem::take(&mut self.actors);
        self.rt.block_on(async move {
            for a in &actors {
                let _ = a.stop_and_wait(None, None).await;
            }
        });
    }
}

impl Ractor {
    fn start<A: Actor<Arguments = ()>>(&self, a: A) -> ActorRef<A::Msg> {
        self.rt
            .block_on(Actor::spawn(None, a, ()))
            .expect("ractor spawn")
            .0
    }
}

impl System for Ractor {
    fn name(&self) -> &'static str {
        "ractor"
    }

    fn ring(&self, actors: usize) -> Run<'_> {
        let nodes: Vec<ActorRef<NodeMsg>> = (0..actors).map(|_| self.start(Node)).collect();
        for (i, n) in nodes.iter().enumerate() {
            n.cast(NodeMsg::Link(nodes[(i + 1) % actors].clone()))
                .unwrap();
        }
        let ring = Stopper {
            rt: &self.rt,
            actors: nodes,
        };
        Box::new(move |hops| {
            let (done, wait) = oneshot::channel();
            ring.actors[0].cast(NodeMsg::Token(hops, done)).unwrap();
            wait.blocking_recv().unwrap();
        })
    }

    fn counting(&self) -> Run<'_> {
        let c = Stopper {
            rt: &self.rt,
            actors: vec![self.start(Counter)],
        };
        Box::new(move |n| {
            let a = &c.actors[0];
            for i in 0..n {
                a.cast(CountMsg::Add(i)).unwrap();
            }
            c.rt.block_on(a.call(|r| CountMsg::Total(0, r), None))
                .unwrap()
                .unwrap();
        })
    }

    fn asker(&self) -> Ask<'_> {
        let c = Stopper {
            rt: &self.rt,
            actors: vec![self.start(Counter)],
        };
        Box::new(move |i| {
            c.rt.block_on(c.actors[0].call(|r| CountMsg::Total(i, r), None))
                .unwrap()
                .unwrap()
        })
    }

    fn spawn(&self) -> Run<'_> {
        Box::new(move |n| {
            self.rt.block_on(async {
                let mut joins = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    let (a, j) = Actor::spawn(None, Counter, ()).await.expect("ractor spawn");
                    // Queues the stop signal; does not wait.
                    a.stop(None);
                    joins.push(j);
                }
                for j in joins {
                    j.await.unwrap();
                }
            })
        })
    }

    fn fork_join_throughput(&self, actors: usize) -> Run<'_> {
        let w = Stopper {
            rt: &self.rt,
            actors: (0..actors).map(|_| self.start(Worker)).collect(),
        };
        Box::new(move |n| {
            for i in 0..n {
                for a in &w.actors {
                    a.cast(WorkMsg::Add(i)).unwrap();
                }
            }
            let latch = Latch::new(w.actors.len());
            for a in &w.actors {
                a.cast(WorkMsg::Done(latch.clone())).unwrap();
            }
            latch.wait();
        })
    }

    fn fork_join_create(&self) -> Run<'_> {
        Box::new(move |n| {
            let latch = Latch::new(n as usize);
            self.rt.block_on(async {
                for _ in 0..n {
                    let (a, _) = Actor::spawn(None, OneShot, ()).await.expect("ractor spawn");
                    a.cast(latch.clone()).unwrap();
                }
            });
            latch.wait();
        })
    }

    fn big(&self, actors: usize) -> Run<'_> {
        let nodes: Vec<ActorRef<BigMsg>> = (0..actors)
            .map(|me| {
                self.rt
                    .block_on(Actor::spawn(None, BigNode, me))
                    .expect("ractor spawn")
                    .0
            })
            .collect();
        let all = Arc::new(nodes.clone());
        for n in &nodes {
            n.cast(BigMsg::Link(all.clone())).unwrap();
        }
        let nodes = Stopper {
            rt: &self.rt,
            actors: nodes,
        };
        Box::new(move |m| {
            let latch = Latch::new(nodes.actors.len());
            for n in &nodes.actors {
                n.cast(BigMsg::Start(m, latch.clone())).unwrap();
            }
            latch.wait();
        })
    }

    fn skynet(&self) -> Run<'_> {
        Box::new(move |depth| {
            let (p, f) = oneshot::channel();
            let args = (0, depth as u32, Parent::Root(p));
            self.rt
                .block_on(Actor::spawn(None, SkyNode, args))
                .expect("ractor spawn");
            assert_eq!(f.blocking_recv().unwrap(), skynet_sum(depth as u32));
        })
    }

    fn idle(&self, n: usize) -> Box<dyn Keep + '_> {
        let mut refs = Vec::with_capacity(n);
        for _ in 0..n {
            refs.push(self.start(Idle));
        }
        Box::new(Stopper {
            rt: &self.rt,
            actors: refs,
        })
    }

    fn handle_size(&self) -> usize {
        std::mem::size_of::<ActorRef<()>>()
    }
}
