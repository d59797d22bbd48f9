//! The registry of running actors, one per runtime: lookup by URN in O(1), listing in start
//! order. Generic over what it holds ([`Entry`]: an id and a start-order number), so it knows
//! nothing of actors; the actor layer registers a cell when it starts and unregisters it when it
//! dies, and the runtime lists, looks up and stops what is registered.
//!
//! The registry has 64 shards; each is a slab (a `Vec` of slots with a LIFO free list) under a
//! `Mutex`, plus a small `hashbrown::HashTable` for displaced actors. Each shard is padded to its
//! own cache lines (`CachePadded`), and the free list is threaded through the free slots
//! themselves: a death then writes only the shard's lock and head line and the slot's line, both
//! of which the next start in that shard reads anyway.
//!
//! - **Where an actor sits.** A registered actor's id carries its place: the top 6 bits name the
//!   shard and the next 26 the slot. The other 90 bits stay random, and the version and variant
//!   bits still make it a v4 UUID.
//! - **Start.** The actor layer builds the cell *inside* [`Registry::insert_with`], under the
//!   shard's lock, once the free slot is known, so that the id can name it. Each thread walks the
//!   shards in turn from its own starting point, so starts and deaths spread over the locks.
//! - **Lookup.** [`Registry::get`] (the runtime's `get_by_urn`, after parsing the URN) goes
//!   straight to the id's slot and compares the whole id. A stale URN whose slot was reused does
//!   not match. That is O(1) with no probing: 259 ns at one million actors, against 420 ns with
//!   the hash table this replaced.
//! - **Reuse.** A freed slot is the next one taken, so a program that starts and stops actors
//!   reuses a few hot cache lines, where a hash table of a million entries costs a cache miss or
//!   two per insert and remove. In Skynet with 1.1 M actors the hash table's misses were 40 % of
//!   the profile; the run now takes 0.44–0.50 s instead of 0.70–0.83 s.
//! - **Size.** 16 bytes per slot: the `Arc<dyn Entry>`, with the free-list link of a free slot
//!   beside the `Arc`'s niche (no tag; a unit test holds it). The id is read from the entry, and
//!   so is the start-order number, which lives in the padding of the actor's mailbox state (see
//!   `mailbox`). Idle memory at one million actors: 166 B, then 138 B with 24-byte entries,
//!   132 B by the time timers and the lifecycle were added (they cost an idle actor nothing),
//!   124–125 B with the number moved to the mailbox (docs/benchmarks.md, "Idle actor under
//!   128 B").
//! - **Cache lines.** The starting thread registers and a worker unregisters, so each line the
//!   registry touches per actor crosses between cores. Callgrind counts registration at about
//!   5 % of a spawn's instructions; the rest of its cost was these transfers. Padding the shards
//!   (neighbouring shards are in use by the spawner and the worker at the same moment) and the
//!   in-slot free list (one line fewer per death) took the registered ÷ unregistered spawn ratio
//!   from 1.21 to a median of 1.10 (docs/benchmarks.md, the registry at scale).
//! - **Displaced actors.** Some actors' ids do not name a slot of theirs: those started
//!   unregistered and registered by hand, those started when their shard was full, and those
//!   registered again after their slot was reused. They go to the shard's hash table, which
//!   `get` checks only when the slot does not match.
//! - **Order.** [`Registry::all`] is sorted by the start sequence, a 48-bit number per registry
//!   given at registration (again at a re-registration, which moves the actor to the end); past
//!   2^48 − 1 registrations it stays at its maximum. It is read from each entry after the shard
//!   locks are released (it takes the actor's mailbox lock; nothing takes a shard lock while
//!   holding a mailbox lock).
//!
//! A runtime built with `register_actors(false)` registers nothing: no lookup, broadcast or
//! `stop_all` reaches its actors, and at shutdown they are answered when next messaged, not
//! stopped (see `runtime`). The registry takes no part in a loom model: it is a mutex per shard
//! and a slab, with no atomic protocol (the start-order counter only needs to be unique).

use crossbeam_utils::CachePadded;
use hashbrown::hash_table::{self, HashTable};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

const SHARD_BITS: u32 = 6;
const SHARDS: usize = 1 << SHARD_BITS;
const SLOT_BITS: u32 = 26;
/// Slots per shard; past this, actors go to the shard's hash table.
const MAX_SLOTS: usize = 1 << SLOT_BITS;

/// Where an id says its actor is registered.
fn place(id: u128) -> (usize, usize) {
    let shard = (id >> (128 - SHARD_BITS)) as usize;
    let slot = (id >> (128 - SHARD_BITS - SLOT_BITS)) as usize & (MAX_SLOTS - 1);
    (shard, slot)
}

/// The top 32 bits of an id registered at `(shard, slot)` (the rest of the id is random).
fn place_bits(shard: usize, slot: usize) -> u128 {
    ((shard as u128) << (128 - SHARD_BITS)) | ((slot as u128) << (128 - SHARD_BITS - SLOT_BITS))
}

/// The shard for this thread's next registration: each thread walks the shards in turn from its
/// own starting point, so registrations (and the unregistrations that follow on the workers)
/// spread over all shards instead of meeting on one lock.
fn next_shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static CURSOR: Cell<Option<usize>> = const { Cell::new(None) };
    }
    CURSOR
        .try_with(|c| {
            // ORDERING: Relaxed; only spreads threads over shards.
            let n = c
                .get()
                .unwrap_or_else(|| NEXT.fetch_add(7, Ordering::Relaxed));
            c.set(Some(n.wrapping_add(1)));
            n % SHARDS
        })
        .unwrap_or(0)
}

/// Ids are random (UUID v4) but for fixed bits; the hash folds and multiplies so that hashbrown's
/// 7-bit control tag (from the hash's top bits) sees random bits.
fn hash(id: u128) -> u64 {
    let folded = (id as u64) ^ ((id >> 64) as u64).rotate_left(32);
    folded.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Where a new actor goes: the top 32 bits its id must carry (`place_bits`), and its place in the
/// start order (kept in the actor's mailbox, not here: `Entry::seq`).
#[derive(Clone, Copy)]
pub(crate) struct Place {
    pub(crate) top: u128,
    pub(crate) seq: u64,
}

/// A slab slot: an actor, or a link in the shard's free list (kept in the slot itself, so that
/// freeing a slot writes only the slot's line and the shard's head, both of which the next
/// registration in this shard reads anyway). 16 bytes: `Free` lives beside the niche of the
/// `Arc`; the id is read from the cell, and so is the start-order number (it lives in padding of
/// the cell's mailbox), so a slot holds nothing else.
enum Slot<E: ?Sized> {
    Taken(Arc<E>),
    /// Free; the next free slot, or `NONE`.
    Free(u32),
}

const NONE: u32 = u32::MAX;

/// What the registry needs of what it holds (an actor cell, above it): its id, and its place in
/// the start order, which the entry keeps (in the actor's mailbox: no room is taken here).
pub(crate) trait Entry: Send + Sync {
    fn id(&self) -> u128;
    fn seq(&self) -> u64;
    fn set_seq(&self, seq: u64);
}

/// Start-order numbers are 48 bits (what the mailbox has room for); past 2^48 − 1 registrations
/// in one runtime (three years at a million a second) the number stays there and later actors
/// share it (their relative order in `all` is then unspecified).
const MAX_SEQ: u64 = (1 << 48) - 1;

struct Shard<E: ?Sized> {
    /// Slot `i` holds the actor whose id names slot `i` of this shard (or a free-list link).
    slots: Vec<Slot<E>>,
    /// The most recently freed slot (taken first: its lines are still hot), or `NONE`.
    free: u32,
    /// Actors whose id does not name a slot of theirs: started unregistered and registered by
    /// hand later, or registered again after their slot was given to another actor.
    displaced: HashTable<Arc<E>>,
}

impl<E: ?Sized> Default for Shard<E> {
    fn default() -> Self {
        Shard {
            slots: Vec::new(),
            free: NONE,
            displaced: HashTable::new(),
        }
    }
}

impl<E: ?Sized> Shard<E> {
    fn entry(&self, slot: usize) -> Option<&Arc<E>> {
        match self.slots.get(slot) {
            Some(Slot::Taken(e)) => Some(e),
            _ => None,
        }
    }
}

pub(crate) struct Registry<E: ?Sized + Entry> {
    /// Padded: neighbouring shards are used by the spawning thread and a worker at once.
    shards: Box<[CachePadded<Mutex<Shard<E>>>]>,
    next_seq: AtomicU64,
}

impl<E: ?Sized + Entry> Registry<E> {
    pub(crate) fn new() -> Self {
        Registry {
            shards: (0..SHARDS)
                .map(|_| CachePadded::new(Mutex::new(Shard::default())))
                .collect(),
            next_seq: AtomicU64::new(0),
        }
    }

    fn lock(&self, shard: usize) -> MutexGuard<'_, Shard<E>> {
        self.shards[shard]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn next_seq(&self) -> u64 {
        // ORDERING: Relaxed; the sequence only needs to be unique and increasing per thread.
        self.next_seq.fetch_add(1, Ordering::Relaxed).min(MAX_SEQ)
    }

    /// Builds a new actor with `make` and registers it in a free slot, under the slot's lock:
    /// `make` gets the top bits its id must carry and its start-order number. From a full shard,
    /// `make` gets `None` (a random id) and the actor is not registered: `false`, the caller
    /// calls `register`.
    pub(crate) fn insert_with<C: ?Sized>(
        &self,
        make: impl FnOnce(Option<Place>) -> Arc<C>,
        erase: impl FnOnce(Arc<C>) -> Arc<E>,
    ) -> (Arc<C>, bool) {
        let shard = next_shard();
        let seq = self.next_seq();
        let mut s = self.lock(shard);
        let slot = match s.free {
            NONE if s.slots.len() < MAX_SLOTS => {
                s.slots.push(Slot::Free(NONE));
                s.slots.len() - 1
            }
            NONE => {
                drop(s);
                return (make(None), false);
            }
            free => {
                let slot = free as usize;
                if let Slot::Free(next) = s.slots[slot] {
                    s.free = next;
                }
                slot
            }
        };
        let top = place_bits(shard, slot);
        let cell = make(Some(Place { top, seq }));
        s.slots[slot] = Slot::Taken(erase(cell.clone()));
        (cell, true)
    }

    /// Registers (or re-registers, at the end of the start order) a cell.
    pub(crate) fn register(&self, cell: Arc<E>) {
        let id = cell.id();
        let (shard, slot) = place(id);
        let mut s = self.lock(shard);
        // Under the shard's lock, so that two registrations of one actor leave the later number.
        cell.set_seq(self.next_seq());
        if let Some(Slot::Taken(e)) = s.slots.get_mut(slot) {
            if e.id() == id {
                *e = cell;
                return;
            }
        }
        match s
            .displaced
            .entry(hash(id), |e| e.id() == id, |e| hash(e.id()))
        {
            hash_table::Entry::Occupied(mut o) => *o.get_mut() = cell,
            hash_table::Entry::Vacant(v) => {
                v.insert(cell);
            }
        }
    }

    /// `true` if it was registered.
    pub(crate) fn unregister(&self, id: u128) -> bool {
        let (shard, slot) = place(id);
        let mut s = self.lock(shard);
        if s.entry(slot).is_some_and(|e| e.id() == id) {
            let link = Slot::Free(s.free);
            let removed = std::mem::replace(&mut s.slots[slot], link);
            // `slot < MAX_SLOTS < NONE`.
            s.free = slot as u32;
            drop(s);
            drop(removed);
            return true;
        }
        if s.displaced.is_empty() {
            return false;
        }
        match s.displaced.find_entry(hash(id), |e| e.id() == id) {
            Ok(o) => {
                let (removed, _) = o.remove();
                drop(s);
                drop(removed);
                true
            }
            Err(_) => false,
        }
    }

    pub(crate) fn get(&self, id: u128) -> Option<Arc<E>> {
        let (shard, slot) = place(id);
        let s = self.lock(shard);
        if let Some(e) = s.entry(slot) {
            if e.id() == id {
                return Some(Arc::clone(e));
            }
        }
        s.displaced.find(hash(id), |e| e.id() == id).map(Arc::clone)
    }

    /// Every registered actor, in start order.
    pub(crate) fn all(&self) -> Vec<Arc<E>> {
        let mut v: Vec<Arc<E>> = Vec::new();
        for shard in 0..SHARDS {
            let s = self.lock(shard);
            v.extend(s.slots.iter().filter_map(|slot| match slot {
                Slot::Taken(e) => Some(Arc::clone(e)),
                Slot::Free(_) => None,
            }));
            v.extend(s.displaced.iter().cloned());
        }
        // Read outside the shard locks: `seq` takes the actor's mailbox lock.
        let mut keyed: Vec<(u64, Arc<E>)> = v.into_iter().map(|c| (c.seq(), c)).collect();
        keyed.sort_unstable_by_key(|(seq, _)| *seq);
        keyed.into_iter().map(|(_, c)| c).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_two_words_free_link_and_all() {
        trait Probe: Entry {}
        assert_eq!(std::mem::size_of::<Slot<dyn Probe>>(), 16);
    }
}
