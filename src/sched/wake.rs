//! The waker of a suspended job: who holds a token while the job's future waits.
//!
//! An async handler that returns `Pending` must not keep a thread, nor run the actor's next
//! message (one message at a time). So the thread that polled it gives up its claim on the
//! actor but keeps the actor's *token* (the mailbox stays scheduled: new messages queue behind
//! the suspended one and schedule nothing), and hands the token to the job's [`TokenWake`]:
//! the first wake-up resubmits it, and the next activation polls the future again.
//!
//! # The states
//!
//! ```text
//! IDLE      no poll in progress, no token held here
//! POLLING   a claim holder is polling the future
//! NOTIFIED  woken while POLLING: the poller must not park the token (it would miss this)
//! PARKED    the token is held here; the first wake takes it and resubmits it
//! ```
//!
//! | who | from | to | then |
//! |---|---|---|---|
//! | poller, before polling ([`begin_poll`](TokenWake::begin_poll)) | any | `POLLING` | polls |
//! | token holder, after `Pending` and releasing its claim ([`park`](TokenWake::park)) | `POLLING` | `PARKED` | returns: the token is with the waker |
//! | token holder, same | `NOTIFIED` | `IDLE` | resubmits the token itself (a wake came during the poll) |
//! | a poller holding no token (an inline run), after `Pending` ([`end_poll`](TokenWake::end_poll)) | `POLLING`/`NOTIFIED` | `IDLE` | returns: the token holder polls later |
//! | wake ([`wake`](TokenWake::wake)) | `PARKED` | `IDLE` | resubmits the token |
//! | wake | `POLLING` | `NOTIFIED` | nothing |
//! | wake | `IDLE`, `NOTIFIED` | unchanged | nothing (a poll is due anyway) |
//!
//! One token, never two: the token leaves a `PARKED` waker once (the CAS), and a poller that
//! parks does so only from `POLLING` (a `NOTIFIED` poller keeps its token). No lost wake-up: a
//! wake that comes before the poll that would miss it is seen by that poll (the future's own
//! contract: a waker registered, then the event); one during the poll turns the park into a
//! resubmission; one after finds the token parked. Checked by the loom model below.

use crate::base::sync::AtomicU8;
use std::sync::atomic::Ordering;

const IDLE: u8 = 0;
const POLLING: u8 = 1;
const NOTIFIED: u8 = 2;
const PARKED: u8 = 3;

/// Where a parked token goes when it is woken.
pub(crate) trait Resubmit: Send + Sync {
    fn resubmit(&self);
}

/// See the module docs.
pub(crate) struct TokenWake<R> {
    state: AtomicU8,
    target: R,
}

impl<R: Resubmit> TokenWake<R> {
    pub(crate) fn new(target: R) -> Self {
        TokenWake {
            state: AtomicU8::new(IDLE),
            target,
        }
    }

    /// A claim holder is about to poll the future.
    pub(crate) fn begin_poll(&self) {
        // Already `POLLING` (the previous future ended in its poll, the common case): nothing to
        // store. A wake after this load finds `POLLING` or `PARKED` by its CAS, as after a
        // store; one before it would have left `NOTIFIED`, which the load sees.
        // ORDERING: SeqCst with the other transitions: one total order of the state's changes,
        // so that a wake either precedes this (and the poll sees its event) or follows it.
        if self.state.load(Ordering::SeqCst) != POLLING {
            self.state.store(POLLING, Ordering::SeqCst);
        }
    }

    /// The token holder, whose poll returned `Pending` and which has released its claim, parks
    /// its token here. `false`: a wake came during the poll: the caller keeps the token and
    /// must resubmit it.
    pub(crate) fn park(&self) -> bool {
        // ORDERING: SeqCst, see `begin_poll`.
        match self
            .state
            .compare_exchange(POLLING, PARKED, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => true,
            Err(_) => {
                // NOTIFIED (nothing else moves the state while a claim holder polls).
                self.state.store(IDLE, Ordering::SeqCst);
                false
            }
        }
    }

    /// A poller that holds no token (an inline run) got `Pending`: the token holder will poll
    /// the future when it comes.
    pub(crate) fn end_poll(&self) {
        // ORDERING: SeqCst, see `begin_poll`.
        self.state.store(IDLE, Ordering::SeqCst);
    }

    /// The future's waker fired (or the actor was killed while its job waited): a parked token
    /// is resubmitted.
    pub(crate) fn wake(&self) {
        let mut current = self.state.load(Ordering::SeqCst);
        loop {
            let next = match current {
                PARKED => IDLE,
                POLLING => NOTIFIED,
                _ => return,
            };
            // ORDERING: SeqCst, see `begin_poll`.
            match self
                .state
                .compare_exchange(current, next, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(PARKED) => {
                    self.target.resubmit();
                    return;
                }
                Ok(_) => return,
                Err(now) => current = now,
            }
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::base::sync::AtomicUsize;
    use loom::sync::atomic::AtomicBool;
    use std::sync::Arc;

    #[derive(Clone)]
    struct Count(Arc<AtomicUsize>);
    impl Resubmit for Count {
        fn resubmit(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A token holder polls a future that another thread completes and wakes: the future
    /// either completes in that poll, or the token is resubmitted exactly once (by the poller
    /// or by the wake), never lost and never doubled.
    #[test]
    fn loom_a_wake_against_a_park_resubmits_the_token_once() {
        loom::model(|| {
            let resubmits = Arc::new(AtomicUsize::new(0));
            let wake = Arc::new(TokenWake::new(Count(Arc::clone(&resubmits))));
            let (completed, waker) = poll_racing_its_wake(&wake, &resubmits);
            waker.join().unwrap();
            assert_resubmitted_once(completed, &resubmits);
        });
    }

    /// The next message's poll begins where the previous one ended (`POLLING`: its future was
    /// ready at once, and `begin_poll` then stores nothing), while a wake of an earlier future
    /// (a stale waker) and the new future's own wake race it: the token is still resubmitted
    /// exactly once when the new poll returns `Pending`.
    #[test]
    fn loom_a_poll_begun_on_polling_still_resubmits_once() {
        loom::model(|| {
            let resubmits = Arc::new(AtomicUsize::new(0));
            let wake = Arc::new(TokenWake::new(Count(Arc::clone(&resubmits))));
            // The previous message: polled, ready at once.
            wake.begin_poll();
            let stale = Arc::clone(&wake);
            let stale = loom::thread::spawn(move || stale.wake());
            let (completed, waker) = poll_racing_its_wake(&wake, &resubmits);
            waker.join().unwrap();
            stale.join().unwrap();
            assert_resubmitted_once(completed, &resubmits);
        });
    }

    /// A poll whose future another thread completes and wakes: the poll registers the waker
    /// (`begin_poll`), looks at the event, and parks its token on `Pending`; a wake during the
    /// poll makes the poller resubmit the token itself. Returns whether the poll completed, and
    /// the waking thread.
    fn poll_racing_its_wake(
        wake: &Arc<TokenWake<Count>>,
        resubmits: &Arc<AtomicUsize>,
    ) -> (bool, loom::thread::JoinHandle<()>) {
        wake.begin_poll();
        let ready = Arc::new(AtomicBool::new(false));
        let (w, r) = (Arc::clone(wake), Arc::clone(&ready));
        let waker = loom::thread::spawn(move || {
            r.store(true, Ordering::SeqCst);
            w.wake();
        });
        let completed = ready.load(Ordering::SeqCst);
        if !completed && !wake.park() {
            resubmits.fetch_add(1, Ordering::SeqCst);
        }
        (completed, waker)
    }

    /// Once every thread is joined: a poll that completed leaves at most a spurious resubmit; a
    /// `Pending` one has its token back exactly once.
    fn assert_resubmitted_once(completed: bool, resubmits: &AtomicUsize) {
        let n = resubmits.load(Ordering::SeqCst);
        if completed {
            assert!(n <= 1);
        } else {
            assert_eq!(n, 1, "the token must come back exactly once");
        }
    }

    /// The suspension protocol end to end, with the real mailbox: a token holder polls a
    /// suspended handler (`Pending`), parks its token with the waker, then releases its claim
    /// (`Mailbox::suspend`); meanwhile the future is woken, and the woken token is popped by a
    /// worker, which may find the claim still held (the token is then handed back to the
    /// holder: `Suspend::TokenBack`). On every schedule exactly one token stays in play: either
    /// a worker claimed the actor, or the holder got the token back and resubmits it.
    #[test]
    fn loom_a_woken_token_against_the_suspending_holder_is_never_lost_or_doubled() {
        use crate::mailbox::{Mailbox, Suspend};

        /// Resubmitting hands the token to a worker, which tries to claim the actor.
        struct ToWorker {
            mailbox: Arc<Mailbox<u32>>,
            claimed: Arc<AtomicUsize>,
        }
        impl Resubmit for ToWorker {
            fn resubmit(&self) {
                let mut batch = crate::mailbox::Batch::new();
                if self.mailbox.claim_token(&mut batch) {
                    self.claimed.fetch_add(1, Ordering::SeqCst);
                }
                // Else: handed to the claim holder (`TOKEN_PARKED`).
            }
        }

        loom::model(|| {
            let mailbox = Arc::new(Mailbox::<u32>::new_scheduled(false, 0));
            let claimed = Arc::new(AtomicUsize::new(0));
            let wake = Arc::new(TokenWake::new(ToWorker {
                mailbox: Arc::clone(&mailbox),
                claimed: Arc::clone(&claimed),
            }));
            // The holder claims the actor and polls: the handler registers the waker.
            let mut batch = crate::mailbox::Batch::new();
            assert!(mailbox.claim_token(&mut batch));
            wake.begin_poll();
            let w = Arc::clone(&wake);
            let waker = loom::thread::spawn(move || w.wake());
            // `Pending`: park, then release the claim keeping the token.
            let parked = wake.park();
            let resubmitted = match mailbox.suspend(&mut batch, parked) {
                Suspend::Held => !parked,
                Suspend::TokenBack => true,
                Suspend::Closed => unreachable!("nobody closes it here"),
            };
            waker.join().unwrap();
            let claims = claimed.load(Ordering::SeqCst);
            // One token: claimed by the worker, or back with the holder to resubmit.
            assert_eq!(claims + usize::from(resubmitted), 1, "parked={parked}");
        });
    }

    /// The same, with the actor closed (killed) while the holder suspends: a token parked with
    /// the waker stays counted (`scheduled`) until whoever runs it finds the actor closed, so a
    /// late wake never hands a worker a token of an actor that is not scheduled (that tripped
    /// `claim_token`'s assertion).
    #[test]
    fn loom_a_kill_while_the_token_is_parked_leaves_it_scheduled() {
        use crate::mailbox::{Mailbox, Suspend};

        struct ToWorker(Arc<Mailbox<u32>>);
        impl Resubmit for ToWorker {
            fn resubmit(&self) {
                // A token in play means a scheduled actor (`claim_token`'s debug assertion,
                // checked here too: the loom models run in release builds).
                let (_, _, scheduled, _) = self.0.debug_state();
                assert!(scheduled, "a token of an actor that is not scheduled");
                let _ = self.0.claim_token(&mut crate::mailbox::Batch::new());
            }
        }

        loom::model(|| {
            let mailbox = Arc::new(Mailbox::<u32>::new_scheduled(false, 0));
            let wake = Arc::new(TokenWake::new(ToWorker(Arc::clone(&mailbox))));
            let mut batch = crate::mailbox::Batch::new();
            assert!(mailbox.claim_token(&mut batch));
            wake.begin_poll();
            let (m, w) = (Arc::clone(&mailbox), Arc::clone(&wake));
            let killer = loom::thread::spawn(move || {
                let _ = m.close();
                w.wake();
            });
            let parked = wake.park();
            let outcome = mailbox.suspend(&mut batch, parked);
            killer.join().unwrap();
            if outcome == Suspend::Held && !parked {
                // The holder keeps its token and would resubmit it.
                let _ = mailbox.claim_token(&mut crate::mailbox::Batch::new());
            }
        });
    }
}
