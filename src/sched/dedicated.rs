//! Dedicated threads: one OS thread per dedicated actor, which runs that actor's token whenever
//! it is handed one (Pykka's thread-per-actor model, and the benchmarks' baseline), and exits
//! when the actor dies or its home is closed (a kill of an idle actor, or shutdown).
//!
//! A dedicated actor (`start_dedicated`, on the default runtime) has the same cell and mailbox
//! as a pooled one; only its token goes elsewhere. Its mailbox is made `dedicated`, so a send
//! that schedules it says `ScheduleDedicated`, and the sender hands the token to the actor's
//! *home*, found in the runtime's side table of homes ([`Homes`], by actor id: only dedicated
//! actors pay for one). Handing it over stores the token and signals the home's condvar; the
//! thread (named after the class, `<Class>-N`, numbered from one counter for all classes, by
//! the actor layer) runs the activation with no budget, and waits again, until the actor dies.
//!
//! ```text
//! send -> mailbox: ScheduleDedicated -> Homes::notify(id, token) -> home: token + notify
//! thread: loop { token = home.next()?; run_guarded(token, no budget) or exit once dead }
//!         then on_exit (the actor layer removes the home)
//! ```
//!
//! A `get()` on that thread blocks plainly (it is Pykka's model: the thread installs no pool
//! hook, so there is no inline run and no slot to hand over), and a pool thread never runs a
//! dedicated actor inline (the mailbox refuses the inline claim). The home can also be
//! *closed*: a kill of the actor (and shutdown, for every home) closes it, and the thread, if it
//! waits for a token that would never come (the actor was idle), exits. The thread counts as one of
//! its runtime's own threads (`sched::pool`, "The runtime's own threads").

use super::pool::Token;
use crate::base::logging::debug;
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;

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
    pub(crate) fn new() -> Self {
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

impl Homes {
    pub(crate) fn insert(&self, id: u128, home: Arc<DedicatedHome>) {
        self.lock().insert(id, home);
    }

    pub(crate) fn remove(&self, id: u128) {
        self.lock().remove(&id);
    }

    /// Hands a dedicated actor's token to its thread.
    pub(crate) fn notify(&self, id: u128, token: Token) {
        let home = self.lock().get(&id).cloned();
        match home {
            Some(home) => home.notify(token),
            // The thread was never started: the actor was abandoned, its sends already refused.
            None => debug!(target: "pykka", "no thread for a dedicated actor"),
        }
    }

    /// A dedicated actor was killed: its thread, if it waits for a token, exits.
    pub(crate) fn close(&self, id: u128) {
        let home = self.lock().get(&id).cloned();
        if let Some(home) = home {
            home.close();
        }
    }

    /// The runtime shuts down: every dedicated thread still waiting exits.
    pub(crate) fn close_all(&self) {
        let homes: Vec<_> = self.lock().values().cloned().collect();
        for home in homes {
            home.close();
        }
    }
}

/// Starts the thread of a dedicated home: it runs the tokens handed to `home` until its actor
/// dies or the home closes, then calls `on_exit`. Marked as one of `pool`'s threads.
pub(crate) fn spawn(
    name: String,
    pool_id: usize,
    quiet: crate::base::panic::Quiet,
    context: Option<crate::base::config::ThreadContext>,
    home: Arc<DedicatedHome>,
    on_exit: impl FnOnce() + Send + 'static,
) -> std::io::Result<()> {
    thread::Builder::new()
        .name(name)
        .spawn(move || {
            crate::base::config::ThreadContext::run(context.as_ref(), move || {
                super::pool::mark_owned_by_addr(pool_id);
                crate::base::panic::quiet_on_this_thread(&quiet);
                while let Some(token) = home.next() {
                    if !super::pool::run_guarded(token, usize::MAX) {
                        break;
                    }
                }
                on_exit();
            });
        })
        .map(drop)
}
