//! actix: a `System` on a thread of its own; every actor on its one arbiter (actix runs an
//! arbiter's actors on one thread: its model, like pykka's pooled-1 case). Tells with
//! `do_send` (always queued, never waits for capacity), asks with `send(..)` awaited from the
//! bench thread (on a current-thread tokio runtime, only to poll the reply). An actor stops when
//! its last `Addr` is dropped; `stopped()` reports it (actix has no join handle).

use super::{Ask, Run, System, PATIENCE};
use actix::prelude::*;
use std::sync::mpsc;
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
}
