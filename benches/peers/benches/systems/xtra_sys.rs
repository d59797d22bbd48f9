//! xtra (tokio feature): each actor a tokio task on an unbounded `Mailbox`, tells with
//! `send(..).detach()` (enqueue, do not wait for the handler), asks with `send(..)` awaited in
//! `block_on` on the bench thread. xtra has no "stop" call from outside: an actor stops when its
//! last strong `Address` is dropped (or it calls `ctx.stop_self()`), and `Address::join` waits
//! for that.

use super::{
    bank_failed, check_bank, complement, fib_value, idle_started, skynet_sum, tokio_runtime, Ask,
    Banking, Keep, Latch, Rng, Run, Slot, System, Transfers,
};
use std::sync::Arc;
use tokio::sync::oneshot;
use xtra::{Address, Context, Handler, Mailbox};

pub struct Xtra {
    rt: tokio::runtime::Runtime,
}

impl Xtra {
    pub fn new() -> Self {
        Xtra {
            rt: tokio_runtime(),
        }
    }
}

#[derive(xtra::Actor)]
struct Counter(u64);

struct Add(u64);
impl Handler<Add> for Counter {
    type Return = ();
    async fn handle(&mut self, Add(x): Add, _: &mut Context<Self>) {
        self.0 = self.0.wrapping_add(x);
    }
}

/// Adds, then answers the total.
struct Total(u64);
impl Handler<Total> for Counter {
    type Return = u64;
    async fn handle(&mut self, Total(x): Total, _: &mut Context<Self>) -> u64 {
        self.0 = self.0.wrapping_add(x);
        self.0
    }
}

#[derive(xtra::Actor)]
struct Node {
    next: Option<Address<Node>>,
}

struct Link(Address<Node>);
impl Handler<Link> for Node {
    type Return = ();
    async fn handle(&mut self, Link(next): Link, _: &mut Context<Self>) {
        self.next = Some(next);
    }
}

struct Token(u64, oneshot::Sender<()>);
impl Handler<Token> for Node {
    type Return = ();
    async fn handle(&mut self, Token(n, done): Token, _: &mut Context<Self>) {
        if n == 0 {
            let _ = done.send(());
        } else {
            let _ = self
                .next
                .as_ref()
                .expect("linked")
                .send(Token(n - 1, done))
                .detach()
                .await;
        }
    }
}

/// The ring holds strong addresses of itself: it is torn down with a message.
struct Stop;
impl Handler<Stop> for Node {
    type Return = ();
    async fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        self.next = None;
        ctx.stop_self();
    }
}

/// Drops its addresses and waits for the actors to stop, when dropped.
struct Stopper<'a, A: xtra::Actor> {
    rt: &'a tokio::runtime::Runtime,
    actors: Vec<Address<A>>,
}
impl<A: xtra::Actor> Drop for Stopper<'_, A> {
    fn drop(&mut self) {
        let joins: Vec<_> = self.actors.drain(..).map(|a| a.join()).collect();
        self.rt.block_on(async move {
            for j in joins {
                j.await;
            }
        });
    }
}

/// Fork-join throughput worker: adds what it is told; `Done` counts the latch down.
#[derive(xtra::Actor)]
struct Worker(u64);
impl Handler<Add> for Worker {
    type Return = ();
    async fn handle(&mut self, Add(x): Add, _: &mut Context<Self>) {
        self.0 = self.0.wrapping_add(x);
    }
}

struct Done(Arc<Latch>);
impl Handler<Done> for Worker {
    type Return = ();
    async fn handle(&mut self, Done(latch): Done, _: &mut Context<Self>) {
        latch.count_down();
    }
}

/// Fork-join creation: keeps the latch of its one message, stops itself; `stopped` counts down.
struct OneShot(Option<Arc<Latch>>);
impl xtra::Actor for OneShot {
    type Stop = ();
    async fn stopped(self) {
        if let Some(l) = self.0 {
            l.count_down();
        }
    }
}
impl Handler<Done> for OneShot {
    type Return = ();
    async fn handle(&mut self, Done(latch): Done, ctx: &mut Context<Self>) {
        self.0 = Some(latch);
        ctx.stop_self();
    }
}

#[derive(xtra::Actor)]
struct BigNode {
    me: usize,
    all: Option<Arc<Vec<Address<BigNode>>>>,
    rng: Rng,
    left: u64,
    latch: Option<Arc<Latch>>,
}
impl BigNode {
    async fn ping(&mut self) {
        let all = self.all.as_ref().expect("linked");
        let to = self.rng.neighbour(self.me, all.len());
        let _ = all[to].send(Ping(self.me)).detach().await;
    }
}

enum BigMsg {
    Link(Arc<Vec<Address<BigNode>>>),
    Start(u64, Arc<Latch>),
    Stop,
}
impl Handler<BigMsg> for BigNode {
    type Return = ();
    async fn handle(&mut self, m: BigMsg, ctx: &mut Context<Self>) {
        match m {
            BigMsg::Link(all) => self.all = Some(all),
            BigMsg::Start(pings, latch) => {
                self.left = pings;
                self.latch = Some(latch);
                self.ping().await;
            }
            BigMsg::Stop => {
                self.all = None;
                ctx.stop_self();
            }
        }
    }
}

struct Ping(usize);
impl Handler<Ping> for BigNode {
    type Return = ();
    async fn handle(&mut self, Ping(from): Ping, _: &mut Context<Self>) {
        let all = self.all.as_ref().expect("linked");
        let _ = all[from].send(Pong).detach().await;
    }
}

struct Pong;
impl Handler<Pong> for BigNode {
    type Return = ();
    async fn handle(&mut self, _: Pong, _: &mut Context<Self>) {
        self.left -= 1;
        if self.left == 0 {
            self.latch.take().expect("started").count_down();
        } else {
            self.ping().await;
        }
    }
}

/// Where a Skynet actor answers: its parent, or the bench thread.
enum Parent {
    Actor(Address<SkyNode>),
    Root(oneshot::Sender<u64>),
}

/// A Skynet actor holds a strong address of itself (`me`) until it has answered, because its
/// parent drops the one `spawn` returns at once, and its children need one to answer to.
struct SkyNode {
    me: Option<Address<SkyNode>>,
    num: u64,
    below: u32,
    parent: Option<Parent>,
    sum: u64,
    waiting: u32,
}
impl SkyNode {
    /// Starts a Skynet actor on the current tokio runtime.
    fn spawn(num: u64, below: u32, parent: Parent) {
        let (addr, mailbox) = Mailbox::unbounded();
        let node = SkyNode {
            me: Some(addr.clone()),
            num,
            below,
            parent: Some(parent),
            sum: 0,
            waiting: 0,
        };
        drop(xtra::spawn_tokio(node, (addr, mailbox)));
    }

    /// Answers the parent and lets go of this actor's own address (it stops once no strong
    /// address is left).
    async fn answer(&mut self, x: u64) {
        match self.parent.take().expect("answers once") {
            Parent::Actor(p) => {
                let _ = p.send(Sum(x)).detach().await;
            }
            Parent::Root(p) => {
                let _ = p.send(x);
            }
        }
        self.me = None;
    }
}
impl xtra::Actor for SkyNode {
    type Stop = ();

    async fn started(&mut self, _: &Mailbox<Self>) -> Result<(), ()> {
        if self.below == 0 {
            self.answer(self.num).await;
            return Err(()); // stop at once
        }
        self.waiting = 10;
        let me = self.me.clone().expect("not answered yet");
        for k in 0..10 {
            SkyNode::spawn(self.num * 10 + k, self.below - 1, Parent::Actor(me.clone()));
        }
        Ok(())
    }

    async fn stopped(self) {}
}

struct Sum(u64);
impl Handler<Sum> for SkyNode {
    type Return = ();
    async fn handle(&mut self, Sum(x): Sum, ctx: &mut Context<Self>) {
        self.sum += x;
        self.waiting -= 1;
        if self.waiting == 0 {
            self.answer(self.sum).await;
            ctx.stop_self();
        }
    }
}

/// Where a Fibonacci actor answers: its parent, or the bench thread.
enum FibParent {
    Actor(Address<FibNode>),
    Root(oneshot::Sender<u64>),
}

/// Holds a strong address of itself until it has answered, as a Skynet actor.
struct FibNode {
    me: Option<Address<FibNode>>,
    n: u64,
    parent: Option<FibParent>,
    sum: u64,
    waiting: u32,
}
impl FibNode {
    /// Starts a Fibonacci actor on the current tokio runtime.
    fn spawn(n: u64, parent: FibParent) {
        let (addr, mailbox) = Mailbox::unbounded();
        let node = FibNode {
            me: Some(addr.clone()),
            n,
            parent: Some(parent),
            sum: 0,
            waiting: 0,
        };
        drop(xtra::spawn_tokio(node, (addr, mailbox)));
    }

    /// Answers the parent and lets go of this actor's own address.
    async fn answer(&mut self, x: u64) {
        match self.parent.take().expect("answers once") {
            FibParent::Actor(p) => {
                let _ = p.send(FibSum(x)).detach().await;
            }
            FibParent::Root(p) => {
                let _ = p.send(x);
            }
        }
        self.me = None;
    }
}
impl xtra::Actor for FibNode {
    type Stop = ();

    async fn started(&mut self, _: &Mailbox<Self>) -> Result<(), ()> {
        if self.n <= 2 {
            self.answer(1).await;
            return Err(()); // stop at once
        }
        self.waiting = 2;
        let me = self.me.clone().expect("not answered yet");
        for k in [1, 2] {
            FibNode::spawn(self.n - k, FibParent::Actor(me.clone()));
        }
        Ok(())
    }

    async fn stopped(self) {}
}

struct FibSum(u64);
impl Handler<FibSum> for FibNode {
    type Return = ();
    async fn handle(&mut self, FibSum(x): FibSum, ctx: &mut Context<Self>) {
        self.sum += x;
        self.waiting -= 1;
        if self.waiting == 0 {
            self.answer(self.sum).await;
            ctx.stop_self();
        }
    }
}

/// Holds a strong address of itself until it is done (the creatures drop theirs as they leave).
struct Mall {
    me: Option<Address<Mall>>,
    left: u64,
    waiting: Option<Address<Chameneo>>,
    creatures: usize,
    faded: usize,
    sum: u64,
    done: Arc<Slot>,
}
impl xtra::Actor for Mall {
    type Stop = ();
    async fn stopped(self) {}
}

enum MallMsg {
    Meet(u8, Address<Chameneo>),
    Count(u64),
}
impl Handler<MallMsg> for Mall {
    type Return = ();
    async fn handle(&mut self, m: MallMsg, ctx: &mut Context<Self>) {
        match m {
            MallMsg::Meet(_, who) if self.left == 0 => {
                let _ = who.send(ChamMsg::Exit).detach().await;
            }
            MallMsg::Meet(colour, who) => match self.waiting.take() {
                Some(first) => {
                    self.left -= 1;
                    let _ = first.send(ChamMsg::Meet(colour, who)).detach().await;
                }
                None => self.waiting = Some(who),
            },
            MallMsg::Count(n) => {
                self.sum += n;
                self.faded += 1;
                if self.faded == self.creatures {
                    self.done.set(self.sum);
                    self.me = None;
                    ctx.stop_self();
                }
            }
        }
    }
}

/// Holds a strong address of itself until it leaves (the mall keeps none while it waits).
struct Chameneo {
    me: Option<Address<Chameneo>>,
    mall: Address<Mall>,
    colour: u8,
    meetings: u64,
}
impl Chameneo {
    async fn ask_mall(&self) {
        let me = self.me.clone().expect("not gone yet");
        let _ = self
            .mall
            .send(MallMsg::Meet(self.colour, me))
            .detach()
            .await;
    }
}
impl xtra::Actor for Chameneo {
    type Stop = ();
    async fn started(&mut self, _: &Mailbox<Self>) -> Result<(), ()> {
        self.ask_mall().await;
        Ok(())
    }
    async fn stopped(self) {}
}

enum ChamMsg {
    Meet(u8, Address<Chameneo>),
    Change(u8),
    Exit,
}
impl Handler<ChamMsg> for Chameneo {
    type Return = ();
    async fn handle(&mut self, m: ChamMsg, ctx: &mut Context<Self>) {
        match m {
            ChamMsg::Meet(colour, other) => {
                self.colour = complement(self.colour, colour);
                self.meetings += 1;
                let _ = other.send(ChamMsg::Change(self.colour)).detach().await;
                self.ask_mall().await;
            }
            ChamMsg::Change(colour) => {
                self.colour = colour;
                self.meetings += 1;
                self.ask_mall().await;
            }
            ChamMsg::Exit => {
                let _ = self.mall.send(MallMsg::Count(self.meetings)).detach().await;
                self.me = None;
                ctx.stop_self();
            }
        }
    }
}

#[derive(xtra::Actor)]
struct Account {
    all: Option<Arc<Vec<Address<Account>>>>,
    balance: i64,
}

enum AccountMsg {
    Link(Arc<Vec<Address<Account>>>),
    /// Pay the account of this index this amount, wait for it to book it, count the latch down.
    Transfer(usize, i64, Arc<Latch>),
    Stop,
}
impl Handler<AccountMsg> for Account {
    type Return = ();
    async fn handle(&mut self, m: AccountMsg, ctx: &mut Context<Self>) {
        match m {
            AccountMsg::Link(all) => self.all = Some(all),
            AccountMsg::Transfer(to, amount, latch) => {
                self.balance -= amount;
                let all = self.all.as_ref().expect("linked");
                // The await form of the blocking ask: this actor handles nothing else until the
                // reply is in.
                if let Err(e) = all[to].send(Book(amount)).await {
                    bank_failed(&e);
                }
                latch.count_down();
            }
            AccountMsg::Stop => {
                self.all = None;
                ctx.stop_self();
            }
        }
    }
}

/// Book this amount; the reply is the new balance.
struct Book(i64);
impl Handler<Book> for Account {
    type Return = i64;
    async fn handle(&mut self, Book(amount): Book, _: &mut Context<Self>) -> i64 {
        self.balance += amount;
        self.balance
    }
}

struct Idle;
impl xtra::Actor for Idle {
    type Stop = ();
    async fn started(&mut self, _: &Mailbox<Self>) -> Result<(), ()> {
        idle_started();
        Ok(())
    }
    async fn stopped(self) {}
}

impl Xtra {
    fn start<A: xtra::Actor<Stop = ()>>(&self, a: A) -> Address<A> {
        let _in_rt = self.rt.enter();
        xtra::spawn_tokio(a, Mailbox::unbounded())
    }
}

impl System for Xtra {
    fn name(&self) -> &'static str {
        "xtra"
    }

    fn ring(&self, actors: usize) -> Run<'_> {
        let nodes: Vec<Address<Node>> = (0..actors)
            .map(|_| self.start(Node { next: None }))
            .collect();
        self.rt.block_on(async {
            for (i, n) in nodes.iter().enumerate() {
                n.send(Link(nodes[(i + 1) % actors].clone())).await.unwrap();
            }
        });
        let ring = RingStopper(Stopper {
            rt: &self.rt,
            actors: nodes,
        });
        Box::new(move |hops| {
            let first = &ring.0.actors[0];
            self.rt.block_on(async {
                let (done, wait) = oneshot::channel();
                // The detached reply (a future of `()`) is not awaited: the token's `done` is.
                drop(first.send(Token(hops, done)).detach().await.unwrap());
                wait.await.unwrap();
            })
        })
    }

    fn counting(&self) -> Run<'_> {
        let c = Stopper {
            rt: &self.rt,
            actors: vec![self.start(Counter(0))],
        };
        Box::new(move |n| {
            let a = &c.actors[0];
            self.rt.block_on(async {
                for i in 0..n {
                    drop(a.send(Add(i)).detach().await.unwrap());
                }
                a.send(Total(0)).await.unwrap();
            })
        })
    }

    fn asker(&self) -> Ask<'_> {
        let c = Stopper {
            rt: &self.rt,
            actors: vec![self.start(Counter(0))],
        };
        Box::new(move |i| self.rt.block_on(c.actors[0].send(Total(i))).unwrap())
    }

    fn spawn(&self) -> Run<'_> {
        Box::new(move |n| {
            self.rt.block_on(async {
                let joins: Vec<_> = (0..n)
                    .map(|_| {
                        let a = xtra::spawn_tokio(Counter(0), Mailbox::unbounded());
                        // Dropping the only address is xtra's stop request.
                        a.join()
                    })
                    .collect();
                for j in joins {
                    j.await;
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
            self.rt
                .block_on(async {
                    for i in 0..n {
                        for a in &w.actors {
                            drop(a.send(Add(i)).detach().await.unwrap());
                        }
                    }
                    let latch = Latch::new(w.actors.len());
                    for a in &w.actors {
                        drop(a.send(Done(latch.clone())).detach().await.unwrap());
                    }
                    // The latch blocks this thread, which is not one of the runtime's workers.
                    latch
                })
                .wait();
        })
    }

    fn fork_join_create(&self) -> Run<'_> {
        Box::new(move |n| {
            let latch = Latch::new(n as usize);
            self.rt.block_on(async {
                for _ in 0..n {
                    let a = xtra::spawn_tokio(OneShot(None), Mailbox::unbounded());
                    drop(a.send(Done(latch.clone())).detach().await.unwrap());
                }
            });
            latch.wait();
        })
    }

    fn big(&self, actors: usize) -> Run<'_> {
        let nodes: Vec<Address<BigNode>> = (0..actors)
            .map(|me| {
                self.start(BigNode {
                    me,
                    all: None,
                    rng: Rng::new(me as u64),
                    left: 0,
                    latch: None,
                })
            })
            .collect();
        let all = Arc::new(nodes.clone());
        self.rt.block_on(async {
            for n in &nodes {
                n.send(BigMsg::Link(all.clone())).await.unwrap();
            }
        });
        drop(all);
        let nodes = BigStopper(Stopper {
            rt: &self.rt,
            actors: nodes,
        });
        Box::new(move |m| {
            let latch = Latch::new(nodes.0.actors.len());
            self.rt.block_on(async {
                for n in &nodes.0.actors {
                    drop(
                        n.send(BigMsg::Start(m, latch.clone()))
                            .detach()
                            .await
                            .unwrap(),
                    );
                }
            });
            latch.wait();
        })
    }

    fn skynet(&self) -> Run<'_> {
        Box::new(move |depth| {
            let (p, f) = oneshot::channel();
            {
                let _in_rt = self.rt.enter();
                SkyNode::spawn(0, depth as u32, Parent::Root(p));
            }
            assert_eq!(f.blocking_recv().unwrap(), skynet_sum(depth as u32));
        })
    }

    fn fib(&self) -> Run<'_> {
        Box::new(move |n| {
            let (p, f) = oneshot::channel();
            {
                let _in_rt = self.rt.enter();
                FibNode::spawn(n, FibParent::Root(p));
            }
            assert_eq!(f.blocking_recv().unwrap(), fib_value(n));
        })
    }

    fn chameneos(&self, creatures: usize) -> Run<'_> {
        Box::new(move |meetings| {
            let done = Slot::new();
            {
                let _in_rt = self.rt.enter();
                let (mall, mailbox) = Mailbox::unbounded();
                let m = Mall {
                    me: Some(mall.clone()),
                    left: meetings,
                    waiting: None,
                    creatures,
                    faded: 0,
                    sum: 0,
                    done: done.clone(),
                };
                drop(xtra::spawn_tokio(m, (mall.clone(), mailbox)));
                for i in 0..creatures {
                    let (addr, mailbox) = Mailbox::unbounded();
                    let c = Chameneo {
                        me: Some(addr.clone()),
                        mall: mall.clone(),
                        colour: (i % 3) as u8,
                        meetings: 0,
                    };
                    drop(xtra::spawn_tokio(c, (addr, mailbox)));
                }
            }
            assert_eq!(done.wait(), 2 * meetings);
        })
    }

    fn banking(&self, accounts: usize) -> Banking<'_> {
        let all: Vec<Address<Account>> = (0..accounts)
            .map(|_| {
                self.start(Account {
                    all: None,
                    balance: 0,
                })
            })
            .collect();
        let shared = Arc::new(all.clone());
        self.rt.block_on(async {
            for a in &all {
                a.send(AccountMsg::Link(shared.clone())).await.unwrap();
            }
        });
        drop(shared);
        let all = AccountStopper(Stopper {
            rt: &self.rt,
            actors: all,
        });
        Banking::Awaiting(Box::new(move |n| {
            let latch = Latch::new(n as usize);
            self.rt.block_on(async {
                for (from, to, amount) in Transfers::new(accounts).take(n as usize) {
                    let t = AccountMsg::Transfer(to, amount, latch.clone());
                    drop(all.0.actors[from].send(t).detach().await.unwrap());
                }
            });
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
        std::mem::size_of::<Address<Idle>>()
    }
}

/// Sends `Stop` around the ring first (the nodes hold each other's addresses).
struct RingStopper<'a>(Stopper<'a, Node>);
impl Drop for RingStopper<'_> {
    fn drop(&mut self) {
        let actors = &self.0.actors;
        self.0.rt.block_on(async {
            for a in actors {
                let _ = a.send(Stop).await;
            }
        });
    }
}

/// Sends `Stop` to the Big actors first (they hold each other's addresses).
struct BigStopper<'a>(Stopper<'a, BigNode>);
impl Drop for BigStopper<'_> {
    fn drop(&mut self) {
        let actors = &self.0.actors;
        self.0.rt.block_on(async {
            for a in actors {
                let _ = a.send(BigMsg::Stop).await;
            }
        });
    }
}

/// Sends `Stop` to the accounts first (they hold each other's addresses).
struct AccountStopper<'a>(Stopper<'a, Account>);
impl Drop for AccountStopper<'_> {
    fn drop(&mut self) {
        let actors = &self.0.actors;
        self.0.rt.block_on(async {
            for a in actors {
                let _ = a.send(AccountMsg::Stop).await;
            }
        });
    }
}
