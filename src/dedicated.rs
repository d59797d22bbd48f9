//! `start_dedicated`: one actor on its own OS thread, named after its class (Pykka's model, and
//! the benchmarks' thread-per-actor baseline). See `docs/design.md` section 8.

use crate::actor::Actor;
use crate::actor_ref::ActorRef;
use crate::base::logging::{debug, error};
use crate::cell;
use crate::runtime::Runtime;
use crate::scheduler::{self, Token};
use crate::system::System;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;

/// Pykka numbers actor threads from one counter shared by all classes.
static THREAD_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The home of a dedicated actor: its thread waits here for the actor's token, or for the
/// home to close (the actor was killed while idle: no token will ever come).
pub(crate) struct DedicatedHome {
    state: Mutex<HomeState>,
    cv: Condvar,
}

struct HomeState {
    token: Option<Token>,
    closed: bool,
}

impl DedicatedHome {
    fn new() -> Self {
        DedicatedHome {
            state: Mutex::new(HomeState {
                token: None,
                closed: false,
            }),
            cv: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HomeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn notify(&self, token: Token) {
        self.lock().token = Some(token);
        self.cv.notify_one();
    }

    /// The actor died while its thread waited: the thread exits.
    fn close(&self) {
        self.lock().closed = true;
        self.cv.notify_one();
    }

    /// The next token to run; `None` once the home is closed and holds none.
    fn next(&self) -> Option<Token> {
        let mut g = self.lock();
        loop {
            if let Some(t) = g.token.take() {
                return Some(t);
            }
            if g.closed {
                return None;
            }
            g = self.cv.wait(g).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Dedicated actors' homes, by actor id. Kept beside the runtime rather than in every cell: only
/// dedicated actors need one, and a pointer per pooled actor would cost 8 bytes each.
#[derive(Default)]
pub(crate) struct Homes {
    homes: Mutex<HashMap<u128, Arc<DedicatedHome>>>,
}

impl Homes {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u128, Arc<DedicatedHome>>> {
        self.homes.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub(crate) fn register_home(system: &System, id: u128, home: Arc<DedicatedHome>) {
    system.homes.lock().insert(id, home);
}

/// Hands a dedicated actor's token to its thread.
pub(crate) fn notify(system: &System, id: u128, token: Token) {
    let home = system.homes.lock().get(&id).cloned();
    match home {
        Some(home) => home.notify(token),
        // The thread was never started: the actor was abandoned, its sends already refused.
        None => debug!(target: "pykka", "no thread for a dedicated actor"),
    }
}

/// A dedicated actor was killed: its thread, if it waits for a token, exits.
pub(crate) fn close_home(system: &System, id: u128) {
    let home = system.homes.lock().get(&id).cloned();
    if let Some(home) = home {
        home.close();
    }
}

/// The runtime shuts down: every dedicated thread still waiting exits.
pub(crate) fn close_all_homes(system: &System) {
    let homes: Vec<_> = system.homes.lock().values().cloned().collect();
    for home in homes {
        home.close();
    }
}

pub(crate) fn start<A: Actor>(actor: A) -> ActorRef<A> {
    let system = Runtime::global().system();
    let home = Arc::new(DedicatedHome::new());
    let actor_ref = cell::start(actor, system, Some(Arc::clone(&home)));
    if !actor_ref.is_alive() {
        // The runtime was shut down: the actor was never handed a token, so no thread.
        system.homes.lock().remove(&actor_ref.cell().id());
        return actor_ref;
    }
    // ORDERING: Relaxed; the counter only numbers thread names.
    let n = THREAD_COUNTER.fetch_add(1, Ordering::Relaxed);
    let owner = Arc::clone(system);
    let id = actor_ref.cell().id();
    let spawned = thread::Builder::new()
        .name(format!("{}-{n}", actor_ref.actor_class()))
        .spawn(move || {
            scheduler::mark_owned_by(&owner.pool);
            while let Some(token) = home.next() {
                if !scheduler::run_guarded(token, usize::MAX) {
                    break;
                }
            }
            owner.homes.lock().remove(&id);
        });
    if let Err(e) = spawned {
        system.homes.lock().remove(&id);
        error!(target: "pykka", "could not start a thread for {actor_ref}: {e}");
        crate::cell::AnyCell::kill(&**actor_ref.cell());
    }
    actor_ref
}
