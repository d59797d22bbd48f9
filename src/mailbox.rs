//! The per-actor mailbox: the queue and the scheduling state under one lock.
//!
//! # The state
//!
//! Each actor has one `Mutex<State>`:
//!
//! ```text
//! State { queue: VecDeque<E>,
//!         flags: u8 = DEDICATED | SCHEDULED | RUNNING | TOKEN_PARKED | CLOSED
//!                   | WAITERS | BOUNDED | URGENT (one bit each; the byte is full),
//!         fate: u8,                       how the actor ended (0 while it has not)
//!         seq: 48 bits (seq_lo + seq_hi)  its place in the registry's start order }
//! ```
//!
//! - `scheduled`: a *token* for the actor exists: in a run queue, in the hands of the worker
//!   running it, parked with the claim holder, in its dedicated thread's home, or held by the
//!   timer during a restart's backoff. There is never more than one token.
//! - `running`: some thread holds the *claim*, the right to run the actor's handlers: a worker
//!   holding the token, or a waiting thread running the actor inline (see `future::wait`).
//! - `token_parked`: a worker popped the token while another thread held the claim; the token
//!   was handed to the claim holder, which must resubmit it when it releases.
//! - `closed`: the actor is dead (stopped, failed, killed, or never started); sends fail.
//! - `dedicated`: the actor runs on a thread of its own: its token goes to that thread, and it
//!   is never claimed inline.
//! - `bounded`: the actor has a capacity (`Actor::MAILBOX_CAPACITY`): senders check it
//!   ([`push_bounded`](Mailbox::push_bounded)) and a take moves at most [`BOUNDED_TAKE`].
//! - `waiters`: senders wait for room in this full bounded mailbox; the next take moves the
//!   flag into the taker's [`Batch`], which wakes them once an envelope of it runs (a batch put
//!   back unrun puts the flag back).
//! - `urgent`: an urgent envelope was queued since the queue was last sorted; the next take
//!   moves the urgent envelopes ahead (a stable partition), or the claim holder pulls them into
//!   its batch between two messages ([`take_urgent`](Mailbox::take_urgent)).
//!
//! The flags are bits of one byte so that the actor's fate (written once by the actor layer
//! when the actor dies) and its place in the registry's start order (`registry`) fit in what
//! would otherwise be the queue's padding: the state is 40 bytes, and the mailbox 48 (a unit test
//! holds the mailbox's size).
//!
//! # Transitions
//!
//! Invariant: *messages pending ⇒ `scheduled`*. Every transition takes the lock once:
//!
//! | event | guard | effect | the caller then |
//! |---|---|---|---|
//! | send ([`push_with`](Mailbox::push_with)) | `closed` | none | gets its message back (`TellError`, a failed future) |
//! | send | `!closed && !scheduled` | push; `scheduled` | submits the token ([`Pushed::Schedule`]: the pool; [`Pushed::ScheduleDedicated`]: the actor's thread) |
//! | send | `!closed && scheduled` | push | nothing ([`Pushed::Queued`]) |
//! | token popped ([`claim_token`](Mailbox::claim_token)) | `running` | `token_parked` | drops its token (handed over) |
//! | token popped | `!running` | `running`; the queue taken into the caller's batch (`Batch`) | runs the batch |
//! | batch done, claim held ([`refill`](Mailbox::refill)) | queue non-empty | the queue taken into the batch | runs on |
//! | token release ([`release_token`](Mailbox::release_token)) | `closed` | `running = scheduled = false` | answers its batch, finalises ([`Release::Closed`]) |
//! | token release | budget left, batch empty, queue non-empty | the queue taken into the batch | runs on ([`Release::Continue`]) |
//! | token release | nothing pending | `running = scheduled = false`; the larger buffer stays as the queue, shrunk to 16 slots | idle ([`Release::Idle`]) |
//! | token release | messages pending (budget spent) | leftover batch put back in front; `running = false` | resubmits the token, to the back of a run queue ([`Release::Resubmit`]) |
//! | hold ([`hold`](Mailbox::hold)) | `closed` | `running = scheduled = false` | answers its batch, finalises |
//! | hold | `!closed` | leftover batch put back in front; `running = false`; `scheduled` stays | keeps the token and gives it to the timer (a restart's backoff) |
//! | inline claim ([`claim_inline`](Mailbox::claim_inline)) | `!running && !dedicated` | `running`; the queue taken into its batch | runs until its reply is set |
//! | inline release ([`release_inline`](Mailbox::release_inline)) | `closed` | `running = false`; a parked token is dropped (`token_parked = scheduled = false`) | answers its batch, finalises ([`InlineRelease::Closed`]) |
//! | inline release | `!closed` | `running = false`; leftover put back in front; takes `token_parked` | resubmits if it took a parked token ([`InlineRelease::Resubmit`]) |
//! | close ([`close`](Mailbox::close)) | | `closed`; the queue taken | answers every envelope taken |
//!
//! A token still queued when an inline runner finds the actor closed keeps `scheduled` set; its
//! worker claims the actor, finds it dead, and releases with [`Release::Closed`].
//!
//! # Why one lock
//!
//! Not an atomic word plus an intrusive queue: a sender must atomically (a) see whether the
//! actor is dead, (b) enqueue, (c) learn whether it must schedule. One uncontended lock does all
//! three in two atomic operations (lock CAS, unlock swap), the same count as Pony's
//! `xchg`-based push plus a scheduled-flag RMW, and it closes Pykka's race between a stop and
//! concurrent asks by construction: the close that drains the queue and the alive check of a
//! send are serialised by the same lock, so no message can land after the final drain.
//!
//! The receiver moves the whole queue into a local [`Batch`] in one lock (a buffer swap, no
//! allocation), so the lock is taken once per batch, not once per message, and an activation
//! ends, or picks up what arrived meanwhile, in one more lock. A queue of one envelope is moved
//! out alone and keeps its buffer, so that a tell arriving during the activation has room (the
//! usual case for requests and replies; with a swap, the queue would be left without a buffer
//! and that tell would allocate one). The queue is a `VecDeque` so that leftovers of a batch
//! cut short by the budget go back in front in O(new arrivals), not O(backlog).
//!
//! # Loom models
//!
//! There is no hand-written atomic protocol to get wrong; the loom models below
//! (`RUSTFLAGS="--cfg loom" cargo test --lib --release loom`) still check the invariants under
//! every interleaving: senders against the token holder going idle (no lost wake-up, never two
//! tokens, never two claim holders), an inline claim against the token's hand-off, a close
//! against a send (every message run or answered exactly once), and a hold against a send and
//! an inline claim (one token).

use crate::base::sync::{lock, Mutex};
use std::collections::VecDeque;

/// What the mailbox asks of what it holds: whether it was sent urgent (it goes ahead of the
/// ordinary envelopes still queued).
pub(crate) trait Urgency {
    fn is_urgent(&self) -> bool;
    /// A stop request (a restart's backoff ends when one is queued).
    fn is_stop(&self) -> bool {
        false
    }
}

/// Test payloads: plain numbers are ordinary; `(n, true)` is urgent.
#[cfg(test)]
mod test_urgency {
    use super::Urgency;
    impl Urgency for u32 {
        fn is_urgent(&self) -> bool {
            false
        }
    }
    impl Urgency for usize {
        fn is_urgent(&self) -> bool {
            false
        }
    }
    impl Urgency for [u64; 7] {
        fn is_urgent(&self) -> bool {
            false
        }
    }
    impl Urgency for (u32, bool) {
        fn is_urgent(&self) -> bool {
            self.1
        }
    }
}

/// Why a bounded push did not enqueue (the value comes back).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused<T> {
    /// The actor is dead.
    Closed(T),
    /// `capacity` messages are queued.
    Full(T),
}

impl<T> Refused<T> {
    /// The value that was not queued.
    pub(crate) fn into_inner(self) -> T {
        match self {
            Refused::Closed(v) | Refused::Full(v) => v,
        }
    }
}

/// What a successful push asks of the sender.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// The actor was idle: the sender must submit its token.
    Schedule,
    /// The same, for an actor with a dedicated thread: the token goes to that thread.
    ScheduleDedicated,
    /// A token exists already.
    Queued,
}

/// What the holder of the token must do after an activation.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Release {
    /// Nothing pending: the actor is idle and the token is gone.
    Idle,
    /// Messages are pending: resubmit the token (to the back of a run queue).
    Resubmit,
    /// Messages were pending and budget remains: they are in the batch, keep running.
    Continue,
    /// The actor is dead (it died, or was abandoned at shutdown while this thread ran it): the
    /// token is gone; the caller answers what is left in its batch and finalises the actor.
    Closed,
}

/// What a thread that ran an actor inline must do after releasing it.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum InlineRelease {
    /// Nothing: the actor's token (if any) is elsewhere.
    Done,
    /// It took the token parked while it ran the actor: resubmit it.
    Resubmit,
    /// The actor is dead: answer the batch and finalise, as for [`Release::Closed`].
    Closed,
}

/// What the token holder of a suspended async handler must do after releasing its claim.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Suspend {
    /// The token stays out (with the handler's waker, or with the caller to resubmit).
    Held,
    /// A token was handed back while the claim was held (the waker resubmitted the parked
    /// token and a worker popped it): resubmit it.
    TokenBack,
    /// The actor is dead: the token is gone; answer the batch and finalise.
    Closed,
}

/// Buffers above this capacity are shrunk when the actor goes idle.
const KEEP_CAPACITY: usize = 16;

/// What the claim holder runs, taken from the queue in one lock (see [`Mailbox::claim_token`]).
///
/// A single envelope is moved out alone (`one`), and the queue keeps its buffer: a tell that
/// arrives while the actor runs (the next request of a request/response pair, a reply) finds
/// room and allocates nothing. Two or more are taken with the whole buffer (`many`, a swap, as
/// before). `one` always comes before `many`, and at most one of them is non-empty after a take.
///
/// `wake`: the take found senders waiting for room in a full bounded mailbox (`WAITERS`). The
/// claim holder wakes them once it has run an envelope of the batch (`take_wake`), so that room
/// is real; a batch put back unrun carries the flag back to the queue (`put_back`).
pub(crate) struct Batch<E> {
    one: Option<E>,
    many: VecDeque<E>,
    wake: bool,
    /// The longest queue a take of this batch found (the actor's metrics' high-water mark: the
    /// queue only grows between two takes, so its peak is what the next take finds).
    seen: usize,
}

impl<E> Default for Batch<E> {
    fn default() -> Self {
        Batch {
            one: None,
            many: VecDeque::new(),
            wake: false,
            seen: 0,
        }
    }
}

impl<E> From<VecDeque<E>> for Batch<E> {
    fn from(many: VecDeque<E>) -> Self {
        Batch {
            one: None,
            many,
            wake: false,
            seen: 0,
        }
    }
}

impl<E> Batch<E> {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn pop_front(&mut self) -> Option<E> {
        self.one.take().or_else(|| self.many.pop_front())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.one.is_none() && self.many.is_empty()
    }

    /// Everything, in order.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = E> + '_ {
        self.one.take().into_iter().chain(self.many.drain(..))
    }

    /// Whether the batch holds an envelope for which `f` holds.
    pub(crate) fn any(&self, mut f: impl FnMut(&E) -> bool) -> bool {
        self.one.as_ref().is_some_and(&mut f) || self.many.iter().any(f)
    }

    /// The longest queue this batch's takes found.
    pub(crate) fn seen(&self) -> usize {
        self.seen
    }

    /// Puts `front` before what the batch holds, in its order (a stash re-queued).
    pub(crate) fn prepend(&mut self, mut front: VecDeque<E>) {
        if front.is_empty() {
            return;
        }
        if let Some(one) = self.one.take() {
            front.push_back(one);
        }
        front.append(&mut self.many);
        self.many = front;
    }

    /// Puts `urgent` after the urgent envelopes at the batch's front and before everything
    /// else it holds (urgent ones keep the order they were sent in).
    fn insert_urgent(&mut self, urgent: VecDeque<E>)
    where
        E: Urgency,
    {
        let mut front = VecDeque::new();
        match self.one.take() {
            Some(e) if e.is_urgent() => front.push_back(e),
            Some(e) => {
                self.many.push_front(e);
                front.extend(urgent);
                return self.prepend(front);
            }
            None => {}
        }
        while self.many.front().is_some_and(Urgency::is_urgent) {
            front.extend(self.many.pop_front());
        }
        front.extend(urgent);
        self.prepend(front);
    }

    /// Appends `more` after what the batch holds.
    pub(crate) fn extend(&mut self, more: impl IntoIterator<Item = E>) {
        self.many.extend(more);
    }

    /// Whether senders wait for room that this batch's take made (see the type's docs); clears
    /// it. Called by the claim holder after it took an envelope out of the batch to run it.
    #[inline]
    pub(crate) fn take_wake(&mut self) -> bool {
        // Read first: the common case (no waiters) writes nothing.
        if self.wake {
            self.wake = false;
            true
        } else {
            false
        }
    }

    /// Takes what the queue holds: one envelope alone (the queue keeps its buffer), or all of them
    /// with the buffer (the batch's empty buffer goes to the queue). Waiting senders' flag moves
    /// into the batch.
    fn take_from(&mut self, st: &mut State<E>)
    where
        E: Urgency,
    {
        debug_assert!(self.is_empty());
        if st.take(WAITERS) {
            self.wake = true;
        }
        if st.take(URGENT) {
            urgent_first(&mut st.queue);
        }
        self.seen = self.seen.max(st.queue.len());
        let bounded = st.has(BOUNDED);
        let queue = &mut st.queue;
        if bounded && queue.len() > BOUNDED_TAKE {
            // A bounded mailbox gives up at most `BOUNDED_TAKE` envelopes at a time: the room a
            // take makes is then at most what one activation runs, and what it puts back unrun
            // (a budget spent) stays bounded. Taking the whole queue, a producer would refill
            // it while the leftovers came back in front, and the queue would grow without limit.
            self.many.extend(queue.drain(..BOUNDED_TAKE));
        } else if queue.len() <= 1 {
            self.one = queue.pop_front();
        } else {
            std::mem::swap(queue, &mut self.many);
        }
    }
}

/// Run by its own thread, never inline on a pool thread. (The other flags: the module docs.)
const DEDICATED: u8 = 1;
const SCHEDULED: u8 = 1 << 1;
const RUNNING: u8 = 1 << 2;
const TOKEN_PARKED: u8 = 1 << 3;
const CLOSED: u8 = 1 << 4;
/// Senders wait for room in this (bounded, full) mailbox: the next take must wake them.
const WAITERS: u8 = 1 << 5;
/// The mailbox is bounded: a take moves at most [`BOUNDED_TAKE`] envelopes.
const BOUNDED: u8 = 1 << 6;

/// An urgent envelope was queued since the queue was last sorted: the next take (or the claim
/// holder's `take_urgent`) moves the urgent envelopes ahead of the ordinary ones.
const URGENT: u8 = 1 << 7;

/// How many envelopes a take from a bounded mailbox moves at most (the default throughput).
pub(crate) const BOUNDED_TAKE: usize = 32;

/// 40 bytes: the queue (32) and, in what would otherwise be its padding, the flags, the fate and
/// the registry's start-order number. The flags are bits of one byte so that the start-order number
/// fits here too instead of costing the registry 8 bytes per actor (docs/benchmarks.md, "Idle
/// actor under 128 B").
struct State<E> {
    queue: VecDeque<E>,
    /// `DEDICATED | SCHEDULED | RUNNING | TOKEN_PARKED | CLOSED | WAITERS | BOUNDED | URGENT`.
    flags: u8,
    /// How the actor ended, once it has (0 while it has not; see `lifecycle::StopReason`). Kept
    /// here, in what was padding, so that a dead actor remembers its fate at no cost per actor.
    fate: u8,
    /// The actor's place in its registry's start order (`registry::Place`; at most `registry::MAX_SEQ`, 48 bits), low 32 bits first.
    seq_lo: u32,
    seq_hi: u16,
}

impl<E> State<E> {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    fn set(&mut self, flag: u8, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }

    fn seq(&self) -> u64 {
        u64::from(self.seq_lo) | (u64::from(self.seq_hi) << 32)
    }

    /// Keeps the low 48 bits of `seq` (the registry never gives more).
    fn set_seq(&mut self, seq: u64) {
        self.seq_lo = seq as u32;
        self.seq_hi = (seq >> 32) as u16;
    }

    /// Clears `flag`, saying whether it was set.
    fn take(&mut self, flag: u8) -> bool {
        let was = self.has(flag);
        self.flags &= !flag;
        was
    }
}

pub(crate) struct Mailbox<E> {
    state: Mutex<State<E>>,
}

impl<E: Urgency> Mailbox<E> {
    /// A mailbox whose token the creator is about to submit (a starting actor), at `seq` in its
    /// registry's start order (0 when not registered).
    #[cfg(test)]
    pub(crate) fn new_scheduled(dedicated: bool, seq: u64) -> Self {
        Self::new_scheduled_bounded(dedicated, seq, false)
    }

    /// [`new_scheduled`](Self::new_scheduled), for a mailbox whose senders check a capacity
    /// ([`push_bounded`](Self::push_bounded)) if `bounded`.
    pub(crate) fn new_scheduled_bounded(dedicated: bool, seq: u64, bounded: bool) -> Self {
        let mut flags = SCHEDULED;
        if dedicated {
            flags |= DEDICATED;
        }
        if bounded {
            flags |= BOUNDED;
        }
        let mut state = State {
            queue: VecDeque::new(),
            flags,
            fate: 0,
            seq_lo: 0,
            seq_hi: 0,
        };
        state.set_seq(seq);
        Mailbox {
            state: Mutex::new(state),
        }
    }

    /// Enqueues `make(value)` unless the actor is dead, in which case `value` comes back.
    ///
    /// `make` runs under the lock; it should only wrap (an unsizing coercion, say): the cell
    /// passes a finished envelope, made (and boxed if large) before the lock.
    pub(crate) fn push_with<T>(&self, value: T, make: impl FnOnce(T) -> E) -> Result<Pushed, T> {
        self.push_inner(value, make, None, false, || false)
            .map_err(Refused::into_inner)
    }

    /// [`push_with`](Self::push_with) for a mailbox bounded at `capacity` (≥ 1) queued
    /// envelopes. Full: nothing is queued, `wait()` runs under the lock (it registers a waiter
    /// that the next take wakes: `true` sets `WAITERS`; a `try_tell` passes one that does
    /// nothing and returns `false`), and the envelope comes back as [`Refused::Full`].
    ///
    /// Registering under the lock is what makes the wake-up impossible to lose: a take that
    /// would make room is serialised with it, so it either happened before (and the sender
    /// found room) or comes after and finds `WAITERS`.
    #[inline]
    pub(crate) fn push_bounded(
        &self,
        envelope: E,
        capacity: usize,
        wait: impl FnOnce() -> bool,
    ) -> Result<Pushed, Refused<E>> {
        self.push_inner(envelope, |envelope| envelope, Some(capacity), false, wait)
    }

    /// Queues an urgent envelope (`ActorRef::tell_urgent`): it goes ahead of the ordinary
    /// envelopes still queued when the claim holder next looks (`URGENT`), never waits for room
    /// in a bounded mailbox, and comes back if the actor is dead. The caller then signals the
    /// claim holder, which looks between two messages (`take_urgent`).
    pub(crate) fn push_urgent(&self, envelope: E) -> Result<Pushed, E> {
        self.push_inner(envelope, |envelope| envelope, None, true, || false)
            .map_err(Refused::into_inner)
    }

    /// The claim holder, between two messages: moves the urgent envelopes queued since its take
    /// in front of the ordinary ones of its batch (after the urgent ones it holds).
    pub(crate) fn take_urgent(&self, batch: &mut Batch<E>)
    where
        E: Urgency,
    {
        let urgent = {
            let mut st = lock(&self.state);
            if !st.take(URGENT) {
                return;
            }
            let (urgent, ordinary): (VecDeque<E>, VecDeque<E>) =
                st.queue.drain(..).partition(Urgency::is_urgent);
            st.queue = ordinary;
            urgent
        };
        batch.insert_urgent(urgent);
    }

    /// Both pushes, one body: with `capacity: None` (a constant at every unbounded call) the
    /// check folds away and the code is the unbounded push's own. (A shared helper called after
    /// the checks, with the envelope made before it, cost nine instructions a tell: callgrind.)
    #[inline(always)]
    fn push_inner<T>(
        &self,
        value: T,
        make: impl FnOnce(T) -> E,
        capacity: Option<usize>,
        urgent: bool,
        wait: impl FnOnce() -> bool,
    ) -> Result<Pushed, Refused<T>> {
        let mut st = lock(&self.state);
        if st.has(CLOSED) {
            return Err(Refused::Closed(value));
        }
        if urgent {
            st.set(URGENT, true);
        }
        if let Some(capacity) = capacity {
            if st.queue.len() >= capacity {
                if wait() {
                    st.set(WAITERS, true);
                }
                return Err(Refused::Full(value));
            }
        }
        if st.queue.capacity() == 0 {
            // A new or idle actor's first buffer: two slots, not the four `VecDeque` would take.
            // With 56-byte envelopes that is 112 bytes, in the allocator's smallest size
            // classes; glibc frees those from another thread (the worker) without its arena
            // lock, where four slots (224 bytes) went through the lock and made spawning 1.6×
            // slower (docs/benchmarks.md, "Inline envelopes"). The queue a running actor's claim
            // took (a burst) gets four: it will most likely grow, and the larger buffer is kept.
            let slots = if st.has(RUNNING) { 4 } else { 2 };
            st.queue.reserve_exact(slots);
        }
        st.queue.push_back(make(value));
        if st.has(SCHEDULED) {
            Ok(Pushed::Queued)
        } else {
            st.set(SCHEDULED, true);
            Ok(if st.has(DEDICATED) {
                Pushed::ScheduleDedicated
            } else {
                Pushed::Schedule
            })
        }
    }

    /// The token holder claims the actor. `false`: another thread holds the claim, and the token
    /// has been handed to it (the caller drops its token and does nothing else).
    pub(crate) fn claim_token(&self, batch: &mut Batch<E>) -> bool {
        debug_assert!(batch.is_empty());
        let mut st = lock(&self.state);
        debug_assert!(st.has(SCHEDULED), "a token exists only while scheduled");
        if st.has(RUNNING) {
            st.set(TOKEN_PARKED, true);
            return false;
        }
        st.set(RUNNING, true);
        batch.take_from(&mut st);
        true
    }

    /// A waiting thread claims the actor to run it inline. `false`: someone else runs it, or it
    /// has a thread of its own.
    pub(crate) fn claim_inline(&self, batch: &mut Batch<E>) -> bool {
        debug_assert!(batch.is_empty());
        let mut st = lock(&self.state);
        if st.has(RUNNING) || st.has(DEDICATED) {
            return false;
        }
        st.set(RUNNING, true);
        batch.take_from(&mut st);
        true
    }

    /// With the claim held and `batch` empty: moves whatever was queued since into `batch`.
    /// `false` if nothing was queued.
    pub(crate) fn refill(&self, batch: &mut Batch<E>) -> bool {
        debug_assert!(batch.is_empty());
        let mut st = lock(&self.state);
        debug_assert!(st.has(RUNNING));
        if st.queue.is_empty() {
            return false;
        }
        batch.take_from(&mut st);
        true
    }

    /// The token holder ends an activation (or, with `budget_left` and an empty batch, picks up
    /// what arrived meanwhile in the same lock). Leftovers in `batch` go back to the front.
    pub(crate) fn release_token(&self, batch: &mut Batch<E>, budget_left: bool) -> Release {
        let mut st = lock(&self.state);
        debug_assert!(st.has(RUNNING) && st.has(SCHEDULED) && !st.has(TOKEN_PARKED));
        if st.has(CLOSED) {
            // The queue was taken at close; the batch stays with the caller to answer.
            st.set(RUNNING, false);
            st.set(SCHEDULED, false);
            return Release::Closed;
        }
        if budget_left && batch.is_empty() && !st.queue.is_empty() {
            batch.take_from(&mut st);
            return Release::Continue;
        }
        put_back(&mut st, batch);
        st.set(RUNNING, false);
        if st.queue.is_empty() {
            st.set(SCHEDULED, false);
            keep_buffer(&mut st.queue, &mut batch.many);
            Release::Idle
        } else {
            Release::Resubmit
        }
    }

    /// A thread that ran the actor inline releases it.
    pub(crate) fn release_inline(&self, batch: &mut Batch<E>) -> InlineRelease {
        let mut st = lock(&self.state);
        debug_assert!(st.has(RUNNING));
        st.set(RUNNING, false);
        if st.has(CLOSED) {
            // A parked token has nothing left to run; a token still queued finds it closed.
            if st.take(TOKEN_PARKED) {
                st.set(SCHEDULED, false);
            }
            return InlineRelease::Closed;
        }
        put_back(&mut st, batch);
        if st.take(TOKEN_PARKED) {
            InlineRelease::Resubmit
        } else {
            InlineRelease::Done
        }
    }

    /// Marks the actor dead and takes everything still queued (to be answered by the caller).
    pub(crate) fn close(&self) -> VecDeque<E> {
        self.close_dedicated().0
    }

    /// [`close`](Self::close), also saying whether the actor has a dedicated thread.
    pub(crate) fn close_dedicated(&self) -> (VecDeque<E>, bool) {
        let mut st = lock(&self.state);
        st.set(CLOSED, true);
        (std::mem::take(&mut st.queue), st.has(DEDICATED))
    }

    /// The mailbox's owner is being dropped: takes what is still queued, without locking where
    /// the lock allows it (a dropped actor pays no lock for this).
    pub(crate) fn take_on_drop(&mut self) -> VecDeque<E> {
        #[cfg(not(loom))]
        let st = self
            .state
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        #[cfg(loom)]
        let mut st = lock(&self.state);
        st.set(CLOSED, true);
        std::mem::take(&mut st.queue)
    }

    /// Records how the actor ended (`fate != 0`); the first record wins. `true` if this was it.
    pub(crate) fn set_fate(&self, fate: u8) -> bool {
        let mut st = lock(&self.state);
        if st.fate != 0 {
            return false;
        }
        st.fate = fate;
        true
    }

    /// How the actor ended, or 0 while it has not finished dying.
    pub(crate) fn fate(&self) -> u8 {
        lock(&self.state).fate
    }

    /// The token holder stops running the actor for a while (a restart's backoff) without
    /// giving up the token: the batch goes back in front, the claim is released, and the caller
    /// keeps the token to submit later. Sends meanwhile only queue (a token exists). `false` if
    /// the actor was closed meanwhile: then, as for [`Release::Closed`], the token is gone and
    /// the caller answers the batch and finalises.
    pub(crate) fn hold(&self, batch: &mut Batch<E>) -> bool {
        let mut st = lock(&self.state);
        debug_assert!(st.has(RUNNING) && st.has(SCHEDULED) && !st.has(TOKEN_PARKED));
        st.set(RUNNING, false);
        if st.has(CLOSED) {
            st.set(SCHEDULED, false);
            return false;
        }
        put_back(&mut st, batch);
        true
    }

    /// The token holder stops running the actor while an async handler is suspended, keeping
    /// the token (sends meanwhile only queue): the batch goes back in front and the claim is
    /// released. See [`Suspend`].
    ///
    /// `parked`: the caller's token is with the handler's waker (it may be woken and resubmitted
    /// at any time). If the actor was closed meanwhile, that token is still in play: `scheduled`
    /// stays set, and whoever runs it finds the actor closed and releases it as such (as for a
    /// token still queued when an inline runner closes an actor). Only a token the caller holds
    /// (not parked, or handed back) is gone with the close.
    pub(crate) fn suspend(&self, batch: &mut Batch<E>, parked: bool) -> Suspend {
        let mut st = lock(&self.state);
        st.set(RUNNING, false);
        if st.has(CLOSED) {
            if !parked || st.has(TOKEN_PARKED) {
                st.set(SCHEDULED, false);
            }
            st.set(TOKEN_PARKED, false);
            return Suspend::Closed;
        }
        put_back(&mut st, batch);
        if st.has(TOKEN_PARKED) {
            st.set(TOKEN_PARKED, false);
            return Suspend::TokenBack;
        }
        Suspend::Held
    }

    /// Whether a stop request is queued.
    pub(crate) fn stop_queued(&self) -> bool {
        lock(&self.state).queue.iter().any(Urgency::is_stop)
    }

    /// Whether the actor runs on a thread of its own.
    pub(crate) fn is_dedicated(&self) -> bool {
        lock(&self.state).has(DEDICATED)
    }

    /// The place in the registry's start order (48 bits, see `new_scheduled`).
    pub(crate) fn seq(&self) -> u64 {
        lock(&self.state).seq()
    }

    /// Moves the actor in the start order (it was registered again). `seq` < 2^48.
    pub(crate) fn set_seq(&self, seq: u64) {
        lock(&self.state).set_seq(seq);
    }

    pub(crate) fn is_closed(&self) -> bool {
        lock(&self.state).has(CLOSED)
    }

    /// How loaded the actor looks: its queued messages, plus one if a thread holds its claim
    /// (it is running a message, perhaps with more already taken into its batch, which the
    /// queue no longer shows). `None` if another thread holds the lock right now. A router's
    /// smallest-mailbox hint: it skips a locked mailbox instead of waiting for it.
    pub(crate) fn try_load(&self) -> Option<usize> {
        self.state
            .try_lock()
            .ok()
            .map(|st| st.queue.len() + usize::from(st.has(RUNNING)))
    }

    /// For debug snapshots: (closed, running, scheduled, messages queued).
    pub(crate) fn debug_state(&self) -> (bool, bool, bool, usize) {
        let st = lock(&self.state);
        (
            st.has(CLOSED),
            st.has(RUNNING),
            st.has(SCHEDULED),
            st.queue.len(),
        )
    }
}

/// Moves the urgent envelopes ahead of the ordinary ones, each kind in its order (a stable
/// partition; only when an urgent one was queued, so the ordinary path never pays for it).
fn urgent_first<E: Urgency>(queue: &mut VecDeque<E>) {
    if !queue.iter().any(Urgency::is_urgent) {
        return;
    }
    let (mut urgent, ordinary): (VecDeque<E>, VecDeque<E>) =
        queue.drain(..).partition(Urgency::is_urgent);
    urgent.extend(ordinary);
    *queue = urgent;
}

fn put_back<E>(st: &mut State<E>, batch: &mut Batch<E>) {
    if batch.take_wake() {
        // Nothing of the batch ran: the room its take made is gone again, and the senders it
        // would have woken are woken by the next take instead.
        st.set(WAITERS, true);
    }
    if !batch.many.is_empty() {
        batch.many.append(&mut st.queue);
        std::mem::swap(&mut st.queue, &mut batch.many);
    }
    if let Some(first) = batch.one.take() {
        st.queue.push_front(first);
    }
}

/// Both are empty: keep the larger buffer in the queue (so the next burst does not allocate),
/// shrunk if a burst made it large.
fn keep_buffer<E>(queue: &mut VecDeque<E>, batch: &mut VecDeque<E>) {
    if batch.capacity() > queue.capacity() {
        std::mem::swap(queue, batch);
    }
    if queue.capacity() > KEEP_CAPACITY {
        queue.shrink_to(KEEP_CAPACITY);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn flags_fate_and_start_order_fit_in_the_queue_padding() {
        // A std mutex word (4), its poison flag (1) and padding, then the 40-byte state.
        assert_eq!(std::mem::size_of::<Mailbox<Box<dyn std::any::Any>>>(), 48);
        let mb = Mailbox::<u32>::new_scheduled(true, (1 << 48) - 2);
        assert_eq!(mb.seq(), (1 << 48) - 2);
        mb.set_seq(0x1234_5678_9abc);
        assert_eq!(mb.seq(), 0x1234_5678_9abc);
        assert!(mb.set_fate(2));
        assert_eq!(mb.fate(), 2);
        // The flags are untouched by either: a dedicated mailbox is never claimed inline.
        let mut batch = Batch::new();
        assert!(!mb.claim_inline(&mut batch));
    }

    #[test]
    fn send_to_idle_schedules_once() {
        let mb = Mailbox::<u32>::new_scheduled(false, 0);
        let mut batch = Batch::new();
        assert!(mb.claim_token(&mut batch));
        assert_eq!(mb.release_token(&mut batch, true), Release::Idle);
        assert_eq!(mb.push_with(1, |v| v), Ok(Pushed::Schedule));
        assert_eq!(mb.push_with(2, |v| v), Ok(Pushed::Queued));
        assert!(mb.claim_token(&mut batch));
        assert_eq!(batch.drain().collect::<Vec<_>>(), vec![1, 2]);
        let _ = mb.push_with(3, |v| v);
        assert_eq!(mb.release_token(&mut batch, true), Release::Continue);
        assert_eq!(batch.drain().collect::<Vec<_>>(), vec![3]);
        assert_eq!(mb.release_token(&mut batch, true), Release::Idle);
    }

    #[test]
    fn a_new_queue_gets_two_slots_not_four() {
        // Two 56-byte envelopes fit the allocator's smallest size classes (docs/design.md,
        // "Inline envelopes"); four made spawning 1.6× slower.
        let mb = Mailbox::<[u64; 7]>::new_scheduled(false, 0);
        let _ = mb.push_with([0; 7], |v| v);
        assert_eq!(lock(&mb.state).queue.capacity(), 2);
    }

    #[test]
    fn a_claim_of_one_envelope_leaves_the_queue_its_buffer_and_its_place_in_front() {
        let mb = Mailbox::<u32>::new_scheduled(false, 0);
        let mut batch = Batch::new();
        let _ = mb.push_with(1, |v| v);
        assert!(mb.claim_token(&mut batch));
        assert!(
            lock(&mb.state).queue.capacity() >= 2,
            "the one envelope was moved out alone; the queue keeps its buffer"
        );
        let _ = mb.push_with(2, |v| v);
        let _ = mb.push_with(3, |v| v);
        // The budget ran out before the one envelope ran: it goes back first.
        assert_eq!(mb.release_token(&mut batch, false), Release::Resubmit);
        assert!(mb.claim_token(&mut batch));
        assert_eq!(batch.drain().collect::<Vec<_>>(), vec![1, 2, 3]);
        // Two or more are taken with the buffer, as before.
        assert_eq!(mb.release_token(&mut batch, true), Release::Idle);
    }

    #[test]
    fn leftovers_go_back_in_front_and_resubmit() {
        let mb = Mailbox::<u32>::new_scheduled(false, 0);
        let mut batch = Batch::new();
        let _ = mb.push_with(1, |v| v);
        let _ = mb.push_with(2, |v| v);
        assert!(mb.claim_token(&mut batch));
        assert_eq!(batch.pop_front(), Some(1));
        let _ = mb.push_with(3, |v| v);
        assert_eq!(mb.release_token(&mut batch, true), Release::Resubmit);
        assert!(mb.claim_token(&mut batch));
        assert_eq!(batch.drain().collect::<Vec<_>>(), vec![2, 3]);
    }

    #[test]
    fn token_popped_during_inline_run_is_handed_over() {
        let mb = Mailbox::<u32>::new_scheduled(false, 0);
        let mut inline = Batch::new();
        assert!(mb.claim_inline(&mut inline));
        let mut batch = Batch::new();
        assert!(!mb.claim_token(&mut batch), "claim is held inline");
        assert_eq!(
            mb.release_inline(&mut inline),
            InlineRelease::Resubmit,
            "inline runner takes the parked token"
        );
        assert!(!mb.release_inline_probe());
    }

    #[test]
    fn closed_mailbox_hands_the_message_back() {
        let mb = Mailbox::<u32>::new_scheduled(false, 0);
        let _ = mb.push_with(1, |v| v);
        assert_eq!(mb.close(), VecDeque::from(vec![1]));
        assert_eq!(mb.push_with(7, |v| v), Err(7));
        assert!(mb.is_closed());
    }

    #[test]
    fn a_full_bounded_mailbox_refuses_and_the_next_take_carries_the_wake_until_a_pop() {
        let mb = Mailbox::<u32>::new_scheduled_bounded(false, 0, true);
        assert_eq!(mb.push_bounded(1, 1, || unreachable!()), Ok(Pushed::Queued));
        let mut registered = false;
        assert_eq!(
            mb.push_bounded(2, 1, || {
                registered = true;
                true
            }),
            Err(Refused::Full(2))
        );
        assert!(registered && lock(&mb.state).has(WAITERS));
        // A take that runs nothing (budget spent) puts the flag back with the envelope.
        let mut batch = Batch::new();
        assert!(mb.claim_token(&mut batch));
        assert!(!lock(&mb.state).has(WAITERS), "moved into the batch");
        assert_eq!(mb.release_token(&mut batch, false), Release::Resubmit);
        assert!(lock(&mb.state).has(WAITERS), "put back with the batch");
        // A take whose envelope runs: the holder wakes, once.
        assert!(mb.claim_token(&mut batch));
        assert_eq!(batch.pop_front(), Some(1));
        assert!(batch.take_wake());
        assert!(!batch.take_wake());
        assert_eq!(mb.push_bounded(2, 1, || unreachable!()), Ok(Pushed::Queued));
        assert_eq!(mb.release_token(&mut batch, true), Release::Continue);
        assert_eq!(batch.drain().collect::<Vec<_>>(), vec![2]);
        assert_eq!(mb.release_token(&mut batch, true), Release::Idle);
        assert_eq!(mb.close(), VecDeque::new());
        assert_eq!(
            mb.push_bounded(3, 1, || unreachable!()),
            Err(Refused::Closed(3))
        );
    }

    #[test]
    fn urgent_envelopes_go_ahead_at_a_take_and_between_two_messages_in_their_order() {
        let mb = Mailbox::<(u32, bool)>::new_scheduled(false, 0);
        let _ = mb.push_with((1, false), |v| v);
        let _ = mb.push_urgent((2, true));
        let _ = mb.push_with((3, false), |v| v);
        let _ = mb.push_urgent((4, true));
        let mut batch = Batch::new();
        assert!(mb.claim_token(&mut batch));
        assert_eq!(batch.pop_front(), Some((2, true)));
        // Sent while the batch runs: after the urgent one still held (4), before 1 and 3.
        let _ = mb.push_urgent((5, true));
        let _ = mb.push_with((6, false), |v| v);
        mb.take_urgent(&mut batch);
        let order: Vec<u32> = batch.drain().map(|(n, _)| n).collect();
        assert_eq!(order, [4, 5, 1, 3]);
        // The ordinary one sent meanwhile stays queued; nothing urgent is left to move.
        mb.take_urgent(&mut batch);
        assert!(batch.is_empty());
        assert_eq!(mb.release_token(&mut batch, true), Release::Continue);
        assert_eq!(batch.drain().collect::<Vec<_>>(), [(6, false)]);
        assert_eq!(mb.release_token(&mut batch, true), Release::Idle);
        assert_eq!(mb.close(), VecDeque::new());
        assert_eq!(mb.push_urgent((7, true)), Err((7, true)));
    }

    #[test]
    fn urgent_ones_put_back_unrun_stay_ahead_of_later_urgent_ones() {
        let mb = Mailbox::<(u32, bool)>::new_scheduled(false, 0);
        let _ = mb.push_with((1, false), |v| v);
        let _ = mb.push_urgent((2, true));
        let mut batch = Batch::new();
        assert!(mb.claim_token(&mut batch));
        // The budget ends before anything runs; another urgent one arrives meanwhile.
        let _ = mb.push_urgent((3, true));
        assert_eq!(mb.release_token(&mut batch, false), Release::Resubmit);
        assert!(mb.claim_token(&mut batch));
        let order: Vec<u32> = batch.drain().map(|(n, _)| n).collect();
        assert_eq!(order, [2, 3, 1]);
    }

    #[test]
    fn a_bounded_take_moves_at_most_bounded_take_envelopes() {
        let mb = Mailbox::<usize>::new_scheduled_bounded(false, 0, true);
        for i in 0..100 {
            let _ = mb.push_bounded(i, 1000, || false);
        }
        let mut batch = Batch::new();
        assert!(mb.claim_token(&mut batch));
        assert_eq!(
            batch.drain().collect::<Vec<_>>(),
            (0..BOUNDED_TAKE).collect::<Vec<_>>()
        );
        assert_eq!(mb.release_token(&mut batch, true), Release::Continue);
        assert_eq!(batch.pop_front(), Some(BOUNDED_TAKE), "in order");
        let mut batch = Batch::new();
        // Unbounded: the whole queue at once, as before.
        let mb = Mailbox::<usize>::new_scheduled(false, 0);
        for i in 0..100 {
            let _ = mb.push_with(i, |v| v);
        }
        assert!(mb.claim_token(&mut batch));
        assert_eq!(batch.drain().count(), 100);
    }

    impl<E> Mailbox<E> {
        fn release_inline_probe(&self) -> bool {
            lock(&self.state).has(TOKEN_PARKED)
        }
    }
}

/// Loom model: every interleaving of senders, the token holder going idle, an inline claimer and
/// a close. Checked: no lost wake-up (every message is run or answered exactly once), never two
/// claim holders at once, never two tokens.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use loom::sync::Arc;
    use loom::thread;

    /// Runs one token activation the way `cell.rs` does; counts the messages it handles.
    fn activation(
        mb: &Mailbox<u32>,
        tokens: &AtomicUsize,
        running: &AtomicUsize,
        seen: &AtomicUsize,
    ) -> Release {
        let mut batch = Batch::new();
        if !mb.claim_token(&mut batch) {
            // The token moved to the claim holder, which resubmits it: it still exists.
            return Release::Idle;
        }
        assert_eq!(running.fetch_add(1, SeqCst), 0, "two claim holders");
        // A budget of two messages, so that both Continue and Resubmit are explored.
        let mut budget = 2;
        let r = loop {
            while budget > 0 {
                let Some(_) = batch.pop_front() else { break };
                budget -= 1;
                seen.fetch_add(1, SeqCst);
            }
            running.fetch_sub(1, SeqCst);
            match mb.release_token(&mut batch, budget > 0) {
                Release::Continue => {
                    assert_eq!(running.fetch_add(1, SeqCst), 0, "two claim holders")
                }
                r => break r,
            }
        };
        if r == Release::Idle {
            tokens.fetch_sub(1, SeqCst);
        }
        r
    }

    #[test]
    fn loom_senders_vs_going_idle_no_lost_wakeup() {
        loom::model(|| {
            let mb = Arc::new(Mailbox::<u32>::new_scheduled(false, 0));
            let tokens = Arc::new(AtomicUsize::new(1));
            let running = Arc::new(AtomicUsize::new(0));
            let seen = Arc::new(AtomicUsize::new(0));
            let pending_tokens = Arc::new(loom::sync::Mutex::new(1usize));
            let senders: Vec<_> = (0..2)
                .map(|i| {
                    let (mb, tokens, pt) = (mb.clone(), tokens.clone(), pending_tokens.clone());
                    thread::spawn(move || {
                        if mb.push_with(i, |v| v).unwrap() == Pushed::Schedule {
                            // Schedule comes only after a release to idle: no token is queued.
                            let mut pt = pt.lock().unwrap();
                            assert_eq!(*pt, 0, "two tokens");
                            *pt += 1;
                            tokens.fetch_add(1, SeqCst);
                        }
                    })
                })
                .collect();
            // The worker runs every token that exists, first concurrently with the senders, then
            // after them.
            let run_tokens = || loop {
                let have = {
                    let mut pt = pending_tokens.lock().unwrap();
                    let have = *pt > 0;
                    if have {
                        *pt -= 1;
                    }
                    have
                };
                if !have {
                    break;
                }
                if activation(&mb, &tokens, &running, &seen) == Release::Resubmit {
                    *pending_tokens.lock().unwrap() += 1;
                }
            };
            run_tokens();
            for h in senders {
                h.join().unwrap();
            }
            run_tokens();
            assert_eq!(seen.load(SeqCst), 2, "a message was lost");
            assert_eq!(tokens.load(SeqCst), 0);
            assert!(!lock(&mb.state).has(SCHEDULED), "idle at the end");
        });
    }

    #[test]
    fn loom_inline_claim_vs_token_handoff() {
        loom::model(|| {
            let mb = Arc::new(Mailbox::<u32>::new_scheduled(false, 0));
            let mut b = Batch::new();
            assert!(mb.claim_token(&mut b));
            assert_eq!(mb.release_token(&mut b, true), Release::Idle);
            // An ask arrives: the sender must submit a token.
            assert_eq!(mb.push_with(1, |v| v).unwrap(), Pushed::Schedule);
            let running = Arc::new(AtomicUsize::new(0));
            let seen = Arc::new(AtomicUsize::new(0));
            let tokens = Arc::new(AtomicUsize::new(1));
            let resubmitted = Arc::new(AtomicUsize::new(0));
            // The waiter runs the actor inline until the message is handled.
            let waiter = {
                let (mb, running, seen, resub) = (
                    mb.clone(),
                    running.clone(),
                    seen.clone(),
                    resubmitted.clone(),
                );
                thread::spawn(move || {
                    let mut batch = Batch::new();
                    if mb.claim_inline(&mut batch) {
                        assert_eq!(running.fetch_add(1, SeqCst), 0, "two claim holders");
                        while batch.pop_front().is_some() {
                            seen.fetch_add(1, SeqCst);
                        }
                        running.fetch_sub(1, SeqCst);
                        if mb.release_inline(&mut batch) == InlineRelease::Resubmit {
                            resub.fetch_add(1, SeqCst);
                        }
                    }
                })
            };
            // The worker pops the token concurrently.
            let r = activation(&mb, &tokens, &running, &seen);
            waiter.join().unwrap();
            let mut extra = resubmitted.load(SeqCst);
            assert!(r == Release::Idle);
            // A token handed to the waiter comes back through `resubmitted`: run it.
            while extra > 0 {
                extra -= 1;
                let _ = activation(&mb, &tokens, &running, &seen);
            }
            assert_eq!(seen.load(SeqCst), 1, "the ask must be handled exactly once");
            assert_eq!(tokens.load(SeqCst), 0, "the token must end idle");
        });
    }

    #[test]
    fn loom_close_vs_send_every_message_answered_once() {
        loom::model(|| {
            let mb = Arc::new(Mailbox::<u32>::new_scheduled(false, 0));
            let sender = {
                let mb = mb.clone();
                thread::spawn(move || mb.push_with(5, |v| v).is_ok())
            };
            let drained = mb.close().len();
            let accepted = sender.join().unwrap();
            // Either the send was refused (and the sender holds the message) or the close drained it.
            assert_eq!(accepted, drained == 1);
        });
    }

    /// A restart's backoff (`hold`): the token holder releases its claim but keeps the token
    /// (the timer submits it later). A sender meanwhile must only queue, never schedule a second
    /// token; an inline runner may claim and run meanwhile; the message is handled once.
    #[test]
    fn loom_hold_vs_send_and_inline_claim_keeps_one_token() {
        loom::model(|| {
            let mb = Arc::new(Mailbox::<u32>::new_scheduled(false, 0));
            let seen = Arc::new(AtomicUsize::new(0));
            // The worker holds the claim (it is running the failed actor).
            let mut batch = Batch::new();
            assert!(mb.claim_token(&mut batch));
            let sender = {
                let mb = mb.clone();
                thread::spawn(move || {
                    assert_eq!(
                        mb.push_with(1, |v| v).unwrap(),
                        Pushed::Queued,
                        "second token"
                    );
                })
            };
            let inline = {
                let (mb, seen) = (mb.clone(), seen.clone());
                thread::spawn(move || {
                    let mut batch = Batch::new();
                    if mb.claim_inline(&mut batch) {
                        seen.fetch_add(batch.drain().count(), SeqCst);
                        // The held token is not parked with the inline runner.
                        assert_eq!(mb.release_inline(&mut batch), InlineRelease::Done);
                    }
                })
            };
            // The worker holds (backoff), then the "timer" resubmits the token.
            seen.fetch_add(batch.drain().count(), SeqCst);
            assert!(mb.hold(&mut batch));
            sender.join().unwrap();
            inline.join().unwrap();
            // The timer's token: the inline runner has released, so the claim succeeds.
            assert!(mb.claim_token(&mut batch));
            seen.fetch_add(batch.drain().count(), SeqCst);
            assert_eq!(mb.release_token(&mut batch, true), Release::Idle);
            assert_eq!(seen.load(SeqCst), 1, "the message is handled exactly once");
        });
    }

    /// A sender waits for room in a bounded mailbox of one (its waiter registered under the
    /// lock, `WAITERS`) while the token holder first puts its batch back unrun (a spent
    /// budget: the flag goes back with it), then runs it (the first pop wakes the waiters).
    /// On every schedule the sender is woken (no spin for ever) and its message is handled.
    #[test]
    fn loom_a_sender_waiting_for_room_is_always_woken() {
        use crate::base::sync::AtomicBool;
        loom::model(|| {
            let mb = Arc::new(Mailbox::<u32>::new_scheduled_bounded(false, 0, true));
            assert_eq!(mb.push_bounded(1, 1, || false), Ok(Pushed::Queued));
            let waiters = Arc::new(loom::sync::Mutex::new(Vec::<Arc<AtomicBool>>::new()));
            let sender = {
                let (mb, waiters) = (mb.clone(), waiters.clone());
                thread::spawn(move || loop {
                    let room = Arc::new(AtomicBool::new(false));
                    let pushed = mb.push_bounded(2, 1, || {
                        waiters.lock().unwrap().push(room.clone());
                        true
                    });
                    match pushed {
                        Ok(p) => return p,
                        Err(Refused::Full(_)) => {
                            while !room.load(SeqCst) {
                                thread::yield_now();
                            }
                        }
                        Err(Refused::Closed(_)) => panic!("never closed"),
                    }
                })
            };
            let seen = AtomicUsize::new(0);
            let activation = |budget: usize| {
                let mut batch = Batch::new();
                assert!(mb.claim_token(&mut batch));
                let mut budget = budget;
                loop {
                    while budget > 0 {
                        let Some(_) = batch.pop_front() else { break };
                        budget -= 1;
                        if batch.take_wake() {
                            for w in waiters.lock().unwrap().drain(..) {
                                w.store(true, SeqCst);
                            }
                        }
                        seen.fetch_add(1, SeqCst);
                    }
                    match mb.release_token(&mut batch, budget > 0) {
                        Release::Continue => continue,
                        r => break r,
                    }
                }
            };
            // The first activation runs nothing; it must resubmit (a message is pending).
            assert_eq!(activation(0), Release::Resubmit);
            let mut last = activation(usize::MAX);
            if sender.join().unwrap() == Pushed::Schedule {
                assert_eq!(last, Release::Idle);
                last = activation(usize::MAX);
            }
            assert_eq!(last, Release::Idle);
            assert_eq!(
                seen.load(SeqCst),
                2,
                "the waiting sender's message was handled"
            );
        });
    }
}
