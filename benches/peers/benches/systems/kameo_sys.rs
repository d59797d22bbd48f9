//! kameo: each actor a tokio task, unbounded mailboxes (`spawn_with_mailbox(.., unbounded())`),
//! tells with `tell(..).try_send()` (the non-async send its docs recommend inside actors),
//! asks from the bench thread with `ask(..).blocking_send()` (its API for sync callers).

use super::{
    bank_failed, check_bank, complement, fib_value, idle_started, skynet_sum, tokio_runtime, Ask,
    Banking, Keep, Latch, Rng, Run, Slot, System, Transfers,
};
use kameo::actor::{ActorRef, Spawn, WeakActorRef};
use kameo::error::{ActorStopReason, Infallible};
use kameo::mailbox;
use kameo::message::{Context, Message};
use kameo::Actor;
use std::sync::Arc;
use tokio::sync::oneshot;

pub struct Kameo {
    rt: tokio::runtime::Runtime,
}

impl Kameo {
    pub fn new() -> Self {
        Kameo {
            rt: tokio_runtime(),
        }
    }
}

#[derive(Actor)]
struct Counter(u64);

struct Add(u64);
impl Message<Add> for Counter {
    type Reply = ();
    async fn handle(&mut self, Add(x): Add, _: &mut Context<Self, ()>) {
        self.0 = self.0.wrapping_add(x);
    }
}

/// Adds, then answers the total.
struct Total(u64);
impl Message<Total> for Counter {
    type Reply = u64;
    async fn handle(&mut self, Total(x): Total, _: &mut Context<Self, u64>) -> u64 {
        self.0 = self.0.wrapping_add(x);
        self.0
    }
}

#[derive(Actor)]
struct Node {
    next: Option<ActorRef<Node>>,
}

struct Link(ActorRef<Node>);
impl Message<Link> for Node {
    type Reply = ();
    async fn handle(&mut self, Link(next): Link, _: &mut Context<Self, ()>) {
        self.next = Some(next);
    }
}

struct Token(u64, oneshot::Sender<()>);
impl Message<Token> for Node {
    type Reply = ();
    async fn handle(&mut self, Token(n, done): Token, _: &mut Context<Self, ()>) {
        if n == 0 {
            let _ = done.send(());
        } else {
            let _ = self
                .next
                .as_ref()
                .expect("linked")
                .tell(Token(n - 1, done))
                .try_send();
        }
    }
}

/// Stops its actors (and waits for them) when dropped.
struct Stopper<'a, A: Actor> {
    rt: &'a tokio::runtime::Runtime,
    actors: Vec<ActorRef<A>>,
}
impl<A: Actor> Drop for Stopper<'_, A> {
    fn drop(&mut self) {
        let actors = std::mem::take(&mut self.actors);
        self.rt.block_on(async move {
            for a in &actors {
                let _ = a.stop_gracefully().await;
            }
            for a in &actors {
                a.wait_for_shutdown().await;
            }
        });
    }
}

/// Fork-join throughput worker: adds what it is told; `Done` counts the latch down.
#[derive(Actor)]
struct Worker(u64);
impl Message<Add> for Worker {
    type Reply = ();
    async fn handle(&mut self, Add(x): Add, _: &mut Context<Self, ()>) {
        self.0 = self.0.wrapping_add(x);
    }
}

struct Done(Arc<Latch>);
impl Message<Done> for Worker {
    type Reply = ();
    async fn handle(&mut self, Done(latch): Done, _: &mut Context<Self, ()>) {
        latch.count_down();
    }
}

/// Fork-join creation: keeps the latch of its one message, stops itself; `on_stop` counts down.
struct OneShot(Option<Arc<Latch>>);
impl Actor for OneShot {
    type Args = Self;
    type Error = Infallible;
    async fn on_start(s: Self, _: ActorRef<Self>) -> Result<Self, Infallible> {
        Ok(s)
    }
    async fn on_stop(
        &mut self,
        _: WeakActorRef<Self>,
        _: ActorStopReason,
    ) -> Result<(), Infallible> {
        if let Some(l) = self.0.take() {
            l.count_down();
        }
        Ok(())
    }
}
impl Message<Done> for OneShot {
    type Reply = ();
    async fn handle(&mut self, Done(latch): Done, ctx: &mut Context<Self, ()>) {
        self.0 = Some(latch);
        ctx.stop();
    }
}

#[derive(Actor)]
struct BigNode {
    me: usize,
    all: Arc<Vec<ActorRef<BigNode>>>,
    rng: Rng,
    left: u64,
    latch: Option<Arc<Latch>>,
}
impl BigNode {
    fn ping(&mut self) {
        let to = self.rng.neighbour(self.me, self.all.len());
        let _ = self.all[to].tell(Ping(self.me)).try_send();
    }
}

enum BigMsg {
    Link(Arc<Vec<ActorRef<BigNode>>>),
    Start(u64, Arc<Latch>),
}
impl Message<BigMsg> for BigNode {
    type Reply = ();
    async fn handle(&mut self, m: BigMsg, _: &mut Context<Self, ()>) {
        match m {
            BigMsg::Link(all) => self.all = all,
            BigMsg::Start(pings, latch) => {
                self.left = pings;
                self.latch = Some(latch);
                self.ping();
            }
        }
    }
}

struct Ping(usize);
impl Message<Ping> for BigNode {
    type Reply = ();
    async fn handle(&mut self, Ping(from): Ping, _: &mut Context<Self, ()>) {
        let _ = self.all[from].tell(Pong).try_send();
    }
}

struct Pong;
impl Message<Pong> for BigNode {
    type Reply = ();
    async fn handle(&mut self, _: Pong, _: &mut Context<Self, ()>) {
        self.left -= 1;
        if self.left == 0 {
            self.latch.take().expect("started").count_down();
        } else {
            self.ping();
        }
    }
}

/// Where a Skynet actor answers: its parent, or the bench thread.
enum Parent {
    Actor(ActorRef<SkyNode>),
    Root(oneshot::Sender<u64>),
}

struct SkyNode {
    num: u64,
    below: u32,
    parent: Option<Parent>,
    sum: u64,
    waiting: u32,
}
impl SkyNode {
    /// Answers the parent; the caller stops this actor.
    fn answer(&mut self, x: u64) {
        match self.parent.take().expect("answers once") {
            Parent::Actor(p) => {
                let _ = p.tell(Sum(x)).try_send();
            }
            Parent::Root(p) => {
                let _ = p.send(x);
            }
        }
    }
}
impl Actor for SkyNode {
    type Args = Self;
    type Error = Infallible;
    async fn on_start(mut s: Self, me: ActorRef<Self>) -> Result<Self, Infallible> {
        if s.below == 0 {
            s.answer(s.num);
            // On an unbounded mailbox this only queues the stop signal.
            let _ = me.stop_gracefully().await;
            return Ok(s);
        }
        s.waiting = 10;
        for k in 0..10 {
            SkyNode::spawn_with_mailbox(
                SkyNode {
                    num: s.num * 10 + k,
                    below: s.below - 1,
                    parent: Some(Parent::Actor(me.clone())),
                    sum: 0,
                    waiting: 0,
                },
                mailbox::unbounded(),
            );
        }
        Ok(s)
    }
}

struct Sum(u64);
impl Message<Sum> for SkyNode {
    type Reply = ();
    async fn handle(&mut self, Sum(x): Sum, ctx: &mut Context<Self, ()>) {
        self.sum += x;
        self.waiting -= 1;
        if self.waiting == 0 {
            self.answer(self.sum);
            ctx.stop();
        }
    }
}

/// Where a Fibonacci actor answers: its parent, or the bench thread.
enum FibParent {
    Actor(ActorRef<FibNode>),
    Root(oneshot::Sender<u64>),
}

struct FibNode {
    n: u64,
    parent: Option<FibParent>,
    sum: u64,
    waiting: u32,
}
impl FibNode {
    fn new(n: u64, parent: FibParent) -> FibNode {
        FibNode {
            n,
            parent: Some(parent),
            sum: 0,
            waiting: 0,
        }
    }

    /// Answers the parent; the caller stops this actor.
    fn answer(&mut self, x: u64) {
        match self.parent.take().expect("answers once") {
            FibParent::Actor(p) => {
                let _ = p.tell(Sum(x)).try_send();
            }
            FibParent::Root(p) => {
                let _ = p.send(x);
            }
        }
    }
}
impl Actor for FibNode {
    type Args = Self;
    type Error = Infallible;
    async fn on_start(mut s: Self, me: ActorRef<Self>) -> Result<Self, Infallible> {
        if s.n <= 2 {
            s.answer(1);
            // On an unbounded mailbox this only queues the stop signal.
            let _ = me.stop_gracefully().await;
            return Ok(s);
        }
        s.waiting = 2;
        for k in [1, 2] {
            let child = FibNode::new(s.n - k, FibParent::Actor(me.clone()));
            FibNode::spawn_with_mailbox(child, mailbox::unbounded());
        }
        Ok(s)
    }
}
impl Message<Sum> for FibNode {
    type Reply = ();
    async fn handle(&mut self, Sum(x): Sum, ctx: &mut Context<Self, ()>) {
        self.sum += x;
        self.waiting -= 1;
        if self.waiting == 0 {
            self.answer(self.sum);
            ctx.stop();
        }
    }
}

#[derive(Actor)]
struct Mall {
    left: u64,
    waiting: Option<ActorRef<Chameneo>>,
    creatures: usize,
    faded: usize,
    sum: u64,
    done: Arc<Slot>,
}

enum MallMsg {
    Meet(u8, ActorRef<Chameneo>),
    Count(u64),
}
impl Message<MallMsg> for Mall {
    type Reply = ();
    async fn handle(&mut self, m: MallMsg, ctx: &mut Context<Self, ()>) {
        match m {
            MallMsg::Meet(_, who) if self.left == 0 => {
                let _ = who.tell(ChamMsg::Exit).try_send();
            }
            MallMsg::Meet(colour, who) => match self.waiting.take() {
                Some(first) => {
                    self.left -= 1;
                    let _ = first.tell(ChamMsg::Meet(colour, who)).try_send();
                }
                None => self.waiting = Some(who),
            },
            MallMsg::Count(n) => {
                self.sum += n;
                self.faded += 1;
                if self.faded == self.creatures {
                    self.done.set(self.sum);
                    ctx.stop();
                }
            }
        }
    }
}

struct Chameneo {
    mall: ActorRef<Mall>,
    colour: u8,
    meetings: u64,
}
impl Chameneo {
    fn ask_mall(&self, me: &ActorRef<Self>) {
        let _ = self
            .mall
            .tell(MallMsg::Meet(self.colour, me.clone()))
            .try_send();
    }
}
impl Actor for Chameneo {
    type Args = Self;
    type Error = Infallible;
    async fn on_start(s: Self, me: ActorRef<Self>) -> Result<Self, Infallible> {
        s.ask_mall(&me);
        Ok(s)
    }
}

enum ChamMsg {
    Meet(u8, ActorRef<Chameneo>),
    Change(u8),
    Exit,
}
impl Message<ChamMsg> for Chameneo {
    type Reply = ();
    async fn handle(&mut self, m: ChamMsg, ctx: &mut Context<Self, ()>) {
        match m {
            ChamMsg::Meet(colour, other) => {
                self.colour = complement(self.colour, colour);
                self.meetings += 1;
                let _ = other.tell(ChamMsg::Change(self.colour)).try_send();
                self.ask_mall(ctx.actor_ref());
            }
            ChamMsg::Change(colour) => {
                self.colour = colour;
                self.meetings += 1;
                self.ask_mall(ctx.actor_ref());
            }
            ChamMsg::Exit => {
                let _ = self.mall.tell(MallMsg::Count(self.meetings)).try_send();
                ctx.stop();
            }
        }
    }
}

#[derive(Actor)]
struct Account {
    all: Arc<Vec<ActorRef<Account>>>,
    balance: i64,
}

struct LinkAll(Arc<Vec<ActorRef<Account>>>);
impl Message<LinkAll> for Account {
    type Reply = ();
    async fn handle(&mut self, LinkAll(all): LinkAll, _: &mut Context<Self, ()>) {
        self.all = all;
    }
}

/// Pay the account of this index this amount, wait for it to book it, count the latch down.
struct Transfer(usize, i64, Arc<Latch>);
impl Message<Transfer> for Account {
    type Reply = ();
    async fn handle(&mut self, Transfer(to, amount, latch): Transfer, _: &mut Context<Self, ()>) {
        self.balance -= amount;
        // The await form of the blocking ask: this actor handles nothing else until the reply.
        if let Err(e) = self.all[to].ask(Book(amount)).await {
            bank_failed(&e);
        }
        latch.count_down();
    }
}

/// Book this amount; the reply is the new balance.
struct Book(i64);
impl Message<Book> for Account {
    type Reply = i64;
    async fn handle(&mut self, Book(amount): Book, _: &mut Context<Self, i64>) -> i64 {
        self.balance += amount;
        self.balance
    }
}

struct Idle;
impl Actor for Idle {
    type Args = Self;
    type Error = Infallible;
    async fn on_start(s: Self, _: ActorRef<Self>) -> Result<Self, Infallible> {
        idle_started();
        Ok(s)
    }
}

impl Kameo {
    fn start<A: Actor<Args = A>>(&self, a: A) -> ActorRef<A> {
        let _in_rt = self.rt.enter();
        A::spawn_with_mailbox(a, mailbox::unbounded())
    }
}

impl System for Kameo {
    fn name(&self) -> &'static str {
        "kameo"
    }

    fn ring(&self, actors: usize) -> Run<'_> {
        let nodes: Vec<ActorRef<Node>> = (0..actors)
            .map(|_| self.start(Node { next: None }))
            .collect();
        for (i, n) in nodes.iter().enumerate() {
            n.tell(Link(nodes[(i + 1) % actors].clone()))
                .try_send()
                .unwrap();
        }
        let ring = Stopper {
            rt: &self.rt,
            actors: nodes,
        };
        Box::new(move |hops| {
            let (done, wait) = oneshot::channel();
            ring.actors[0].tell(Token(hops, done)).try_send().unwrap();
            wait.blocking_recv().unwrap();
        })
    }

    fn counting(&self) -> Run<'_> {
        let c = Stopper {
            rt: &self.rt,
            actors: vec![self.start(Counter(0))],
        };
        Box::new(move |n| {
            let a = &c.actors[0];
            for i in 0..n {
                a.tell(Add(i)).try_send().unwrap();
            }
            a.ask(Total(0)).blocking_send().unwrap();
        })
    }

    fn asker(&self) -> Ask<'_> {
        let c = Stopper {
            rt: &self.rt,
            actors: vec![self.start(Counter(0))],
        };
        Box::new(move |i| c.actors[0].ask(Total(i)).blocking_send().unwrap())
    }

    fn spawn(&self) -> Run<'_> {
        Box::new(move |n| {
            self.rt.block_on(async {
                let mut actors: Vec<ActorRef<Counter>> = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    let a = Counter::spawn_with_mailbox(Counter(0), mailbox::unbounded());
                    // On an unbounded mailbox this only queues the stop signal: it does not wait
                    // for the actor to stop (as the other systems' stop requests).
                    a.stop_gracefully().await.unwrap();
                    actors.push(a);
                }
                for a in &actors {
                    a.wait_for_shutdown().await;
                }
            })
        })
    }

    fn fork_join_throughput(&self, actors: usize) -> Run<'_> {
        let w = Stopper {
            rt: &self.rt,
            actors: (0..actors).map(|_| self.start(Worker(0))).collect(),
        };
        Box::new(move |n| {
            for i in 0..n {
                for a in &w.actors {
                    a.tell(Add(i)).try_send().unwrap();
                }
            }
            let latch = Latch::new(w.actors.len());
            for a in &w.actors {
                a.tell(Done(latch.clone())).try_send().unwrap();
            }
            latch.wait();
        })
    }

    fn fork_join_create(&self) -> Run<'_> {
        Box::new(move |n| {
            let latch = Latch::new(n as usize);
            for _ in 0..n {
                self.start(OneShot(None))
                    .tell(Done(latch.clone()))
                    .try_send()
                    .unwrap();
            }
            latch.wait();
        })
    }

    fn big(&self, actors: usize) -> Run<'_> {
        let nodes: Vec<ActorRef<BigNode>> = (0..actors)
            .map(|me| {
                self.start(BigNode {
                    me,
                    all: Arc::new(Vec::new()),
                    rng: Rng::new(me as u64),
                    left: 0,
                    latch: None,
                })
            })
            .collect();
        let all = Arc::new(nodes.clone());
        for n in &nodes {
            n.tell(BigMsg::Link(all.clone())).try_send().unwrap();
        }
        let nodes = Stopper {
            rt: &self.rt,
            actors: nodes,
        };
        Box::new(move |m| {
            let latch = Latch::new(nodes.actors.len());
            for n in &nodes.actors {
                n.tell(BigMsg::Start(m, latch.clone())).try_send().unwrap();
            }
            latch.wait();
        })
    }

    fn skynet(&self) -> Run<'_> {
        Box::new(move |depth| {
            let (p, f) = oneshot::channel();
            self.start(SkyNode {
                num: 0,
                below: depth as u32,
                parent: Some(Parent::Root(p)),
                sum: 0,
                waiting: 0,
            });
            assert_eq!(f.blocking_recv().unwrap(), skynet_sum(depth as u32));
        })
    }

    fn fib(&self) -> Run<'_> {
        Box::new(move |n| {
            let (p, f) = oneshot::channel();
            self.start(FibNode::new(n, FibParent::Root(p)));
            assert_eq!(f.blocking_recv().unwrap(), fib_value(n));
        })
    }

    fn chameneos(&self, creatures: usize) -> Run<'_> {
        Box::new(move |meetings| {
            let done = Slot::new();
            let mall = self.start(Mall {
                left: meetings,
                waiting: None,
                creatures,
                faded: 0,
                sum: 0,
                done: done.clone(),
            });
            for i in 0..creatures {
                self.start(Chameneo {
                    mall: mall.clone(),
                    colour: (i % 3) as u8,
                    meetings: 0,
                });
            }
            assert_eq!(done.wait(), 2 * meetings);
        })
    }

    fn banking(&self, accounts: usize) -> Banking<'_> {
        let all: Vec<ActorRef<Account>> = (0..accounts)
            .map(|_| {
                self.start(Account {
                    all: Arc::new(Vec::new()),
                    balance: 0,
                })
            })
            .collect();
        let shared = Arc::new(all.clone());
        for a in &all {
            a.tell(LinkAll(shared.clone())).try_send().unwrap();
        }
        let all = Stopper {
            rt: &self.rt,
            actors: all,
        };
        Banking::Awaiting(Box::new(move |n| {
            let latch = Latch::new(n as usize);
            for (from, to, amount) in Transfers::new(accounts).take(n as usize) {
                all.actors[from]
                    .tell(Transfer(to, amount, latch.clone()))
                    .try_send()
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
        std::mem::size_of::<ActorRef<Idle>>()
    }
}
