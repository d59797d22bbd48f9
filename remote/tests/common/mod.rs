//! Helpers shared by the remote tests.
#![allow(dead_code)]

use pykka::{Actor, Context, Receive};
use pykka_remote::{Node, NodeConfig};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A hang guard for waits that should end at once.
pub const GUARD: Duration = Duration::from_secs(20);

/// A port free at the time of the call (the system picked it; it is released at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `done` until it holds; panics with `what()` after [`GUARD`] (a hang guard: the
/// condition is one the test expects to become true at once, as a remote event arrives).
pub fn wait_until(mut done: impl FnMut() -> bool, what: impl Fn() -> String) {
    let deadline = std::time::Instant::now() + GUARD;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{}", what());
        std::thread::yield_now();
    }
}

pub fn endpoint(port: u16) -> String {
    format!("tcp/127.0.0.1:{port}")
}

/// A cluster name of its own per test, so that tests running at once never see each other.
pub fn cluster(test: &str) -> String {
    format!("t{}-{test}", std::process::id())
}

/// Two nodes of `cluster`: `a` listens, `b` dials it.
pub fn pair(cluster: &str) -> (Node, Node, u16) {
    pair_with(cluster, |c| c)
}

/// [`pair`], with `b`'s configuration adjusted by `f`.
pub fn pair_with(cluster: &str, f: impl FnOnce(NodeConfig) -> NodeConfig) -> (Node, Node, u16) {
    let port = free_port();
    let a = Node::open(NodeConfig::new("a").cluster(cluster).listen(endpoint(port))).unwrap();
    let b = Node::open(f(NodeConfig::new("b")
        .cluster(cluster)
        .connect(endpoint(port))))
    .unwrap();
    (a, b, port)
}

/// Two nodes of a cluster of their own (`a` listens, `b` dials it), a `Counter` exposed on `a`,
/// and `b`'s ref on it.
pub struct CounterPair {
    pub a: Node,
    pub b: Node,
    pub counter: pykka::ActorRef<Counter>,
    pub _exposed: pykka_remote::Exposed,
    pub remote: pykka_remote::RemoteRef<Cmd, Reply>,
}

pub fn counter_pair(test: &str) -> CounterPair {
    let (a, b, _) = pair(&cluster(test));
    let counter = Counter::default().start();
    let _exposed = a.expose("counter", &counter).unwrap();
    let remote = b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
    CounterPair {
        a,
        b,
        counter,
        _exposed,
        remote,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cmd {
    Add(u64),
    Get,
    Panic,
    Echo(Vec<u8>),
}

/// Sums what it is told; answers the sum.
#[derive(Default)]
pub struct Counter {
    pub sum: u64,
    pub seen: Vec<u64>,
}

impl Actor for Counter {}

impl Receive for Counter {
    type Message = Cmd;
    type Reply = Reply;
    fn on_receive(&mut self, cmd: Cmd, _: &mut Context<Self>) -> Reply {
        match cmd {
            Cmd::Add(n) => {
                self.sum += n;
                self.seen.push(n);
                Reply::Sum(self.sum)
            }
            Cmd::Get => Reply::Seen(self.seen.clone()),
            Cmd::Panic => panic!("asked to panic"),
            Cmd::Echo(b) => Reply::Bytes(b),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    Sum(u64),
    Seen(Vec<u64>),
    Bytes(Vec<u8>),
}
