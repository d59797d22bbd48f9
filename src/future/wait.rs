//! What a `get()` does when it must wait, and the records of who waits for whom.
//!
//! Pykka programs block inside handlers (a `Bookkeeper` asks an `Adder` and waits). On a pool
//! this deadlocks if the asked actor is queued behind the blocked worker. Helping with arbitrary
//! work deadlocks too (unrelated work ends up on the waiter's stack); handing the worker's place
//! to another thread alone is correct but costs two wake-ups (about 20 µs); handing it over
//! *and* running the asked actor inline is correct and fast. That is what [`wait`] does.
//!
//! Off the pool a wait is plain (block on the slot). On a pool thread the pool has installed a
//! [`PoolHook`] on the thread (`install_pool_hook`); this module names no pool: the hook is a
//! trait defined here, and the pool is known only by an opaque id (`InlineTarget::pool_id`), as
//! tokio's blocking receive asks a thread-local "may I block here?" and never names a scheduler.
//! The pool's side (stack measurement, what counts as queued work, the spare cap) is described
//! in `sched::pool`.
//!
//! # The steps of a wait
//!
//! ```text
//! get() -> wait(slot, target, deadline)
//!   ready?                                  return
//!   target's handler on this thread's stack? Err(Deadlock)
//!   deadline passed?                        return (the caller reports the timeout)
//!   pool thread, asked future, no deadline:
//!     every 64th such wait of this handler, if work is queued behind it: hand the slot over
//!     enter_inline? run the target inline until the reply is set; ready? return
//!   record the wait-for edges, unless they close a cycle: Err(Deadlock)
//!   pool thread: hand the slot to a spare (Err(PoolExhausted) at the cap)
//!   block on the slot
//! ```
//!
//! 1. **Refuse what can never end.** Each thread keeps the stack of actors whose handlers it is
//!    running ([`running`]: pushed per batch of an activation, inline runs included). If the
//!    actor whose reply is awaited is on that stack, its handler is suspended beneath the waiter
//!    and cannot answer until the waiter returns: `get()` fails with `Error::Deadlock` at once
//!    instead of hanging (a handler asking itself, Pykka's blocking `stop()` of itself from a
//!    handler, Pykka issue #76, or a cycle of blocking asks run inline). Cycles across threads
//!    are refused when the wait is recorded (step 4).
//! 2. **Inline.** A future made by an ask knows its target actor ([`InlineTarget`]). If the wait
//!    has no deadline (a handler run inline cannot be interrupted when a deadline passes), the
//!    thread is one of the target's own pool, the target is pooled (not dedicated) and nobody
//!    holds its claim, the waiting thread claims it (`mailbox`'s inline claim) and runs its
//!    envelopes, in order, until the reply is set, then releases it (resubmitting a token that
//!    was parked with it meanwhile). This only ever runs the actor whose reply is awaited, and
//!    its earlier messages, which must run before the reply anyway: never unrelated work.
//!    - *Stack.* An inline run is nested on the waiter's stack, so it is allowed only while at
//!      least `inline_stack_reserve` bytes of that stack are left (the pool's `enter_inline`):
//!      a handler nested under others has the stack it would have on a thread of its own. The
//!      reply path keeps frames small too: the handler's reply goes from its return slot into
//!      the promise under the same `catch` (a 64 KiB reply cost 1155 KiB of stack per level in
//!      debug and 385 KiB in release through the ask path; now 259 and 257, three of the four
//!      copies in the asking handler's own frames), and a `Future` holds no `T` inline (see
//!      `future`), so `get()` moves no `T` below a nested run.
//!    - *Sharing.* A handler that keeps being served by inline runs (it polls an idle actor in a
//!      loop until a third actor sets a flag) would keep its worker for ever, and the third
//!      actor, queued behind it, would never run: on one worker the loop never ends, where with
//!      a thread per actor it ends at once. So every [`INLINE_WAITS_BEFORE_SHARING`] (64) such
//!      waits of one handler frame, if work is queued behind its thread (the pool's
//!      `work_queued_behind`), the thread hands its slot to a spare first, then still runs the
//!      awaited actor inline, now without a slot: queued work waits at most 64 inline runs. A
//!      handler that waits for another actor *without* `get()` (spinning on a shared flag)
//!      cannot be helped: it holds its worker (docs/reliability.md, "Known limits").
//! 3. **Hand the slot over.** Otherwise (the target is running elsewhere, is dedicated, the
//!    wait has a deadline, or the stack is short) the thread gives its slot to a spare thread
//!    before it blocks, so that the pool's `threads` slots keep running actors; at the pool's
//!    spare cap `get()` fails with `Error::PoolExhausted` instead (`sched::pool`, "The pool's
//!    side of a blocking wait"). When the reply comes, the thread finishes its activation
//!    without a slot and becomes an idle spare (`sched::spares`).
//! 4. **Record who waits for whom, and refuse a cycle.** Each frame of the thread's stack of
//!    running actors also says which actor it awaits while that actor runs inline above it. A
//!    thread that blocks (the slow path only: the inline path touches only its thread-local
//!    frames) records every such edge with its own, in one table for the process ([`Graph`]):
//!    A waiting by running B inline, and B blocked on C, record (A, B) and (B, C). So the
//!    wait-for relation of the debug snapshot (`Runtime::snapshot().waits()`) has no gaps. Before
//!    recording, under the table's lock, the thread walks the relation from the actor it awaits:
//!    if the walk comes back to an actor on its own stack, the wait would close a cycle (across
//!    any number of threads: pool workers, spares, dedicated threads) and fails with
//!    `Error::Deadlock` naming it, on every schedule; a cycle is never reported where none is
//!    (see [`Graph`] for why, with its loom models). The records are removed when the wait
//!    ends. The check happens before the slot is handed to a spare, so a refused wait costs no
//!    thread hand-over; the inline path never takes the lock, so the ask-in-handler path pays
//!    nothing for it.
//!
//! Any program that completes with a thread per actor completes on the pool, up to the spare
//! cap: every blocked handler is on its own thread (its own stack), exactly as with a thread per
//! actor; a handler run inline has at least the stack a thread of its own would give it; a
//! handler served inline in a loop shares its worker; and `threads` threads always keep running
//! other actors. What this cannot cover is listed in docs/reliability.md ("Known limits").

use crate::base::error::{Deadlock, Error, PoolExhausted};
use crate::base::sync::{lock, AtomicBool, Mutex};
use crate::future::Slot;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
#[cfg(not(loom))]
use std::sync::OnceLock;
use std::time::Instant;

/// What a pool offers the waits made on its threads (installed per thread by the pool).
pub(crate) trait PoolHook: Sync {
    /// Enters one level of inline running of an actor of the pool `pool_id`, if this thread is
    /// one of that pool's and may (depth, stack left); `false` otherwise.
    fn enter_inline(&self, pool_id: usize) -> bool;
    /// Leaves the level `enter_inline` entered.
    fn leave_inline(&self);
    /// Whether this thread holds a run queue of `pool_id` with work for others behind it.
    fn work_queued_behind(&self, pool_id: usize) -> bool;
    /// This thread is about to block: give its run queue to a spare thread (nothing to do if
    /// it holds none). `Err` at the pool's spare cap.
    fn release_for_blocking(&self) -> Result<(), PoolExhausted>;
}

thread_local! {
    /// The pool of this thread, if it is a pool thread.
    static HOOK: Cell<Option<&'static dyn PoolHook>> = const { Cell::new(None) };
}

/// Marks the calling thread as a pool thread (the pool calls it when the thread starts).
pub(crate) fn install_pool_hook(hook: &'static dyn PoolHook) {
    let _ = HOOK.try_with(|h| h.set(Some(hook)));
}

fn hook() -> Option<&'static dyn PoolHook> {
    HOOK.try_with(Cell::get).ok().flatten()
}

/// Every this many inline-served waits, an activation with work queued behind it shares: its
/// thread gives its slot to a spare thread (see the module docs).
const INLINE_WAITS_BEFORE_SHARING: u32 = 64;

/// One actor whose handler is on this thread's stack.
struct Frame {
    id: u128,
    /// The actor type's full name (for the text of a `Deadlock`).
    name: &'static str,
    /// The actor this handler waits for while that actor runs inline above it.
    awaiting: Option<(u128, &'static str)>,
    /// Waits of this activation served by inline runs.
    inline_waits: u32,
}

thread_local! {
    /// The actors whose handlers are on this thread's stack, innermost last.
    static RUNNING: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

/// Marks an actor as running on this thread until dropped.
pub(crate) struct Running(());

/// Pushes the actor `id` (of the type named `name`) on this thread's stack of running actors.
pub(crate) fn running(id: u128, name: &'static str) -> Running {
    let _ = RUNNING.try_with(|r| {
        r.borrow_mut().push(Frame {
            id,
            name,
            awaiting: None,
            inline_waits: 0,
        })
    });
    Running(())
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = RUNNING.try_with(|r| r.borrow_mut().pop());
    }
}

/// Applies `f` to the innermost frame, if any.
fn innermost<R>(f: impl FnOnce(&mut Frame) -> R) -> Option<R> {
    RUNNING
        .try_with(|r| r.try_borrow_mut().ok()?.last_mut().map(f))
        .ok()
        .flatten()
}

/// The actors on this thread's stack (id, type name), outermost first.
fn stack() -> Vec<(u128, &'static str)> {
    RUNNING
        .try_with(|r| r.borrow().iter().map(|f| (f.id, f.name)).collect())
        .unwrap_or_default()
}

/// Whether the actor `id` has a handler on this thread's stack (it cannot handle anything else
/// until this thread returns to it).
pub(crate) fn is_running_here(id: u128) -> bool {
    suspended_here(id).is_some()
}

/// Whether the actor `id` has a handler on this thread's stack, and where.
fn suspended_here(id: u128) -> Option<usize> {
    RUNNING
        .try_with(|r| r.borrow().iter().position(|f| f.id == id))
        .ok()
        .flatten()
}

/// `<Class> (<urn>)`, as an actor displays, from its id and full type name.
fn describe(id: u128, type_name: &str) -> String {
    format!(
        "{} ({})",
        crate::base::type_name::short_name(type_name),
        crate::base::urn::format(id)
    )
}

/// The wait-for records of this thread, about to block on `target`: the innermost handler
/// waits for `target` (its record ends when `over` is set), and every handler beneath an inline
/// run waits for the actor run above it (that record lives as long as the block: the inline
/// run's reply cannot come while the handler above it blocks).
fn edges(target: Option<(u128, &'static str)>, over: Option<Arc<AtomicBool>>) -> Vec<(u128, Edge)> {
    RUNNING
        .try_with(|r| {
            let r = r.borrow();
            let mut edges: Vec<_> = r
                .iter()
                .filter_map(|f| {
                    let (id, c) = f.awaiting?;
                    Some((
                        f.id,
                        Edge {
                            awaited: Some((id, describe(id, c))),
                            over: None,
                        },
                    ))
                })
                .collect();
            if let Some(last) = r.last() {
                edges.push((
                    last.id,
                    Edge {
                        awaited: target.map(|(id, c)| (id, describe(id, c))),
                        over,
                    },
                ));
            }
            edges
        })
        .unwrap_or_default()
}

/// The `Deadlock` of a handler (innermost on `stack`) whose wait for `awaited` closes a cycle:
/// `path` leads from the awaited actor to the actor `stack[hit]` (their descriptions, the
/// last being `stack[hit]`'s), and the handlers from `stack[hit]` up wait for each other by
/// inline runs.
fn deadlock(
    awaited: (u128, &'static str),
    stack: &[(u128, &'static str)],
    path: &[String],
    hit: usize,
) -> Error {
    let describe_frame = |&(id, name): &(u128, &'static str)| describe(id, name);
    let waiter = stack.last().map(describe_frame).unwrap_or_default();
    let mut cycle = vec![waiter];
    cycle.extend(path.iter().take(path.len().saturating_sub(1)).cloned());
    let beneath = stack.len().saturating_sub(1);
    cycle.extend(stack[hit.min(beneath)..beneath].iter().map(describe_frame));
    Error::Deadlock(Deadlock {
        awaited: describe(awaited.0, awaited.1),
        cycle,
    })
}

/// The actor whose handler is innermost on this thread, as an awaited party that is never run
/// inline (its handler is busy): what the other readers of a derived `SharedFuture` that this
/// handler computes wait for.
pub(crate) fn current_actor() -> Option<Arc<dyn InlineTarget>> {
    let (id, name) = *stack().last()?;
    Some(Arc::new(Busy { id, name }))
}

/// See [`current_actor`].
struct Busy {
    id: u128,
    name: &'static str,
}

impl InlineTarget for Busy {
    fn actor_id(&self) -> u128 {
        self.id
    }

    fn type_name(&self) -> &'static str {
        self.name
    }

    fn pool_id(&self) -> usize {
        // No pool has this id: a wait for it never runs anything inline.
        0
    }

    fn run_inline(self: Arc<Self>, _done: &dyn Fn() -> bool) {}
}

/// An actor that a waiting pool thread may run inline.
pub(crate) trait InlineTarget: Send + Sync {
    /// The actor's id.
    fn actor_id(&self) -> u128;
    /// The actor type's full name (`std::any::type_name`: a constant, no work).
    fn type_name(&self) -> &'static str;
    /// The pool it belongs to, as an opaque id (an inline run happens only on that pool's
    /// threads).
    fn pool_id(&self) -> usize;
    /// If this actor is pooled and nobody holds its claim: run its envelopes on this thread, in
    /// order, until `done()`; then release it. Otherwise return at once. (The caller has
    /// entered an inline level on a thread of `pool_id()`.)
    fn run_inline(self: Arc<Self>, done: &dyn Fn() -> bool);
}

/// Waits until `slot` is ready or `deadline` has passed (the caller then takes the value, or
/// reports the timeout). `Err`: waiting was refused.
pub(crate) fn wait<T>(
    slot: &Slot<T>,
    target: Option<&Arc<dyn InlineTarget>>,
    deadline: Option<Instant>,
) -> Result<(), Error> {
    if slot.is_ready() {
        return Ok(());
    }
    if let Some(t) = target {
        if let Some(hit) = suspended_here(t.actor_id()) {
            let awaited = (t.actor_id(), t.type_name());
            let path = [describe(awaited.0, awaited.1)];
            return Err(deadlock(awaited, &stack(), &path, hit));
        }
    }
    if deadline.is_some_and(|d| Instant::now() >= d) {
        // Nothing to wait for: no inline run, no spare thread.
        return Ok(());
    }
    let pool = hook();
    // Inline only for waits without a deadline (a handler run inline cannot be interrupted when
    // the deadline passes), and only on a thread of the target's own pool.
    if let (Some(pool), Some(target), None) = (pool, target, deadline) {
        let pool_id = target.pool_id();
        // One access to the frame: count the wait, and say whom it awaits (for the records of
        // a wait that blocks above it, in the inline run).
        let awaited = (target.actor_id(), target.type_name());
        let waits = innermost(|f| {
            f.inline_waits = f.inline_waits.wrapping_add(1);
            f.awaiting = Some(awaited);
            f.inline_waits
        });
        // Sharing (module docs): checked every `INLINE_WAITS_BEFORE_SHARING` waits, so queued
        // work waits at most that many inline runs. Refused at the spare cap: then inline is all
        // there is.
        if waits.is_some_and(|n| n % INLINE_WAITS_BEFORE_SHARING == 0)
            && pool.work_queued_behind(pool_id)
        {
            let _ = pool.release_for_blocking();
        }
        let entered = pool.enter_inline(pool_id);
        if entered {
            Arc::clone(target).run_inline(&|| slot.is_ready());
            pool.leave_inline();
        }
        innermost(|f| f.awaiting = None);
        if entered && slot.is_ready() {
            return Ok(());
        }
    }
    // The wait-for records, checked for a cycle before anything is handed over.
    let awaited = target.map(|t| (t.actor_id(), t.type_name()));
    let Some(waiting) = Waiting::begin(slot, awaited)? else {
        return Ok(()); // completed meanwhile
    };
    // Off the pool there is nothing to hand over.
    if let Some(pool) = pool {
        pool.release_for_blocking().map_err(Error::PoolExhausted)?;
    }
    slot.wait_ready(deadline);
    // A wait that timed out removes its records now, with `waiting`.
    drop(waiting);
    Ok(())
}

/// One blocked handler's wait-for record.
pub(crate) struct Edge {
    /// The awaited actor: `(id, "<Class> (<urn>)")`, or `None` for a promise that anybody may
    /// set (a wait for it is never part of a cycle).
    awaited: Option<(u128, String)>,
    /// Set when the awaited reply is in (by the slot's completion): the record is then stale
    /// (its thread has not removed it yet) and ends every walk. (A wait that times out removes
    /// its record at once: until then, the cycle was there.) `None`: a
    /// handler beneath an inline run, waiting for the actor run above it, whose reply cannot
    /// come while the record lasts.
    over: Option<Arc<AtomicBool>>,
}

impl Edge {
    fn live(&self) -> bool {
        !is_set(self.over.as_ref())
    }
}

fn is_set(flag: Option<&Arc<AtomicBool>>) -> bool {
    // ORDERING: Acquire, pairs with the Release of the slot's completion.
    flag.is_some_and(|o| o.load(Ordering::Acquire))
}

/// What `Graph::block` did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Blocked {
    /// The records are in: block.
    Recorded,
    /// The wait is over already (its reply came meanwhile): nothing recorded, do not block.
    Over,
    /// The wait would close a cycle: nothing recorded. The descriptions of the actors from the
    /// awaited one to the first one on the waiting thread's stack, and that one's place there.
    Cycle(Vec<String>, usize),
}

/// The wait-for relation of the process: every handler blocked in `get()`, and whom it awaits.
///
/// # The cycle check
///
/// A handler about to block walks the relation from the actor it awaits, under the one lock,
/// before it records its own wait: reaching an actor on its own thread's stack means the wait
/// would close a cycle, and it is refused (`Error::Deadlock`) instead of recorded. Of two waits
/// that close a cycle together, the second to take the lock sees the first's record: one of
/// them is always refused, on every schedule.
///
/// A cycle is reported only if it exists. Every record on the walk is of a handler that cannot
/// leave its wait while the walk holds the lock (leaving removes the record, under the lock),
/// so the only records that do not mean "blocked" are those whose reply is in already and whose
/// thread has not removed them yet. Those are marked when it
/// happens (`Edge::over`: the slot's completion sets it, under the slot's lock, for a waiter
/// that handed it in before recording; a waiter whose slot completed first records nothing)
/// and end the walk. The walker's own flag is read under the lock too: its reply may have come
/// after it handed the flag in and before it took the lock, from an actor that then blocked on
/// it and recorded that (the walk would find that record, live, and a cycle that is not there).
/// A walk that reads an unmarked record of a wait for a reply that is being set at that moment
/// by another thread can only be racing a kill of the awaited actor (the awaited actor itself
/// is on the walk, so blocked): the cycle was there when it was read.
pub(crate) struct Graph {
    edges: Mutex<HashMap<u128, Edge>>,
}

impl Graph {
    pub(crate) fn new() -> Graph {
        Graph {
            edges: Mutex::new(HashMap::new()),
        }
    }

    /// Records the `edges` of a thread whose actors are `stack`, about to block on `start`
    /// with the record flag `own` (see [`Blocked`]).
    pub(crate) fn block(
        &self,
        stack: &[u128],
        start: Option<(u128, String)>,
        own: Option<&Arc<AtomicBool>>,
        edges: Vec<(u128, Edge)>,
    ) -> Blocked {
        let mut map = lock(&self.edges);
        if is_set(own) {
            return Blocked::Over;
        }
        if let Some((mut at, description)) = start {
            let mut path = vec![description];
            // At most one step per record: a cycle that does not pass through this thread
            // (others' deadlock) ends the walk too.
            for _ in 0..=map.len() {
                if let Some(hit) = stack.iter().position(|&s| s == at) {
                    return Blocked::Cycle(path, hit);
                }
                let Some(edge) = map.get(&at).filter(|e| e.live()) else {
                    break;
                };
                let Some((next, description)) = &edge.awaited else {
                    break;
                };
                path.push(description.clone());
                at = *next;
            }
        }
        for (waiter, edge) in edges {
            map.insert(waiter, edge);
        }
        Blocked::Recorded
    }

    /// Removes the records of `waiters` (their wait ended).
    pub(crate) fn unblock(&self, waiters: &[u128]) {
        let mut map = lock(&self.edges);
        for w in waiters {
            map.remove(w);
        }
    }

    /// The live records: waiter id → the awaited actor (id, `<Class> (<urn>)`), if known.
    fn snapshot(&self) -> Waits {
        lock(&self.edges)
            .iter()
            .filter(|(_, e)| e.live())
            .map(|(w, e)| (*w, e.awaited.clone()))
            .collect()
    }
}

#[cfg(not(loom))]
fn graph() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(Graph::new)
}

#[cfg(loom)]
fn graph() -> &'static Graph {
    loom::lazy_static! {
        static ref GRAPH: Graph = Graph::new();
    }
    &GRAPH
}

/// Blocked actors: waiter id → the awaited actor (id, `<Class> (<urn>)`), if known.
pub(crate) type Waits = HashMap<u128, Option<(u128, String)>>;

/// The actors blocked in `get()` now, each with the actor it waits for (the wait-for records).
pub(crate) fn waits() -> Waits {
    graph().snapshot()
}

/// Records, while it lives, that actors' handlers are blocked in `get()`: the handler that
/// blocks, and those beneath it on the same thread that wait for an actor run inline above
/// them.
struct Waiting {
    waiters: Vec<u128>,
}

impl Waiting {
    /// Records the waits of this thread, about to block on `slot`, whose reply comes from the
    /// actor `awaited` (`None`: a promise). `Ok(None)`: the slot completed meanwhile, there is
    /// nothing to wait for. `Err(Deadlock)`: the wait would close a cycle (see [`Graph`]).
    fn begin<T>(
        slot: &Slot<T>,
        awaited: Option<(u128, &'static str)>,
    ) -> Result<Option<Waiting>, Error> {
        let stack = stack();
        if stack.is_empty() {
            // Not inside a handler: no actor waits, nothing to record or check.
            return Ok(Some(Waiting {
                waiters: Vec::new(),
            }));
        }
        // Handed to the slot before the record is made: a completion after this marks the
        // record; one before it is seen here.
        let over = match awaited {
            Some(_) => match slot.watch_blocked() {
                Some(over) => Some(over),
                None => return Ok(None),
            },
            None => None,
        };
        let edges = edges(awaited, over.clone());
        let waiters: Vec<u128> = edges.iter().map(|(w, _)| *w).collect();
        let ids: Vec<u128> = stack.iter().map(|&(id, _)| id).collect();
        let start = awaited.map(|(id, c)| (id, describe(id, c)));
        match graph().block(&ids, start, over.as_ref(), edges) {
            Blocked::Recorded => Ok(Some(Waiting { waiters })),
            Blocked::Over => Ok(None),
            Blocked::Cycle(path, hit) => {
                Err(deadlock(awaited.unwrap_or((0, "")), &stack, &path, hit))
            }
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if !self.waiters.is_empty() {
            graph().unblock(&self.waiters);
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::thread;

    const X: u128 = 1;
    const Y: u128 = 2;

    /// `waiter` (alone on its thread) about to block on `slot`, whose reply comes from
    /// `awaited`: what the graph says.
    fn block_on(graph: &Graph, slot: &Slot<u32>, waiter: u128, awaited: u128) -> Option<Blocked> {
        let over = slot.watch_blocked()?;
        let edge = Edge {
            awaited: Some((awaited, format!("{awaited}"))),
            over: Some(Arc::clone(&over)),
        };
        let start = Some((awaited, format!("{awaited}")));
        Some(graph.block(&[waiter], start, Some(&over), vec![(waiter, edge)]))
    }

    /// X waits for Y's reply; Y answers, then asks X back and blocks. At no instant is there a
    /// cycle, so Y's wait must never be refused, however X's steps (hand in the flag, record,
    /// block, wake, remove) interleave with Y's. Without the walker's look at its own flag, X
    /// could find Y's record, made after Y answered X, and report a cycle.
    #[test]
    fn loom_an_answered_wait_never_makes_a_cycle() {
        loom::model(|| {
            let graph = Arc::new(Graph::new());
            let s1 = Arc::new(Slot::<u32>::new());
            let s2 = Arc::new(Slot::<u32>::new());
            let (g, s) = (Arc::clone(&graph), Arc::clone(&s1));
            let x = thread::spawn(move || {
                let r = block_on(&g, &s, X, Y);
                assert!(!matches!(r, Some(Blocked::Cycle(..))), "X: false cycle");
                if r == Some(Blocked::Recorded) {
                    s.wait_ready(None);
                    g.unblock(&[X]);
                }
            });
            s1.complete(Ok(1));
            let r = block_on(&graph, &s2, Y, X);
            assert!(!matches!(r, Some(Blocked::Cycle(..))), "Y: false cycle");
            if r == Some(Blocked::Recorded) {
                graph.unblock(&[Y]);
            }
            x.join().unwrap();
        });
    }

    /// X waits for Y while Y waits for X: exactly one of the two waits is refused on every
    /// schedule (the refused handler then answers, and the other wait ends).
    #[test]
    fn loom_a_two_thread_cycle_is_always_refused_once() {
        loom::model(|| {
            let graph = Arc::new(Graph::new());
            let s1 = Arc::new(Slot::<u32>::new()); // X's wait, answered by Y
            let s2 = Arc::new(Slot::<u32>::new()); // Y's wait, answered by X
            let side = |g: Arc<Graph>, mine: Arc<Slot<u32>>, theirs: Arc<Slot<u32>>, me, them| {
                match block_on(&g, &mine, me, them) {
                    Some(Blocked::Cycle(..)) => {
                        theirs.complete(Ok(0));
                        1
                    }
                    Some(Blocked::Recorded) => {
                        mine.wait_ready(None);
                        g.unblock(&[me]);
                        theirs.complete(Ok(0));
                        0
                    }
                    other => panic!("{me}: {other:?}"),
                }
            };
            let (g, a, b) = (Arc::clone(&graph), Arc::clone(&s1), Arc::clone(&s2));
            let x = thread::spawn(move || side(g, a, b, X, Y));
            let refused_y = side(graph, s2, s1, Y, X);
            let refused_x = x.join().unwrap();
            assert_eq!(refused_x + refused_y, 1);
        });
    }
}
