//! Two nodes in one process: the API and its errors.

mod common;
use common::*;
use pykka::{Actor, Error};
use pykka_remote::{RemoteEnd, RemoteError};

#[test]
fn ask_and_tell_cross_the_wire_in_order() {
    let CounterPair {
        a: _a,
        b: _b,
        counter,
        _exposed,
        remote,
    } = counter_pair("order");
    for n in 1..=100 {
        remote.tell(Cmd::Add(n)).unwrap();
    }
    // Tells are in order among themselves; an ask may overtake them, so wait for the sum.
    let want: Vec<u64> = (1..=100).collect();
    let seen = loop {
        match remote.ask(Cmd::Get).get_timeout(GUARD).unwrap() {
            Reply::Seen(s) if s.len() == 100 => break s,
            Reply::Seen(_) => continue,
            r => panic!("{r:?}"),
        }
    };
    assert_eq!(seen, want);
    assert_eq!(
        remote.ask(Cmd::Add(0)).get_timeout(GUARD).unwrap(),
        Reply::Sum(5050)
    );
    counter.stop();
}

#[test]
fn asks_compose_with_get_all_and_await() {
    let CounterPair {
        a: _a,
        b: _b,
        counter,
        _exposed,
        remote,
    } = counter_pair("getall");
    let futures: Vec<_> = (0..20).map(|i| remote.ask(Cmd::Echo(vec![i]))).collect();
    let replies = pykka::get_all_timeout(futures, GUARD).unwrap();
    assert_eq!(replies.len(), 20);
    for (i, r) in replies.into_iter().enumerate() {
        assert_eq!(r, Reply::Bytes(vec![i as u8]));
    }
    let mapped = remote.ask(Cmd::Add(2)).map(|r| matches!(r, Reply::Sum(2)));
    assert!(mapped.get_timeout(GUARD).unwrap());
    counter.stop();
}

#[test]
fn a_lookup_with_other_types_is_a_type_mismatch_and_an_unknown_name_is_not_found() {
    let (a, b, _) = pair(&cluster("types"));
    let counter = Counter::default().start();
    let _exposed = a.expose("counter", &counter).unwrap();
    b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
    let e = b.lookup::<String, u32>("counter").unwrap_err();
    assert!(matches!(e, RemoteError::TypeMismatch { .. }), "{e}");
    let e = b.lookup::<Cmd, Reply>("nobody").unwrap_err();
    assert_eq!(e, RemoteError::NotFound("nobody".into()));
    let e = b.lookup::<Cmd, Reply>("bad/name*").unwrap_err();
    assert!(matches!(e, RemoteError::InvalidName(_)), "{e}");
    counter.stop();
}

#[test]
fn a_name_is_exposed_once_per_node_and_freed_by_dropping_it() {
    let (a, _b, _) = pair(&cluster("twice"));
    let counter = Counter::default().start();
    let first = a.expose("counter", &counter).unwrap();
    let e = a.expose("counter", &counter).unwrap_err();
    assert_eq!(e, RemoteError::AlreadyExposed("counter".into()));
    drop(first);
    let _again = a.expose("counter", &counter).unwrap();
    counter.stop();
}

#[test]
fn a_panicking_handler_fails_the_ask_and_the_actor_lives_on() {
    let (a, b, _) = pair(&cluster("panic"));
    let rt = pykka::Runtime::builder()
        .threads(1)
        .quiet_panics(true)
        .build()
        .unwrap();
    let counter = Counter::default().start_in(&rt);
    let _exposed = a.expose("counter", &counter).unwrap();
    let remote = b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
    let e = remote.ask(Cmd::Panic).get_timeout(GUARD).unwrap_err();
    match RemoteError::of(&e) {
        Some(RemoteError::Panicked(text)) => assert!(text.contains("asked to panic"), "{text}"),
        _ => panic!("{e:?}"),
    }
    assert_eq!(
        remote.ask(Cmd::Add(1)).get_timeout(GUARD).unwrap(),
        Reply::Sum(1)
    );
    counter.stop();
}

#[test]
fn a_stopped_actor_fails_asks_with_actor_dead_and_tells_become_dead_letters() {
    let rt = pykka::Runtime::builder().threads(1).build().unwrap();
    let (a, b, _) = pair_with(&cluster("stopped"), |c| c.runtime(&rt));
    let counter = Counter::default().start();
    let _exposed = a.expose("counter", &counter).unwrap();
    let remote = b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
    assert!(remote.is_alive());
    let ended = remote.terminated();
    counter.stop();
    assert_eq!(ended.get_timeout(GUARD).unwrap(), RemoteEnd::Stopped);
    assert!(!remote.is_alive());
    let e = remote.ask(Cmd::Get).get_timeout(GUARD).unwrap_err();
    assert!(matches!(e, Error::ActorDead(_)), "{e:?}");
    let before = rt.dead_letter_count();
    let e = remote.tell(Cmd::Add(1)).unwrap_err();
    assert!(matches!(e.error(), RemoteError::ActorDead(_)), "{e}");
    assert_eq!(e.into_inner(), Cmd::Add(1));
    assert_eq!(rt.dead_letter_count(), before + 1);
}

#[test]
fn a_closed_node_is_lost_asks_fail_unreachable_and_the_stand_in_is_killed() {
    let CounterPair {
        a,
        b: _b,
        counter,
        _exposed,
        remote,
    } = counter_pair("lost");
    let stand_in = remote.watchable();
    let ended = remote.terminated();
    a.close();
    assert_eq!(ended.get_timeout(GUARD).unwrap(), RemoteEnd::NodeLost);
    let e = remote.ask(Cmd::Get).get_timeout(GUARD).unwrap_err();
    assert!(
        matches!(RemoteError::of(&e), Some(RemoteError::Unreachable { .. })),
        "{e:?}"
    );
    let e = remote.tell(Cmd::Add(1)).unwrap_err();
    assert!(matches!(e.error(), RemoteError::Unreachable { .. }), "{e}");
    // The stand-in was killed: watchers see `Killed`.
    wait_until(
        || !stand_in.is_alive(),
        || "stand-in still alive".to_owned(),
    );
    counter.stop();
}

/// Watches one actor and sends the `Terminated` reason it sees.
struct Watcher {
    target: pykka::ActorRef<pykka_remote::StandIn>,
    seen: std::sync::mpsc::Sender<pykka::StopReason>,
}

impl Actor for Watcher {
    fn on_start(&mut self, ctx: &mut pykka::Context<Self>) {
        ctx.watch(&self.target);
    }
    fn on_terminated(&mut self, t: &pykka::Terminated, _: &mut pykka::Context<Self>) {
        let _ = self.seen.send(t.reason());
    }
}

#[test]
fn watching_a_remote_actor_gives_terminated_stopped_when_it_stops_and_killed_when_its_node_is_lost()
{
    let (a, b, _) = pair(&cluster("watch"));
    let stopping = Counter::default().start();
    let staying = Counter::default().start();
    let _e1 = a.expose("stopping", &stopping).unwrap();
    let _e2 = a.expose("staying", &staying).unwrap();
    let r1 = b.lookup_wait::<Cmd, Reply>("stopping", GUARD).unwrap();
    let r2 = b.lookup_wait::<Cmd, Reply>("staying", GUARD).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let w1 = Watcher {
        target: r1.watchable(),
        seen: tx.clone(),
    }
    .start();
    stopping.stop();
    assert_eq!(rx.recv_timeout(GUARD).unwrap(), pykka::StopReason::Stopped);
    let w2 = Watcher {
        target: r2.watchable(),
        seen: tx,
    }
    .start();
    a.close();
    assert_eq!(rx.recv_timeout(GUARD).unwrap(), pykka::StopReason::Killed);
    w1.stop();
    w2.stop();
    staying.stop();
}

/// Blocks in its handler until its latch opens; bounded to one queued message.
struct Gate {
    open: std::sync::Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
}

impl Actor for Gate {
    const MAILBOX_CAPACITY: Option<usize> = Some(1);
}

impl pykka::Receive for Gate {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, n: u32, _: &mut pykka::Context<Self>) -> u32 {
        self.wait();
        n
    }
}

impl Gate {
    /// Blocks until the gate is opened.
    fn wait(&self) {
        let (lock, cv) = &*self.open;
        let mut open = lock.lock().unwrap();
        while !*open {
            open = cv.wait(open).unwrap();
        }
    }
}

fn gate() -> (Gate, impl FnOnce()) {
    let open = std::sync::Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
    let opener = std::sync::Arc::clone(&open);
    (Gate { open }, move || {
        *opener.0.lock().unwrap() = true;
        opener.1.notify_all();
    })
}

#[test]
fn an_ask_nobody_answers_in_time_fails_unreachable_after_the_ask_timeout() {
    let c = cluster("asktimeout");
    let (a, b, _) = pair_with(&c, |cfg| {
        cfg.ask_timeout(std::time::Duration::from_millis(300))
    });
    let rt = pykka::Runtime::builder().threads(2).build().unwrap();
    let (g, open) = gate();
    let gate = g.start_in(&rt);
    let _exposed = a.expose("gate", &gate).unwrap();
    let remote = b.lookup_wait::<u32, u32>("gate", GUARD).unwrap();
    let e = remote.ask(1).get_timeout(GUARD).unwrap_err();
    match RemoteError::of(&e) {
        Some(RemoteError::Unreachable { after, .. }) => {
            assert!(*after >= std::time::Duration::from_millis(300), "{after:?}")
        }
        _ => panic!("{e:?}"),
    }
    open();
    gate.stop();
}

#[test]
fn a_full_bounded_mailbox_refuses_remote_messages_without_stalling_the_link() {
    let c = cluster("full");
    let (a, b, _) = pair(&c);
    let rt = pykka::Runtime::builder().threads(2).build().unwrap();
    let (g, open) = gate();
    let gate = g.start_in(&rt);
    let counter = Counter::default().start();
    let _e1 = a.expose("gate", &gate).unwrap();
    let _e2 = a.expose("counter", &counter).unwrap();
    let remote = b.lookup_wait::<u32, u32>("gate", GUARD).unwrap();
    let other = b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
    // One in the handler, one queued: the mailbox is full.
    let first = remote.ask(1);
    let deadline = std::time::Instant::now() + GUARD;
    let mut refused = None;
    let mut queued = Vec::new();
    while refused.is_none() {
        assert!(std::time::Instant::now() < deadline, "never refused");
        let f = remote.ask(2);
        // Either queued (still pending after the other side answered a probe-free ask to
        // another actor: the link is not stalled) or refused as full.
        assert_eq!(
            other.ask(Cmd::Add(1)).get_timeout(GUARD).map(|_| ()).ok(),
            Some(())
        );
        if f.is_ready() {
            refused = Some(f.get().unwrap_err());
        } else {
            queued.push(f);
        }
    }
    let e = refused.unwrap();
    match RemoteError::of(&e) {
        Some(RemoteError::Rejected(text)) => assert!(text.contains("mailbox is full"), "{text}"),
        _ => panic!("{e:?}"),
    }
    open();
    assert_eq!(first.get_timeout(GUARD).unwrap(), 1);
    for f in queued {
        assert_eq!(f.get_timeout(GUARD).unwrap(), 2);
    }
    gate.stop();
    counter.stop();
}

#[test]
fn closing_the_local_node_ends_its_watches() {
    let CounterPair {
        a: _a,
        b,
        counter,
        _exposed,
        remote,
    } = counter_pair("localclose");
    let ended = remote.terminated();
    let stand_in = remote.watchable();
    b.close();
    assert_eq!(ended.get_timeout(GUARD).unwrap(), RemoteEnd::NodeLost);
    let e = remote.ask(Cmd::Get).get_timeout(GUARD).unwrap_err();
    assert!(
        matches!(RemoteError::of(&e), Some(RemoteError::Closed)),
        "{e:?}"
    );
    wait_until(
        || !stand_in.is_alive(),
        || "stand-in still alive".to_owned(),
    );
    counter.stop();
}

/// Like `Gate`, with an unbounded mailbox.
struct OpenGate(Gate);

impl Actor for OpenGate {}

impl pykka::Receive for OpenGate {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, n: u32, _: &mut pykka::Context<Self>) -> u32 {
        self.0.wait();
        n
    }
}

#[test]
fn asks_past_the_pending_limit_are_refused_and_the_limit_frees_as_they_are_answered() {
    let c = cluster("pending");
    let port = free_port();
    let a = pykka_remote::Node::open(
        pykka_remote::NodeConfig::new("a")
            .cluster(&c)
            .listen(endpoint(port))
            .max_pending_asks(2),
    )
    .unwrap();
    let b = pykka_remote::Node::open(
        pykka_remote::NodeConfig::new("b")
            .cluster(&c)
            .connect(endpoint(port)),
    )
    .unwrap();
    let rt = pykka::Runtime::builder().threads(2).build().unwrap();
    let (g, open) = gate();
    let gate = OpenGate(g).start_in(&rt);
    let _exposed = a.expose("gate", &gate).unwrap();
    let remote = b.lookup_wait::<u32, u32>("gate", GUARD).unwrap();
    let first = remote.ask(1);
    let second = remote.ask(2);
    // Asks on one ref are ordered: when the third is refused, the first two were taken.
    let e = remote.ask(3).get_timeout(GUARD).unwrap_err();
    match RemoteError::of(&e) {
        Some(RemoteError::Rejected(text)) => {
            assert!(text.contains("over 2 asks pending"), "{text}")
        }
        _ => panic!("{e:?}"),
    }
    assert!(a.rejected_count() >= 1);
    open();
    assert_eq!(first.get_timeout(GUARD).unwrap(), 1);
    assert_eq!(second.get_timeout(GUARD).unwrap(), 2);
    assert_eq!(remote.ask(4).get_timeout(GUARD).unwrap(), 4);
    gate.stop();
}
