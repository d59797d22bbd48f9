//! ractor: each actor a tokio task (its mailboxes are unbounded), tells with `cast`, asks with
//! `call` (an `RpcReplyPort` in the message) awaited in `block_on` on the bench thread.
//! `Actor::spawn` is async and returns once `pre_start` has run: that wait is part of its
//! spawn figure (ractor has no spawn that does not wait).

use super::{
    bank_failed, check_bank, complement, fib_value, idle_started, skynet_sum, tokio_runtime, Ask,
    Banking, Keep, Latch, Rng, Run, Slot, System, Transfers,
};
use ractor::rpc::CallResult;
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

/// Where a Fibonacci actor answers: its parent, or the bench thread.
enum FibParent {
    Actor(ActorRef<u64>),
    Root(oneshot::Sender<u64>),
}

struct FibState {
    n: u64,
    parent: Option<FibParent>,
    sum: u64,
    waiting: u32,
}
impl FibState {
    fn answer(&mut self, x: u64, myself: &ActorRef<u64>) {
        match self.parent.take().expect("answers once") {
            FibParent::Actor(p) => {
                let _ = p.cast(x);
            }
            FibParent::Root(p) => {
                let _ = p.send(x);
            }
        }
        myself.stop(None);
    }
}

/// Fibonacci: children are spawned in `post_start`, as Skynet's.
struct FibNode;
impl Actor for FibNode {
    type Msg = u64;
    type State = FibState;
    type Arguments = (u64, FibParent);

    async fn pre_start(
        &self,
        _: ActorRef<u64>,
        (n, parent): (u64, FibParent),
    ) -> Result<FibState, ActorProcessingErr> {
        Ok(FibState {
            n,
            parent: Some(parent),
            sum: 0,
            waiting: 0,
        })
    }

    async fn post_start(
        &self,
        myself: ActorRef<u64>,
        s: &mut FibState,
    ) -> Result<(), ActorProcessingErr> {
        if s.n <= 2 {
            s.answer(1, &myself);
            return Ok(());
        }
        s.waiting = 2;
        for k in [1, 2] {
            let args = (s.n - k, FibParent::Actor(myself.clone()));
            Actor::spawn(None, FibNode, args).await?;
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<u64>,
        x: u64,
        s: &mut FibState,
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

enum MallMsg {
    Meet(u8, ActorRef<ChamMsg>),
    Count(u64),
}

struct MallState {
    left: u64,
    waiting: Option<ActorRef<ChamMsg>>,
    creatures: usize,
    faded: usize,
    sum: u64,
    done: Arc<Slot>,
}

struct Mall;
impl Actor for Mall {
    type Msg = MallMsg;
    type State = MallState;
    type Arguments = MallState;

    async fn pre_start(
        &self,
        _: ActorRef<MallMsg>,
        s: MallState,
    ) -> Result<MallState, ActorProcessingErr> {
        Ok(s)
    }

    async fn handle(
        &self,
        myself: ActorRef<MallMsg>,
        m: MallMsg,
        s: &mut MallState,
    ) -> Result<(), ActorProcessingErr> {
        match m {
            MallMsg::Meet(_, who) if s.left == 0 => {
                let _ = who.cast(ChamMsg::Exit);
            }
            MallMsg::Meet(colour, who) => match s.waiting.take() {
                Some(first) => {
                    s.left -= 1;
                    let _ = first.cast(ChamMsg::Meet(colour, who));
                }
                None => s.waiting = Some(who),
            },
            MallMsg::Count(n) => {
                s.sum += n;
                s.faded += 1;
                if s.faded == s.creatures {
                    s.done.set(s.sum);
                    myself.stop(None);
                }
            }
        }
        Ok(())
    }
}

enum ChamMsg {
    Meet(u8, ActorRef<ChamMsg>),
    Change(u8),
    Exit,
}

struct ChamState {
    mall: ActorRef<MallMsg>,
    colour: u8,
    meetings: u64,
}
impl ChamState {
    fn ask_mall(&self, myself: &ActorRef<ChamMsg>) {
        let _ = self.mall.cast(MallMsg::Meet(self.colour, myself.clone()));
    }
}

struct Chameneo;
impl Actor for Chameneo {
    type Msg = ChamMsg;
    type State = ChamState;
    type Arguments = ChamState;

    async fn pre_start(
        &self,
        _: ActorRef<ChamMsg>,
        s: ChamState,
    ) -> Result<ChamState, ActorProcessingErr> {
        Ok(s)
    }

    async fn post_start(
        &self,
        myself: ActorRef<ChamMsg>,
        s: &mut ChamState,
    ) -> Result<(), ActorProcessingErr> {
        s.ask_mall(&myself);
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<ChamMsg>,
        m: ChamMsg,
        s: &mut ChamState,
    ) -> Result<(), ActorProcessingErr> {
        match m {
            ChamMsg::Meet(colour, other) => {
                s.colour = complement(s.colour, colour);
                s.meetings += 1;
                let _ = other.cast(ChamMsg::Change(s.colour));
                s.ask_mall(&myself);
            }
            ChamMsg::Change(colour) => {
                s.colour = colour;
                s.meetings += 1;
                s.ask_mall(&myself);
            }
            ChamMsg::Exit => {
                let _ = s.mall.cast(MallMsg::Count(s.meetings));
                myself.stop(None);
            }
        }
        Ok(())
    }
}

enum AccountMsg {
    Link(Arc<Vec<ActorRef<AccountMsg>>>),
    /// Pay the account of this index this amount, wait for it to book it, count the latch down.
    Transfer(usize, i64, Arc<Latch>),
    /// Book this amount; the reply is the new balance.
    Book(i64, RpcReplyPort<i64>),
}

struct AccountState {
    all: Arc<Vec<ActorRef<AccountMsg>>>,
    balance: i64,
}

struct Account;
impl Actor for Account {
    type Msg = AccountMsg;
    type State = AccountState;
    type Arguments = ();

    async fn pre_start(
        &self,
        _: ActorRef<AccountMsg>,
        _: (),
    ) -> Result<AccountState, ActorProcessingErr> {
        Ok(AccountState {
            all: Arc::new(Vec::new()),
            balance: 0,
        })
    }

    async fn handle(
        &self,
        _: ActorRef<AccountMsg>,
        m: AccountMsg,
        s: &mut AccountState,
    ) -> Result<(), ActorProcessingErr> {
        match m {
            AccountMsg::Link(all) => s.all = all,
            AccountMsg::Transfer(to, amount, latch) => {
                s.balance -= amount;
                // The await form of the blocking ask: this actor handles nothing else until the
                // reply is in.
                match s.all[to].call(|r| AccountMsg::Book(amount, r), None).await {
                    Ok(CallResult::Success(_)) => {}
                    Ok(other) => bank_failed(&format!("{other:?}")),
                    Err(e) => bank_failed(&e),
                }
                latch.count_down();
            }
            AccountMsg::Book(amount, reply) => {
                s.balance += amount;
                let _ = reply.send(s.balance);
            }
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

    fn fib(&self) -> Run<'_> {
        Box::new(move |n| {
            let (p, f) = oneshot::channel();
            self.rt
                .block_on(Actor::spawn(None, FibNode, (n, FibParent::Root(p))))
                .expect("ractor spawn");
            assert_eq!(f.blocking_recv().unwrap(), fib_value(n));
        })
    }

    fn chameneos(&self, creatures: usize) -> Run<'_> {
        Box::new(move |meetings| {
            let done = Slot::new();
            self.rt.block_on(async {
                let mall = MallState {
                    left: meetings,
                    waiting: None,
                    creatures,
                    faded: 0,
                    sum: 0,
                    done: done.clone(),
                };
                let (mall, _) = Actor::spawn(None, Mall, mall).await.expect("ractor spawn");
                for i in 0..creatures {
                    let c = ChamState {
                        mall: mall.clone(),
                        colour: (i % 3) as u8,
                        meetings: 0,
                    };
                    Actor::spawn(None, Chameneo, c).await.expect("ractor spawn");
                }
            });
            assert_eq!(done.wait(), 2 * meetings);
        })
    }

    fn banking(&self, accounts: usize) -> Banking<'_> {
        let all: Vec<ActorRef<AccountMsg>> = (0..accounts).map(|_| self.start(Account)).collect();
        let shared = Arc::new(all.clone());
        for a in &all {
            a.cast(AccountMsg::Link(shared.clone())).unwrap();
        }
        let all = Stopper {
            rt: &self.rt,
            actors: all,
        };
        Banking::Awaiting(Box::new(move |n| {
            let latch = Latch::new(n as usize);
            for (from, to, amount) in Transfers::new(accounts).take(n as usize) {
                all.actors[from]
                    .cast(AccountMsg::Transfer(to, amount, latch.clone()))
                    .unwrap();
            }
            latch.wait();
            check_bank();
        }))
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
