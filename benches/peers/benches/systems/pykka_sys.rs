//! pykka: pooled on a runtime of its own (1 worker, or one per core), and `start_dedicated`
//! (one OS thread per actor, Pykka's own model).
//!
//! The runtime is leaked (`&'static`) so that actors can start children on it without an `Arc`
//! per child (Skynet); `Drop for Pykka` shuts it down.

use super::{
    bank_failed, check_bank, complement, cores, fib_value, idle_started, skynet_sum, Ask, Banking,
    Keep, Latch, Rng, Run, Slot, System, Transfers,
};
use pykka::{Actor, ActorRef, Context, Future, Promise, Receive, Runtime};
use std::sync::Arc;

/// Where actors start: a pool, or a thread each.
#[derive(Clone, Copy)]
enum Place {
    Pool(&'static Runtime),
    Dedicated,
}

impl Place {
    fn start<A: Actor>(self, a: A) -> ActorRef<A> {
        match self {
            Place::Pool(rt) => a.start_in(rt),
            Place::Dedicated => a.start_dedicated(),
        }
    }
}

pub struct Pykka {
    name: &'static str,
    place: Place,
}

impl Pykka {
    pub fn pooled(threads: usize) -> Self {
        let name = if threads == 1 {
            "pykka_pooled_1"
        } else {
            "pykka_pooled_cores"
        };
        let threads = if threads == 1 { 1 } else { cores() };
        let rt = Runtime::builder()
            .threads(threads)
            .build()
            .expect("pykka runtime");
        Pykka {
            name,
            place: Place::Pool(Box::leak(Box::new(rt))),
        }
    }

    pub fn dedicated() -> Self {
        Pykka {
            name: "pykka_dedicated",
            place: Place::Dedicated,
        }
    }

    fn start<A: Actor>(&self, a: A) -> ActorRef<A> {
        self.place.start(a)
    }
}

impl Drop for Pykka {
    fn drop(&mut self) {
        if let Place::Pool(rt) = self.place {
            let _ = rt.shutdown();
        }
    }
}

/// Adds what it is told; answers the running total.
/// Asked `n`, tells its counter `n` numbers (`counting_in_system`).
struct Feeder(ActorRef<Counter>);
impl Actor for Feeder {}
impl Receive for Feeder {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, n: u64, _: &mut Context<Self>) {
        for i in 0..n {
            self.0.tell(i).unwrap();
        }
    }
}

struct Counter(u64);
impl Actor for Counter {}
impl Receive for Counter {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, m: u64, _: &mut Context<Self>) -> u64 {
        self.0 = self.0.wrapping_add(m);
        self.0
    }
}

enum NodeMsg {
    Link(ActorRef<Node>),
    Token(u64, Promise<()>),
}

struct Node {
    next: Option<ActorRef<Node>>,
}
impl Actor for Node {}
impl Receive for Node {
    type Message = NodeMsg;
    type Reply = ();
    fn on_receive(&mut self, m: NodeMsg, _: &mut Context<Self>) {
        match m {
            NodeMsg::Link(next) => self.next = Some(next),
            NodeMsg::Token(0, done) => done.set(()),
            NodeMsg::Token(n, done) => {
                let _ = self
                    .next
                    .as_ref()
                    .expect("linked")
                    .tell(NodeMsg::Token(n - 1, done));
            }
        }
    }
}

/// Stops its actors when dropped.
struct Stopper<A: Actor>(Vec<ActorRef<A>>);
impl<A: Actor> Drop for Stopper<A> {
    fn drop(&mut self) {
        for a in &self.0 {
            a.stop();
        }
    }
}

/// Fork-join throughput worker: adds what it is told; `Done` counts the latch down.
enum WorkMsg {
    Add(u64),
    Done(Arc<Latch>),
}

struct Worker(u64);
impl Actor for Worker {}
impl Receive for Worker {
    type Message = WorkMsg;
    type Reply = ();
    fn on_receive(&mut self, m: WorkMsg, _: &mut Context<Self>) {
        match m {
            WorkMsg::Add(x) => self.0 = self.0.wrapping_add(x),
            WorkMsg::Done(latch) => latch.count_down(),
        }
    }
}

/// Fork-join creation: keeps the latch of its one message, stops itself; `on_stop` counts down.
struct OneShot(Option<Arc<Latch>>);
impl Actor for OneShot {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        if let Some(l) = self.0.take() {
            l.count_down();
        }
    }
}
impl Receive for OneShot {
    type Message = Arc<Latch>;
    type Reply = ();
    fn on_receive(&mut self, latch: Arc<Latch>, ctx: &mut Context<Self>) {
        self.0 = Some(latch);
        ctx.stop();
    }
}

enum BigMsg {
    Link(Arc<Vec<ActorRef<BigNode>>>),
    Start(u64, Arc<Latch>),
    Ping(usize),
    Pong,
}

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
        let _ = self.all[to].tell(BigMsg::Ping(self.me));
    }
}
impl Actor for BigNode {}
impl Receive for BigNode {
    type Message = BigMsg;
    type Reply = ();
    fn on_receive(&mut self, m: BigMsg, _: &mut Context<Self>) {
        match m {
            BigMsg::Link(all) => self.all = all,
            BigMsg::Start(pings, latch) => {
                self.left = pings;
                self.latch = Some(latch);
                self.ping();
            }
            BigMsg::Ping(from) => {
                let _ = self.all[from].tell(BigMsg::Pong);
            }
            BigMsg::Pong => {
                self.left -= 1;
                if self.left == 0 {
                    self.latch.take().expect("started").count_down();
                } else {
                    self.ping();
                }
            }
        }
    }
}

/// Where a Skynet actor answers: its parent, or the bench thread.
enum Parent {
    Actor(ActorRef<SkyNode>),
    Root(Promise<u64>),
}

struct SkyNode {
    place: Place,
    num: u64,
    /// Levels below this actor.
    below: u32,
    parent: Option<Parent>,
    sum: u64,
    waiting: u32,
}
impl SkyNode {
    fn answer(&mut self, x: u64, ctx: &mut Context<Self>) {
        match self.parent.take().expect("answers once") {
            Parent::Actor(p) => {
                let _ = p.tell(x);
            }
            Parent::Root(p) => p.set(x),
        }
        ctx.stop();
    }
}
impl Actor for SkyNode {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        if self.below == 0 {
            self.answer(self.num, ctx);
            return;
        }
        self.waiting = 10;
        let me = ctx.actor_ref();
        for k in 0..10 {
            self.place.start(SkyNode {
                place: self.place,
                num: self.num * 10 + k,
                below: self.below - 1,
                parent: Some(Parent::Actor(me.clone())),
                sum: 0,
                waiting: 0,
            });
        }
    }
}
impl Receive for SkyNode {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, x: u64, ctx: &mut Context<Self>) {
        self.sum += x;
        self.waiting -= 1;
        if self.waiting == 0 {
            self.answer(self.sum, ctx);
        }
    }
}

/// Where a Fibonacci actor answers: its parent, or the bench thread.
enum FibParent {
    Actor(ActorRef<FibNode>),
    Root(Promise<u64>),
}

struct FibNode {
    place: Place,
    n: u64,
    parent: Option<FibParent>,
    sum: u64,
    waiting: u32,
}
impl FibNode {
    fn new(place: Place, n: u64, parent: FibParent) -> FibNode {
        FibNode {
            place,
            n,
            parent: Some(parent),
            sum: 0,
            waiting: 0,
        }
    }

    fn answer(&mut self, x: u64, ctx: &mut Context<Self>) {
        match self.parent.take().expect("answers once") {
            FibParent::Actor(p) => {
                let _ = p.tell(x);
            }
            FibParent::Root(p) => p.set(x),
        }
        ctx.stop();
    }
}
impl Actor for FibNode {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        if self.n <= 2 {
            self.answer(1, ctx);
            return;
        }
        self.waiting = 2;
        let me = ctx.actor_ref();
        for k in [1, 2] {
            let child = FibNode::new(self.place, self.n - k, FibParent::Actor(me.clone()));
            self.place.start(child);
        }
    }
}
impl Receive for FibNode {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, x: u64, ctx: &mut Context<Self>) {
        self.sum += x;
        self.waiting -= 1;
        if self.waiting == 0 {
            self.answer(self.sum, ctx);
        }
    }
}

enum MallMsg {
    Meet(u8, ActorRef<Chameneo>),
    Count(u64),
}

struct Mall {
    left: u64,
    waiting: Option<ActorRef<Chameneo>>,
    creatures: usize,
    faded: usize,
    sum: u64,
    done: Arc<Slot>,
}
impl Actor for Mall {}
impl Receive for Mall {
    type Message = MallMsg;
    type Reply = ();
    fn on_receive(&mut self, m: MallMsg, ctx: &mut Context<Self>) {
        match m {
            MallMsg::Meet(_, who) if self.left == 0 => {
                let _ = who.tell(ChamMsg::Exit);
            }
            MallMsg::Meet(colour, who) => match self.waiting.take() {
                Some(first) => {
                    self.left -= 1;
                    let _ = first.tell(ChamMsg::Meet(colour, who));
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

enum ChamMsg {
    Meet(u8, ActorRef<Chameneo>),
    Change(u8),
    Exit,
}

struct Chameneo {
    mall: ActorRef<Mall>,
    colour: u8,
    meetings: u64,
}
impl Chameneo {
    fn ask_mall(&self, ctx: &mut Context<Self>) {
        let _ = self.mall.tell(MallMsg::Meet(self.colour, ctx.actor_ref()));
    }
}
impl Actor for Chameneo {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        self.ask_mall(ctx);
    }
}
impl Receive for Chameneo {
    type Message = ChamMsg;
    type Reply = ();
    fn on_receive(&mut self, m: ChamMsg, ctx: &mut Context<Self>) {
        match m {
            ChamMsg::Meet(colour, other) => {
                self.colour = complement(self.colour, colour);
                self.meetings += 1;
                let _ = other.tell(ChamMsg::Change(self.colour));
                self.ask_mall(ctx);
            }
            ChamMsg::Change(colour) => {
                self.colour = colour;
                self.meetings += 1;
                self.ask_mall(ctx);
            }
            ChamMsg::Exit => {
                let _ = self.mall.tell(MallMsg::Count(self.meetings));
                ctx.stop();
            }
        }
    }
}

enum AccountMsg {
    Link(Arc<Vec<ActorRef<Account>>>),
    /// Pay the account of this index this amount, wait for it to book it, count the latch down.
    Transfer(usize, i64, Arc<Latch>),
    /// Book this amount; the reply is the new balance.
    Book(i64),
}

struct Account {
    all: Arc<Vec<ActorRef<Account>>>,
    balance: i64,
}
impl Actor for Account {}
impl Receive for Account {
    type Message = AccountMsg;
    type Reply = i64;
    fn on_receive(&mut self, m: AccountMsg, _: &mut Context<Self>) -> i64 {
        match m {
            AccountMsg::Link(all) => self.all = all,
            AccountMsg::Transfer(to, amount, latch) => {
                self.balance -= amount;
                // The blocking ask inside a handler.
                if let Err(e) = self.all[to].ask(AccountMsg::Book(amount)).get() {
                    bank_failed(&e);
                }
                latch.count_down();
            }
            AccountMsg::Book(amount) => self.balance += amount,
        }
        self.balance
    }
}

/// Banking's accounts, on their own runtime when pooled: dropping it stops them (and it).
struct Bank {
    all: Vec<ActorRef<Account>>,
    place: Place,
}
impl Drop for Bank {
    fn drop(&mut self) {
        match self.place {
            Place::Pool(rt) => {
                let _ = rt.shutdown();
            }
            Place::Dedicated => {
                for a in &self.all {
                    a.stop();
                }
            }
        }
    }
}

struct Idle;
impl Actor for Idle {
    fn on_start(&mut self, _: &mut Context<Self>) {
        idle_started();
    }
}

impl System for Pykka {
    fn name(&self) -> &'static str {
        self.name
    }

    fn ring(&self, actors: usize) -> Run<'_> {
        let nodes: Vec<ActorRef<Node>> = (0..actors)
            .map(|_| self.start(Node { next: None }))
            .collect();
        for (i, n) in nodes.iter().enumerate() {
            n.tell(NodeMsg::Link(nodes[(i + 1) % actors].clone()))
                .unwrap();
        }
        let nodes = Stopper(nodes);
        Box::new(move |hops| {
            let (p, f) = pykka::promise();
            nodes.0[0].tell(NodeMsg::Token(hops, p)).unwrap();
            f.get().unwrap();
        })
    }

    fn counting(&self) -> Run<'_> {
        let c = Stopper(vec![self.start(Counter(0))]);
        Box::new(move |n| {
            let a = &c.0[0];
            for i in 0..n {
                a.tell(i).unwrap();
            }
            a.ask(0).get().unwrap();
        })
    }

    fn counting_in_system(&self) -> Option<Run<'_>> {
        let c = Stopper(vec![self.start(Counter(0))]);
        let f = Stopper(vec![self.start(Feeder(c.0[0].clone()))]);
        Some(Box::new(move |n| {
            f.0[0].ask(n).get().unwrap();
            c.0[0].ask(0).get().unwrap();
        }))
    }

    fn asker(&self) -> Ask<'_> {
        let c = Stopper(vec![self.start(Counter(0))]);
        Box::new(move |i| c.0[0].ask(i).get().unwrap())
    }

    fn spawn(&self) -> Run<'_> {
        Box::new(move |n| {
            let stops: Vec<Future<bool>> = (0..n)
                .map(|_| self.start(Counter(0)).request_stop())
                .collect();
            for s in stops {
                assert!(s.get().unwrap());
            }
        })
    }

    fn fork_join_throughput(&self, actors: usize) -> Run<'_> {
        let w = Stopper((0..actors).map(|_| self.start(Worker(0))).collect());
        Box::new(move |n| {
            for i in 0..n {
                for a in &w.0 {
                    a.tell(WorkMsg::Add(i)).unwrap();
                }
            }
            let latch = Latch::new(w.0.len());
            for a in &w.0 {
                a.tell(WorkMsg::Done(latch.clone())).unwrap();
            }
            latch.wait();
        })
    }

    fn fork_join_create(&self) -> Run<'_> {
        Box::new(move |n| {
            let latch = Latch::new(n as usize);
            for _ in 0..n {
                self.start(OneShot(None)).tell(latch.clone()).unwrap();
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
            n.tell(BigMsg::Link(all.clone())).unwrap();
        }
        let nodes = Stopper(nodes);
        Box::new(move |m| {
            let latch = Latch::new(nodes.0.len());
            for n in &nodes.0 {
                n.tell(BigMsg::Start(m, latch.clone())).unwrap();
            }
            latch.wait();
        })
    }

    fn skynet(&self) -> Run<'_> {
        Box::new(move |depth| {
            let (p, f) = pykka::promise();
            self.start(SkyNode {
                place: self.place,
                num: 0,
                below: depth as u32,
                parent: Some(Parent::Root(p)),
                sum: 0,
                waiting: 0,
            });
            assert_eq!(f.get().unwrap(), skynet_sum(depth as u32));
        })
    }

    fn fib(&self) -> Run<'_> {
        Box::new(move |n| {
            let (p, f) = pykka::promise();
            self.start(FibNode::new(self.place, n, FibParent::Root(p)));
            assert_eq!(f.get().unwrap(), fib_value(n));
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
        // Pooled: a runtime of its own, with the same workers and room for one spare thread per
        // account (each blocked handler holds one account, so that many always suffice). The
        // library's old default cap (256) was too low here: the 2-worker pool went over it (see
        // RESULTS.md); the default is 4096 since, and this explicit cap keeps runs comparable.
        let place = match self.place {
            Place::Pool(rt) => {
                let bank = Runtime::builder()
                    .threads(rt.threads())
                    .max_spare_threads(accounts)
                    .build()
                    .expect("pykka runtime");
                Place::Pool(Box::leak(Box::new(bank)))
            }
            Place::Dedicated => Place::Dedicated,
        };
        let all: Vec<ActorRef<Account>> = (0..accounts)
            .map(|_| {
                place.start(Account {
                    all: Arc::new(Vec::new()),
                    balance: 0,
                })
            })
            .collect();
        let shared = Arc::new(all.clone());
        for a in &all {
            a.tell(AccountMsg::Link(shared.clone())).unwrap();
        }
        let bank = Bank { all, place };
        Banking::Blocking(Box::new(move |n| {
            let latch = Latch::new(n as usize);
            for (from, to, amount) in Transfers::new(accounts).take(n as usize) {
                bank.all[from]
                    .tell(AccountMsg::Transfer(to, amount, latch.clone()))
                    .unwrap();
            }
            latch.wait();
            check_bank();
        }))
    }

    fn thread_per_actor(&self) -> bool {
        matches!(self.place, Place::Dedicated)
    }

    fn idle(&self, n: usize) -> Box<dyn Keep + '_> {
        let mut refs = Vec::with_capacity(n);
        for _ in 0..n {
            refs.push(self.start(Idle));
        }
        Box::new(Stopper(refs))
    }

    fn handle_size(&self) -> usize {
        std::mem::size_of::<ActorRef<Idle>>()
    }
}
