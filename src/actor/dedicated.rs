//! `start_dedicated`: one actor on its own OS thread, named after its class (Pykka's model, and
//! the benchmarks' thread-per-actor baseline). The thread and its home are the pool layer's
//! (`sched::dedicated`); this starts the actor in one. See `sched::dedicated` for the protocol.

use crate::actor::actor_ref::ActorRef;
use crate::actor::cell;
use crate::actor::Actor;
use crate::base::logging::error;
use crate::sched::dedicated::{self, DedicatedHome};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Pykka numbers actor threads from one counter shared by all classes.
static THREAD_COUNTER: AtomicUsize = AtomicUsize::new(0);

pub(crate) fn start<A: Actor>(actor: A) -> ActorRef<A> {
    let system = &crate::actor::system::global_runtime().system;
    let home = Arc::new(DedicatedHome::new());
    let actor_ref = cell::start(actor, system, Some(Arc::clone(&home)));
    if !actor_ref.is_alive() {
        // The runtime was shut down: the actor was never handed a token, so no thread.
        system.homes.remove(actor_ref.cell().id());
        return actor_ref;
    }
    // ORDERING: Relaxed; the counter only numbers thread names.
    let n = THREAD_COUNTER.fetch_add(1, Ordering::Relaxed);
    let owner = Arc::clone(system);
    let id = actor_ref.cell().id();
    let spawned = dedicated::spawn(
        format!("{}-{n}", actor_ref.actor_class()),
        crate::sched::pool_id(&system.pool),
        system.config().quiet_panics.clone(),
        system.config().thread_context.clone(),
        home,
        move || owner.homes.remove(id),
    );
    if let Err(e) = spawned {
        system.homes.remove(id);
        error!(target: "pykka", "could not start a thread for {actor_ref}: {e}");
        crate::actor::cell::AnyCell::kill(&**actor_ref.cell());
    }
    actor_ref
}
