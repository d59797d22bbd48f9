//! Section 5 of `pykka-behaviors.md`, proxies: calls, their values and their side effects (b5_3),
//! panics in calls and in deferred calls (b5_4), and an actor proxying itself (b5_6).
//!
//! Synchronisation is by futures, channels, barriers and mailbox FIFO order only; every timeout
//! below is a hang guard, never a way to wait for another thread. The actors and helpers are in
//! `tests/common/proxies.rs`.

mod common;

use common::gate;
use common::proxies::{
    expect_actor_dead, expect_panicked, kitchen_of, knob_of, pet, player, runtime,
    stopped_before_handling, stove_of, wait_dropped, Hooks, House, Pet, PetProxy, HANG,
};
use pykka::{Actor, ActorDeadError, ActorProxy, Context, Error, Future, Runtime};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Barrier};
use std::thread;

// =============================================================================================
// b5_3: calls, their values and their side effects

#[test]
fn b5_3_call_returns_the_methods_value_through_a_future() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let world: Future<String> = p.call(|p| p.functional_hello("world".into()));
    let moon = p.call(|p| p.functional_hello("moon".into()));
    assert_eq!(world.get_timeout(HANG).unwrap(), "Hello, world!");
    assert_eq!(moon.get_timeout(HANG).unwrap(), "Hello, moon!");
    assert!(a.stop());
}

#[test]
fn b5_3_typed_method_returns_the_methods_value_through_a_future() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p: PetProxy = a.typed_proxy().unwrap();
    let world: Future<String> = p.functional_hello("world".into());
    assert_eq!(world.get_timeout(HANG).unwrap(), "Hello, world!");
    assert_eq!(
        p.functional_hello("moon".into()).get_timeout(HANG).unwrap(),
        "Hello, moon!"
    );
    assert!(a.stop());
}

#[test]
fn b5_3_side_effect_of_a_call_is_visible_to_the_next_call() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    assert_eq!(p.call(|p| p.cat.clone()).get_timeout(HANG).unwrap(), "dog");
    let set: Future<()> = p.call(|p| p.change_cat("eagle".into()));
    set.get_timeout(HANG).unwrap();
    assert_eq!(
        p.call(|p| p.cat.clone()).get_timeout(HANG).unwrap(),
        "eagle"
    );

    // The same through the typed proxy, without waiting for the write.
    let typed: PetProxy = a.typed_proxy().unwrap();
    let _written = typed.change_cat("owl".into());
    assert_eq!(typed.cat().get_timeout(HANG).unwrap(), "owl");
    assert!(a.stop());
}

#[test]
fn b5_3_side_effect_of_deferred_call_is_visible_to_later_read() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let told: Result<(), ActorDeadError> = p.defer(|p| p.change_cat("eagle".into()));
    assert_eq!(told, Ok(()));
    assert_eq!(
        p.call(|p| p.cat.clone()).get_timeout(HANG).unwrap(),
        "eagle"
    );

    let typed: PetProxy = a.typed_proxy().unwrap();
    assert_eq!(typed.change_cat_defer("owl".into()), Ok(()));
    assert_eq!(typed.cat().get_timeout(HANG).unwrap(), "owl");
    assert!(a.stop());
}

#[test]
fn b5_3_a_call_runs_inside_the_actor_only_when_its_turn_comes() {
    let rt = Runtime::builder()
        .threads(1)
        .thread_name("b5-3-pool")
        .build()
        .unwrap();
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let a = Pet::new(&hooks).with_gate(g).start_in(&rt);
    let p = a.proxy().unwrap();
    p.defer(|p| p.block()).unwrap();
    ctl.wait_entered();

    let caller = thread::current().id();
    let where_run = p.call_with_context(move |p, ctx| {
        p.record("ran".into());
        (
            thread::current().id() != caller,
            thread::current().name().map(str::to_owned),
            ctx.actor_urn().to_owned(),
        )
    });
    assert!(
        !where_run.is_ready(),
        "the call ran while the actor was busy with an earlier message"
    );
    ctl.open();
    let (other_thread, name, urn) = where_run.get_timeout(HANG).unwrap();
    assert!(other_thread, "the call ran on the caller's thread");
    assert!(
        name.as_deref().is_some_and(|n| n.starts_with("b5-3-pool")),
        "the call ran on {name:?}, not on the actor's runtime"
    );
    assert_eq!(urn, a.actor_urn());
    assert!(a.stop());
}

#[test]
fn b5_3_calls_defers_and_messages_share_one_mailbox_order() {
    let rt = runtime(2);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let typed: PetProxy = a.typed_proxy().unwrap();
    a.tell("one".into()).unwrap();
    p.defer(|p| p.record("two".into())).unwrap();
    let three = p.call(|p| p.record("three".into()));
    a.tell("four".into()).unwrap();
    typed.record_defer("five".into()).unwrap();
    let six = typed.record("six".into());
    p.defer_with_context(|p, _| p.record("seven".into()))
        .unwrap();
    let log = typed.log();
    three.get_timeout(HANG).unwrap();
    six.get_timeout(HANG).unwrap();
    assert_eq!(
        log.get_timeout(HANG).unwrap(),
        ["msg:one", "two", "three", "msg:four", "five", "six", "seven"]
    );
    assert!(a.stop());
}

#[test]
fn b5_3_clones_of_one_proxy_on_many_threads_keep_each_senders_order() {
    const THREADS: usize = 4;
    const CALLS: usize = 200;
    let rt = runtime(2);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let senders: Vec<_> = (0..THREADS)
        .map(|t| {
            let p = p.clone();
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                for i in 0..CALLS {
                    if i % 2 == 0 {
                        p.defer(move |p| p.record(format!("{t}:{i}"))).unwrap();
                    } else {
                        let _recorded = p.call(move |p| p.record(format!("{t}:{i}")));
                    }
                }
            })
        })
        .collect();
    for s in senders {
        s.join().unwrap();
    }
    let log = p.call(|p| p.log.clone()).get_timeout(HANG).unwrap();
    assert_eq!(log.len(), THREADS * CALLS);
    for t in 0..THREADS {
        let seen: Vec<usize> = log
            .iter()
            .filter_map(|e| e.strip_prefix(&format!("{t}:")))
            .map(|i| i.parse().unwrap())
            .collect();
        assert_eq!(
            seen,
            (0..CALLS).collect::<Vec<_>>(),
            "thread {t}'s calls out of order"
        );
    }
    assert!(a.stop());
}

// =============================================================================================
// b5_4: panics in calls and in deferred calls

#[test]
fn b5_4_panic_in_a_call_fails_its_future_and_the_actor_lives_on() {
    let rt = runtime(1);
    let (a, hooks) = pet(&rt);
    let p = a.proxy().unwrap();
    let failure = expect_panicked(p.call(|p| p.raise_exception()).get_timeout(HANG));
    assert_eq!(failure.message(), "boom!");
    assert_eq!(failure.actor_class(), "Pet");
    assert_eq!(failure.actor_urn(), a.actor_urn());

    assert!(a.is_alive());
    assert_eq!(
        p.call(|p| p.functional_hello("again".into()))
            .get_timeout(HANG)
            .unwrap(),
        "Hello, again!"
    );
    assert!(hooks.failures().is_empty(), "on_failure ran");
    assert_eq!(hooks.stops(), 0);
    assert!(a.stop());
    assert_eq!(hooks.stops(), 1);
}

#[test]
fn b5_4_panic_in_a_call_keeps_the_state_built_before_it() {
    let rt = runtime(1);
    let (a, hooks) = pet(&rt);
    let p = a.proxy().unwrap();
    p.defer(|p| p.change_cat("eagle".into())).unwrap();
    let failed = p.call(|p| {
        p.record("half-done".into());
        p.raise_exception()
    });
    let cat = p.call(|p| p.cat.clone());
    let log = p.call(|p| p.log.clone());
    expect_panicked(failed.get_timeout(HANG));
    assert_eq!(cat.get_timeout(HANG).unwrap(), "eagle");
    assert_eq!(log.get_timeout(HANG).unwrap(), ["half-done"]);
    assert!(hooks.failures().is_empty());
    assert!(a.stop());
}

#[test]
fn b5_4_panic_in_a_typed_method_call_fails_its_future_and_the_actor_lives_on() {
    let rt = runtime(1);
    let (a, hooks) = pet(&rt);
    let p: PetProxy = a.typed_proxy().unwrap();
    let failure = expect_panicked(p.raise_exception().get_timeout(HANG));
    assert_eq!(failure.message(), "boom!");
    assert!(a.is_alive());
    assert_eq!(p.cat().get_timeout(HANG).unwrap(), "dog");
    assert!(hooks.failures().is_empty());
    assert!(a.stop());
}

#[test]
fn b5_4_panic_in_a_nested_call_fails_its_future_and_the_actor_lives_on() {
    let rt = runtime(1);
    let p = player(&rt);
    let channel = p.typed_proxy().unwrap().mixer().channel();
    let failure = expect_panicked(channel.explode().get_timeout(HANG));
    assert_eq!(failure.message(), "channel blew up");
    assert!(p.is_alive());
    assert_eq!(channel.boost(1).get_timeout(HANG).unwrap(), 2);

    let h = House::new().start_in(&rt);
    let knob = h
        .proxy()
        .unwrap()
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of)
        .traverse("knob", knob_of);
    let failure = expect_panicked(
        knob.call(|k| {
            k.position = k.position.checked_sub(1).expect("knob below zero");
        })
        .get_timeout(HANG),
    );
    assert_eq!(failure.message(), "knob below zero");
    assert!(h.is_alive());
    assert_eq!(knob.call(|k| k.position).get_timeout(HANG).unwrap(), 0);
    assert!(p.stop());
    assert!(h.stop());
}

#[test]
fn b5_4_panic_in_a_deferred_call_runs_on_failure_and_stops_the_actor_without_on_stop() {
    let rt = runtime(1);
    let hooks = Arc::new(Hooks::default());
    let (pet, dropped) = Pet::new(&hooks).with_drop_signal();
    let a = pet.start_in(&rt);
    let p = a.proxy().unwrap();
    let told = p.defer(|p| {
        p.raise_exception();
    });
    assert_eq!(told, Ok(()), "defer returns nothing but Ok");
    wait_dropped(&dropped);
    assert_eq!(hooks.failures(), ["boom!"]);
    assert_eq!(hooks.stops(), 0, "on_stop ran after a deferred panic");
    assert!(!a.is_alive());
    assert!(!p.actor_ref().is_alive());
    assert!(rt.get_by_urn(a.actor_urn()).is_none());
    expect_actor_dead(p.call(|p| p.cat.clone()).get_timeout(HANG));
}

#[test]
fn b5_4_panic_in_a_typed_deferred_call_runs_on_failure_and_stops_the_actor() {
    let rt = runtime(1);
    let hooks = Arc::new(Hooks::default());
    let (pet, dropped) = Pet::new(&hooks).with_drop_signal();
    let a = pet.start_in(&rt);
    let p: PetProxy = a.typed_proxy().unwrap();
    assert_eq!(p.raise_exception_defer(), Ok(()));
    wait_dropped(&dropped);
    assert_eq!(hooks.failures(), ["boom!"]);
    assert_eq!(hooks.stops(), 0);
    assert!(!a.is_alive());
}

#[test]
fn b5_4_panic_in_a_nested_deferred_call_stops_the_actor() {
    let rt = runtime(1);
    let p = player(&rt);
    let channel = p.typed_proxy().unwrap().mixer().channel();
    channel.explode_defer().unwrap();
    // FIFO fence: the call queued behind the failing defer is answered once the actor is dead.
    expect_actor_dead(channel.level().get_timeout(HANG));
    assert!(!p.is_alive());
    assert!(channel.boost_defer(1).is_err());
}

#[test]
fn b5_4_calls_queued_behind_a_failing_defer_fail_with_actor_dead() {
    let rt = runtime(1);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let (pet, dropped) = Pet::new(&hooks).with_gate(g).with_drop_signal();
    let a = pet.start_in(&rt);
    let p = a.proxy().unwrap();
    p.defer(|p| p.block()).unwrap();
    ctl.wait_entered();
    p.defer(|p| {
        p.raise_exception();
    })
    .unwrap();
    let pending = p.call(|p| p.cat.clone());
    ctl.open();
    let err = expect_actor_dead(pending.get_timeout(HANG));
    assert_eq!(
        err.to_string(),
        stopped_before_handling("Pet", a.actor_urn())
    );
    wait_dropped(&dropped);
    assert_eq!(hooks.failures(), ["boom!"]);
    assert_eq!(hooks.stops(), 0);
}

// =============================================================================================
// b5_6: an actor proxying itself

#[test]
fn b5_6_a_call_can_return_the_future_of_a_self_proxy_call() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let outer: Future<Future<String>> = p.call_with_context(|_, ctx| {
        ctx.actor_ref()
            .proxy()
            .unwrap()
            .call(|p| p.functional_hello("from the future".into()))
    });
    let inner: Future<String> = outer.get_timeout(HANG).unwrap();
    assert_eq!(inner.get_timeout(HANG).unwrap(), "Hello, from the future!");
    assert!(a.stop());
}

#[pykka::proxy]
struct Oracle {
    /// Pykka's `_self_proxy` made public: reading it is harmless (no recursion).
    pub(crate) me: Option<ActorProxy<Oracle>>,
    pub(crate) said: Vec<String>,
    _alive: Option<Sender<()>>,
}

#[pykka::proxy]
impl Oracle {
    pub(crate) fn hello(&mut self) -> String {
        self.said.push("hello".into());
        "Hello, from the future!".into()
    }

    /// Pykka's `talk_with_self`: returns the future of a call to its own proxy.
    pub(crate) fn talk_with_self(&self, ctx: &mut Context<Self>) -> Future<String> {
        ctx.actor_ref().typed_proxy().unwrap().hello()
    }

    /// Queues work on itself through the stored proxy, then returns before it runs.
    pub(crate) fn later(&mut self, entry: String) {
        let me = self.me.as_ref().expect("on_start stored the self proxy");
        me.defer(move |o| o.said.push(entry)).unwrap();
        self.said.push("later returned".into());
    }
}

impl Actor for Oracle {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        self.me = Some(ctx.actor_ref().proxy().unwrap());
    }
}

fn oracle(rt: &Runtime) -> (pykka::ActorRef<Oracle>, Receiver<()>) {
    let (tx, rx) = mpsc::channel();
    let o = Oracle {
        me: None,
        said: Vec::new(),
        _alive: Some(tx),
    }
    .start_in(rt);
    (o, rx)
}

#[test]
fn b5_6_typed_method_with_context_can_return_the_future_of_a_self_proxy_call() {
    let rt = runtime(1);
    let (o, _alive) = oracle(&rt);
    let p: OracleProxy = o.typed_proxy().unwrap();
    let outer: Future<Future<String>> = p.talk_with_self();
    assert_eq!(
        outer.get_timeout(HANG).unwrap().get_timeout(HANG).unwrap(),
        "Hello, from the future!"
    );
    assert_eq!(p.said().get_timeout(HANG).unwrap(), ["hello"]);
    assert!(o.stop());
}

#[test]
fn b5_6_self_proxy_work_runs_after_the_current_message_and_behind_the_inbox() {
    let rt = runtime(1);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let a = Pet::new(&hooks).with_gate(g).start_in(&rt);
    let p = a.proxy().unwrap();
    p.defer(|p| p.block()).unwrap();
    ctl.wait_entered();

    let scheduled = p.call_with_context(|p, ctx| {
        ctx.actor_ref()
            .proxy()
            .unwrap()
            .defer(|p| p.record("self work".into()))
            .unwrap();
        p.record("current message".into());
        p.log.clone()
    });
    p.defer(|p| p.record("queued before the self work".into()))
        .unwrap();
    ctl.open();
    assert_eq!(
        scheduled.get_timeout(HANG).unwrap(),
        ["current message"],
        "the self work ran inside the current message"
    );
    // The self work was queued by the actor after the defer above was queued by the test.
    let log =
        p.call_with_context(|_, ctx| ctx.actor_ref().proxy().unwrap().call(|p| p.log.clone()));
    assert_eq!(
        log.get_timeout(HANG).unwrap().get_timeout(HANG).unwrap(),
        [
            "current message",
            "queued before the self work",
            "self work"
        ]
    );
    assert!(a.stop());
}

#[test]
fn b5_6_an_actor_may_keep_a_proxy_to_itself_in_a_field() {
    let rt = runtime(1);
    let (o, alive) = oracle(&rt);
    let p: OracleProxy = o.typed_proxy().unwrap();
    // Reading the other fields works, and the stored proxy is the same proxy.
    assert!(p.said().get_timeout(HANG).unwrap().is_empty());
    let stored = p.me().get_timeout(HANG).unwrap();
    assert_eq!(stored.as_ref(), Some(&o.proxy().unwrap()));
    // Used inside the actor, it queues work after the current message.
    p.later("from the stored proxy".into())
        .get_timeout(HANG)
        .unwrap();
    assert_eq!(
        p.said().get_timeout(HANG).unwrap(),
        ["later returned", "from the stored proxy"]
    );
    // The self-reference does not keep the actor alive or its value undropped.
    drop(stored);
    assert!(o.stop());
    wait_dropped(&alive);
}

#[test]
fn b5_6_blocking_on_a_self_proxy_future_inside_the_actor_is_refused_with_deadlock() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let outcome = p.call_with_context(|_, ctx| {
        ctx.actor_ref()
            .proxy()
            .unwrap()
            .call(|p| p.cat.clone())
            .get_timeout(HANG)
    });
    match outcome.get_timeout(HANG).unwrap() {
        Err(Error::Deadlock(d)) => assert_eq!(d.awaited(), a.to_string()),
        other => panic!("expected Error::Deadlock, got {other:?}"),
    }
    // The actor lives on and still handles what it queued on itself.
    assert!(a.is_alive());
    assert_eq!(p.call(|p| p.cat.clone()).get_timeout(HANG).unwrap(), "dog");
    assert!(a.stop());
}
