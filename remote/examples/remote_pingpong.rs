//! Ping-pong between two processes on 127.0.0.1.
//!
//! `cargo run -p pykka-remote --example remote_pingpong` starts the `ping` side, which runs this
//! same program again as the `pong` process, looks up its actor, and bounces a ball between
//! them; then it stops the pong actor and shows what a remote ask to it gives.
//!
//! Or by hand, in two terminals:
//! `remote_pingpong pong 7447` and `remote_pingpong ping 7447`.

use pykka::{Actor, Context, Receive};
use pykka_remote::{Node, NodeConfig, RemoteError};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

#[derive(Debug, Serialize, Deserialize)]
enum Ball {
    Ping(u32),
    Quit,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Pong(u32);

struct Ponger;
impl Actor for Ponger {}
impl Receive for Ponger {
    type Message = Ball;
    type Reply = Pong;
    fn on_receive(&mut self, ball: Ball, ctx: &mut Context<Self>) -> Pong {
        match ball {
            Ball::Ping(n) => Pong(n + 1),
            Ball::Quit => {
                ctx.stop();
                Pong(0)
            }
        }
    }
}

fn pong(port: u16) {
    let node = Node::open(NodeConfig::new("pong").listen(format!("tcp/127.0.0.1:{port}")))
        .expect("open the pong node");
    let ponger = Ponger.start();
    let _exposed = node.expose("ponger", &ponger).expect("expose");
    println!(
        "[pong] pid {} exposing \"ponger\" on port {port}",
        std::process::id()
    );
    // Serve until the actor is told to quit.
    let _ = pykka::Runtime::global();
    while ponger.is_alive() {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Give the ping side a moment to see the actor stopped before the node goes.
    std::thread::sleep(Duration::from_millis(500));
    node.close();
    println!("[pong] done");
}

fn ping(port: u16) {
    let node = Node::open(NodeConfig::new("ping").connect(format!("tcp/127.0.0.1:{port}")))
        .expect("open the ping node");
    let ponger = node
        .lookup_wait::<Ball, Pong>("ponger", Duration::from_secs(20))
        .expect("look up \"ponger\"");
    println!("[ping] found {}", ponger.actor());
    let rounds = 1000;
    let t = Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        let Pong(m) = ponger.ask(Ball::Ping(n)).get().expect("pong");
        n = m;
    }
    let took = t.elapsed();
    println!(
        "[ping] {rounds} round trips in {took:?} ({:.1} us each); the ball reached {n}",
        took.as_secs_f64() * 1e6 / f64::from(rounds)
    );
    let ended = ponger.terminated();
    ponger.tell(Ball::Quit).expect("tell quit");
    println!(
        "[ping] told it to quit; it ended: {:?}",
        ended.get_timeout(Duration::from_secs(20))
    );
    match ponger.ask(Ball::Ping(0)).get() {
        Err(pykka::Error::ActorDead(e)) => println!("[ping] a new ask: ActorDead ({e})"),
        Err(e) => println!("[ping] a new ask: {e} ({:?})", RemoteError::of(&e)),
        Ok(p) => println!("[ping] a new ask was answered?! {p:?}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("pong") => pong(args[2].parse().expect("a port")),
        Some("ping") => ping(args[2].parse().expect("a port")),
        _ => {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let mut child = std::process::Command::new(std::env::current_exe().expect("own path"))
                .args(["pong", &port.to_string()])
                .spawn()
                .expect("start the pong process");
            ping(port);
            let status = child.wait().expect("wait for pong");
            println!("[ping] the pong process exited: {status}");
        }
    }
}
