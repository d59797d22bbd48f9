//! The registry of running actors, one per runtime: lookup by URN in O(1), listing in start
//! order. Sharded by the (random) id so that concurrent starts rarely share a lock.

use crate::actor::Actor;
use crate::actor_ref::{ActorRef, AnyActorRef};
use crate::cell::AnyCell;
use crate::runtime::Runtime;
use hashbrown::hash_table::{self, HashTable};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

const SHARDS: usize = 64;

/// Ids are random (UUID v4) but for 6 fixed version/variant bits, which land in the top bits of
/// each 64-bit half; hashbrown takes its 7-bit control tag from the hash's top bits, so the halves
/// are folded and multiplied to spread every random bit.
fn hash(id: u128) -> u64 {
    let folded = (id as u64) ^ ((id >> 64) as u64).rotate_left(32);
    folded.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A registered actor and its place in the start order. The id is read from the cell, so an
/// entry is 24 bytes (a `HashMap<u128, _>` would add the 16-byte key).
struct Entry {
    seq: u64,
    cell: Arc<dyn AnyCell>,
}

type Shard = HashTable<Entry>;

pub(crate) struct Registry {
    shards: Box<[Mutex<Shard>]>,
    next_seq: AtomicU64,
}

impl Registry {
    pub(crate) fn new() -> Self {
        Registry {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::new())).collect(),
            next_seq: AtomicU64::new(0),
        }
    }

    fn shard(&self, id: u128) -> std::sync::MutexGuard<'_, Shard> {
        // The id's top bits pick the shard (independent of the bits the hash favours).
        self.shards[(id >> 122) as usize % SHARDS]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers (or re-registers, at the end of the start order) a cell.
    pub(crate) fn register(&self, cell: Arc<dyn AnyCell>) {
        // ORDERING: Relaxed; the sequence only needs to be unique and increasing per thread.
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        let id = cell.id();
        let mut shard = self.shard(id);
        match shard.entry(hash(id), |e| e.cell.id() == id, |e| hash(e.cell.id())) {
            hash_table::Entry::Occupied(mut o) => *o.get_mut() = Entry { seq, cell },
            hash_table::Entry::Vacant(v) => {
                v.insert(Entry { seq, cell });
            }
        }
    }

    /// `true` if it was registered.
    pub(crate) fn unregister(&self, id: u128) -> bool {
        let mut shard = self.shard(id);
        match shard.find_entry(hash(id), |e| e.cell.id() == id) {
            Ok(o) => {
                let (removed, _) = o.remove();
                drop(shard);
                drop(removed);
                true
            }
            Err(_) => false,
        }
    }

    pub(crate) fn get(&self, id: u128) -> Option<Arc<dyn AnyCell>> {
        self.shard(id)
            .find(hash(id), |e| e.cell.id() == id)
            .map(|e| Arc::clone(&e.cell))
    }

    /// Every registered actor, in start order.
    pub(crate) fn all(&self) -> Vec<Arc<dyn AnyCell>> {
        let mut v: Vec<(u64, Arc<dyn AnyCell>)> = Vec::new();
        for shard in self.shards.iter() {
            let s = shard.lock().unwrap_or_else(PoisonError::into_inner);
            v.extend(s.iter().map(|e| (e.seq, Arc::clone(&e.cell))));
        }
        v.sort_unstable_by_key(|(seq, _)| *seq);
        v.into_iter().map(|(_, c)| c).collect()
    }
}

/// The default runtime's registry of running actors (Pykka's `ActorRegistry`).
///
/// Actors are registered when started and unregistered when they die. Each [`Runtime`] has its
/// own registry; these functions use [`Runtime::global`]'s.
#[derive(Debug)]
pub struct ActorRegistry;

impl ActorRegistry {
    /// Every running actor, in start order.
    ///
    /// ```
    /// use pykka::{Actor, ActorRegistry};
    /// struct A;
    /// impl Actor for A {}
    /// let a = A.start();
    /// assert!(ActorRegistry::get_all().iter().any(|r| r.actor_urn() == a.actor_urn()));
    /// a.stop();
    /// ```
    pub fn get_all() -> Vec<AnyActorRef> {
        Runtime::global().registered()
    }

    /// The actor with this URN, or `None`.
    ///
    /// ```
    /// use pykka::ActorRegistry;
    /// assert!(ActorRegistry::get_by_urn("urn:uuid:00000000-0000-4000-8000-000000000000").is_none());
    /// ```
    pub fn get_by_urn(urn: &str) -> Option<AnyActorRef> {
        Runtime::global().get_by_urn(urn)
    }

    /// Stops every actor, last started first, each blocking until it has stopped.
    pub fn stop_all() -> Vec<bool> {
        Runtime::global().stop_all()
    }

    /// Queues a stop on every actor, last started first, without waiting.
    pub fn request_stop_all() -> Vec<crate::Future<bool>> {
        Runtime::global().request_stop_all()
    }

    /// Every running actor of class `A`, in start order. An actor of another class is never
    /// returned: the type is checked here, at lookup.
    ///
    /// ```
    /// use pykka::{Actor, ActorRegistry};
    /// struct A;
    /// impl Actor for A {}
    /// let a = A.start();
    /// assert!(ActorRegistry::get_by_class::<A>().contains(&a));
    /// a.stop();
    /// ```
    pub fn get_by_class<A: Actor>() -> Vec<ActorRef<A>> {
        Runtime::global().get_by_class::<A>()
    }

    /// Every running actor whose class (the type's short name) is `name`.
    pub fn get_by_class_name(name: &str) -> Vec<AnyActorRef> {
        Runtime::global().get_by_class_name(name)
    }

    /// Tells a clone of `message` to every running actor whose message type is `M`, among the
    /// types declared with [`declare_receiver`](Self::declare_receiver). See
    /// [`Runtime::broadcast`] for why the declaration is needed.
    pub fn broadcast<M: Clone + Send + 'static>(message: M) -> usize {
        Runtime::global().broadcast(message)
    }

    /// Tells a clone of `message` to every running actor of class `A` (Pykka's
    /// `broadcast(message, target_class=A)`).
    pub fn broadcast_to<A>(message: A::Message) -> usize
    where
        A: crate::Receive,
        A::Message: Clone,
    {
        Runtime::global().broadcast_to::<A>(message)
    }

    /// Lets actors of type `A` receive [`broadcast`](Self::broadcast)s by message type.
    pub fn declare_receiver<A: crate::Receive>() {
        crate::broadcast::declare::<A>()
    }

    /// Registers an actor (again). It goes to the end of the start order.
    pub fn register<A: Actor>(actor: &ActorRef<A>) {
        Runtime::global().register(actor)
    }

    /// Unregisters an actor. Unregistering twice is not an error.
    pub fn unregister<A: Actor>(actor: &ActorRef<A>) {
        Runtime::global().unregister(actor)
    }
}
