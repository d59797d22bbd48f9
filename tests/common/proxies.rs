//! The actors and helpers shared by the `proxies_*` test files (section 5 of `pykka-behaviors.md`,
//! proxies, with the upstream proxy tests of `pykka-reference.md` 2.7 - 2.10 that make sense in
//! Rust): `Pet`, `House`, `Player` and `Circle`, with the hang guard and the checks on errors those
//! files use.
//!
//! Not ported, because Rust decides them at compile time: unknown or private attributes and methods
//! (`AttributeError`), read-only properties, `dir(proxy)`, attributes or methods added at runtime,
//! mocks, and the `traversable()` marker mechanisms (here `traverse` or `#[proxy(traversable)]`).

use super::Gate;
use pykka::{Actor, ActorDeadError, Context, Error, Failure, Receive, Runtime};
use std::collections::hash_map::DefaultHasher;
use std::fmt::Debug;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Hang guard for every blocking wait in the `proxies_*` files.
pub(crate) const HANG: Duration = Duration::from_secs(10);

pub(crate) fn runtime(threads: usize) -> Runtime {
    Runtime::builder().threads(threads).build().unwrap()
}

pub(crate) fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Pykka's `"<Class> (<urn>) not found"`.
pub(crate) fn not_found(class: &str, urn: &str) -> String {
    format!("{class} ({urn}) not found")
}

pub(crate) fn stopped_before_handling(class: &str, urn: &str) -> String {
    format!("{class} ({urn}) stopped before handling the message")
}

#[track_caller]
pub(crate) fn expect_actor_dead<T: Debug>(result: Result<T, Error>) -> ActorDeadError {
    match result {
        Err(Error::ActorDead(e)) => e,
        other => panic!("expected Error::ActorDead, got {other:?}"),
    }
}

#[track_caller]
pub(crate) fn expect_panicked<T: Debug>(result: Result<T, Error>) -> Failure {
    match result {
        Err(Error::Panicked(f)) => f,
        other => panic!("expected Error::Panicked, got {other:?}"),
    }
}

/// Waits until the actor value holding the sender has been dropped: the library drops it after
/// the last hook of a dying actor has returned.
#[track_caller]
pub(crate) fn wait_dropped(rx: &Receiver<()>) {
    assert_eq!(
        rx.recv_timeout(HANG),
        Err(RecvTimeoutError::Disconnected),
        "hang guard: the actor value was not dropped"
    );
}

// ---------------------------------------------------------------------------------------------
// A gate (`Gate`, `GateCtl`, `gate()`: `super`) holds an actor inside a handler until the test
// opens it.

// ---------------------------------------------------------------------------------------------
// Pet: Pykka's `StaticMethodActor` and attribute-access actor, with hooks the test can observe.

#[derive(Default)]
pub(crate) struct Hooks {
    on_stop: AtomicUsize,
    on_failure: Mutex<Vec<String>>,
}

impl Hooks {
    pub(crate) fn failures(&self) -> Vec<String> {
        self.on_failure.lock().unwrap().clone()
    }

    pub(crate) fn stops(&self) -> usize {
        self.on_stop.load(Ordering::SeqCst)
    }
}

#[pykka::proxy]
pub(crate) struct Pet {
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

    #[proxy(skip)]
    pub(crate) fn block(&self) {
        if let Some(g) = &self.gate {
            g.pass();
        }
    }
}

impl Pet {
    pub(crate) fn new(hooks: &Arc<Hooks>) -> Self {
        Pet {
            cat: "dog".into(),
            log: Vec::new(),
            hooks: Arc::clone(hooks),
            gate: None,
            _alive: None,
        }
    }

    pub(crate) fn with_gate(mut self, g: Gate) -> Self {
        self.gate = Some(g);
        self
    }

    pub(crate) fn with_drop_signal(mut self) -> (Self, Receiver<()>) {
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

pub(crate) fn pet(rt: &Runtime) -> (pykka::ActorRef<Pet>, Arc<Hooks>) {
    let hooks = Arc::new(Hooks::default());
    (Pet::new(&hooks).start_in(rt), hooks)
}

// ---------------------------------------------------------------------------------------------
// House: nested objects reached with `traverse` (the closure API), to any depth.

pub(crate) struct Knob {
    pub(crate) position: u8,
}

pub(crate) struct Stove {
    pub(crate) temp: u32,
    pub(crate) knob: Knob,
}

impl Stove {
    pub(crate) fn heat(&mut self, by: u32) -> u32 {
        self.temp += by;
        self.temp
    }
}

pub(crate) struct Kitchen {
    pub(crate) stove: Stove,
    pub(crate) spare_stove: Stove,
}

pub(crate) trait Speaker {
    fn speak(&mut self) -> String;
}

pub(crate) struct Parrot {
    said: u32,
}

impl Speaker for Parrot {
    fn speak(&mut self) -> String {
        self.said += 1;
        format!("polly #{}", self.said)
    }
}

pub(crate) struct House {
    pub(crate) kitchen: Kitchen,
    pub(crate) speaker: Box<dyn Speaker + Send>,
    /// A house inside the house: a nested target of the actor's own type.
    pub(crate) annex: Option<Box<House>>,
    pub(crate) gate: Option<Gate>,
}

impl House {
    pub(crate) fn new() -> Self {
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

pub(crate) fn kitchen_of(h: &mut House) -> &mut Kitchen {
    &mut h.kitchen
}

pub(crate) fn stove_of(k: &mut Kitchen) -> &mut Stove {
    &mut k.stove
}

pub(crate) fn spare_stove_of(k: &mut Kitchen) -> &mut Stove {
    &mut k.spare_stove
}

pub(crate) fn knob_of(s: &mut Stove) -> &mut Knob {
    &mut s.knob
}

pub(crate) fn annex_of(h: &mut House) -> &mut House {
    h.annex.as_deref_mut().expect("the house has an annex")
}

// ---------------------------------------------------------------------------------------------
// Player: nested objects reached with the macro, to depth 2, and an unmarked struct field.

#[pykka::proxy]
pub(crate) struct Player {
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
pub(crate) struct Mixer {
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
pub(crate) struct Channel {
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

pub(crate) fn player(rt: &Runtime) -> pykka::ActorRef<Player> {
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
pub(crate) const PYKKA_PI: f64 = 3.14;

#[pykka::proxy]
pub(crate) struct Circle {
    pub(crate) text: String,
    #[proxy(traversable)]
    pub(crate) constants: Constants,
    stops: Arc<AtomicUsize>,
}

#[pykka::proxy(traversable)]
pub(crate) struct Constants {
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

pub(crate) fn circle(rt: &Runtime) -> (pykka::ActorRef<Circle>, Arc<AtomicUsize>) {
    let stops = Arc::new(AtomicUsize::new(0));
    let c = Circle {
        text: "The cake is a lie".into(),
        constants: Constants { pi: PYKKA_PI },
        stops: Arc::clone(&stops),
    }
    .start_in(rt);
    (c, stops)
}
