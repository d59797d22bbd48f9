//! xtra (tokio feature): each actor a tokio task on an unbounded `Mailbox`, tells with
//! `send(..).detach()` (enqueue, do not wait for the handler), asks with `send(..)` awaited in
//! `block_on` on the bench thread. xtra has no "stop" call from outside: an actor stops when its
//! last strong `Address` is dropped (or it calls `ctx.stop_self()`), and `Address::join` waits
//! for that.

use super::{tokio_runtime, Ask, Run, System};
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
