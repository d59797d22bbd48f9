//! Issue F, item 3: random sequences of start / tell / ask / proxy call / defer / panic / stop,
//! run against a sequential model of Pykka's rules.
//!
//! The model, per actor slot: `Alive { total }`, `Doomed` (a told panic or a failing deferred
//! call is queued: the actor will die when it reaches it, so later asks must fail with
//! `ActorDead` while later tells may or may not be accepted), or `Dead`. Checked on every step:
//! ask and proxy-call replies (values in mailbox order, `Panicked` for an asked panic with the
//! actor still alive, `ActorDead` after death), tell acceptance, `stop`'s return value, and at
//! the end each actor's hooks: `on_stop` once for an actor stopped, `on_failure` once for an
//! actor killed by a told panic, never both, and the registry holding exactly the live actors.

use proptest::prelude::*;
use pykka::{Actor, ActorRef, Context, Error, Failure, Receive, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

const SLOTS: usize = 3;
const GUARD: Duration = Duration::from_secs(20);

#[derive(Default)]
struct Hooks {
    stopped: AtomicUsize,
    failed: AtomicUsize,
}

struct Acc {
    total: i64,
    hooks: Arc<Hooks>,
}

enum Msg {
    Add(i64),
    Panic,
    Total,
}

impl Actor for Acc {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        self.hooks.stopped.fetch_add(1, Ordering::SeqCst);
    }
    fn on_failure(&mut self, _: &Failure, _: &mut Context<Self>) {
        self.hooks.failed.fetch_add(1, Ordering::SeqCst);
    }
}

impl Receive for Acc {
    type Message = Msg;
    type Reply = i64;
    fn on_receive(&mut self, m: Msg, _: &mut Context<Self>) -> i64 {
        match m {
            Msg::Add(n) => self.total += n,
            Msg::Panic => panic!("model panic"),
            Msg::Total => {}
        }
        self.total
    }
}

#[derive(Clone, Debug)]
enum Op {
    Start(usize),
    Tell(usize, i64),
    TellPanic(usize),
    Ask(usize),
    AskPanic(usize),
    ProxyAdd(usize, i64),
    ProxyPanic(usize),
    Defer(usize, i64),
    DeferPanic(usize),
    Stop(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let slot = 0..SLOTS;
    prop_oneof![
        2 => slot.clone().prop_map(Op::Start),
        4 => (slot.clone(), -50i64..50).prop_map(|(s, n)| Op::Tell(s, n)),
        1 => slot.clone().prop_map(Op::TellPanic),
        3 => slot.clone().prop_map(Op::Ask),
        1 => slot.clone().prop_map(Op::AskPanic),
        3 => (slot.clone(), -50i64..50).prop_map(|(s, n)| Op::ProxyAdd(s, n)),
        1 => slot.clone().prop_map(Op::ProxyPanic),
        2 => (slot.clone(), -50i64..50).prop_map(|(s, n)| Op::Defer(s, n)),
        1 => slot.clone().prop_map(Op::DeferPanic),
        2 => slot.prop_map(Op::Stop),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Model {
    Alive(i64),
    Doomed,
    Dead,
}

/// What became of one started actor.
#[derive(Clone, Copy, PartialEq, Debug)]
enum End {
    Running,
    Stopped,
    Failed,
}

struct Slot {
    actor: ActorRef<Acc>,
    hooks: Arc<Hooks>,
    model: Model,
    /// How it ended, once known.
    end: End,
}

fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info.to_string();
            if !msg.contains("model panic") {
                default(info);
            }
        }));
    });
}

fn dead(e: &Error) -> bool {
    matches!(e, Error::ActorDead(_))
}

fn run(ops: &[Op], threads: usize) -> Result<(), TestCaseError> {
    let rt = Runtime::builder().threads(threads).build().unwrap();
    let mut slots: Vec<Option<Slot>> = (0..SLOTS).map(|_| None).collect();
    let mut retired: Vec<Slot> = Vec::new();

    for op in ops {
        match *op {
            Op::Start(i) => {
                let hooks = Arc::new(Hooks::default());
                let actor = Acc {
                    total: 0,
                    hooks: Arc::clone(&hooks),
                }
                .start_in(&rt);
                let new = Slot {
                    actor,
                    hooks,
                    model: Model::Alive(0),
                    end: End::Running,
                };
                if let Some(old) = slots[i].replace(new) {
                    retired.push(old);
                }
            }
            Op::Stop(i) => {
                let Some(s) = slots[i].as_mut() else { continue };
                let stopped = s.actor.stop();
                match s.model {
                    Model::Alive(_) => {
                        prop_assert!(stopped, "stop of a live actor returns true");
                        s.end = End::Stopped;
                    }
                    Model::Dead => prop_assert!(!stopped, "stop of a dead actor returns false"),
                    Model::Doomed => {
                        // The queued panic runs before the stop: the actor died of it.
                        s.end = End::Failed;
                    }
                }
                s.model = Model::Dead;
                prop_assert!(!s.actor.is_alive());
            }
            Op::Tell(i, n) | Op::Defer(i, n) => {
                let Some(s) = slots[i].as_mut() else { continue };
                let accepted = match op {
                    Op::Tell(..) => s.actor.tell(Msg::Add(n)).is_ok(),
                    _ => s
                        .actor
                        .proxy()
                        .is_ok_and(|p| p.defer(move |a| a.total += n).is_ok()),
                };
                match &mut s.model {
                    Model::Alive(total) => {
                        prop_assert!(accepted, "a live actor accepts a tell");
                        *total += n;
                    }
                    Model::Dead => prop_assert!(!accepted, "a dead actor refuses a tell"),
                    Model::Doomed => {} // either, depending on timing
                }
            }
            Op::TellPanic(i) | Op::DeferPanic(i) => {
                let Some(s) = slots[i].as_mut() else { continue };
                let accepted = match op {
                    Op::TellPanic(_) => s.actor.tell(Msg::Panic).is_ok(),
                    _ => s
                        .actor
                        .proxy()
                        .is_ok_and(|p| p.defer(|_| panic!("model panic")).is_ok()),
                };
                match s.model {
                    Model::Alive(_) => {
                        prop_assert!(accepted);
                        s.model = Model::Doomed;
                        s.end = End::Failed;
                    }
                    Model::Dead => prop_assert!(!accepted),
                    Model::Doomed => {}
                }
            }
            Op::Ask(i) | Op::ProxyAdd(i, _) => {
                let Some(s) = slots[i].as_mut() else { continue };
                let reply = match *op {
                    Op::Ask(_) => s.actor.ask(Msg::Total).get_timeout(GUARD),
                    Op::ProxyAdd(_, n) => match s.actor.proxy() {
                        Ok(p) => p
                            .call(move |a| {
                                a.total += n;
                                a.total
                            })
                            .get_timeout(GUARD),
                        Err(e) => Err(Error::ActorDead(e)),
                    },
                    _ => unreachable!(),
                };
                match &mut s.model {
                    Model::Alive(total) => {
                        if let Op::ProxyAdd(_, n) = *op {
                            *total += n;
                        }
                        prop_assert_eq!(reply.ok(), Some(*total), "replies in mailbox order");
                    }
                    Model::Doomed | Model::Dead => {
                        prop_assert!(
                            reply.as_ref().is_err_and(dead),
                            "after death an ask fails with ActorDead, got {:?}",
                            reply
                        );
                        s.model = Model::Dead;
                        prop_assert!(!s.actor.is_alive(), "ActorDead means dead");
                    }
                }
            }
            Op::AskPanic(i) | Op::ProxyPanic(i) => {
                let Some(s) = slots[i].as_mut() else { continue };
                let reply = match op {
                    Op::AskPanic(_) => s.actor.ask(Msg::Panic).get_timeout(GUARD),
                    _ => match s.actor.proxy() {
                        Ok(p) => p
                            .call(|_| -> i64 { panic!("model panic") })
                            .get_timeout(GUARD),
                        Err(e) => Err(Error::ActorDead(e)),
                    },
                };
                match s.model {
                    Model::Alive(_) => {
                        prop_assert!(
                            matches!(reply, Err(Error::Panicked(_))),
                            "an asked panic comes back as Panicked, got {:?}",
                            reply
                        );
                        prop_assert!(s.actor.is_alive(), "the actor lives on");
                    }
                    Model::Doomed | Model::Dead => {
                        prop_assert!(reply.as_ref().is_err_and(dead), "got {:?}", reply);
                        s.model = Model::Dead;
                    }
                }
            }
        }
    }

    // The registry holds exactly the actors the model says are alive (doomed ones: either).
    let all: Vec<&Slot> = slots.iter().flatten().chain(retired.iter()).collect();
    let registered = rt.registered();
    for s in &all {
        let listed = registered
            .iter()
            .any(|r| r.actor_urn() == s.actor.actor_urn());
        match s.model {
            Model::Alive(_) => prop_assert!(listed, "a live actor is registered"),
            Model::Dead => prop_assert!(!listed, "a dead actor is unregistered"),
            Model::Doomed => {}
        }
    }
    // Shut the runtime down (stops what still runs, then joins the workers, so every hook has
    // returned: `on_failure` runs after the actor is already dead), then check the hooks:
    // on_stop once for stopped (and for still running, stopped now), on_failure once for
    // failed, never both.
    rt.shutdown().unwrap();
    for s in &all {
        let (stopped, failed) = (
            s.hooks.stopped.load(Ordering::SeqCst),
            s.hooks.failed.load(Ordering::SeqCst),
        );
        match s.end {
            End::Running | End::Stopped => prop_assert_eq!((stopped, failed), (1, 0)),
            End::Failed => prop_assert_eq!((stopped, failed), (0, 1)),
        }
    }
    prop_assert!(rt.registered().is_empty());
    for s in &all {
        prop_assert!(!s.actor.is_alive());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(debug_assertions) { 256 } else { 1024 },
        ..ProptestConfig::default()
    })]

    #[test]
    fn f3_random_sequences_follow_the_model_on_one_thread(ops in prop::collection::vec(op(), 1..40)) {
        quiet_panics();
        run(&ops, 1)?;
    }

    #[test]
    fn f3_random_sequences_follow_the_model_on_two_threads(ops in prop::collection::vec(op(), 1..40)) {
        quiet_panics();
        run(&ops, 2)?;
    }
}
