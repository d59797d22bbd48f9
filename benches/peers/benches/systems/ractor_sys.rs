//! ractor: each actor a tokio task (its mailboxes are unbounded), tells with `cast`, asks with
//! `call` (an `RpcReplyPort` in the message) awaited in `block_on` on the bench thread.
//! `Actor::spawn` is async and returns once `pre_start` has run: that wait is part of its
//! spawn figure (ractor has no spawn that does not wait).

use super::{tokio_runtime, Ask, Run, System};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
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
}
