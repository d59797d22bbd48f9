//! Two nodes in one process: the API and its errors.

mod common;
use common::*;
use pykka::{Actor, Error};
use pykka_remote::{RemoteEnd, RemoteError};

#[test]
fn ask_and_tell_cross_the_wire_in_order() {
    let (a, b, _) = pair(&cluster("order"));
    let counter = Counter::default().start();
    let _exposed = a.expose("counter", &counter).unwrap();
    let remote = b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
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
    let (a, b, _) = pair(&cluster("getall"));
    let counter = Counter::default().start();
    let _exposed = a.expose("counter", &counter).unwrap();
    let remote = b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
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
    let (a, b, _) = pair(&cluster("lost"));
    let counter = Counter::default().start();
    let _exposed = a.expose("counter", &counter).unwrap();
    let remote = b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
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
    let deadline = std::time::Instant::now() + GUARD;
    while stand_in.is_alive() {
        assert!(std::time::Instant::now() < deadline, "stand-in still alive");
        std::thread::yield_now();
    }
    counter.stop();
}
