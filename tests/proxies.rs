//! Section 5 of `pykka-behaviors.md`: proxies (b5_1 .. b5_9), with the upstream proxy tests of
//! `pykka-reference.md` 2.7 - 2.10 that make sense in Rust.
//!
//! Synchronisation is by futures, channels, barriers and mailbox FIFO order only; every timeout
//! below is a hang guard, never a way to wait for another thread.
//!
//! Not ported, because Rust decides them at compile time: unknown or private attributes and
//! methods (`AttributeError`), read-only properties, `dir(proxy)`, attributes or methods added at
//! runtime, mocks, and the `traversable()` marker mechanisms (here `traverse` or
//! `#[proxy(traversable)]`).

mod common;

use common::{gate, Gate};
use pykka::{Actor, ActorDeadError, ActorProxy, Context, Error, Failure, Future, Receive, Runtime};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

/// Hang guard for every blocking wait in this file.
const HANG: Duration = Duration::from_secs(10);

fn runtime(threads: usize) -> Runtime {
    Runtime::builder().threads(threads).build().unwrap()
}

fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Pykka's `"<Class> (<urn>) not found"`.
fn not_found(class: &str, urn: &str) -> String {
    format!("{class} ({urn}) not found")
}

fn stopped_before_handling(class: &str, urn: &str) -> String {
    format!("{class} ({urn}) stopped before handling the message")
}

#[track_caller]
fn expect_actor_dead<T: Debug>(result: Result<T, Error>) -> ActorDeadError {
    match result {
        Err(Error::ActorDead(e)) => e,
        other => panic!("expected Error::ActorDead, got {other:?}"),
    }
}

#[track_caller]
fn expect_panicked<T: Debug>(result: Result<T, Error>) -> Failure {
    match result {
        Err(Error::Panicked(f)) => f,
        other => panic!("expected Error::Panicked, got {other:?}"),
    }
}

/// Waits until the actor value holding the sender has been dropped: the library drops it after
/// the last hook of a dying actor has returned.
#[track_caller]
fn wait_dropped(rx: &Receiver<()>) {
    assert_eq!(
        rx.recv_timeout(HANG),
        Err(RecvTimeoutError::Disconnected),
        "hang guard: the actor value was not dropped"
    );
}

// ---------------------------------------------------------------------------------------------
// A gate (`Gate`, `GateCtl`, `gate()`: tests/common) holds an actor inside a handler until the
// test opens it.

// ---------------------------------------------------------------------------------------------
// Pet: Pykka's `StaticMethodActor` and attribute-access actor, with hooks the test can observe.

#[derive(Default)]
struct Hooks {
    on_stop: AtomicUsize,
    on_failure: Mutex<Vec<String>>,
}

impl Hooks {
    fn failures(&self) -> Vec<String> {
        self.on_failure.lock().unwrap().clone()
    }

    fn stops(&self) -> usize {
        self.on_stop.load(Ordering::SeqCst)
    }
}

#[pykka::proxy]
struct Pet {
    pub(crate) cat: String,
    pub(crate) log: Vec<String>,
    hooks: Arc<Hooks>,
    gate: Option<Gate>,
    /// Disconnects its channel when the actor value is dropped.
    _alive: Option<Sender<()>>,
}

#[pykka::proxy]
impl Pet {
    pub(crate) fn functional_hello(&self, s: String) -> String {
        format!("Hello, {s}!")
    }

    pub(crate) fn change_cat(&mut self, name: String) {
        self.cat = name;
    }

    pub(crate) fn raise_exception(&self) -> String {
        panic!("boom!")
    }

    pub(crate) fn record(&mut self, entry: String) {
        self.log.push(entry);
    }

    fn block(&self) {
        if let Some(g) = &self.gate {
            g.pass();
        }
    }
}

impl Pet {
    fn new(hooks: &Arc<Hooks>) -> Self {
        Pet {
            cat: "dog".into(),
            log: Vec::new(),
            hooks: Arc::clone(hooks),
            gate: None,
            _alive: None,
        }
    }

    fn with_gate(mut self, g: Gate) -> Self {
        self.gate = Some(g);
        self
    }

    fn with_drop_signal(mut self) -> (Self, Receiver<()>) {
        let (tx, rx) = mpsc::channel();
        self._alive = Some(tx);
        (self, rx)
    }
}

impl Actor for Pet {
    fn on_stop(&mut self, _ctx: &mut Context<Self>) {
        self.hooks.on_stop.fetch_add(1, Ordering::SeqCst);
    }

    fn on_failure(&mut self, failure: &Failure, _ctx: &mut Context<Self>) {
        self.hooks
            .on_failure
            .lock()
            .unwrap()
            .push(failure.message().to_owned());
    }
}

/// Plain messages, to share one mailbox with proxy calls.
impl Receive for Pet {
    type Message = String;
    type Reply = ();
    fn on_receive(&mut self, message: String, _ctx: &mut Context<Self>) {
        self.log.push(format!("msg:{message}"));
    }
}

fn pet(rt: &Runtime) -> (pykka::ActorRef<Pet>, Arc<Hooks>) {
    let hooks = Arc::new(Hooks::default());
    (Pet::new(&hooks).start_in(rt), hooks)
}

// ---------------------------------------------------------------------------------------------
// House: nested objects reached with `traverse` (the closure API), to any depth.

struct Knob {
    position: u8,
}

struct Stove {
    temp: u32,
    knob: Knob,
}

impl Stove {
    fn heat(&mut self, by: u32) -> u32 {
        self.temp += by;
        self.temp
    }
}

struct Kitchen {
    stove: Stove,
    spare_stove: Stove,
}

trait Speaker {
    fn speak(&mut self) -> String;
}

struct Parrot {
    said: u32,
}

impl Speaker for Parrot {
    fn speak(&mut self) -> String {
        self.said += 1;
        format!("polly #{}", self.said)
    }
}

struct House {
    kitchen: Kitchen,
    speaker: Box<dyn Speaker + Send>,
    /// A house inside the house: a nested target of the actor's own type.
    annex: Option<Box<House>>,
    gate: Option<Gate>,
}

impl House {
    fn new() -> Self {
        House {
            kitchen: Kitchen {
                stove: Stove {
                    temp: 20,
                    knob: Knob { position: 0 },
                },
                spare_stove: Stove {
                    temp: 0,
                    knob: Knob { position: 0 },
                },
            },
            speaker: Box::new(Parrot { said: 0 }),
            annex: None,
            gate: None,
        }
    }
}

impl Actor for House {}

fn kitchen_of(h: &mut House) -> &mut Kitchen {
    &mut h.kitchen
}

fn stove_of(k: &mut Kitchen) -> &mut Stove {
    &mut k.stove
}

fn spare_stove_of(k: &mut Kitchen) -> &mut Stove {
    &mut k.spare_stove
}

fn knob_of(s: &mut Stove) -> &mut Knob {
    &mut s.knob
}

fn annex_of(h: &mut House) -> &mut House {
    h.annex.as_deref_mut().expect("the house has an annex")
}

// ---------------------------------------------------------------------------------------------
// Player: nested objects reached with the macro, to depth 2, and an unmarked struct field.

#[pykka::proxy]
struct Player {
    pub(crate) volume: u8,
    #[proxy(traversable)]
    pub(crate) mixer: Mixer,
    /// Same type as `mixer`, not marked: read as a clone.
    pub(crate) spare: Mixer,
}

#[pykka::proxy]
impl Player {
    /// A "property" returning a traversable object: a value, not a proxy.
    pub(crate) fn mixer_snapshot(&self) -> Mixer {
        self.mixer.clone()
    }
}

impl Actor for Player {}

#[pykka::proxy(traversable)]
#[derive(Clone, Debug, PartialEq)]
struct Mixer {
    pub(crate) gain: i32,
    #[proxy(traversable)]
    pub(crate) channel: Channel,
}

#[pykka::proxy]
impl Mixer {
    pub(crate) fn mute(&mut self) {
        self.gain = 0;
    }
}

#[pykka::proxy(traversable)]
#[derive(Clone, Debug, PartialEq)]
struct Channel {
    pub(crate) level: i32,
    pub(crate) name: String,
}

#[pykka::proxy]
impl Channel {
    pub(crate) fn boost(&mut self, by: i32) -> i32 {
        self.level += by;
        self.level
    }

    pub(crate) fn explode(&self) -> i32 {
        panic!("channel blew up")
    }

    /// Only on the proxy of a channel inside a `Player`: the context is the player's.
    pub(crate) fn owner_urn(&self, ctx: &mut Context<Player>) -> String {
        ctx.actor_urn().to_owned()
    }
}

fn player(rt: &Runtime) -> pykka::ActorRef<Player> {
    let mixer = Mixer {
        gain: 5,
        channel: Channel {
            level: 1,
            name: "left".into(),
        },
    };
    Player {
        volume: 10,
        mixer: mixer.clone(),
        spare: mixer,
    }
    .start_in(rt)
}

// ---------------------------------------------------------------------------------------------
// Circle: Pykka's `test_typed_proxy.py`.

/// Pykka's test value for pi, so that `area(2.0)` is its `12.56`.
#[allow(clippy::approx_constant)]
const PYKKA_PI: f64 = 3.14;

#[pykka::proxy]
struct Circle {
    pub(crate) text: String,
    #[proxy(traversable)]
    pub(crate) constants: Constants,
    stops: Arc<AtomicUsize>,
}

#[pykka::proxy(traversable)]
struct Constants {
    pub(crate) pi: f64,
}

#[pykka::proxy]
impl Circle {
    pub(crate) fn area(&self, radius: f64) -> f64 {
        self.constants.pi * radius.powi(2)
    }

    pub(crate) fn shout(&mut self) {
        self.text.push('!');
    }
}

impl Actor for Circle {
    fn on_stop(&mut self, _ctx: &mut Context<Self>) {
        self.stops.fetch_add(1, Ordering::SeqCst);
    }
}

fn circle(rt: &Runtime) -> (pykka::ActorRef<Circle>, Arc<AtomicUsize>) {
    let stops = Arc::new(AtomicUsize::new(0));
    let c = Circle {
        text: "The cake is a lie".into(),
        constants: Constants { pi: PYKKA_PI },
        stops: Arc::clone(&stops),
    }
    .start_in(rt);
    (c, stops)
}

// =============================================================================================
// b5_1: equality and hashing

#[test]
#[allow(clippy::eq_op)]
fn b5_1_a_proxy_is_equal_to_itself_and_to_its_clone() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    assert!(p == p);
    assert_eq!(p.clone(), p);
    assert!(a.stop());
}

#[test]
fn b5_1_two_proxies_of_one_actor_are_equal() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let first = a.proxy().unwrap();
    let second = a.proxy().unwrap();
    assert_eq!(first, second);
    assert_eq!(first.actor_ref(), second.actor_ref());
    assert!(first.attr_path().is_empty());
    assert!(second.attr_path().is_empty());
    assert!(a.stop());
}

#[test]
// The key's hash and equality are its actor and path, which never change.
#[allow(clippy::mutable_key_type)]
fn b5_1_proxies_hash_consistently() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    assert_eq!(hash_of(&p), hash_of(&p), "hash is not stable");
    assert_eq!(hash_of(&p), hash_of(&a.proxy().unwrap()));
    assert_eq!(hash_of(&p), hash_of(&p.clone()));

    let mut set = HashSet::new();
    assert!(set.insert(p.clone()));
    assert!(!set.insert(a.proxy().unwrap()), "an equal proxy was added");
    assert_eq!(set.len(), 1);
    assert!(set.contains(&a.proxy().unwrap()));
    assert!(a.stop());
    // Still the same key after the actor died.
    assert!(set.contains(&p));
}

#[test]
// The key's hash and equality are its actor and path, which never change.
#[allow(clippy::mutable_key_type)]
fn b5_1_proxies_of_two_actors_of_one_class_are_not_equal() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let (b, _) = pet(&rt);
    let pa = a.proxy().unwrap();
    let pb = b.proxy().unwrap();
    assert_ne!(pa, pb);
    let set: HashSet<_> = [pa.clone(), pb.clone(), pa, pb].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(a.stop());
    assert!(b.stop());
}

#[test]
fn b5_1_nested_proxies_with_the_same_path_are_equal_and_hash_equally() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let stove1 = h
        .proxy()
        .unwrap()
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    let stove2 = h
        .proxy()
        .unwrap()
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    assert_eq!(stove1, stove2);
    assert_eq!(hash_of(&stove1), hash_of(&stove2));
    assert!(h.stop());
}

#[test]
fn b5_1_typed_proxies_compare_and_hash_like_their_actor_proxies() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let (other, _) = circle(&rt);
    let p1: CircleProxy = c.typed_proxy().unwrap();
    let p2: CircleProxy = c.typed_proxy().unwrap();
    assert_eq!(p1, p2);
    assert_eq!(hash_of(&p1), hash_of(&p2));
    assert_eq!(p1, CircleProxy::from(c.proxy().unwrap()));
    assert_ne!(p1, other.typed_proxy().unwrap());
    assert_eq!(p1.constants(), p2.constants());
    assert_eq!(hash_of(&p1.constants()), hash_of(&p2.constants()));
    assert!(c.stop());
    assert!(other.stop());
}

// =============================================================================================
// b5_2: proxies and dead actors

#[test]
fn b5_2_proxy_of_a_dead_actor_fails_with_actor_dead_error() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    assert!(a.stop());
    let err = a.proxy().unwrap_err();
    assert_eq!(err.to_string(), not_found("Pet", a.actor_urn()));
    assert_eq!(err.to_string(), format!("{a} not found"));
    assert_eq!(err.message(), err.to_string());
}

#[test]
fn b5_2_typed_proxy_of_a_dead_actor_fails_with_actor_dead_error() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    assert!(c.stop());
    match c.typed_proxy() {
        Err(e) => assert_eq!(e.to_string(), not_found("Circle", c.actor_urn())),
        Ok(p) => panic!("got a typed proxy of a dead actor: {p:?}"),
    }
}

#[test]
fn b5_2_proxy_of_an_actor_killed_by_a_failure_fails_with_actor_dead_error() {
    let rt = runtime(1);
    let hooks = Arc::new(Hooks::default());
    let (p, dropped) = Pet::new(&hooks).with_drop_signal();
    let a = p.start_in(&rt);
    a.proxy()
        .unwrap()
        .defer(|p| {
            p.raise_exception();
        })
        .unwrap();
    wait_dropped(&dropped);
    let err = a.proxy().unwrap_err();
    assert_eq!(err.to_string(), not_found("Pet", a.actor_urn()));
}

#[test]
fn b5_2_proxy_actor_ref_stays_usable_after_death_and_reports_not_alive() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let root = h.proxy().unwrap();
    let stove = root
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    assert!(root.actor_ref().is_alive());
    assert!(h.stop());

    for r in [root.actor_ref(), stove.actor_ref()] {
        assert!(!r.is_alive());
        assert_eq!(r, &h);
        assert_eq!(r.actor_urn(), h.actor_urn());
        assert_eq!(r.actor_class(), "House");
        assert!(!r.stop(), "stop of a dead actor reported true");
        assert!(r.proxy().is_err());
    }
}

#[test]
fn b5_2_call_through_a_proxy_whose_actor_died_fails_with_actor_dead() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let typed: PetProxy = a.typed_proxy().unwrap();
    assert!(a.stop());
    let expected = not_found("Pet", a.actor_urn());

    let call = p.call(|p| p.cat.clone());
    assert!(
        call.is_ready(),
        "the future of a call to a dead actor is not failed at once"
    );
    assert_eq!(
        expect_actor_dead(call.get_timeout(HANG)).to_string(),
        expected
    );

    let with_ctx = p.call_with_context(|_, ctx| ctx.actor_urn().to_owned());
    assert_eq!(
        expect_actor_dead(with_ctx.get_timeout(HANG)).to_string(),
        expected
    );

    let method = typed.functional_hello("world".into());
    assert_eq!(
        expect_actor_dead(method.get_timeout(HANG)).to_string(),
        expected
    );
    let read = typed.cat();
    assert_eq!(
        expect_actor_dead(read.get_timeout(HANG)).to_string(),
        expected
    );
    let write = typed.set_cat("eagle".into());
    assert_eq!(
        expect_actor_dead(write.get_timeout(HANG)).to_string(),
        expected
    );
}

#[test]
fn b5_2_nested_call_through_a_proxy_whose_actor_died_fails_with_actor_dead() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let stove = h
        .proxy()
        .unwrap()
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    assert!(h.stop());
    let err = expect_actor_dead(stove.call(|s| s.heat(1)).get_timeout(HANG));
    assert_eq!(err.to_string(), not_found("House", h.actor_urn()));
}

#[test]
fn b5_2_defer_through_a_proxy_whose_actor_died_is_err() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let typed: PetProxy = a.typed_proxy().unwrap();
    assert!(a.stop());
    let expected = not_found("Pet", a.actor_urn());

    let err = p.defer(|p| p.cat = "eagle".into()).unwrap_err();
    assert_eq!(err.to_string(), expected);
    let err = p
        .defer_with_context(|_, ctx| assert!(ctx.stop()))
        .unwrap_err();
    assert_eq!(err.to_string(), expected);
    let err = typed.change_cat_defer("eagle".into()).unwrap_err();
    assert_eq!(err.to_string(), expected);

    let h = House::new().start_in(&rt);
    let stove = h
        .proxy()
        .unwrap()
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    assert!(h.stop());
    let err = stove.defer(|s| s.temp = 0).unwrap_err();
    assert_eq!(err.to_string(), not_found("House", h.actor_urn()));
}

#[test]
fn b5_2_proxy_stop_of_a_dead_actor_resolves_false() {
    let rt = runtime(1);
    let (a, hooks) = pet(&rt);
    let p = a.proxy().unwrap();
    assert!(p.stop().get_timeout(HANG).unwrap());
    assert!(!p.stop().get_timeout(HANG).unwrap());
    assert_eq!(hooks.stops(), 1);
}

#[test]
fn b5_2_calls_queued_behind_a_proxy_stop_fail_with_actor_dead() {
    let rt = runtime(1);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let a = Pet::new(&hooks).with_gate(g).start_in(&rt);
    let p = a.proxy().unwrap();
    p.defer(|p| p.block()).unwrap();
    ctl.wait_entered();
    let before = p.call(|p| p.functional_hello("before".into()));
    let stop = p.stop();
    let after = p.call(|p| p.functional_hello("after".into()));
    ctl.open();
    assert_eq!(before.get_timeout(HANG).unwrap(), "Hello, before!");
    assert!(stop.get_timeout(HANG).unwrap());
    let err = expect_actor_dead(after.get_timeout(HANG));
    assert_eq!(
        err.to_string(),
        stopped_before_handling("Pet", a.actor_urn())
    );
    assert!(!p.actor_ref().is_alive());
}

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
// b5_5: attribute read and write

#[test]
fn b5_5_field_can_be_read_through_call() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let cat: Future<String> = p.call(|p| p.cat.clone());
    assert_eq!(cat.get_timeout(HANG).unwrap(), "dog");
    assert!(a.stop());
}

#[test]
fn b5_5_field_can_be_written_through_call_then_read() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    p.call(|p| p.cat = "eagle".into())
        .get_timeout(HANG)
        .unwrap();
    assert_eq!(
        p.call(|p| p.cat.clone()).get_timeout(HANG).unwrap(),
        "eagle"
    );
    // Written through defer: visible to the next read, in mailbox order.
    p.defer(|p| p.cat = "owl".into()).unwrap();
    assert_eq!(p.call(|p| p.cat.clone()).get_timeout(HANG).unwrap(), "owl");
    assert!(a.stop());
}

#[test]
fn b5_5_typed_field_getter_and_setter() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p: PetProxy = a.typed_proxy().unwrap();
    let cat: Future<String> = p.cat();
    assert_eq!(cat.get_timeout(HANG).unwrap(), "dog");
    let set: Future<()> = p.set_cat("eagle".into());
    set.get_timeout(HANG).unwrap();
    assert_eq!(p.cat().get_timeout(HANG).unwrap(), "eagle");
    assert_eq!(
        p.call(|p| p.cat.clone()).get_timeout(HANG).unwrap(),
        "eagle",
        "the setter did not write the actor's field"
    );
    assert!(a.stop());
}

#[test]
fn b5_5_reads_and_writes_are_in_mailbox_order_with_other_calls() {
    let rt = runtime(1);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let a = Pet::new(&hooks).with_gate(g).start_in(&rt);
    let p = a.proxy().unwrap();
    let typed: PetProxy = a.typed_proxy().unwrap();
    p.defer(|p| p.block()).unwrap();
    ctl.wait_entered();

    let read1 = typed.cat();
    let write1 = p.call(|p| p.cat = "eagle".into());
    let read2 = p.call(|p| p.cat.clone());
    typed.change_cat_defer("owl".into()).unwrap();
    let read3 = typed.cat();
    let write2 = typed.set_cat("cow".into());
    a.tell("moo".into()).unwrap();
    let read4 = p.call(|p| (p.cat.clone(), p.log.clone()));
    assert!(!read1.is_ready(), "a read ran while the actor was busy");
    ctl.open();

    assert_eq!(read1.get_timeout(HANG).unwrap(), "dog");
    write1.get_timeout(HANG).unwrap();
    assert_eq!(read2.get_timeout(HANG).unwrap(), "eagle");
    assert_eq!(read3.get_timeout(HANG).unwrap(), "owl");
    write2.get_timeout(HANG).unwrap();
    assert_eq!(
        read4.get_timeout(HANG).unwrap(),
        ("cow".to_owned(), vec!["msg:moo".to_owned()])
    );
    assert!(a.stop());
}

#[test]
fn b5_5_a_read_returns_a_copy_not_the_actors_field() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let typed: PetProxy = a.typed_proxy().unwrap();
    typed.record("kept".into()).get_timeout(HANG).unwrap();
    let mut log = typed.log().get_timeout(HANG).unwrap();
    log.push("local only".into());
    log[0] = "changed".into();
    assert_eq!(typed.log().get_timeout(HANG).unwrap(), ["kept"]);
    let mut cat = a
        .proxy()
        .unwrap()
        .call(|p| p.cat.clone())
        .get_timeout(HANG)
        .unwrap();
    cat.push_str("gy");
    assert_eq!(typed.cat().get_timeout(HANG).unwrap(), "dog");
    assert!(a.stop());
}

/// Counts its clones: shows when (and how often) a field is read.
struct Tally {
    clones: Arc<AtomicUsize>,
    value: u32,
}

impl Clone for Tally {
    fn clone(&self) -> Self {
        self.clones.fetch_add(1, Ordering::SeqCst);
        Tally {
            clones: Arc::clone(&self.clones),
            value: self.value,
        }
    }
}

#[pykka::proxy]
struct Ledger {
    pub(crate) tally: Tally,
}

impl Actor for Ledger {}

#[test]
fn b5_5_creating_a_proxy_reads_no_field_and_a_read_reads_it_once() {
    let rt = runtime(1);
    let clones = Arc::new(AtomicUsize::new(0));
    let l = Ledger {
        tally: Tally {
            clones: Arc::clone(&clones),
            value: 7,
        },
    }
    .start_in(&rt);
    let plain = l.proxy().unwrap();
    let typed: LedgerProxy = l.typed_proxy().unwrap();
    let _copies = (plain.clone(), typed.clone());
    // FIFO fence: anything the proxies could have queued has run.
    typed.call(|_| ()).get_timeout(HANG).unwrap();
    assert_eq!(
        clones.load(Ordering::SeqCst),
        0,
        "making a proxy read a field"
    );
    assert_eq!(typed.tally().get_timeout(HANG).unwrap().value, 7);
    assert_eq!(clones.load(Ordering::SeqCst), 1, "one read, one clone");
    assert!(l.stop());
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

// =============================================================================================
// b5_7: traversable attributes

#[test]
fn b5_7_traverse_reaches_a_nested_object_two_levels_down() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let root = h.proxy().unwrap();
    let kitchen: ActorProxy<House, Kitchen> = root.traverse("kitchen", kitchen_of);
    let stove: ActorProxy<House, Stove> = kitchen.traverse("stove", stove_of);
    assert_eq!(stove.attr_path(), ["kitchen", "stove"]);
    assert_eq!(kitchen.attr_path(), ["kitchen"]);
    assert_eq!(stove.call(|s| s.heat(5)).get_timeout(HANG).unwrap(), 25);
    stove.defer(|s| s.temp += 1).unwrap();
    assert_eq!(
        root.call(|h| h.kitchen.stove.temp)
            .get_timeout(HANG)
            .unwrap(),
        26,
        "the nested call did not change the actor's own object"
    );
    assert_eq!(
        kitchen
            .call(|k| k.spare_stove.temp)
            .get_timeout(HANG)
            .unwrap(),
        0
    );
    assert!(h.stop());
}

#[test]
fn b5_7_traverse_reaches_any_depth() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let knob = h
        .proxy()
        .unwrap()
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of)
        .traverse("knob", knob_of);
    assert_eq!(knob.attr_path(), ["kitchen", "stove", "knob"]);
    knob.defer(|k| k.position = 3).unwrap();
    assert_eq!(
        h.proxy()
            .unwrap()
            .call(|h| h.kitchen.stove.knob.position)
            .get_timeout(HANG)
            .unwrap(),
        3
    );
    assert!(h.stop());

    // Ten houses deep, each an annex of the one before.
    const DEPTH: usize = 10;
    let mut house = House::new();
    for _ in 0..DEPTH {
        let mut outer = House::new();
        outer.annex = Some(Box::new(house));
        house = outer;
    }
    let h = house.start_in(&rt);
    let mut deepest = h.proxy().unwrap();
    for _ in 0..DEPTH {
        deepest = deepest.traverse("annex", annex_of);
    }
    assert_eq!(deepest.attr_path(), ["annex"; DEPTH]);
    deepest.defer(|h| h.kitchen.stove.temp = 99).unwrap();
    let temps = h
        .proxy()
        .unwrap()
        .call(|h| {
            let mut temps = vec![h.kitchen.stove.temp];
            let mut cur = h.annex.as_deref();
            while let Some(a) = cur {
                temps.push(a.kitchen.stove.temp);
                cur = a.annex.as_deref();
            }
            temps
        })
        .get_timeout(HANG)
        .unwrap();
    let mut expected = vec![20; DEPTH];
    expected.push(99);
    assert_eq!(temps, expected, "only the deepest house changed");
    assert!(h.stop());
}

#[test]
fn b5_7_traverse_reaches_a_trait_object() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let speaker: ActorProxy<House, dyn Speaker + Send> = h
        .proxy()
        .unwrap()
        .traverse("speaker", |h| h.speaker.as_mut());
    assert_eq!(
        speaker.call(|s| s.speak()).get_timeout(HANG).unwrap(),
        "polly #1"
    );
    assert_eq!(
        speaker.call(|s| s.speak()).get_timeout(HANG).unwrap(),
        "polly #2"
    );
    assert!(h.stop());
}

#[test]
fn b5_7_nested_calls_run_inside_the_actor_in_mailbox_order() {
    let rt = Runtime::builder()
        .threads(1)
        .thread_name("b5-7-pool")
        .build()
        .unwrap();
    let (ctl, g) = gate();
    let mut house = House::new();
    house.gate = Some(g);
    let h = house.start_in(&rt);
    let root = h.proxy().unwrap();
    let stove = root
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    root.defer(|h| h.gate.as_ref().unwrap().pass()).unwrap();
    ctl.wait_entered();

    let first = stove.call(|s| s.heat(1));
    root.defer(|h| h.kitchen.stove.temp *= 10).unwrap();
    let second = stove.call_with_context(|s, ctx| {
        (
            s.heat(1),
            ctx.actor_urn().to_owned(),
            thread::current().name().map(str::to_owned),
        )
    });
    assert!(
        !first.is_ready(),
        "a nested call ran while the actor was busy: not inside the actor"
    );
    ctl.open();
    assert_eq!(first.get_timeout(HANG).unwrap(), 21);
    let (temp, urn, thread_name) = second.get_timeout(HANG).unwrap();
    assert_eq!(temp, 211);
    assert_eq!(urn, h.actor_urn());
    assert!(
        thread_name
            .as_deref()
            .is_some_and(|n| n.starts_with("b5-7-pool")),
        "the nested call ran on {thread_name:?}"
    );
    assert!(h.stop());
}

#[test]
// The key's hash and equality are its actor and path, which never change.
#[allow(clippy::mutable_key_type)]
fn b5_7_nested_proxy_is_not_equal_to_the_root_proxy() {
    let rt = runtime(1);
    let mut house = House::new();
    house.annex = Some(Box::new(House::new()));
    let h = house.start_in(&rt);
    let root: ActorProxy<House, House> = h.proxy().unwrap();
    let annex: ActorProxy<House, House> = root.traverse("annex", annex_of);
    assert_ne!(root, annex);
    assert_eq!(annex.actor_ref(), root.actor_ref());
    assert_eq!(annex, root.traverse("annex", annex_of));
    let set: HashSet<_> = [root.clone(), annex.clone(), root.clone(), annex.clone()]
        .into_iter()
        .collect();
    assert_eq!(set.len(), 2);

    // Siblings of one type, different paths.
    let kitchen = root.traverse("kitchen", kitchen_of);
    let stove = kitchen.traverse("stove", stove_of);
    let spare = kitchen.traverse("spare_stove", spare_stove_of);
    assert_ne!(stove, spare);
    let dbg = format!("{annex:?}");
    assert!(dbg.contains("annex"), "{dbg}");
    assert!(format!("{spare:?}").contains("spare_stove"));
    assert!(!format!("{root:?}").contains("annex"));
    assert!(h.stop());
}

#[test]
fn b5_7_typed_traversal_reaches_two_levels_down() {
    let rt = runtime(1);
    let p = player(&rt);
    let proxy: PlayerProxy = p.typed_proxy().unwrap();
    let mixer: MixerProxy<Player> = proxy.mixer();
    let channel: ChannelProxy<Player> = mixer.channel();
    assert_eq!(channel.attr_path(), ["mixer", "channel"]);
    assert_eq!(channel.boost(3).get_timeout(HANG).unwrap(), 4);
    channel.boost_defer(2).unwrap();
    channel.set_name("right".into()).get_timeout(HANG).unwrap();
    mixer.mute_defer().unwrap();
    assert_eq!(channel.level().get_timeout(HANG).unwrap(), 6);
    assert_eq!(
        proxy
            .call(|p| (
                p.mixer.gain,
                p.mixer.channel.level,
                p.mixer.channel.name.clone()
            ))
            .get_timeout(HANG)
            .unwrap(),
        (0, 6, "right".to_owned()),
        "the nested calls did not change the actor's own objects"
    );
    assert_eq!(
        proxy.spare().get_timeout(HANG).unwrap().channel.level,
        1,
        "the unmarked field was changed"
    );
    assert!(p.stop());
}

#[test]
fn b5_7_typed_nested_method_with_context_runs_in_the_actor() {
    let rt = runtime(1);
    let p = player(&rt);
    let channel = p.typed_proxy().unwrap().mixer().channel();
    assert_eq!(
        channel.owner_urn().get_timeout(HANG).unwrap(),
        p.actor_urn()
    );
    assert!(p.stop());
}

#[test]
fn b5_7_unmarked_struct_field_gives_a_clone_not_a_proxy() {
    let rt = runtime(1);
    let p = player(&rt);
    let proxy: PlayerProxy = p.typed_proxy().unwrap();
    let original = proxy.spare().get_timeout(HANG).unwrap();
    let spare: Future<Mixer> = proxy.spare();
    let mut spare: Mixer = spare.get_timeout(HANG).unwrap();
    assert_eq!(spare, original);
    spare.gain = 99;
    spare.channel.level = 99;
    spare.channel.name = "changed".into();
    assert_eq!(
        proxy.spare().get_timeout(HANG).unwrap(),
        original,
        "changing the read value changed the actor"
    );
    // The marked field of the same type is a proxy: its writes reach the actor.
    proxy.mixer().set_gain(99).get_timeout(HANG).unwrap();
    assert_eq!(proxy.mixer().gain().get_timeout(HANG).unwrap(), 99);
    assert!(p.stop());
}

#[test]
fn b5_7_a_method_returning_a_traversable_object_gives_a_value_not_a_proxy() {
    let rt = runtime(1);
    let p = player(&rt);
    let proxy: PlayerProxy = p.typed_proxy().unwrap();
    let snapshot: Future<Mixer> = proxy.mixer_snapshot();
    let mut snapshot = snapshot.get_timeout(HANG).unwrap();
    assert_eq!(snapshot.channel.name, "left");
    snapshot.channel.level = 50;
    assert_eq!(
        proxy.mixer().channel().level().get_timeout(HANG).unwrap(),
        1
    );
    assert!(p.stop());
}

#[test]
fn b5_7_typed_nested_proxies_compare_by_path_and_name_their_field() {
    let rt = runtime(1);
    let p = player(&rt);
    let proxy: PlayerProxy = p.typed_proxy().unwrap();
    assert_eq!(proxy.mixer(), proxy.mixer());
    assert_eq!(proxy.mixer().channel(), proxy.mixer().channel());
    assert_eq!(hash_of(&proxy.mixer()), hash_of(&proxy.mixer()));
    let mixer = format!("{:?}", proxy.mixer());
    assert!(mixer.contains("mixer"), "{mixer}");
    let channel = format!("{:?}", proxy.mixer().channel());
    assert!(
        channel.contains("mixer") && channel.contains("channel"),
        "{channel}"
    );
    assert!(!format!("{proxy:?}").contains("mixer"));
    assert!(p.stop());
}

// =============================================================================================
// b5_8: typed proxies (Pykka's test_typed_proxy.py)

#[test]
fn b5_8_typed_proxy_reads_a_field() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let text: Future<String> = proxy.text();
    assert_eq!(text.get_timeout(HANG).unwrap(), "The cake is a lie");
    assert!(c.stop());
}

#[test]
fn b5_8_typed_proxy_reads_a_field_of_a_traversable_object() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let constants: ConstantsProxy<Circle> = proxy.constants();
    let pi: Future<f64> = constants.pi();
    assert_eq!(pi.get_timeout(HANG).unwrap(), PYKKA_PI);
    assert!(c.stop());
}

#[test]
fn b5_8_typed_proxy_method_returns_a_future_of_its_value() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let area: Future<f64> = proxy.area(2.0);
    let area = area.get_timeout(HANG).unwrap();
    assert!((area - 12.56).abs() < 1e-9, "area(2.0) = {area}");
    // The method reads the value written through the nested proxy.
    proxy.constants().set_pi(3.0).get_timeout(HANG).unwrap();
    assert_eq!(proxy.area(2.0).get_timeout(HANG).unwrap(), 12.0);
    assert!(c.stop());
}

#[test]
fn b5_8_typed_proxy_deferred_method_and_setter() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let told: Result<(), ActorDeadError> = proxy.shout_defer();
    assert_eq!(told, Ok(()));
    assert_eq!(
        proxy.text().get_timeout(HANG).unwrap(),
        "The cake is a lie!"
    );
    proxy
        .set_text("Still alive".into())
        .get_timeout(HANG)
        .unwrap();
    let _shouted = proxy.shout();
    assert_eq!(proxy.text().get_timeout(HANG).unwrap(), "Still alive!");
    assert!(c.stop());
}

#[test]
fn b5_8_typed_proxy_can_stop_the_actor() {
    let rt = runtime(1);
    let (c, stops) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let stopped: Future<bool> = proxy.stop();
    assert!(stopped.get_timeout(HANG).unwrap());
    assert_eq!(
        stops.load(Ordering::SeqCst),
        1,
        "proxy.stop() resolved before on_stop returned"
    );
    assert!(!c.is_alive());
    assert!(!proxy.actor_ref().is_alive());
    assert!(!proxy.stop().get_timeout(HANG).unwrap());
    assert!(c.typed_proxy().is_err());
    expect_actor_dead(proxy.text().get_timeout(HANG));
    assert!(proxy.shout_defer().is_err());
}

#[test]
fn b5_8_plain_proxy_can_stop_the_actor() {
    let rt = runtime(1);
    let (a, hooks) = pet(&rt);
    let p = a.proxy().unwrap();
    assert!(p.stop().get_timeout(HANG).unwrap());
    assert_eq!(hooks.stops(), 1);
    assert!(!a.is_alive());
}

#[test]
fn b5_8_typed_proxy_derefs_to_its_actor_proxy() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let plain: &ActorProxy<Circle> = &proxy;
    assert_eq!(*plain, c.proxy().unwrap());
    assert!(proxy.attr_path().is_empty());
    assert_eq!(proxy.actor_ref(), &c);
    assert_eq!(
        proxy.call(|c| c.area(1.0)).get_timeout(HANG).unwrap(),
        PYKKA_PI
    );
    proxy.defer(|c| c.text.clear()).unwrap();
    assert_eq!(proxy.text().get_timeout(HANG).unwrap(), "");
    assert_eq!(
        proxy
            .constants()
            .call(|k| k.pi * 2.0)
            .get_timeout(HANG)
            .unwrap(),
        PYKKA_PI * 2.0
    );
    assert!(c.stop());
}

#[test]
fn b5_8_typed_proxy_works_from_another_thread() {
    let rt = runtime(2);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let sent = proxy.clone();
    let area = thread::spawn(move || sent.area(1.0).get_timeout(HANG).unwrap())
        .join()
        .unwrap();
    assert_eq!(area, PYKKA_PI);
    assert!(c.stop());
}

// =============================================================================================
// b5_9: Debug

#[test]
fn b5_9_debug_of_a_proxy_is_pykkas_repr() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let repr = format!("{p:?}");
    assert_eq!(
        repr,
        format!("<ActorProxy for Pet ({}), attr_path=()>", a.actor_urn())
    );
    assert!(repr.starts_with('<') && repr.ends_with('>'), "{repr}");
    assert!(repr.contains("ActorProxy"), "{repr}");
    assert!(repr.contains("Pet"), "{repr}");
    assert!(repr.contains(a.actor_urn()), "{repr}");
    assert!(a.stop());
}

#[test]
fn b5_9_debug_of_a_nested_proxy_names_its_path() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let kitchen = h.proxy().unwrap().traverse("kitchen", kitchen_of);
    let stove = kitchen.traverse("stove", stove_of);
    let urn = h.actor_urn();
    assert_eq!(
        format!("{kitchen:?}"),
        format!("<ActorProxy for House ({urn}), attr_path=('kitchen',)>")
    );
    assert_eq!(
        format!("{stove:?}"),
        format!("<ActorProxy for House ({urn}), attr_path=('kitchen', 'stove')>")
    );
    assert!(h.stop());
}

#[test]
fn b5_9_debug_of_a_typed_proxy_is_its_actor_proxys() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let urn = c.actor_urn();
    assert_eq!(
        format!("{proxy:?}"),
        format!("<ActorProxy for Circle ({urn}), attr_path=()>")
    );
    assert_eq!(format!("{proxy:?}"), format!("{:?}", c.proxy().unwrap()));
    assert_eq!(
        format!("{:?}", proxy.constants()),
        format!("<ActorProxy for Circle ({urn}), attr_path=('constants',)>")
    );
    assert!(c.stop());
}

#[test]
fn b5_9_debug_of_a_proxy_still_names_the_actor_after_it_died() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let before = format!("{p:?}");
    assert!(a.stop());
    assert_eq!(format!("{p:?}"), before);
    assert!(before.contains(a.actor_urn()));
}
