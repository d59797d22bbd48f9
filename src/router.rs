//! Routers: several actors of one type behind one handle (Akka's routers and pools, ractor's
//! `factory`, kameo's `ActorPool`).
//!
//! A [`Router`] holds routees (any [`ActorRef<A>`]: started by you, children with their own
//! supervision, dedicated or pooled) and a [`Routing`] strategy. It is a handle, not an actor:
//! `tell` and `ask` go straight to the chosen routee's mailbox, with no hop through a router
//! actor, so a routed tell costs a direct tell plus the choice.
//!
//! A routee that fails follows its own supervision: restarted or resumed in place, it keeps its
//! `ActorRef` and stays routed; stopped, it is dead and the router drops it at the next message
//! that would have gone to it and routes that message to a live routee instead. A message is
//! refused (handed back, or its future failed with `ActorDead`) only when no routee is alive.

use crate::actor::actor_ref::ActorRef;
use crate::actor::Receive;
use crate::base::error::{ActorDeadError, Error, TellError};
use crate::future::{promise, Future};
use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

/// How a [`Router`] picks the routee of each message.
pub enum Routing<M> {
    /// Each routee in turn.
    RoundRobin,
    /// A routee picked at random (a per-thread generator, no lock).
    Random,
    /// The least loaded routee: a scan from a rotating start of each routee's queued messages,
    /// plus one if it is running a message (the messages its worker already took into a batch
    /// are not counted), stopping at an idle one; a mailbox locked at that instant counts as
    /// busy. A best-effort choice (as Akka's, which also prefers a routee that is not
    /// processing): the cost grows with the number of routees.
    SmallestMailbox,
    /// The routee given by a key of the message, by rendezvous hashing: the same key goes to the
    /// same routee while it lives, and adding or removing a routee moves only the keys that go
    /// to (or went to) that routee.
    ConsistentHash(Arc<dyn Fn(&M) -> u64 + Send + Sync>),
}

impl<M> Routing<M> {
    /// [`ConsistentHash`](Self::ConsistentHash) by `key`.
    pub fn consistent_hash(key: impl Fn(&M) -> u64 + Send + Sync + 'static) -> Self {
        Routing::ConsistentHash(Arc::new(key))
    }
}

impl<M> fmt::Debug for Routing<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Routing::RoundRobin => "RoundRobin",
            Routing::Random => "Random",
            Routing::SmallestMailbox => "SmallestMailbox",
            Routing::ConsistentHash(_) => "ConsistentHash",
        })
    }
}

/// A routee and its hash seed (from its URN, made once: consistent hashing reads it per message).
struct Routee<A: Receive> {
    actor: ActorRef<A>,
    seed: u64,
}

impl<A: Receive> Clone for Routee<A> {
    fn clone(&self) -> Self {
        Routee {
            actor: self.actor.clone(),
            seed: self.seed,
        }
    }
}

impl<A: Receive> Routee<A> {
    fn new(actor: ActorRef<A>) -> Self {
        let mut h = DefaultHasher::new();
        actor.actor_urn().hash(&mut h);
        Routee {
            seed: h.finish(),
            actor,
        }
    }
}

/// A 64-bit mixer (splitmix64's finaliser): the rendezvous weight of a key for a routee.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

struct Inner<A: Receive> {
    /// Copied on resize (rare), read on every message.
    routees: RwLock<Arc<[Routee<A>]>>,
    next: AtomicUsize,
    routing: Routing<A::Message>,
}

/// Several actors of one type behind one handle: `tell`, `ask`, `broadcast`, `stop`, and resizing
/// with [`add`](Self::add) and [`remove`](Self::remove). Cheap to clone and `Send + Sync`.
///
/// ```
/// use pykka::{Actor, Context, Receive, Router, Routing};
///
/// struct Worker(u32);
/// impl Actor for Worker {}
/// impl Receive for Worker {
///     type Message = u32;
///     type Reply = (u32, u32);
///     fn on_receive(&mut self, job: u32, _: &mut Context<Self>) -> (u32, u32) { (self.0, job * 2) }
/// }
///
/// let pool = Router::new(Routing::RoundRobin, (0..3).map(|id| Worker(id).start()));
/// let who: Vec<u32> = (0..6).map(|j| pool.ask(j).get().unwrap().0).collect();
/// assert_eq!(who, [0, 1, 2, 0, 1, 2]);
///
/// // By key: the same key always reaches the same worker.
/// let sharded = Router::new(Routing::consistent_hash(|job: &u32| u64::from(job % 10)), pool.routees());
/// let first = sharded.ask(13).get().unwrap().0;
/// assert_eq!(sharded.ask(23).get().unwrap().0, first);
/// pool.stop();
/// assert!(pool.tell(1).is_err(), "no routee left alive");
/// ```
pub struct Router<A: Receive> {
    inner: Arc<Inner<A>>,
}

impl<A: Receive> Clone for Router<A> {
    fn clone(&self) -> Self {
        Router {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<A: Receive> fmt::Debug for Router<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("routing", &self.inner.routing)
            .field("routees", &self.snapshot().len())
            .finish()
    }
}

/// The error of a router with no live routee.
struct NoRoutee(&'static str);

impl fmt::Display for NoRoutee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Router of {} with no live routee", self.0)
    }
}

impl<A: Receive> Router<A> {
    /// A router over `routees` (none is allowed: add them later).
    pub fn new(
        routing: Routing<A::Message>,
        routees: impl IntoIterator<Item = ActorRef<A>>,
    ) -> Self {
        Router {
            inner: Arc::new(Inner {
                routees: RwLock::new(routees.into_iter().map(Routee::new).collect()),
                next: AtomicUsize::new(0),
                routing,
            }),
        }
    }

    fn snapshot(&self) -> Arc<[Routee<A>]> {
        Arc::clone(
            &self
                .inner
                .routees
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    fn no_routee() -> ActorDeadError {
        ActorDeadError::not_found(&NoRoutee(crate::base::type_name::short_type_name::<A>()))
    }

    /// The routees, in order.
    pub fn routees(&self) -> Vec<ActorRef<A>> {
        self.snapshot().iter().map(|r| r.actor.clone()).collect()
    }

    /// Adds a routee (resizing up).
    pub fn add(&self, routee: ActorRef<A>) {
        let mut routees = self
            .inner
            .routees
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut next: Vec<_> = routees.to_vec();
        next.push(Routee::new(routee));
        *routees = next.into();
    }

    /// Removes a routee (resizing down; the actor itself goes on). `false` if it was not one.
    pub fn remove(&self, routee: &ActorRef<A>) -> bool {
        let mut routees = self
            .inner
            .routees
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let before = routees.len();
        let next: Vec<_> = routees
            .iter()
            .filter(|r| r.actor != *routee)
            .cloned()
            .collect();
        let removed = next.len() != before;
        *routees = next.into();
        removed
    }

    /// Drops the dead routees; the number left.
    fn prune(&self) -> usize {
        let mut routees = self
            .inner
            .routees
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if routees.iter().any(|r| !r.actor.is_alive()) {
            let next: Vec<_> = routees
                .iter()
                .filter(|r| r.actor.is_alive())
                .cloned()
                .collect();
            *routees = next.into();
        }
        routees.len()
    }

    /// The index of the routee for `message` among `routees` (not empty).
    fn pick(&self, routees: &[Routee<A>], message: &A::Message) -> usize {
        let n = routees.len();
        match &self.inner.routing {
            // ORDERING: Relaxed: only spreads messages; no other memory depends on it.
            Routing::RoundRobin => self.inner.next.fetch_add(1, Ordering::Relaxed) % n,
            Routing::Random => (next_random() % n as u64) as usize,
            Routing::SmallestMailbox => {
                // From a rotating start, so that ties do not all go to the first routee; a
                // mailbox whose lock is held right now (a sender or its worker at it) is not
                // waited for: it counts as one message (someone is at it). Skipping it instead
                // sent messages to a routee stuck in a long handler whenever the idle one's
                // lock was held at that instant (a test hung 1 run in 20 on two workers).
                // ORDERING: Relaxed: only spreads the scan's start.
                let start = self.inner.next.fetch_add(1, Ordering::Relaxed);
                let mut best = (usize::MAX, start % n);
                for k in 0..n {
                    let i = (start + k) % n;
                    let len = routees[i].actor.cell().mailbox().try_load().unwrap_or(1);
                    if len < best.0 {
                        best = (len, i);
                        if len == 0 {
                            break;
                        }
                    }
                }
                best.1
            }
            Routing::ConsistentHash(key) => {
                let key = mix(key(message));
                (0..n)
                    .max_by_key(|&i| mix(key ^ routees[i].seed))
                    .unwrap_or(0)
            }
        }
    }

    /// Queues `message` for one routee, chosen by the routing. A dead routee is dropped from the
    /// router and the message goes to another; with no live routee, the message comes back.
    pub fn tell(&self, mut message: A::Message) -> Result<(), TellError<A::Message>> {
        loop {
            let routees = self.snapshot();
            if routees.is_empty() {
                return Err(TellError::new(message, Self::no_routee()));
            }
            let i = self.pick(&routees, &message);
            // Refused quietly: the message goes to another routee, so it is no dead letter yet.
            match routees[i].actor.cell().tell_or_back(message) {
                Ok(()) => return Ok(()),
                Err(back) => {
                    message = back;
                    if self.prune() == 0 {
                        routees[i].actor.cell().dead_letter(
                            std::any::type_name::<A::Message>(),
                            crate::DeadLetterReason::RecipientDead,
                        );
                        return Err(TellError::new(message, Self::no_routee()));
                    }
                }
            }
        }
    }

    /// Asks one routee, chosen by the routing (a dead one is dropped first, as for
    /// [`tell`](Self::tell)). With no live routee, the future fails with `ActorDead`.
    pub fn ask(&self, message: A::Message) -> Future<A::Reply> {
        loop {
            let routees = self.snapshot();
            if routees.is_empty() {
                let (p, f) = promise();
                p.fail(Error::ActorDead(Self::no_routee()));
                return f;
            }
            let i = self.pick(&routees, &message);
            if routees[i].actor.is_alive() || self.prune() == 0 {
                // A routee that dies between this check and the ask fails the future with
                // `ActorDead`, as an ask to it would.
                return routees[i].actor.ask(message);
            }
        }
    }

    /// Tells every live routee a clone of `message`; the number that took it.
    pub fn broadcast(&self, message: A::Message) -> usize
    where
        A::Message: Clone,
    {
        let delivered = self
            .snapshot()
            .iter()
            .filter(|r| r.actor.tell(message.clone()).is_ok())
            .count();
        self.prune();
        delivered
    }

    /// Stops every routee (blocking, each after what it already queued) and empties the router.
    /// `true` if every one was alive until then.
    pub fn stop(&self) -> bool {
        let routees = std::mem::replace(
            &mut *self
                .inner
                .routees
                .write()
                .unwrap_or_else(PoisonError::into_inner),
            Arc::from(Vec::new()),
        );
        let stops: Vec<_> = routees.iter().map(|r| r.actor.request_stop()).collect();
        // Every stop is waited for, whatever the others gave.
        let mut all = true;
        for stop in stops {
            all &= stop.get().unwrap_or(false);
        }
        all
    }
}

/// A per-thread xorshift64*, seeded from the thread's address space and a counter.
fn next_random() -> u64 {
    use std::cell::Cell;
    static SEEDS: AtomicUsize = AtomicUsize::new(0x9E37_79B9);
    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            // ORDERING: Relaxed: only makes seeds differ between threads.
            let n = SEEDS.fetch_add(0x9E37_79B9, Ordering::Relaxed) as u64;
            (n ^ 0x2545_F491_4F6C_DD1D) | 1
        });
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}
