//! `pykka::debug`: the snapshot names each actor's state and the wait-for relation, also while
//! actors are blocked on several threads. (Timeouts are hang guards.)

mod common;

use common::snapshot_until;
use pykka::debug::ActorState;
use pykka::{Actor, ActorRef, Context, Receive, Runtime};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(30);

enum Msg {
    AskPeer(ActorRef<Node>, Arc<Barrier>, mpsc::Sender<()>),
    Hold,
}

/// Asks a peer and blocks; or (the peer) blocks on an outside promise the first time it is
/// asked.
struct Node {
    hold: Option<pykka::Future<u32>>,
}
impl Actor for Node {}
impl Receive for Node {
    type Message = Msg;
    type Reply = u32;
    fn on_receive(&mut self, msg: Msg, _: &mut Context<Self>) -> u32 {
        match msg {
            Msg::AskPeer(peer, barrier, asked) => {
                barrier.wait();
                let reply = peer.ask(Msg::Hold);
                asked.send(()).unwrap();
                reply.get().unwrap_or(0)
            }
            Msg::Hold => self.hold.take().map_or(1, |f| f.get().unwrap_or(0)),
        }
    }
}

#[test]
fn snapshot_shows_who_waits_on_whom_across_threads() {
    let rt = Runtime::builder().threads(2).build().unwrap();
    let (release, held) = pykka::promise::<u32>();
    let a = Node { hold: None }.start_in(&rt);
    let b = Node { hold: None }.start_in(&rt);
    let c = Node { hold: Some(held) }.start_in(&rt);
    let idle = Node { hold: None }.start_in(&rt);
    let barrier = Arc::new(Barrier::new(2));
    let (asked_tx, asked_rx) = mpsc::channel();
    let fa = a.ask(Msg::AskPeer(c.clone(), barrier.clone(), asked_tx.clone()));
    let fb = b.ask(Msg::AskPeer(c.clone(), barrier, asked_tx));
    asked_rx.recv_timeout(GUARD).unwrap();
    asked_rx.recv_timeout(GUARD).unwrap();
    // A and B (one on each worker) wait for C, which blocks on the outside promise, run inline
    // beneath one of them or on a thread of its own. Read snapshots until all three show as
    // blocked and each blocked worker has handed its queue to a spare thread: the relation is
    // recorded before the thread hands its slot over and parks, so a snapshot taken in between
    // shows the actors blocked and the spares not yet live (seen in CI under load).
    let snap = snapshot_until(&rt, |s| {
        s.actors
            .iter()
            .filter(|a| matches!(a.state, ActorState::Blocked { .. }))
            .count()
            == 3
            && s.threads.live_threads >= 4
    });
    let mut waits = snap.waits();
    waits.sort();
    let mut expected = vec![
        (a.to_string(), c.to_string()),
        (b.to_string(), c.to_string()),
    ];
    expected.sort();
    assert_eq!(waits, expected, "{snap:#?}");
    let state_of = |r: &ActorRef<Node>| {
        snap.actors
            .iter()
            .find(|s| s.urn == r.actor_urn())
            .map(|s| s.state.clone())
            .unwrap()
    };
    assert!(matches!(
        state_of(&a),
        ActorState::Blocked { awaiting_urn: Some(u), .. } if u == c.actor_urn()
    ));
    // C waits for a promise, not an actor.
    assert!(matches!(
        state_of(&c),
        ActorState::Blocked {
            awaiting_urn: None,
            ..
        }
    ));
    assert_eq!(state_of(&idle), ActorState::Idle);
    // Each blocked worker handed its queue to a spare thread.
    assert!(snap.threads.live_threads >= 4, "{:?}", snap.threads);
    assert_eq!(snap.threads.workers, 2);
    release.set(7);
    let mut replies = [
        fa.get_timeout(GUARD).unwrap(),
        fb.get_timeout(GUARD).unwrap(),
    ];
    replies.sort();
    assert_eq!(replies, [1, 7]);
    assert!(rt.snapshot().waits().is_empty());
}

struct Gate;
impl Actor for Gate {}
impl Receive for Gate {
    type Message = mpsc::Receiver<()>;
    type Reply = ();
    fn on_receive(&mut self, release: mpsc::Receiver<()>, _: &mut Context<Self>) {
        let _ = release.recv();
    }
}

#[test]
fn snapshot_shows_running_scheduled_and_mailbox_length() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let gate = Gate.start_in(&rt);
    let queued = Gate.start_in(&rt);
    let (release_tx, release_rx) = mpsc::channel();
    let held = gate.ask(release_rx);
    let is_running = |s: &pykka::debug::Snapshot| {
        s.actors
            .iter()
            .any(|a| a.urn == gate.actor_urn() && a.state == ActorState::Running)
    };
    snapshot_until(&rt, is_running);
    // The handler runs (blocked on the channel, not in get()): two more messages queue behind
    // it, and `queued` gets one while the only worker is busy: scheduled, not running.
    let (_t1, r1) = mpsc::channel();
    let (_t2, r2) = mpsc::channel();
    let later1 = gate.ask(r1);
    let later2 = gate.ask(r2);
    let (_t3, r3) = mpsc::channel();
    let other = queued.ask(r3);
    let snap = rt.snapshot();
    assert!(is_running(&snap));
    let gate_snap = snap
        .actors
        .iter()
        .find(|a| a.urn == gate.actor_urn())
        .unwrap();
    assert_eq!(gate_snap.mailbox_len, 2);
    let queued_snap = snap
        .actors
        .iter()
        .find(|a| a.urn == queued.actor_urn())
        .unwrap();
    assert_eq!(queued_snap.state, ActorState::Scheduled);
    assert!(snap.waits().is_empty());
    release_tx.send(()).unwrap();
    held.get_timeout(GUARD).unwrap();
    drop((_t1, _t2, _t3));
    later1.get_timeout(GUARD).unwrap();
    later2.get_timeout(GUARD).unwrap();
    other.get_timeout(GUARD).unwrap();
}
