//! actix: a `System` on a thread of its own; every actor on its one arbiter (actix runs an
//! arbiter's actors on one thread: its model, like pykka's pooled-1 case). Tells with
//! `do_send` (always queued, never waits for capacity), asks with `send(..)` awaited from the
//! bench thread (on a current-thread tokio runtime, only to poll the reply). An actor stops when
//! its last `Addr` is dropped; `stopped()` reports it (actix has no join handle).

use super::{
    bank_failed, check_bank, complement, fib_value, idle_started, skynet_sum, Ask, Banking, Keep,
    Latch, Rng, Run, Slot, System, Transfers, PATIENCE,
};
use actix::prelude::*;
use std::sync::{mpsc, Arc};
use tokio::sync::oneshot;

pub struct Actix {
    system: actix_rt::System,
    arbiter: actix_rt::ArbiterHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Polls `send` futures on the bench thread.
    local: tokio::runtime::Runtime,
}

impl Actix {
    pub fn new() -> Self {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runner = actix_rt::System::new();
            let system = actix_rt::System::current();
            tx.send((system.clone(), system.arbiter().clone())).unwrap();
            runner.run().unwrap();
        });
        let (system, arbiter) = rx.recv().unwrap();
        let local = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        Actix {
            system,
            arbiter,
            thread: Some(thread),
            local,
        }
    }
}

impl Drop for Actix {
    fn drop(&mut self) {
        self.system.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Counter {
    total: u64,
    /// Told when the actor has stopped (spawn workload only).
    stopped: Option<mpsc::Sender<()>>,
}
impl Actor for Counter {
    type Context = actix::Context<Self>;
    fn stopped(&mut self, _: &mut Self::Context) {
        if let Some(s) = self.stopped.take() {
            let _ = s.send(());
        }
    }
}

/// Told `Feed(n)`, tells its counter `n` numbers from the arbiter's own thread
/// (`counting_in_system`).
struct Feeder(Addr<Counter>);
impl Actor for Feeder {
    type Context = actix::Context<Self>;
}

#[derive(Message)]
#[rtype(result = "()")]
struct Feed(u64);
impl Handler<Feed> for Feeder {
    type Result = ();
    fn handle(&mut self, Feed(n): Feed, _: &mut Self::Context) {
        for i in 0..n {
            self.0.do_send(Add(i));
        }
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct Add(u64);
impl Handler<Add> for Counter {
    type Result = ();
    fn handle(&mut self, Add(x): Add, _: &mut Self::Context) {
        self.total = self.total.wrapping_add(x);
    }
}

/// Adds, then answers the total.
#[derive(Message)]
#[rtype(result = "u64")]
struct Total(u64);
impl Handler<Total> for Counter {
    type Result = u64;
    fn handle(&mut self, Total(x): Total, _: &mut Self::Context) -> u64 {
        self.total = self.total.wrapping_add(x);
        self.total
    }
}

struct Node {
    next: Option<Addr<Node>>,
}
impl Actor for Node {
    type Context = actix::Context<Self>;
}

#[derive(Message)]
#[rtype(result = "()")]
struct Link(Addr<Node>);
impl Handler<Link> for Node {
    type Result = ();
    fn handle(&mut self, Link(next): Link, _: &mut Self::Context) {
        self.next = Some(next);
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct Token(u64, oneshot::Sender<()>);
impl Handler<Token> for Node {
    type Result = ();
    fn handle(&mut self, Token(n, done): Token, _: &mut Self::Context) {
        if n == 0 {
            let _ = done.send(());
        } else {
            self.next
                .as_ref()
                .expect("linked")
                .do_send(Token(n - 1, done));
        }
    }
}

/// The ring holds addresses of itself: it is torn down with a message.
#[derive(Message)]
#[rtype(result = "()")]
struct Stop;
impl Handler<Stop> for Node {
    type Result = ();
    fn handle(&mut self, _: Stop, ctx: &mut Self::Context) {
        self.next = None;
        ctx.stop();
    }
}

/// Stops the ring when dropped.
struct Ring(Vec<Addr<Node>>);
impl Drop for Ring {
    fn drop(&mut self) {
        for a in &self.0 {
            a.do_send(Stop);
        }
    }
}

/// Fork-join throughput worker: adds what it is told; `Done` counts the latch down.
struct Worker(u64);
impl Actor for Worker {
    type Context = actix::Context<Self>;
}
impl Handler<Add> for Worker {
    type Result = ();
    fn handle(&mut self, Add(x): Add, _: &mut Self::Context) {
        self.0 = self.0.wrapping_add(x);
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct Done(Arc<Latch>);
impl Handler<Done> for Worker {
    type Result = ();
    fn handle(&mut self, Done(latch): Done, _: &mut Self::Context) {
        latch.count_down();
    }
}

/// Fork-join creation: keeps the latch of its one message, stops itself; `stopped` counts down.
struct OneShot(Option<Arc<Latch>>);
impl Actor for OneShot {
    type Context = actix::Context<Self>;
    fn stopped(&mut self, _: &mut Self::Context) {
        if let Some(l) = self.0.take() {
            l.count_down();
        }
    }
}
impl Handler<Done> for OneShot {
    type Result = ();
    fn handle(&mut self, Done(latch): Done, ctx: &mut Self::Context) {
        self.0 = Some(latch);
        ctx.stop();
    }
}

struct BigNode {
    me: usize,
    all: Option<Arc<Vec<Addr<BigNode>>>>,
    rng: Rng,
    left: u64,
    latch: Option<Arc<Latch>>,
}
impl Actor for BigNode {
    type Context = actix::Context<Self>;
}
impl BigNode {
    fn ping(&mut self) {
        let all = self.all.as_ref().expect("linked");
        let to = self.rng.neighbour(self.me, all.len());
        all[to].do_send(Ping(self.me));
    }
}

#[derive(Message)]
#[rtype(result = "()")]
enum BigMsg {
    Link(Arc<Vec<Addr<BigNode>>>),
    Start(u64, Arc<Latch>),
    Stop,
}
#[derive(Message)]
#[rtype(result = "()")]
struct Ping(usize);
#[derive(Message)]
#[rtype(result = "()")]
struct Pong;

impl Handler<BigMsg> for BigNode {
    type Result = ();
    fn handle(&mut self, m: BigMsg, ctx: &mut Self::Context) {
        match m {
            BigMsg::Link(all) => self.all = Some(all),
            BigMsg::Start(pings, latch) => {
                self.left = pings;
                self.latch = Some(latch);
                self.ping();
            }
            BigMsg::Stop => {
                self.all = None;
                ctx.stop();
            }
        }
    }
}
impl Handler<Ping> for BigNode {
    type Result = ();
    fn handle(&mut self, Ping(from): Ping, _: &mut Self::Context) {
        self.all.as_ref().expect("linked")[from].do_send(Pong);
    }
}
impl Handler<Pong> for BigNode {
    type Result = ();
    fn handle(&mut self, _: Pong, _: &mut Self::Context) {
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
    Actor(Addr<SkyNode>),
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
    fn answer(&mut self, x: u64, ctx: &mut actix::Context<Self>) {
        match self.parent.take().expect("answers once") {
            Parent::Actor(p) => p.do_send(Sum(x)),
            Parent::Root(p) => {
                let _ = p.send(x);
            }
        }
        ctx.stop();
    }
}
impl Actor for SkyNode {
    type Context = actix::Context<Self>;
    fn started(&mut self, ctx: &mut Self::Context) {
        if self.below == 0 {
            self.answer(self.num, ctx);
            return;
        }
        self.waiting = 10;
        let me = ctx.address();
        for k in 0..10 {
            // `start` runs it on the current arbiter (this one).
            SkyNode {
                num: self.num * 10 + k,
                below: self.below - 1,
                parent: Some(Parent::Actor(me.clone())),
                sum: 0,
                waiting: 0,
            }
            .start();
        }
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct Sum(u64);
impl Handler<Sum> for SkyNode {
    type Result = ();
    fn handle(&mut self, Sum(x): Sum, ctx: &mut Self::Context) {
        self.sum += x;
        self.waiting -= 1;
        if self.waiting == 0 {
            self.answer(self.sum, ctx);
        }
    }
}

/// Where a Fibonacci actor answers: its parent, or the bench thread.
enum FibParent {
    Actor(Addr<FibNode>),
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

    fn answer(&mut self, x: u64, ctx: &mut actix::Context<Self>) {
        match self.parent.take().expect("answers once") {
            FibParent::Actor(p) => p.do_send(Sum(x)),
            FibParent::Root(p) => {
                let _ = p.send(x);
            }
        }
        ctx.stop();
    }
}
impl Actor for FibNode {
    type Context = actix::Context<Self>;
    fn started(&mut self, ctx: &mut Self::Context) {
        if self.n <= 2 {
            self.answer(1, ctx);
            return;
        }
        self.waiting = 2;
        let me = ctx.address();
        for k in [1, 2] {
            // `start` runs it on the current arbiter (this one).
            FibNode::new(self.n - k, FibParent::Actor(me.clone())).start();
        }
    }
}
impl Handler<Sum> for FibNode {
    type Result = ();
    fn handle(&mut self, Sum(x): Sum, ctx: &mut Self::Context) {
        self.sum += x;
        self.waiting -= 1;
        if self.waiting == 0 {
            self.answer(self.sum, ctx);
        }
    }
}

#[derive(Message)]
#[rtype(result = "()")]
enum MallMsg {
    Meet(u8, Addr<Chameneo>),
    Count(u64),
}

struct Mall {
    left: u64,
    waiting: Option<Addr<Chameneo>>,
    creatures: usize,
    faded: usize,
    sum: u64,
    done: Arc<Slot>,
}
impl Actor for Mall {
    type Context = actix::Context<Self>;
}
impl Handler<MallMsg> for Mall {
    type Result = ();
    fn handle(&mut self, m: MallMsg, ctx: &mut Self::Context) {
        match m {
            MallMsg::Meet(_, who) if self.left == 0 => who.do_send(ChamMsg::Exit),
            MallMsg::Meet(colour, who) => match self.waiting.take() {
                Some(first) => {
                    self.left -= 1;
                    first.do_send(ChamMsg::Meet(colour, who));
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

#[derive(Message)]
#[rtype(result = "()")]
enum ChamMsg {
    Meet(u8, Addr<Chameneo>),
    Change(u8),
    Exit,
}

struct Chameneo {
    mall: Addr<Mall>,
    colour: u8,
    meetings: u64,
}
impl Chameneo {
    fn ask_mall(&self, ctx: &mut actix::Context<Self>) {
        self.mall.do_send(MallMsg::Meet(self.colour, ctx.address()));
    }
}
impl Actor for Chameneo {
    type Context = actix::Context<Self>;
    fn started(&mut self, ctx: &mut Self::Context) {
        self.ask_mall(ctx);
    }
}
impl Handler<ChamMsg> for Chameneo {
    type Result = ();
    fn handle(&mut self, m: ChamMsg, ctx: &mut Self::Context) {
        match m {
            ChamMsg::Meet(colour, other) => {
                self.colour = complement(self.colour, colour);
                self.meetings += 1;
                other.do_send(ChamMsg::Change(self.colour));
                self.ask_mall(ctx);
            }
            ChamMsg::Change(colour) => {
                self.colour = colour;
                self.meetings += 1;
                self.ask_mall(ctx);
            }
            ChamMsg::Exit => {
                self.mall.do_send(MallMsg::Count(self.meetings));
                ctx.stop();
            }
        }
    }
}

struct Account {
    all: Option<Arc<Vec<Addr<Account>>>>,
    balance: i64,
}
impl Actor for Account {
    type Context = actix::Context<Self>;
}

#[derive(Message)]
#[rtype(result = "()")]
enum AccountMsg {
    Link(Arc<Vec<Addr<Account>>>),
    /// Pay the account of this index this amount, wait for it to book it, count the latch down.
    Transfer(usize, i64, Arc<Latch>),
    Stop,
}

/// Book this amount; the reply is the new balance.
#[derive(Message)]
#[rtype(result = "i64")]
struct Book(i64);

impl Handler<AccountMsg> for Account {
    type Result = ();
    fn handle(&mut self, m: AccountMsg, ctx: &mut Self::Context) {
        match m {
            AccountMsg::Link(all) => self.all = Some(all),
            AccountMsg::Transfer(to, amount, latch) => {
                self.balance -= amount;
                let reply = self.all.as_ref().expect("linked")[to].send(Book(amount));
                // `wait`: this actor handles nothing else until the reply is in (the await form
                // of the blocking ask); the arbiter's thread runs the other actors meanwhile.
                ctx.wait(reply.into_actor(self).map(move |r, _, _| {
                    if let Err(e) = r {
                        bank_failed(&e);
                    }
                    latch.count_down();
                }));
            }
            AccountMsg::Stop => {
                self.all = None;
                ctx.stop();
            }
        }
    }
}
impl Handler<Book> for Account {
    type Result = i64;
    fn handle(&mut self, Book(amount): Book, _: &mut Self::Context) -> i64 {
        self.balance += amount;
        self.balance
    }
}

/// The accounts hold each other's addresses: stopped with a message.
struct AccountStopper(Vec<Addr<Account>>);
impl Drop for AccountStopper {
    fn drop(&mut self) {
        for a in &self.0 {
            a.do_send(AccountMsg::Stop);
        }
    }
}

struct Idle;
impl Actor for Idle {
    type Context = actix::Context<Self>;
    fn started(&mut self, _: &mut Self::Context) {
        idle_started();
    }
}

impl Actix {
    fn counter(&self, stopped: Option<mpsc::Sender<()>>) -> Addr<Counter> {
        Counter::start_in_arbiter(&self.arbiter, move |_| Counter { total: 0, stopped })
    }
}

impl System for Actix {
    fn name(&self) -> &'static str {
        "actix"
    }

    fn ring(&self, actors: usize) -> Run<'_> {
        let nodes: Vec<Addr<Node>> = (0..actors)
            .map(|_| Node::start_in_arbiter(&self.arbiter, |_| Node { next: None }))
            .collect();
        for (i, n) in nodes.iter().enumerate() {
            n.do_send(Link(nodes[(i + 1) % actors].clone()));
        }
        let ring = Ring(nodes);
        Box::new(move |hops| {
            let (done, wait) = oneshot::channel();
            ring.0[0].do_send(Token(hops, done));
            wait.blocking_recv().unwrap();
        })
    }

    fn counting(&self) -> Run<'_> {
        let a = self.counter(None);
        Box::new(move |n| {
            for i in 0..n {
                a.do_send(Add(i));
            }
            self.local.block_on(a.send(Total(0))).unwrap();
        })
    }

    fn counting_in_system(&self) -> Option<Run<'_>> {
        // Both on the one arbiter: the sender runs on the counter's own thread.
        let a = self.counter(None);
        let f = {
            let a = a.clone();
            Feeder::start_in_arbiter(&self.arbiter, move |_| Feeder(a))
        };
        Some(Box::new(move |n| {
            self.local.block_on(f.send(Feed(n))).unwrap();
            self.local.block_on(a.send(Total(0))).unwrap();
        }))
    }

    fn asker(&self) -> Ask<'_> {
        let a = self.counter(None);
        Box::new(move |i| self.local.block_on(a.send(Total(i))).unwrap())
    }

    fn spawn(&self) -> Run<'_> {
        Box::new(move |n| {
            let (tx, rx) = mpsc::channel();
            for _ in 0..n {
                // Dropping the only address is the stop request.
                drop(self.counter(Some(tx.clone())));
            }
            for _ in 0..n {
                rx.recv_timeout(PATIENCE).expect("actix actor stopped");
            }
        })
    }

    fn fork_join_throughput(&self, actors: usize) -> Run<'_> {
        // Dropping the addresses (with the closure) stops the workers.
        let w: Vec<Addr<Worker>> = (0..actors)
            .map(|_| Worker::start_in_arbiter(&self.arbiter, |_| Worker(0)))
            .collect();
        Box::new(move |n| {
            for i in 0..n {
                for a in &w {
                    a.do_send(Add(i));
                }
            }
            let latch = Latch::new(w.len());
            for a in &w {
                a.do_send(Done(latch.clone()));
            }
            latch.wait();
        })
    }

    fn fork_join_create(&self) -> Run<'_> {
        Box::new(move |n| {
            let latch = Latch::new(n as usize);
            for _ in 0..n {
                OneShot::start_in_arbiter(&self.arbiter, |_| OneShot(None))
                    .do_send(Done(latch.clone()));
            }
            latch.wait();
        })
    }

    fn big(&self, actors: usize) -> Run<'_> {
        let nodes: Vec<Addr<BigNode>> = (0..actors)
            .map(|me| {
                BigNode::start_in_arbiter(&self.arbiter, move |_| BigNode {
                    me,
                    all: None,
                    rng: Rng::new(me as u64),
                    left: 0,
                    latch: None,
                })
            })
            .collect();
        let all = Arc::new(nodes.clone());
        for n in &nodes {
            n.do_send(BigMsg::Link(all.clone()));
        }
        let nodes = BigStopper(nodes);
        Box::new(move |m| {
            let latch = Latch::new(nodes.0.len());
            for n in &nodes.0 {
                n.do_send(BigMsg::Start(m, latch.clone()));
            }
            latch.wait();
        })
    }

    fn skynet(&self) -> Run<'_> {
        Box::new(move |depth| {
            let (p, f) = oneshot::channel();
            let below = depth as u32;
            SkyNode::start_in_arbiter(&self.arbiter, move |_| SkyNode {
                num: 0,
                below,
                parent: Some(Parent::Root(p)),
                sum: 0,
                waiting: 0,
            });
            assert_eq!(f.blocking_recv().unwrap(), skynet_sum(below));
        })
    }

    fn fib(&self) -> Run<'_> {
        Box::new(move |n| {
            let (p, f) = oneshot::channel();
            FibNode::start_in_arbiter(&self.arbiter, move |_| FibNode::new(n, FibParent::Root(p)));
            assert_eq!(f.blocking_recv().unwrap(), fib_value(n));
        })
    }

    fn chameneos(&self, creatures: usize) -> Run<'_> {
        Box::new(move |meetings| {
            let done = Slot::new();
            let d = done.clone();
            let mall = Mall::start_in_arbiter(&self.arbiter, move |_| Mall {
                left: meetings,
                waiting: None,
                creatures,
                faded: 0,
                sum: 0,
                done: d,
            });
            for i in 0..creatures {
                let mall = mall.clone();
                Chameneo::start_in_arbiter(&self.arbiter, move |_| Chameneo {
                    mall,
                    colour: (i % 3) as u8,
                    meetings: 0,
                });
            }
            assert_eq!(done.wait(), 2 * meetings);
        })
    }

    fn banking(&self, accounts: usize) -> Banking<'_> {
        let all: Vec<Addr<Account>> = (0..accounts)
            .map(|_| {
                Account::start_in_arbiter(&self.arbiter, |_| Account {
                    all: None,
                    balance: 0,
                })
            })
            .collect();
        let shared = Arc::new(all.clone());
        for a in &all {
            a.do_send(AccountMsg::Link(shared.clone()));
        }
        let all = AccountStopper(all);
        Banking::Awaiting(Box::new(move |n| {
            let latch = Latch::new(n as usize);
            for (from, to, amount) in Transfers::new(accounts).take(n as usize) {
                all.0[from].do_send(AccountMsg::Transfer(to, amount, latch.clone()));
            }
            latch.wait();
            check_bank();
        }))
    }

    fn idle(&self, n: usize) -> Box<dyn Keep + '_> {
        let mut addrs = Vec::with_capacity(n);
        for _ in 0..n {
            addrs.push(Idle::start_in_arbiter(&self.arbiter, |_| Idle));
        }
        Box::new(addrs)
    }

    fn handle_size(&self) -> usize {
        std::mem::size_of::<Addr<Idle>>()
    }
}

/// The Big actors hold each other's addresses: stopped with a message.
struct BigStopper(Vec<Addr<BigNode>>);
impl Drop for BigStopper {
    fn drop(&mut self) {
        for a in &self.0 {
            a.do_send(BigMsg::Stop);
        }
    }
}
