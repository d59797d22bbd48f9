//! The bare baseline: one `std::thread` per actor and a `std::sync::mpsc` channel as its
//! mailbox, nothing else (no registry, no failure handling, no futures).

use super::{
    complement, fib_value, idle_started, skynet_sum, Ask, Banking, Keep, Latch, Rng, Run, Slot,
    System, Transfers,
};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

pub struct StdThreads;

enum NodeMsg {
    Token(u64, Sender<()>),
    /// Tears the ring down: each thread passes it on, then ends.
    Stop,
}

enum CountMsg {
    Add(u64),
    /// Adds, then answers the total on its own reply channel (an ask).
    Total(u64, Sender<u64>),
}

fn counter(rx: Receiver<CountMsg>) {
    let mut total = 0u64;
    for m in rx {
        match m {
            CountMsg::Add(x) => total = total.wrapping_add(x),
            CountMsg::Total(x, reply) => {
                total = total.wrapping_add(x);
                let _ = reply.send(total);
            }
        }
    }
}

/// Ends its thread(s) when dropped.
struct Threads<M> {
    entry: Option<Sender<M>>,
    stop: Option<M>,
    joins: Vec<JoinHandle<()>>,
}
impl<M> Drop for Threads<M> {
    fn drop(&mut self) {
        // Send the stop message if there is one, and drop the last outside sender either way.
        if let Some(tx) = self.entry.take() {
            if let Some(stop) = self.stop.take() {
                let _ = tx.send(stop);
            }
        }
        for j in self.joins.drain(..) {
            let _ = j.join();
        }
    }
}

enum WorkMsg {
    Add(u64),
    Done(Arc<Latch>),
}

enum BigMsg {
    Start(u64, Arc<Latch>),
    Ping(usize),
    Pong,
    Stop,
}

fn big_node(me: usize, rx: Receiver<BigMsg>, all: Vec<Sender<BigMsg>>) {
    let mut rng = Rng::new(me as u64);
    let mut left = 0;
    let mut latch = None;
    let ping = |rng: &mut Rng| {
        let _ = all[rng.neighbour(me, all.len())].send(BigMsg::Ping(me));
    };
    for m in rx {
        match m {
            BigMsg::Start(pings, l) => {
                left = pings;
                latch = Some(l);
                ping(&mut rng);
            }
            BigMsg::Ping(from) => {
                let _ = all[from].send(BigMsg::Pong);
            }
            BigMsg::Pong => {
                left -= 1;
                if left == 0 {
                    latch.take().expect("started").count_down();
                } else {
                    ping(&mut rng);
                }
            }
            BigMsg::Stop => return,
        }
    }
}

/// One Skynet actor: a thread that starts its children's threads, adds up what they send on
/// its channel, and sends the sum to its parent.
fn sky_node(num: u64, below: u32, parent: Sender<u64>) {
    if below == 0 {
        let _ = parent.send(num);
        return;
    }
    let (tx, rx) = channel();
    for k in 0..10 {
        let tx = tx.clone();
        thread::spawn(move || sky_node(num * 10 + k, below - 1, tx));
    }
    drop(tx);
    let sum: u64 = rx.iter().take(10).sum();
    let _ = parent.send(sum);
}

/// One Fibonacci actor: a thread that starts its two children's threads (for `k > 2`), adds up
/// what they send on its channel, and sends the sum to its parent.
fn fib_node(n: u64, parent: Sender<u64>) {
    if n <= 2 {
        let _ = parent.send(1);
        return;
    }
    let (tx, rx) = channel();
    for k in [1, 2] {
        let tx = tx.clone();
        thread::spawn(move || fib_node(n - k, tx));
    }
    drop(tx);
    let sum: u64 = rx.iter().take(2).sum();
    let _ = parent.send(sum);
}

enum MallMsg {
    Meet(u8, Sender<ChamMsg>),
    Count(u64),
}

enum ChamMsg {
    Meet(u8, Sender<ChamMsg>),
    Change(u8),
    Exit,
}

fn mall(rx: Receiver<MallMsg>, mut left: u64, creatures: usize, done: Arc<Slot>) {
    let mut waiting: Option<Sender<ChamMsg>> = None;
    let (mut faded, mut sum) = (0, 0);
    for m in rx {
        match m {
            MallMsg::Meet(_, who) if left == 0 => {
                let _ = who.send(ChamMsg::Exit);
            }
            MallMsg::Meet(colour, who) => match waiting.take() {
                Some(first) => {
                    left -= 1;
                    let _ = first.send(ChamMsg::Meet(colour, who));
                }
                None => waiting = Some(who),
            },
            MallMsg::Count(n) => {
                sum += n;
                faded += 1;
                if faded == creatures {
                    done.set(sum);
                    return;
                }
            }
        }
    }
}

fn chameneo(me: Sender<ChamMsg>, rx: Receiver<ChamMsg>, mall: Sender<MallMsg>, mut colour: u8) {
    let mut meetings = 0;
    let _ = mall.send(MallMsg::Meet(colour, me.clone()));
    for m in rx {
        match m {
            ChamMsg::Meet(other_colour, other) => {
                colour = complement(colour, other_colour);
                meetings += 1;
                let _ = other.send(ChamMsg::Change(colour));
                let _ = mall.send(MallMsg::Meet(colour, me.clone()));
            }
            ChamMsg::Change(c) => {
                colour = c;
                meetings += 1;
                let _ = mall.send(MallMsg::Meet(colour, me.clone()));
            }
            ChamMsg::Exit => {
                let _ = mall.send(MallMsg::Count(meetings));
                return;
            }
        }
    }
}

enum AccountMsg {
    /// Pay the account of this index this amount, wait for it to book it, count the latch down.
    Transfer(usize, i64, Arc<Latch>),
    /// Book this amount, answer the new balance on the reply channel (an ask).
    Book(i64, Sender<i64>),
    Stop,
}

fn account(rx: Receiver<AccountMsg>, all: Arc<Vec<Sender<AccountMsg>>>) {
    let mut balance = 0i64;
    for m in rx {
        match m {
            AccountMsg::Transfer(to, amount, latch) => {
                balance -= amount;
                let (reply, wait) = channel();
                let _ = all[to].send(AccountMsg::Book(amount, reply));
                // The blocking ask inside a handler.
                let _ = wait.recv();
                latch.count_down();
            }
            AccountMsg::Book(amount, reply) => {
                balance += amount;
                let _ = reply.send(balance);
            }
            AccountMsg::Stop => return,
        }
    }
}

/// The accounts hold each other's senders: stopped with a message, then joined.
struct Accounts {
    all: Arc<Vec<Sender<AccountMsg>>>,
    joins: Vec<JoinHandle<()>>,
}
impl Drop for Accounts {
    fn drop(&mut self) {
        for tx in self.all.iter() {
            let _ = tx.send(AccountMsg::Stop);
        }
        for j in self.joins.drain(..) {
            let _ = j.join();
        }
    }
}

impl System for StdThreads {
    fn name(&self) -> &'static str {
        "std_thread_mpsc"
    }

    fn ring(&self, actors: usize) -> Run<'_> {
        let (txs, rxs): (Vec<Sender<NodeMsg>>, Vec<Receiver<NodeMsg>>) =
            (0..actors).map(|_| channel()).unzip();
        let joins = rxs
            .into_iter()
            .enumerate()
            .map(|(i, rx)| {
                let next = txs[(i + 1) % actors].clone();
                thread::spawn(move || {
                    for m in rx {
                        match m {
                            NodeMsg::Token(0, done) => {
                                let _ = done.send(());
                            }
                            NodeMsg::Token(n, done) => {
                                let _ = next.send(NodeMsg::Token(n - 1, done));
                            }
                            NodeMsg::Stop => {
                                let _ = next.send(NodeMsg::Stop);
                                return;
                            }
                        }
                    }
                })
            })
            .collect();
        let ring = Threads {
            entry: Some(txs[0].clone()),
            stop: Some(NodeMsg::Stop),
            joins,
        };
        drop(txs);
        Box::new(move |hops| {
            let (done, wait) = channel();
            ring.entry
                .as_ref()
                .unwrap()
                .send(NodeMsg::Token(hops, done))
                .unwrap();
            wait.recv().unwrap();
        })
    }

    fn counting(&self) -> Run<'_> {
        let (tx, rx) = channel();
        let t = Threads::<CountMsg> {
            entry: Some(tx),
            stop: None,
            joins: vec![thread::spawn(move || counter(rx))],
        };
        Box::new(move |n| {
            let tx = t.entry.as_ref().unwrap();
            for i in 0..n {
                tx.send(CountMsg::Add(i)).unwrap();
            }
            let (reply, wait) = channel();
            tx.send(CountMsg::Total(0, reply)).unwrap();
            wait.recv().unwrap();
        })
    }

    fn asker(&self) -> Ask<'_> {
        let (tx, rx) = channel();
        let t = Threads::<CountMsg> {
            entry: Some(tx),
            stop: None,
            joins: vec![thread::spawn(move || counter(rx))],
        };
        Box::new(move |i| {
            let (reply, wait) = channel();
            t.entry
                .as_ref()
                .unwrap()
                .send(CountMsg::Total(i, reply))
                .unwrap();
            wait.recv().unwrap()
        })
    }

    fn spawn(&self) -> Run<'_> {
        Box::new(|n| {
            // Start the thread, then "stop" it: dropping its only sender ends its loop.
            let joins: Vec<JoinHandle<()>> = (0..n)
                .map(|_| {
                    let (tx, rx) = channel::<CountMsg>();
                    let j = thread::spawn(move || counter(rx));
                    drop(tx);
                    j
                })
                .collect();
            for j in joins {
                j.join().unwrap();
            }
        })
    }

    fn fork_join_throughput(&self, actors: usize) -> Run<'_> {
        let (txs, joins): (Vec<Sender<WorkMsg>>, Vec<JoinHandle<()>>) = (0..actors)
            .map(|_| {
                let (tx, rx) = channel();
                let j = thread::spawn(move || {
                    let mut total = 0u64;
                    for m in rx {
                        match m {
                            WorkMsg::Add(x) => total = total.wrapping_add(x),
                            WorkMsg::Done(l) => l.count_down(),
                        }
                    }
                    std::hint::black_box(total);
                });
                (tx, j)
            })
            .unzip();
        let t = Senders { txs, joins };
        Box::new(move |n| {
            for i in 0..n {
                for tx in &t.txs {
                    tx.send(WorkMsg::Add(i)).unwrap();
                }
            }
            let latch = Latch::new(t.txs.len());
            for tx in &t.txs {
                tx.send(WorkMsg::Done(latch.clone())).unwrap();
            }
            latch.wait();
        })
    }

    fn fork_join_create(&self) -> Run<'_> {
        Box::new(|n| {
            let latch = Latch::new(n as usize);
            for _ in 0..n {
                let (tx, rx) = channel::<Arc<Latch>>();
                // One message, then the thread ends: counted down as it stops. Not joined
                // (the other systems do not wait for a thread's exit either).
                thread::spawn(move || {
                    let l = rx.recv().unwrap();
                    l.count_down();
                });
                tx.send(latch.clone()).unwrap();
            }
            latch.wait();
        })
    }

    fn big(&self, actors: usize) -> Run<'_> {
        let (txs, rxs): (Vec<Sender<BigMsg>>, Vec<Receiver<BigMsg>>) =
            (0..actors).map(|_| channel()).unzip();
        let joins = rxs
            .into_iter()
            .enumerate()
            .map(|(me, rx)| {
                let all = txs.clone();
                thread::spawn(move || big_node(me, rx, all))
            })
            .collect();
        let t = BigThreads { txs, joins };
        Box::new(move |m| {
            let latch = Latch::new(t.txs.len());
            for tx in &t.txs {
                tx.send(BigMsg::Start(m, latch.clone())).unwrap();
            }
            latch.wait();
        })
    }

    fn skynet(&self) -> Run<'_> {
        Box::new(|depth| {
            let (tx, rx) = channel();
            thread::spawn(move || sky_node(0, depth as u32, tx));
            assert_eq!(rx.recv().unwrap(), skynet_sum(depth as u32));
        })
    }

    fn fib(&self) -> Run<'_> {
        Box::new(|n| {
            let (tx, rx) = channel();
            thread::spawn(move || fib_node(n, tx));
            assert_eq!(rx.recv().unwrap(), fib_value(n));
        })
    }

    fn chameneos(&self, creatures: usize) -> Run<'_> {
        Box::new(move |meetings| {
            let done = Slot::new();
            let (mall_tx, mall_rx) = channel();
            let d = done.clone();
            // Not joined, as fork-join creation (the others do not wait for a stop either).
            thread::spawn(move || mall(mall_rx, meetings, creatures, d));
            for i in 0..creatures {
                let (tx, rx) = channel();
                let m = mall_tx.clone();
                thread::spawn(move || chameneo(tx, rx, m, (i % 3) as u8));
            }
            drop(mall_tx);
            assert_eq!(done.wait(), 2 * meetings);
        })
    }

    fn banking(&self, accounts: usize) -> Banking<'_> {
        let (txs, rxs): (Vec<Sender<AccountMsg>>, Vec<Receiver<AccountMsg>>) =
            (0..accounts).map(|_| channel()).unzip();
        let all = Arc::new(txs);
        let joins = rxs
            .into_iter()
            .map(|rx| {
                let all = all.clone();
                thread::spawn(move || account(rx, all))
            })
            .collect();
        let t = Accounts { all, joins };
        Banking::Blocking(Box::new(move |n| {
            let latch = Latch::new(n as usize);
            for (from, to, amount) in Transfers::new(accounts).take(n as usize) {
                t.all[from]
                    .send(AccountMsg::Transfer(to, amount, latch.clone()))
                    .unwrap();
            }
            latch.wait();
        }))
    }

    fn thread_per_actor(&self) -> bool {
        true
    }

    fn idle(&self, n: usize) -> Box<dyn Keep + '_> {
        let mut txs = Vec::with_capacity(n);
        let mut joins = Vec::with_capacity(n);
        for _ in 0..n {
            let (tx, rx) = channel::<CountMsg>();
            joins.push(thread::spawn(move || {
                idle_started();
                counter(rx)
            }));
            txs.push(tx);
        }
        Box::new(Senders { txs, joins })
    }

    fn handle_size(&self) -> usize {
        std::mem::size_of::<Sender<CountMsg>>() + std::mem::size_of::<JoinHandle<()>>()
    }
}

/// The Big actors hold each other's senders: stopped with a message, then joined.
struct BigThreads {
    txs: Vec<Sender<BigMsg>>,
    joins: Vec<JoinHandle<()>>,
}
impl Drop for BigThreads {
    fn drop(&mut self) {
        for tx in &self.txs {
            let _ = tx.send(BigMsg::Stop);
        }
        for j in self.joins.drain(..) {
            let _ = j.join();
        }
    }
}

/// Threads that end when their senders are dropped: drops the senders, then joins.
struct Senders<M> {
    txs: Vec<Sender<M>>,
    joins: Vec<JoinHandle<()>>,
}
impl<M> Drop for Senders<M> {
    fn drop(&mut self) {
        self.txs.clear();
        for j in self.joins.drain(..) {
            let _ = j.join();
        }
    }
}
