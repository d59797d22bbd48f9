//! kameo: each actor a tokio task, unbounded mailboxes (`spawn_with_mailbox(.., unbounded())`),
//! tells with `tell(..).try_send()` (the non-async send its docs recommend inside actors),
//! asks from the bench thread with `ask(..).blocking_send()` (its API for sync callers).

use super::{tokio_runtime, Ask, Run, System};
use kameo::actor::{ActorRef, Spawn};
use kameo::mailbox;
use kameo::message::{Context, Message};
use kameo::Actor;
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
}
