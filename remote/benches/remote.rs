//! Loopback figures for pykka-remote beside the raw engine's, in the same run: ask latency
//! (p50/p99) against zenoh's own query/reply, tell throughput against zenoh's own put.
//!
//! `cargo bench -p pykka-remote` (release). Two nodes in one process, TCP on 127.0.0.1. Each
//! pair of measurements alternates raw and pykka-remote, three rounds.

use pykka::{Actor, Context, Receive};
use pykka_remote::{Node, NodeConfig};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zenoh::Wait;

const ASKS: usize = 5_000;
const TELLS: u64 = 200_000;

struct Echo;
impl Actor for Echo {}
impl Receive for Echo {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, n: u64, _: &mut Context<Self>) -> u64 {
        n
    }
}

struct Count(Arc<AtomicU64>);
impl Actor for Count {}
impl Receive for Count {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, _: u64, _: &mut Context<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[v.len() * 99 / 100])
}

fn wait_for(counter: &AtomicU64, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while counter.load(Ordering::Relaxed) < n {
        assert!(
            Instant::now() < deadline,
            "only {} of {n}",
            counter.load(Ordering::Relaxed)
        );
        std::thread::yield_now();
    }
}

fn main() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ep = format!("tcp/127.0.0.1:{port}");
    let a = Node::open(NodeConfig::new("a").cluster("bench").listen(&ep)).unwrap();
    let b = Node::open(NodeConfig::new("b").cluster("bench").connect(&ep)).unwrap();
    let echo = Echo.start();
    let _e = a.expose("echo", &echo).unwrap();
    let counted = Arc::new(AtomicU64::new(0));
    let count = Count(Arc::clone(&counted)).start();
    let _c = a.expose("count", &count).unwrap();
    let r_echo = b
        .lookup_wait::<u64, u64>("echo", Duration::from_secs(10))
        .unwrap();
    let r_count = b
        .lookup_wait::<u64, ()>("count", Duration::from_secs(10))
        .unwrap();

    // The raw engine: two more sessions, a queryable echoing, a subscriber counting.
    let raw = |listen: Option<&str>, connect: Option<&str>| {
        let mut c = zenoh::Config::default();
        c.insert_json5("mode", r#""peer""#).unwrap();
        c.insert_json5("scouting/multicast/enabled", "false")
            .unwrap();
        if let Some(l) = listen {
            c.insert_json5("listen/endpoints", &format!(r#"["{l}"]"#))
                .unwrap();
        }
        if let Some(t) = connect {
            c.insert_json5("connect/endpoints", &format!(r#"["{t}"]"#))
                .unwrap();
        }
        zenoh::open(c).wait().unwrap()
    };
    let port2 = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ep2 = format!("tcp/127.0.0.1:{port2}");
    let ra = raw(Some(&ep2), None);
    let rb = raw(None, Some(&ep2));
    let _q = ra
        .declare_queryable("raw/echo")
        .callback(|q| {
            let p = q
                .payload()
                .map(|p| p.to_bytes().into_owned())
                .unwrap_or_default();
            q.reply(q.key_expr().clone(), p).wait().unwrap();
        })
        .wait()
        .unwrap();
    let raw_count = Arc::new(AtomicU64::new(0));
    let rc = Arc::clone(&raw_count);
    let _s = ra
        .declare_subscriber("raw/count")
        .callback(move |_| {
            rc.fetch_add(1, Ordering::Relaxed);
        })
        .wait()
        .unwrap();
    let publisher = rb
        .declare_publisher("raw/count")
        .congestion_control(zenoh::qos::CongestionControl::Block)
        .wait()
        .unwrap();
    // Wait for the raw queryable to be routed.
    loop {
        let r = rb.get("raw/echo").payload(vec![0u8; 8]).wait().unwrap();
        if r.recv().is_ok_and(|r| r.result().is_ok()) {
            break;
        }
    }

    let raw_ask = || {
        let mut lat = Vec::with_capacity(ASKS);
        for i in 0..ASKS as u64 {
            let t = Instant::now();
            let r = rb
                .get("raw/echo")
                .payload(postcard::to_stdvec(&i).unwrap())
                .wait()
                .unwrap();
            let reply = r.recv().unwrap();
            let v: u64 =
                postcard::from_bytes(&reply.result().unwrap().payload().to_bytes()).unwrap();
            assert_eq!(v, i);
            lat.push(t.elapsed());
        }
        percentiles(lat)
    };
    let remote_ask = || {
        let mut lat = Vec::with_capacity(ASKS);
        for i in 0..ASKS as u64 {
            let t = Instant::now();
            assert_eq!(r_echo.ask(i).get().unwrap(), i);
            lat.push(t.elapsed());
        }
        percentiles(lat)
    };
    let raw_put = || {
        let start_count = raw_count.load(Ordering::Relaxed);
        let t = Instant::now();
        for i in 0..TELLS {
            publisher
                .put(postcard::to_stdvec(&i).unwrap())
                .wait()
                .unwrap();
        }
        wait_for(&raw_count, start_count + TELLS);
        TELLS as f64 / t.elapsed().as_secs_f64()
    };
    let remote_tell = || {
        let start_count = counted.load(Ordering::Relaxed);
        let t = Instant::now();
        for i in 0..TELLS {
            r_count.tell(i).unwrap();
        }
        wait_for(&counted, start_count + TELLS);
        TELLS as f64 / t.elapsed().as_secs_f64()
    };
    println!("pykka-remote loopback bench: {ASKS} sequential asks, {TELLS} tells (u64), 3 rounds");
    for round in 1..=3 {
        let (rp50, rp99) = raw_ask();
        let (p50, p99) = remote_ask();
        let raw_tput = raw_put();
        let tput = remote_tell();
        println!(
            "round {round}: ask p50 {:.1} us (raw {:.1}, {:.2}x)  p99 {:.1} us (raw {:.1}, {:.2}x)  \
             tell {:.0}/s (raw put {:.0}/s, {:.2}x)",
            p50.as_secs_f64() * 1e6,
            rp50.as_secs_f64() * 1e6,
            p50.as_secs_f64() / rp50.as_secs_f64(),
            p99.as_secs_f64() * 1e6,
            rp99.as_secs_f64() * 1e6,
            p99.as_secs_f64() / rp99.as_secs_f64(),
            tput,
            raw_tput,
            raw_tput / tput,
        );
    }
    echo.stop();
    count.stop();
}
