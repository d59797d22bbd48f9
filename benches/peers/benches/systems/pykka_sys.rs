//! pykka: pooled on a runtime of its own (1 worker, or one per core), and `start_dedicated`
//! (one OS thread per actor, Pykka's own model).

use super::{cores, Ask, Run, System};
use pykka::{Actor, ActorRef, Context, Future, Promise, Receive, Runtime};

pub struct Pykka {
    name: &'static str,
    /// `None`: every actor on its own thread (`start_dedicated`).
    rt: Option<Runtime>,
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
        Pykka { name, rt: Some(rt) }
    }

    pub fn dedicated() -> Self {
        Pykka {
            name: "pykka_dedicated",
            rt: None,
        }
    }

    fn start<A: Actor>(&self, a: A) -> ActorRef<A> {
        match &self.rt {
            Some(rt) => a.start_in(rt),
            None => a.start_dedicated(),
        }
    }
}

/// Adds what it is told; answers the running total.
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
}
