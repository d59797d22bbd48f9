//! [mailboxes] item 3: stash. A handler sets the message aside (`Context::stash`) and puts every
//! stashed message back in front of its mailbox later, in order (`Context::unstash_all`).

mod common;

use pykka::{
    Actor, ActorRef, AsyncReceive, Context, DeadLetterReason, Error, Receive, ReplyRecipient,
    Runtime,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq)]
enum Msg {
    Job(u32),
    Open,
    Close,
    /// Stashes two messages in one handler: `Job(n)` first, then this one.
    Twice(u32),
    Log,
}

impl From<u32> for Msg {
    fn from(n: u32) -> Self {
        Msg::Job(n)
    }
}

/// Stashes jobs while closed; handles them, in order, once opened.
struct Gate {
    open: bool,
    log: Arc<Mutex<Vec<u32>>>,
}
impl Actor for Gate {}
impl Receive for Gate {
    type Message = Msg;
    type Reply = Vec<u32>;
    fn on_receive(&mut self, m: Msg, ctx: &mut Context<Self>) -> Vec<u32> {
        match m {
            Msg::Job(n) if !self.open => ctx.stash(Msg::Job(n)),
            Msg::Job(n) => self.log.lock().unwrap().push(n),
            Msg::Open => {
                self.open = true;
                ctx.unstash_all();
            }
            Msg::Close => self.open = false,
            Msg::Twice(n) => {
                ctx.stash(Msg::Job(n));
                ctx.stash(Msg::Job(n + 1));
            }
            Msg::Log => {}
        }
        self.log.lock().unwrap().clone()
    }
}

fn gate(rt: &Runtime) -> (ActorRef<Gate>, Arc<Mutex<Vec<u32>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let g = Gate {
        open: false,
        log: log.clone(),
    }
    .start_in(rt);
    (g, log)
}

#[test]
fn unstashed_messages_run_in_stash_order_before_anything_queued_behind_them() {
    let rt = Runtime::builder().threads(2).build().unwrap();
    let (g, log) = gate(&rt);
    for n in 1..=3 {
        g.tell(Msg::Job(n)).unwrap();
    }
    // Queued behind the opening: must run after the three stashed jobs.
    g.tell(Msg::Open).unwrap();
    g.tell(Msg::Job(4)).unwrap();
    assert_eq!(g.ask(Msg::Log).get_timeout(GUARD).unwrap(), [1, 2, 3, 4]);
    assert_eq!(*log.lock().unwrap(), [1, 2, 3, 4]);
    g.stop();
}

#[test]
fn a_stashed_ask_is_answered_when_handled_again_and_stashing_can_repeat() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (g, _log) = gate(&rt);
    let first = g.ask(Msg::Job(1));
    // Opened, closed again: the job is stashed a second time, its asker still waiting.
    g.tell(Msg::Close).unwrap();
    g.tell(Msg::Open).unwrap();
    assert_eq!(first.get_timeout(GUARD).unwrap(), [1]);
    g.tell(Msg::Close).unwrap();
    let second = g.ask(Msg::Job(2));
    g.tell(Msg::Job(3)).unwrap();
    assert_eq!(
        g.ask(Msg::Log).get_timeout(GUARD).unwrap(),
        [1],
        "stashed while closed"
    );
    g.tell(Msg::Open).unwrap();
    assert_eq!(second.get_timeout(GUARD).unwrap(), [1, 2]);
    assert_eq!(g.ask(Msg::Log).get().unwrap(), [1, 2, 3]);
    g.stop();
}

#[test]
fn two_stashes_in_one_handler_keep_both_the_ask_going_with_the_last() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (g, _log) = gate(&rt);
    let reply = g.ask(Msg::Twice(10));
    g.tell(Msg::Open).unwrap();
    // Job(10) was kept as a tell, Job(11) carries the ask's promise.
    assert_eq!(reply.get_timeout(GUARD).unwrap(), [10, 11]);
    g.stop();
}

fn stash_then_die(kill: bool) {
    let _w = common::watchdog("stash at death", 30);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let left = Arc::new(Mutex::new(Vec::new()));
    let l = left.clone();
    let _sub = rt.subscribe_dead_letters(move |d| l.lock().unwrap().push(d.reason()));
    let (g, log) = gate(&rt);
    g.tell(Msg::Job(1)).unwrap();
    let asked = g.ask(Msg::Job(2));
    assert_eq!(
        g.ask(Msg::Log).get_timeout(GUARD).unwrap(),
        Vec::<u32>::new()
    );
    if kill {
        g.kill();
    } else {
        assert!(g.stop());
    }
    match asked.get_timeout(GUARD) {
        Err(Error::ActorDead(_)) => {}
        other => panic!("a stashed ask must fail ActorDead at death, got {other:?}"),
    }
    assert!(log.lock().unwrap().is_empty());
    assert_eq!(
        *left.lock().unwrap(),
        [DeadLetterReason::LeftInMailbox],
        "the stashed tell is a dead letter"
    );
}

#[test]
fn a_stopped_actor_answers_its_stash() {
    stash_then_die(false);
}

#[test]
fn a_killed_actor_answers_its_stash() {
    stash_then_die(true);
}

/// Records who sent each job it handles; stashes until opened.
struct WhoSent {
    open: bool,
    senders: Vec<Option<String>>,
}
impl Actor for WhoSent {}
impl Receive for WhoSent {
    type Message = Msg;
    type Reply = Vec<Option<String>>;
    fn on_receive(&mut self, m: Msg, ctx: &mut Context<Self>) -> Vec<Option<String>> {
        match m {
            Msg::Job(n) if !self.open => ctx.stash(Msg::Job(n)),
            Msg::Job(_) => self
                .senders
                .push(ctx.sender().map(|s| s.actor_urn().to_owned())),
            Msg::Open => {
                self.open = true;
                ctx.unstash_all();
            }
            _ => {}
        }
        self.senders.clone()
    }
}

/// Tells its target a job as itself.
struct Teller(ActorRef<WhoSent>);
impl Actor for Teller {}
impl Receive for Teller {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) {
        ctx.tell(&self.0, Msg::Job(1)).unwrap();
    }
}

#[test]
fn a_stashed_message_keeps_its_sender() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let w = WhoSent {
        open: false,
        senders: vec![],
    }
    .start_in(&rt);
    let t = Teller(w.clone()).start_in(&rt);
    t.ask(()).get_timeout(GUARD).unwrap();
    w.tell(Msg::Job(2)).unwrap();
    w.tell(Msg::Open).unwrap();
    let senders = w.ask(Msg::Log).get_timeout(GUARD).unwrap();
    assert_eq!(senders, [Some(t.actor_urn().to_owned()), None]);
    t.stop();
    w.stop();
}

#[test]
fn an_ask_through_a_reply_recipient_is_stashed_and_answered_in_its_type() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (g, _log) = gate(&rt);
    let r: ReplyRecipient<u32, Vec<u32>> = g.reply_recipient();
    let reply = r.ask(7);
    g.tell(Msg::Open).unwrap();
    assert_eq!(reply.get_timeout(GUARD).unwrap(), [7]);
    g.stop();
}

/// An async handler that stashes: the message is kept (as a tell), never lost.
struct AsyncStasher {
    open: bool,
    log: Vec<u32>,
}
impl Actor for AsyncStasher {}
impl AsyncReceive for AsyncStasher {
    type Message = Msg;
    type Reply = Vec<u32>;
    async fn on_receive(&mut self, m: Msg, ctx: &mut Context<Self>) -> Vec<u32> {
        match m {
            Msg::Job(n) if !self.open => ctx.stash(Msg::Job(n)),
            Msg::Job(n) => self.log.push(n),
            Msg::Open => {
                self.open = true;
                ctx.unstash_all();
            }
            _ => {}
        }
        self.log.clone()
    }
}

#[test]
fn a_message_stashed_by_an_async_handler_is_kept() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let a = AsyncStasher {
        open: false,
        log: vec![],
    }
    .start_in(&rt);
    a.tell(Msg::Job(1)).unwrap();
    assert_eq!(
        a.ask(Msg::Log).get_timeout(GUARD).unwrap(),
        Vec::<u32>::new()
    );
    // The unstash in an async handler: runs once the handler has returned.
    a.tell(Msg::Open).unwrap();
    assert_eq!(a.ask(Msg::Log).get_timeout(GUARD).unwrap(), [1]);
    a.stop();
}

#[test]
fn stashed_counts_what_waits() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    struct Count;
    impl Actor for Count {}
    impl Receive for Count {
        type Message = u32;
        type Reply = usize;
        fn on_receive(&mut self, m: u32, ctx: &mut Context<Self>) -> usize {
            match m {
                0 => ctx.unstash_all(),
                1 => ctx.stashed(),
                n => {
                    ctx.stash(n);
                    0
                }
            }
        }
    }
    let c = Count.start_in(&rt);
    c.tell(5).unwrap();
    c.tell(6).unwrap();
    assert_eq!(c.ask(1).get().unwrap(), 2);
    c.stop();
}
