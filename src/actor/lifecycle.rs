//! How actors end and who hears of it: the stop reason, watching (`Terminated`), and the
//! per-actor extension that holds the watchers, the parent-child links and the supervision.
//! The protocols that use them (death, watch against death, kill, a parent's end) are in
//! `cell::death`.
//!
//! # What an idle actor pays: nothing
//!
//! The extension (`Ext`) is made on first need (a URN asked for, a watch, a child, a kill), in
//! the `OnceBox` of the cell that would otherwise hold only the URN text: the URN text, a
//! `killed` flag, and under its own mutex the watchers, the actors watched, the children and
//! (for a child) its supervision. How an actor ended (its *fate*: stopped, panicked, killed) is
//! one byte in the mailbox state, in what was padding; `Cell<A>` for a zero-sized actor stays
//! 88 bytes (a unit test in `cell` holds it).
//!
//! Every operation on the extension is O(1) or O(log n): children in a `BTreeMap` by start
//! number (each child keeps its number and a `Weak` to its parent), watchers and watched actors
//! in hash maps, so 100 000 children killed one by one never scan a list.

use crate::actor::actor_ref::{ActorRef, AnyActorRef};
use crate::actor::cell::AnyCell;
use crate::actor::supervisor::Supervised;
use crate::actor::Actor;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

/// How an actor ended, as told to its watchers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StopReason {
    /// A stop request (Pykka's poison pill: `stop`, `stop_all`, runtime shutdown, a stopping
    /// parent) was handled; `on_stop` ran.
    Stopped,
    /// A panic ended it (in `on_start`, or a tell's handler) and no supervisor kept it alive;
    /// `on_failure` ran.
    Panicked,
    /// It was killed ([`ActorRef::kill`], a killed parent, a runtime gone before it could run, or
    /// an unregistered actor dropped while never stopped); no hook ran.
    Killed,
}

impl StopReason {
    pub(crate) fn code(self) -> u8 {
        match self {
            StopReason::Stopped => 1,
            StopReason::Panicked => 2,
            StopReason::Killed => 3,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(StopReason::Stopped),
            2 => Some(StopReason::Panicked),
            3 => Some(StopReason::Killed),
            _ => None,
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopReason::Stopped => "stopped",
            StopReason::Panicked => "panicked",
            StopReason::Killed => "killed",
        })
    }
}

/// What a watcher's [`Actor::on_terminated`] receives: which actor ended, and how.
///
/// It names the actor rather than holding it, so a dead actor is not kept alive by its
/// watchers; compare with [`is`](Self::is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terminated {
    pub(crate) id: u128,
    pub(crate) urn: String,
    pub(crate) class: &'static str,
    pub(crate) reason: StopReason,
}

impl Terminated {
    /// The URN of the actor that ended.
    pub fn actor_urn(&self) -> &str {
        &self.urn
    }

    /// The class (short type name) of the actor that ended.
    pub fn actor_class(&self) -> &'static str {
        self.class
    }

    /// How it ended.
    pub fn reason(&self) -> StopReason {
        self.reason
    }

    /// Whether `actor` is the actor that ended.
    pub fn is<A: Actor>(&self, actor: &ActorRef<A>) -> bool {
        actor.cell().id() == self.id
    }
}

/// Something [`Context::watch`](crate::Context::watch) can watch: an [`ActorRef`] or an
/// [`AnyActorRef`].
pub trait Watchable: sealed::Sealed {
    /// The watched actor as an [`AnyActorRef`].
    fn to_any_ref(&self) -> AnyActorRef;
}

impl<A: Actor> Watchable for ActorRef<A> {
    fn to_any_ref(&self) -> AnyActorRef {
        AnyActorRef::from(self.clone())
    }
}

impl Watchable for AnyActorRef {
    fn to_any_ref(&self) -> AnyActorRef {
        self.clone()
    }
}

mod sealed {
    pub trait Sealed {}
    impl<A: crate::Actor> Sealed for crate::ActorRef<A> {}
    impl Sealed for crate::AnyActorRef {}
}

/// Told to a watcher when its target dies; implemented by every cell.
pub(crate) trait Notify: Send + Sync {
    fn terminated(self: Arc<Self>, t: Terminated);
}

/// The extension of an actor that needed one: its URN text, who watches it, whom it watches,
/// its children, and (for a supervised child) its supervision.
pub(crate) struct Ext {
    pub(crate) urn: String,
    /// Set by `kill`; the thread running the actor checks it before each message.
    pub(crate) killed: AtomicBool,
    life: Mutex<Life>,
    /// `actor::asynchronous::Parts<A>` (the waker, and the handler suspended between polls),
    /// made on the first async message.
    pub(crate) async_parts: std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>,
    /// Senders waiting for room in a full bounded mailbox (`Actor::MAILBOX_CAPACITY`). A leaf
    /// lock, taken under the mailbox's lock when a sender registers; see `Cell::push_waiting`.
    pub(crate) full_waiters: std::sync::Mutex<Vec<crate::future::Promise<()>>>,
    /// The stash (`actor::stash`): a `Mutex<VecDeque<Envelope<A>>>`, made on the first stash.
    pub(crate) stash: std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>,
    /// An async handler asked to unstash (`Context::unstash_all`): done when it has ended.
    pub(crate) unstash_asked: AtomicBool,
    /// An urgent message was queued (`ActorRef::tell_urgent`): the thread running the actor
    /// moves it ahead of its batch's ordinary messages before the next one.
    pub(crate) urgent: AtomicBool,
    /// The actor's metrics, if its runtime keeps them (`Runtime::builder().actor_metrics`).
    pub(crate) metrics: once_cell::race::OnceBox<Counters>,
}

/// One actor's metrics (`debug::ActorSnapshot::metrics`). Counted once per activation, by the thread
/// that ran it, so they lag by at most the activation in progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActorMetrics {
    /// Envelopes run: messages told and asked, proxy calls, stop requests.
    pub handled: u64,
    /// Time spent running the actor (its handlers, and what the library does around each):
    /// wall-clock time of its activations, including time blocked in `get()` inside a handler.
    pub busy: std::time::Duration,
    /// The most messages its mailbox held at once, as the thread running the actor found it
    /// (the queue only grows between two of its takes, so this is the queue's peak; messages a
    /// sender could not queue, or that a running batch already held, are not counted).
    pub mailbox_high_water: usize,
}

/// Per-actor metrics, updated once per activation by the thread that ran it.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) handled: std::sync::atomic::AtomicU64,
    pub(crate) busy_nanos: std::sync::atomic::AtomicU64,
    pub(crate) high_water: std::sync::atomic::AtomicUsize,
}

impl Counters {
    /// Adds one activation: `handled` envelopes run in `busy`, the longest queue it found.
    pub(crate) fn record(&self, handled: usize, busy: std::time::Duration, seen: usize) {
        // ORDERING: Relaxed: counters read by snapshots as a hint, never to synchronise.
        self.handled.fetch_add(handled as u64, Ordering::Relaxed);
        let nanos = u64::try_from(busy.as_nanos()).unwrap_or(u64::MAX);
        self.busy_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.high_water.fetch_max(seen, Ordering::Relaxed);
    }

    pub(crate) fn read(&self) -> ActorMetrics {
        ActorMetrics {
            handled: self.handled.load(Ordering::Relaxed),
            busy: std::time::Duration::from_nanos(self.busy_nanos.load(Ordering::Relaxed)),
            mailbox_high_water: self.high_water.load(Ordering::Relaxed),
        }
    }
}

/// Every operation on these is O(1) or O(log n): an actor may have 100 000 children or watch
/// 100 000 actors, and each of their deaths must not scan a list.
#[derive(Default)]
pub(crate) struct Life {
    /// Watchers of this actor, by id, with a weak handle (a watcher may die first).
    watchers: HashMap<u128, Weak<dyn Notify>>,
    /// Actors this one watches; a notification is delivered only while its target is here.
    watching: HashSet<u128>,
    /// Children by their number in this parent's start order (each child keeps its number, in
    /// its `Supervised`, to leave the map when it dies).
    children: BTreeMap<u64, Arc<dyn AnyCell>>,
    next_child: u64,
    pub(crate) supervised: Option<Box<Supervised>>,
}

impl Ext {
    pub(crate) fn new(id: u128) -> Self {
        Ext {
            urn: crate::base::urn::format(id),
            killed: AtomicBool::new(false),
            life: Mutex::new(Life::default()),
            async_parts: std::sync::OnceLock::new(),
            full_waiters: std::sync::Mutex::new(Vec::new()),
            stash: std::sync::OnceLock::new(),
            unstash_asked: AtomicBool::new(false),
            urgent: AtomicBool::new(false),
            metrics: once_cell::race::OnceBox::new(),
        }
    }

    pub(crate) fn life(&self) -> MutexGuard<'_, Life> {
        self.life.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn is_killed(&self) -> bool {
        // ORDERING: Acquire pairs with the Release in `kill`; only a hint to stop early (the
        // mailbox lock orders everything else).
        self.killed.load(Ordering::Acquire)
    }

    /// Adds a watcher; `false` if it was already watching.
    pub(crate) fn add_watcher(&self, id: u128, watcher: Weak<dyn Notify>) -> bool {
        let mut life = self.life();
        if life.watchers.contains_key(&id) {
            return false;
        }
        life.watchers.insert(id, watcher);
        true
    }

    pub(crate) fn remove_watcher(&self, id: u128) {
        self.life().watchers.remove(&id);
    }

    /// Starts watching `target`; `false` if already watching it.
    pub(crate) fn start_watching(&self, target: u128) -> bool {
        self.life().watching.insert(target)
    }

    /// Stops watching `target`; `true` if it was watched (so a notification may be delivered).
    pub(crate) fn stop_watching(&self, target: u128) -> bool {
        self.life().watching.remove(&target)
    }

    /// Lists a child; returns its number in this parent's start order.
    pub(crate) fn add_child(&self, child: Arc<dyn AnyCell>) -> u64 {
        let mut life = self.life();
        let n = life.next_child;
        life.next_child += 1;
        life.children.insert(n, child);
        n
    }

    /// Unlists the child with number `n` (it died).
    pub(crate) fn remove_child(&self, n: u64) {
        // Dropped outside the lock: the last reference to a cell runs its drop.
        let child = self.life().children.remove(&n);
        drop(child);
    }

    /// Whether any child is listed.
    pub(crate) fn has_children(&self) -> bool {
        !self.life().children.is_empty()
    }

    /// The children, last started first, left listed.
    pub(crate) fn children_last_first(&self) -> Vec<Arc<dyn AnyCell>> {
        self.life().children.values().rev().cloned().collect()
    }

    /// Takes the children, last started first.
    pub(crate) fn take_children(&self) -> Vec<Arc<dyn AnyCell>> {
        let children = std::mem::take(&mut self.life().children);
        children.into_values().rev().collect()
    }

    /// Tells every watcher (each exactly once: they are taken out under the lock) that the actor
    /// ended.
    pub(crate) fn notify_watchers(&self, id: u128, class: &'static str, reason: StopReason) {
        let watchers = std::mem::take(&mut self.life().watchers);
        for w in watchers.into_values() {
            if let Some(w) = w.upgrade() {
                w.terminated(Terminated {
                    id,
                    urn: self.urn.clone(),
                    class,
                    reason,
                });
            }
        }
    }
}

impl Ext {
    /// The children that are alive, in start order.
    pub(crate) fn children(&self) -> Vec<AnyActorRef> {
        self.life()
            .children
            .values()
            .filter(|c| c.is_alive())
            .map(|c| AnyActorRef::new(Arc::clone(c)))
            .collect()
    }
}
