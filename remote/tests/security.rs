//! What the network may do to a node: reach only what was exposed, authenticate, and send any
//! bytes at all.

mod common;
use common::*;
use pykka::Actor;
use pykka_remote::{Node, NodeConfig, RemoteError, REFUSED_FRAME};
use std::sync::{Arc, Mutex};
use zenoh::Wait;

/// A raw zenoh peer dialing `port`: what an attacker who can reach the listener holds.
fn raw_peer(port: u16) -> zenoh::Session {
    let mut c = zenoh::Config::default();
    c.insert_json5("mode", r#""peer""#).unwrap();
    c.insert_json5("scouting/multicast/enabled", "false")
        .unwrap();
    c.insert_json5("connect/endpoints", &format!(r#"["{}"]"#, endpoint(port)))
        .unwrap();
    zenoh::open(c).wait().unwrap()
}

/// Asks `key` with `payload` from `session`; the reply frame, or `None` if nothing answered.
fn raw_ask(session: &zenoh::Session, key: &str, payload: Vec<u8>) -> Option<Vec<u8>> {
    let replies = session
        .get(key)
        .payload(payload)
        .timeout(GUARD)
        .wait()
        .unwrap();
    let mut got = None;
    while let Ok(r) = replies.recv() {
        if let Ok(s) = r.result() {
            got = Some(s.payload().to_bytes().into_owned());
        }
    }
    got
}

#[test]
fn an_actor_that_was_not_exposed_cannot_be_reached() {
    let c = cluster("unexposed");
    let (a, b, port) = pair(&c);
    let counter = Counter::default().start();
    let exposed = a.expose("counter", &counter).unwrap();
    b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
    // Another name on the same node answers nothing, from a node or raw.
    assert_eq!(
        b.lookup::<Cmd, Reply>("other").unwrap_err(),
        RemoteError::NotFound("other".into())
    );
    let raw = raw_peer(port);
    let frame = pykka_remote::wire::request_frame_for_tests::<Cmd, Reply>(&Cmd::Get);
    assert!(raw_ask(&raw, &format!("pykka/{c}/n/a/a/other"), frame.clone()).is_none());
    // Withdrawn: nothing answers any more.
    drop(exposed);
    assert!(raw_ask(&raw, &format!("pykka/{c}/n/a/a/counter"), frame).is_none());
    counter.stop();
}

#[test]
fn garbage_truncated_oversized_and_wrongly_typed_frames_are_refused_and_dead_lettered() {
    let c = cluster("garbage");
    let rt = pykka::Runtime::builder().threads(1).build().unwrap();
    let port = free_port();
    let a = Node::open(
        NodeConfig::new("a")
            .cluster(&c)
            .listen(endpoint(port))
            .max_message(1024)
            .runtime(&rt),
    )
    .unwrap();
    let refused = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&refused);
    let _sub = rt.subscribe_dead_letters(move |d| {
        if d.recipient_class() == REFUSED_FRAME {
            seen.lock().unwrap().push(d.clone());
        }
    });
    let counter = Counter::default().start();
    let _exposed = a.expose("counter", &counter).unwrap();
    let raw = raw_peer(port);
    let key = format!("pykka/{c}/n/a/a/counter");
    let good = pykka_remote::wire::request_frame_for_tests::<Cmd, Reply>(&Cmd::Add(1));
    let bad_frames: Vec<Vec<u8>> = vec![
        Vec::new(),                                                                  // empty
        b"hello, world".to_vec(),                                                    // garbage
        good[..good.len() - 1].to_vec(),                                             // truncated
        [good.clone(), vec![0; 2000]].concat(), // oversized (limit 1024)
        pykka_remote::wire::request_frame_for_tests::<String, u32>(&"x".to_owned()), // wrong type
    ];
    let mut expected = 0;
    for frame in &bad_frames {
        // As an ask: answered with an error frame, never silence, never a panic.
        let reply = raw_ask(&raw, &key, frame.clone()).expect("an error reply");
        assert_ne!(reply.get(2), Some(&0), "refused with a non-Ok status");
        expected += 1;
        // As a tell: dropped with a dead letter.
        raw.put(&key, frame.clone()).wait().unwrap();
        expected += 1;
    }
    // Count by the node's own counter (tells arrive asynchronously).
    wait_until(
        || a.rejected_count() >= expected,
        || format!("{} of {expected}", a.rejected_count()),
    );
    assert_eq!(a.rejected_count(), expected);
    assert_eq!(refused.lock().unwrap().len() as u64, expected);
    // The actor saw none of it and still works.
    let b = Node::open(NodeConfig::new("b").cluster(&c).connect(endpoint(port))).unwrap();
    let remote = b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
    assert_eq!(
        remote.ask(Cmd::Add(5)).get_timeout(GUARD).unwrap(),
        Reply::Sum(5)
    );
    counter.stop();
}

#[test]
fn a_message_or_reply_over_the_limit_is_a_typed_error_on_the_side_that_would_send_it() {
    let c = cluster("limits");
    let port = free_port();
    let a = Node::open(
        NodeConfig::new("a")
            .cluster(&c)
            .listen(endpoint(port))
            .max_message(4096),
    )
    .unwrap();
    let b = Node::open(
        NodeConfig::new("b")
            .cluster(&c)
            .connect(endpoint(port))
            .max_message(4096),
    )
    .unwrap();
    let counter = Counter::default().start();
    let _exposed = a.expose("counter", &counter).unwrap();
    let remote = b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
    // Too large to send: refused before it leaves, with the message back.
    let e = remote.tell(Cmd::Echo(vec![0; 5000])).unwrap_err();
    assert!(
        matches!(e.error(), RemoteError::TooLarge { max: 4096, .. }),
        "{e}"
    );
    let e = remote
        .ask(Cmd::Echo(vec![0; 5000]))
        .get_timeout(GUARD)
        .unwrap_err();
    assert!(
        matches!(RemoteError::of(&e), Some(RemoteError::TooLarge { .. })),
        "{e:?}"
    );
    // Fits one way, and the reply fits too.
    assert_eq!(
        remote
            .ask(Cmd::Echo(vec![7; 4000]))
            .get_timeout(GUARD)
            .unwrap(),
        Reply::Bytes(vec![7; 4000])
    );
    counter.stop();
}

#[test]
fn a_node_without_the_credentials_is_refused_and_one_with_them_is_admitted() {
    let c = cluster("auth");
    let dir = std::env::temp_dir().join(format!("pykka-remote-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dict = dir.join("users.txt");
    std::fs::write(&dict, "alice:s3cret\n").unwrap();
    let port = free_port();
    let a = Node::open(
        NodeConfig::new("a")
            .cluster(&c)
            .listen(endpoint(port))
            .accept_users(&dict)
            .credentials("alice", "s3cret"),
    )
    .unwrap();
    let counter = Counter::default().start();
    let _exposed = a.expose("counter", &counter).unwrap();
    // No credentials, then wrong ones: the session cannot open its link.
    for cfg in [
        NodeConfig::new("intruder"),
        NodeConfig::new("intruder").credentials("alice", "guess"),
    ] {
        let r = Node::open(
            cfg.cluster(&c)
                .connect(endpoint(port))
                .exit_on_failure(true)
                .connect_timeout(std::time::Duration::from_secs(3)),
        );
        assert!(matches!(r, Err(RemoteError::Engine(_))), "{r:?}");
    }
    // The right ones.
    let b = Node::open(
        NodeConfig::new("b")
            .cluster(&c)
            .connect(endpoint(port))
            .credentials("alice", "s3cret")
            .exit_on_failure(true)
            .connect_timeout(std::time::Duration::from_secs(3)),
    )
    .unwrap();
    let remote = b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
    assert_eq!(
        remote.ask(Cmd::Add(3)).get_timeout(GUARD).unwrap(),
        Reply::Sum(3)
    );
    counter.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
