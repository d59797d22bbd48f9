//! Scheduled messages (issue G, pyctor's `schedule_tell`): one timer thread per runtime, started
//! on first use, with a binary heap of deadlines. See docs/design.md 10.
//!
//! A pending timer is a heap entry and a map entry holding its task (a boxed closure that tells
//! the message); cancelling removes the task, and its heap entry is skipped when it comes due.
//! No thread per timer, no allocation per tick of a periodic timer.

use crate::actor::Receive;
use crate::actor_ref::ActorRef;
use crate::error::ScheduleError;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A task: runs when due; returns `false` to end a periodic timer (its target died).
type Task = Box<dyn FnMut() -> bool + Send>;

struct Pending {
    task: Task,
    due: Instant,
    period: Option<Duration>,
}

#[derive(Default)]
struct State {
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    tasks: HashMap<u64, Pending>,
    next_id: u64,
    /// The timer whose task is running now (outside the lock), and whether it was cancelled
    /// meanwhile (then a periodic one is not put back).
    running: Option<u64>,
    cancel_running: bool,
    started: bool,
    stopped: bool,
}

/// A runtime's timers.
#[derive(Default)]
pub(crate) struct Timers {
    state: Mutex<State>,
    cv: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Timers {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a timer: `task` runs after `delay`, then every `period` while it returns `true`.
    pub(crate) fn add(
        self: &Arc<Self>,
        delay: Duration,
        period: Option<Duration>,
        task: Task,
    ) -> Result<Scheduled, ScheduleError> {
        if period == Some(Duration::ZERO) {
            return Err(ScheduleError::ZeroPeriod);
        }
        let due = Instant::now()
            .checked_add(delay)
            .ok_or(ScheduleError::DelayTooLong)?;
        let mut st = self.lock();
        if st.stopped {
            return Err(ScheduleError::RuntimeShutDown);
        }
        if !st.started {
            let me = Arc::downgrade(self);
            let handle = std::thread::Builder::new()
                .name("pykka-timer".into())
                .spawn(move || timer_main(me))
                .map_err(|e| ScheduleError::TimerThread(e.to_string()))?;
            st.started = true;
            *self.thread.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
        }
        let id = st.next_id;
        st.next_id += 1;
        let earliest = st.heap.peek().is_none_or(|Reverse((d, _))| due < *d);
        st.heap.push(Reverse((due, id)));
        st.tasks.insert(id, Pending { task, due, period });
        drop(st);
        if earliest {
            self.cv.notify_one();
        }
        Ok(Scheduled {
            id,
            timers: Arc::downgrade(self),
        })
    }

    /// Pending timers (periodic ones count until cancelled or ended).
    pub(crate) fn pending(&self) -> usize {
        self.lock().tasks.len()
    }

    fn cancel(&self, id: u64) -> bool {
        let mut st = self.lock();
        if let Some(p) = st.tasks.remove(&id) {
            drop(st);
            drop(p);
            return true;
        }
        if st.running == Some(id) && !st.cancel_running {
            st.cancel_running = true;
            return true;
        }
        false
    }

    fn is_pending(&self, id: u64) -> bool {
        let st = self.lock();
        st.tasks.contains_key(&id) || (st.running == Some(id) && !st.cancel_running)
    }

    /// Stops the thread and drops every pending task (the runtime is shutting down).
    pub(crate) fn stop(&self) {
        let tasks = {
            let mut st = self.lock();
            st.stopped = true;
            st.heap.clear();
            std::mem::take(&mut st.tasks)
        };
        self.cv.notify_all();
        // Dropped outside the lock: a task's captures may run user `Drop` code.
        drop(tasks);
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(h) = handle {
            if h.thread().id() != std::thread::current().id() {
                let _ = h.join();
            }
        }
    }
}

fn timer_main(timers: Weak<Timers>) {
    loop {
        let Some(t) = timers.upgrade() else { return };
        let mut st = t.lock();
        let (id, mut pending) = loop {
            if st.stopped {
                return;
            }
            let now = Instant::now();
            match st.heap.peek() {
                None => st = t.cv.wait(st).unwrap_or_else(PoisonError::into_inner),
                Some(&Reverse((due, _))) if due > now => {
                    st =
                        t.cv.wait_timeout(st, due - now)
                            .unwrap_or_else(PoisonError::into_inner)
                            .0;
                }
                Some(&Reverse((due, id))) => {
                    st.heap.pop();
                    // A cancelled timer's entry, or a stale one, is skipped.
                    if st.tasks.get(&id).is_some_and(|p| p.due == due) {
                        let p = st.tasks.remove(&id).expect("checked above");
                        break (id, p);
                    }
                }
            }
        };
        st.running = Some(id);
        st.cancel_running = false;
        drop(st);
        let again = match crate::panic::catch(|| (pending.task)()) {
            Ok(again) => again,
            Err(p) => {
                log::error!(
                    target: "pykka",
                    "A scheduled task panicked: {}",
                    crate::panic::payload_text(&*p)
                );
                crate::panic::drop_payload(p);
                false
            }
        };
        let mut st = t.lock();
        st.running = None;
        let keep = again && !st.cancel_running && !st.stopped;
        match pending.period {
            Some(period) if keep => {
                // Fixed rate; after a stall, the next tick is a period from now (no burst).
                let now = Instant::now();
                let next = pending.due + period;
                pending.due = if next > now { next } else { now + period };
                st.heap.push(Reverse((pending.due, id)));
                st.tasks.insert(id, pending);
            }
            _ => {
                drop(st);
                drop(pending);
            }
        }
    }
}

/// A scheduled message: cancel it with [`cancel`](Self::cancel). Dropping the handle does not
/// cancel it.
pub struct Scheduled {
    id: u64,
    timers: Weak<Timers>,
}

impl Scheduled {
    /// Cancels the timer: a one-shot message not yet sent is never sent; a periodic one sends
    /// no further message. `true` if it was pending (for a periodic timer: not yet ended).
    pub fn cancel(&self) -> bool {
        self.timers.upgrade().is_some_and(|t| t.cancel(self.id))
    }

    /// Whether the timer will still send (a one-shot not yet due, or a periodic one not ended).
    pub fn is_pending(&self) -> bool {
        self.timers.upgrade().is_some_and(|t| t.is_pending(self.id))
    }
}

impl fmt::Debug for Scheduled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scheduled({})", self.id)
    }
}

/// Tells `message` to `actor` after `delay`, from the actor's runtime's timer thread. Works from
/// inside actors and outside. If the actor is dead by then, the message is a dead letter.
///
/// ```
/// use pykka::{schedule_tell, Actor, Context, Receive};
/// use std::time::Duration;
///
/// struct Alarm(std::sync::mpsc::Sender<&'static str>);
/// impl Actor for Alarm {}
/// impl Receive for Alarm {
///     type Message = &'static str;
///     type Reply = ();
///     fn on_receive(&mut self, m: &'static str, _: &mut Context<Self>) { self.0.send(m).unwrap(); }
/// }
///
/// let (tx, rx) = std::sync::mpsc::channel();
/// let alarm = Alarm(tx).start();
/// let timer = schedule_tell(&alarm, "wake up", Duration::from_millis(10)).unwrap();
/// assert_eq!(rx.recv().unwrap(), "wake up");
/// assert!(!timer.cancel()); // already sent
/// alarm.stop();
/// ```
pub fn schedule_tell<A: Receive>(
    actor: &ActorRef<A>,
    message: A::Message,
    delay: Duration,
) -> Result<Scheduled, ScheduleError> {
    let target = actor.clone();
    let mut message = Some(message);
    let task: Task = Box::new(move || {
        if let Some(m) = message.take() {
            let _ = target.tell(m);
        }
        false
    });
    timers_of(actor).add(delay, None, task)
}

/// Tells a clone of `message` to `actor` after `initial_delay` and then every `period` (fixed
/// rate), until cancelled or the actor dies. A zero period is [`ScheduleError::ZeroPeriod`].
pub fn schedule_tell_periodic<A>(
    actor: &ActorRef<A>,
    message: A::Message,
    initial_delay: Duration,
    period: Duration,
) -> Result<Scheduled, ScheduleError>
where
    A: Receive,
    A::Message: Clone,
{
    let target = actor.clone();
    let task: Task = Box::new(move || target.tell(message.clone()).is_ok());
    timers_of(actor).add(initial_delay, Some(period), task)
}

fn timers_of<A: crate::Actor>(actor: &ActorRef<A>) -> &Arc<Timers> {
    &actor.cell().shared().timers
}
