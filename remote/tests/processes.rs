//! Real processes on 127.0.0.1: this test binary runs itself again as child nodes
//! (`child_process_entry`, which does nothing unless the environment names a role).

mod common;
use common::*;
use pykka::Actor;
use pykka_remote::{Node, NodeConfig, RemoteEnd, RemoteError};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ROLE: &str = "PYKKA_REMOTE_CHILD";

/// The child's side: a node named by the environment, dialing the parent, exposing a `Counter`
/// under its own name, until its stdin closes (or it is killed).
#[test]
fn child_process_entry() {
    let Ok(name) = std::env::var(ROLE) else {
        return; // run as a test of the parent: not a child
    };
    let cluster = std::env::var("PYKKA_REMOTE_CLUSTER").unwrap();
    let port: u16 = std::env::var("PYKKA_REMOTE_PORT").unwrap().parse().unwrap();
    // Dial the parent, or (with PYKKA_REMOTE_LISTEN) listen for it.
    let config = NodeConfig::new(&name).cluster(cluster);
    let config = if std::env::var("PYKKA_REMOTE_LISTEN").is_ok() {
        config.listen(endpoint(port))
    } else {
        config.connect(endpoint(port))
    };
    let node = Node::open(config).unwrap();
    let counter = Counter::default().start();
    let _exposed = node.expose(&name, &counter).unwrap();
    let mut line = String::new();
    // Blocks until the parent closes our stdin (or kills us).
    let _ = std::io::stdin().read_line(&mut line);
    counter.stop();
    node.close();
}

/// A child node process, killed and reaped when dropped.
struct ChildNode(Child);

impl ChildNode {
    fn spawn(name: &str, cluster: &str, port: u16) -> ChildNode {
        Self::spawn_with(name, cluster, port, false)
    }

    /// A child that listens on `port` (the parent dials it) when `listen`.
    fn spawn_with(name: &str, cluster: &str, port: u16, listen: bool) -> ChildNode {
        let mut command = Command::new(std::env::current_exe().unwrap());
        if listen {
            command.env("PYKKA_REMOTE_LISTEN", "1");
        }
        let child = command
            .args([
                "--exact",
                "child_process_entry",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ROLE, name)
            .env("PYKKA_REMOTE_CLUSTER", cluster)
            .env("PYKKA_REMOTE_PORT", port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        ChildNode(child)
    }

    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ChildNode {
    fn drop(&mut self) {
        self.kill();
    }
}

fn parent(cluster: &str) -> (Node, u16) {
    let port = free_port();
    let node = Node::open(
        NodeConfig::new("parent")
            .cluster(cluster)
            .listen(endpoint(port))
            .ask_timeout(Duration::from_secs(10)),
    )
    .unwrap();
    (node, port)
}

#[test]
fn ping_pong_and_fan_out_across_three_processes() {
    let c = cluster("fanout");
    let (node, port) = parent(&c);
    let _c1 = ChildNode::spawn("c1", &c, port);
    let _c2 = ChildNode::spawn("c2", &c, port);
    let r1 = node.lookup_wait::<Cmd, Reply>("c1", GUARD).unwrap();
    let r2 = node.lookup_wait::<Cmd, Reply>("c2", GUARD).unwrap();
    // Ping-pong: 200 asks in a row to one process.
    for n in 1..=200u64 {
        assert_eq!(
            r1.ask(Cmd::Add(1)).get_timeout(GUARD).unwrap(),
            Reply::Sum(n)
        );
    }
    // Fan-out: tells to both (values 1000.., told apart from the asks' 0s and 1s), then all
    // the asks at once.
    for n in 1000..1100 {
        r1.tell(Cmd::Add(n)).unwrap();
        r2.tell(Cmd::Add(n)).unwrap();
    }
    let asks = (0..50).flat_map(|_| [r1.ask(Cmd::Add(0)), r2.ask(Cmd::Add(0))]);
    let replies = pykka::get_all_timeout(asks, GUARD).unwrap();
    assert_eq!(replies.len(), 100);
    // Every tell arrives, in the order sent.
    let deadline = Instant::now() + GUARD;
    for r in [&r1, &r2] {
        loop {
            let Reply::Seen(seen) = r.ask(Cmd::Get).get_timeout(GUARD).unwrap() else {
                panic!("not a Seen")
            };
            let tells: Vec<u64> = seen.into_iter().filter(|&n| n >= 1000).collect();
            if tells.len() == 100 {
                assert_eq!(tells, (1000..1100).collect::<Vec<_>>());
                break;
            }
            assert!(
                Instant::now() < deadline,
                "tells not all seen: {}",
                tells.len()
            );
        }
    }
}

#[test]
fn a_node_killed_mid_run_fails_its_asks_and_comes_back_under_the_same_handle() {
    let c = cluster("killed");
    let (node, port) = parent(&c);
    let mut child = ChildNode::spawn("k1", &c, port);
    let remote = node.lookup_wait::<Cmd, Reply>("k1", GUARD).unwrap();
    assert_eq!(
        remote.ask(Cmd::Add(1)).get_timeout(GUARD).unwrap(),
        Reply::Sum(1)
    );
    let ended = remote.terminated();
    let stand_in = remote.watchable();
    // Asks in flight when the process dies: each ends (a reply or an error), none hangs.
    let in_flight: Vec<_> = (0..50).map(|_| remote.ask(Cmd::Add(1))).collect();
    child.kill();
    let started = Instant::now();
    for f in in_flight {
        match f.get_timeout(GUARD) {
            Ok(_) => {}
            Err(e) => assert!(
                matches!(RemoteError::of(&e), Some(RemoteError::Unreachable { .. })),
                "{e:?}"
            ),
        }
    }
    assert!(started.elapsed() < GUARD);
    assert_eq!(ended.get_timeout(GUARD).unwrap(), RemoteEnd::NodeLost);
    let e = remote.ask(Cmd::Get).get_timeout(GUARD).unwrap_err();
    assert!(
        matches!(RemoteError::of(&e), Some(RemoteError::Unreachable { .. })),
        "{e:?}"
    );
    assert!(remote.tell(Cmd::Add(1)).is_err());
    wait_until(
        || !stand_in.is_alive(),
        || "the stand-in outlived its node".to_owned(),
    );
    // The node comes back (a new process, same names): the same handle works again.
    let _again = ChildNode::spawn("k1", &c, port);
    wait_until(
        || remote.is_alive(),
        || "the handle never saw the node come back".to_owned(),
    );
    assert_eq!(
        remote.ask(Cmd::Add(7)).get_timeout(GUARD).unwrap(),
        Reply::Sum(7)
    );
}

#[test]
fn a_child_that_stops_gracefully_is_seen_stopped_or_lost_never_alive() {
    let c = cluster("graceful");
    let (node, port) = parent(&c);
    let mut child = ChildNode::spawn("g1", &c, port);
    let remote = node.lookup_wait::<Cmd, Reply>("g1", GUARD).unwrap();
    let ended = remote.terminated();
    drop(child.0.stdin.take()); // the child stops its actor, then closes its node
    let end = ended.get_timeout(GUARD).unwrap();
    assert!(
        matches!(end, RemoteEnd::Stopped | RemoteEnd::NodeLost),
        "{end:?}"
    );
    assert!(!remote.is_alive());
    let _ = child.0.wait();
}

#[test]
fn a_dialed_node_restarted_on_its_port_is_redialed_and_the_same_handle_works_again() {
    let c = cluster("redial");
    let port = free_port();
    let mut child = ChildNode::spawn_with("l1", &c, port, true);
    // The parent dials the child (zenoh redials in the background, every 1 to 4 s).
    let node = Node::open(
        NodeConfig::new("parent")
            .cluster(&c)
            .connect(endpoint(port)),
    )
    .unwrap();
    let remote = node.lookup_wait::<Cmd, Reply>("l1", GUARD).unwrap();
    assert_eq!(
        remote.ask(Cmd::Add(2)).get_timeout(GUARD).unwrap(),
        Reply::Sum(2)
    );
    let ended = remote.terminated();
    child.kill();
    assert_eq!(ended.get_timeout(GUARD).unwrap(), RemoteEnd::NodeLost);
    let e = remote.ask(Cmd::Get).get_timeout(GUARD).unwrap_err();
    assert!(
        matches!(RemoteError::of(&e), Some(RemoteError::Unreachable { .. })),
        "{e:?}"
    );
    // The engine comes back on the same port: the parent's link is redialed.
    let _again = ChildNode::spawn_with("l1", &c, port, true);
    wait_until(|| remote.is_alive(), || "never redialed".to_owned());
    assert_eq!(
        remote.ask(Cmd::Add(5)).get_timeout(GUARD).unwrap(),
        Reply::Sum(5)
    );
}
