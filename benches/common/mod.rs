//! Shared by the benches (`mod common;`): one configuration, the counting actor and the askers.
#![allow(dead_code)] // each bench uses what it needs

use criterion::Criterion;
use pykka::{Actor, ActorRef, Context, Promise, Receive};
use std::time::Duration;

/// Small samples: the machines are shared and have 2 cores; ratios come from one group.
pub(crate) fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

/// Adds what it is told; answers the running total.
pub(crate) struct Counter(pub(crate) u64);
impl Actor for Counter {}
impl Receive for Counter {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, m: u64, _: &mut Context<Self>) -> u64 {
        self.0 = self.0.wrapping_add(m);
        self.0
    }
}

/// Asked `n`, asks its target `n` times, blocking on each reply (inside its handler).
pub(crate) struct Asker {
    pub(crate) target: ActorRef<Counter>,
}
impl Actor for Asker {}
impl Receive for Asker {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, n: u64, _: &mut Context<Self>) -> u64 {
        let mut last = 0;
        for i in 0..n {
            last = self.target.ask(i).get().unwrap();
        }
        last
    }
}

/// Asked `n`, asks its target `n` times, awaiting each reply (the async `Asker`).
pub(crate) struct AsyncAsker {
    pub(crate) target: ActorRef<Counter>,
}
impl Actor for AsyncAsker {}
impl pykka::AsyncReceive for AsyncAsker {
    type Message = u64;
    type Reply = u64;
    async fn on_receive(&mut self, n: u64, _: &mut Context<Self>) -> u64 {
        let mut last = 0;
        for i in 0..n {
            last = self.target.ask(i).await.unwrap();
        }
        last
    }
}

/// What two `Player`s bounce (`ping_pong`).
pub(crate) enum Ball {
    Hit(u64),
    Meet(ActorRef<Player>, Promise<()>),
}

/// Tells its peer the ball back until the count runs out.
pub(crate) struct Player {
    pub(crate) peer: Option<ActorRef<Player>>,
    pub(crate) done: Option<Promise<()>>,
}
impl Actor for Player {}
impl Receive for Player {
    type Message = Ball;
    type Reply = ();
    fn on_receive(&mut self, m: Ball, _: &mut Context<Self>) {
        match m {
            Ball::Meet(peer, done) => {
                self.peer = Some(peer);
                self.done = Some(done);
            }
            Ball::Hit(0) => {
                if let Some(d) = self.done.take() {
                    d.set(());
                }
                if let Some(p) = &self.peer {
                    let _ = p.tell(Ball::Hit(0));
                }
            }
            Ball::Hit(n) => {
                let _ = self.peer.as_ref().unwrap().tell(Ball::Hit(n - 1));
            }
        }
    }
}

/// Nanoseconds per operation since `t`.
pub(crate) fn per_op(t: std::time::Instant, n: u64) -> f64 {
    t.elapsed().as_nanos() as f64 / n as f64
}

/// The median of `v`.
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// This process's resident set, in bytes (Linux).
pub(crate) fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// Two `Player`s bounce a ball `n` round trips; ns per round trip.
pub(crate) fn ping_pong(rt: &pykka::Runtime, n: u64) -> f64 {
    let player = || Player {
        peer: None,
        done: None,
    };
    let (x, y) = (player().start_in(rt), player().start_in(rt));
    let (p1, f1) = pykka::promise();
    let (p2, _f2) = pykka::promise();
    x.tell(Ball::Meet(y.clone(), p1)).unwrap();
    y.tell(Ball::Meet(x.clone(), p2)).unwrap();
    let t = std::time::Instant::now();
    x.tell(Ball::Hit(2 * n)).unwrap();
    f1.get().unwrap();
    let r = per_op(t, n);
    x.stop();
    y.stop();
    r
}

/// What the rally players bounce (`core`'s and `async_handlers`' ping-pong).
pub(crate) enum Shot<P: Actor> {
    Peer(ActorRef<P>),
    Serve(u64, Promise<()>),
    Hit(u64),
}

/// The rally's rules, shared by both players: the one that was served ends it when the count
/// runs out; the other sends the last hit back to it.
pub(crate) struct Rally<P: Actor> {
    peer: Option<ActorRef<P>>,
    done: Option<Promise<()>>,
}

impl<P: Actor> Rally<P> {
    pub(crate) fn new() -> Self {
        Rally {
            peer: None,
            done: None,
        }
    }

    /// What to tell the peer next, if anything.
    pub(crate) fn play(&mut self, m: Shot<P>) -> Option<u64> {
        let n = match m {
            Shot::Peer(p) => {
                self.peer = Some(p);
                return None;
            }
            Shot::Serve(n, done) => {
                self.done = Some(done);
                n
            }
            Shot::Hit(n) => n,
        };
        if n == 0 {
            return match self.done.take() {
                Some(d) => {
                    d.set(());
                    None
                }
                None => Some(0),
            };
        }
        Some(n - 1)
    }

    pub(crate) fn hit(&self, n: u64)
    where
        P: Receive<Message = Shot<P>>,
    {
        if let Some(p) = &self.peer {
            let _ = p.tell(Shot::Hit(n));
        }
    }
}

pub(crate) struct SyncPlayer(pub(crate) Rally<SyncPlayer>);
impl Actor for SyncPlayer {}
impl Receive for SyncPlayer {
    type Message = Shot<SyncPlayer>;
    type Reply = ();
    fn on_receive(&mut self, m: Shot<SyncPlayer>, _: &mut Context<Self>) {
        if let Some(n) = self.0.play(m) {
            self.0.hit(n);
        }
    }
}
