//! `schedule_tell` and `schedule_tell_periodic` (pyctor's scheduled messages): tasks for the
//! runtime's timer thread (`sched::timer`) that tell an actor its message.

use crate::actor::actor_ref::ActorRef;
use crate::actor::Receive;
use crate::base::error::ScheduleError;
use crate::sched::timer::{Scheduled, Task, Timers};
use std::sync::Arc;
use std::time::Duration;

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
            // A timer never waits for room in a bounded mailbox.
            let _ = target.cell().tell_timed(m);
        }
        false
    });
    timers_of(actor).add(delay, None, task)
}

/// Tells a clone of `message` to `actor` after `initial_delay` and then every `period` (fixed
/// rate), until cancelled or the actor dies. A zero period is [`ScheduleError::ZeroPeriod`]; a
/// delay, or a delay plus a period, past what `Instant` can represent is
/// [`ScheduleError::DelayTooLong`] or [`ScheduleError::PeriodTooLong`]. (A timer that runs so
/// long that its next tick cannot be represented ends, with a warning.)
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
    let task: Task = Box::new(move || target.cell().tell_timed(message.clone()));
    timers_of(actor).add(initial_delay, Some(period), task)
}

fn timers_of<A: crate::Actor>(actor: &ActorRef<A>) -> &Arc<Timers> {
    &actor.cell().system().timers
}
