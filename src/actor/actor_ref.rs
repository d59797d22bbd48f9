//! `ActorRef<A>`: the handle to a running actor, and its type-erased form `AnyActorRef`.

use crate::actor::cell::{AnyCell, Cell};
use crate::actor::{Actor, Receive};
use crate::base::error::{Error, TellError, TryTellError};
use crate::base::logging::warning;
use crate::future::Future;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A reference to an actor: send it messages, stop it, ask if it is alive.
///
/// Cheap to clone, `Send + Sync`. Equal and hashed by URN. Displays as Pykka's `str(ref)`,
/// `<Class> (<urn>)`; debugs as `ActorRef for <Class> (<urn>)`.
pub struct ActorRef<A: Actor> {
    cell: Arc<Cell<A>>,
}

impl<A: Actor> ActorRef<A> {
    pub(crate) fn from_cell(cell: Arc<Cell<A>>) -> Self {
        ActorRef { cell }
    }

    pub(crate) fn cell(&self) -> &Arc<Cell<A>> {
        &self.cell
    }

    /// Queues a stop request and blocks until the actor's `on_stop` has returned.
    ///
    /// `true` if the actor was alive (or already stopping), `false` if it was dead.
    ///
    /// ```
    /// use pykka::Actor;
    /// struct Idle;
    /// impl Actor for Idle {}
    /// let a = Idle.start();
    /// assert!(a.stop());
    /// assert!(!a.stop());
    /// ```
    pub fn stop(&self) -> bool {
        match self.request_stop().get() {
            Ok(stopped) => stopped,
            // The stop was queued, so the actor was alive; the wait itself was refused.
            Err(e) => {
                warning!(target: "pykka", "could not wait for {} to stop: {e}", self.cell);
                true
            }
        }
    }

    /// Queues a stop request without blocking; the future says what [`stop`](Self::stop) would.
    ///
    /// ```
    /// use pykka::Actor;
    /// struct Idle;
    /// impl Actor for Idle {}
    /// let a = Idle.start();
    /// assert!(a.request_stop().get().unwrap());
    /// ```
    pub fn request_stop(&self) -> Future<bool> {
        let (p, f) = crate::future::promise_for(self.cell.clone());
        match self.cell.queue_stop(Some(p)) {
            Ok(()) => f,
            Err(_) => Future::ready(false),
        }
    }

    /// Kills the actor (Akka's `Kill`, beside Pykka's poison-pill [`stop`](Self::stop)): it
    /// stops after the message it is handling, if any; every ask still queued fails with
    /// `ActorDead`, every tell still queued becomes a dead letter, its children are killed, and
    /// no hook runs (neither `on_stop` nor `on_failure`). Watchers see
    /// [`StopReason::Killed`](crate::StopReason::Killed). Killing a dead actor does nothing.
    ///
    /// ```
    /// use pykka::Actor;
    /// struct Idle;
    /// impl Actor for Idle {}
    /// let a = Idle.start();
    /// a.kill();
    /// assert!(!a.is_alive());
    /// ```
    pub fn kill(&self) {
        crate::actor::cell::AnyCell::kill(&*self.cell);
    }

    /// Whether the actor is running (has not died). Only a flag: it may die right after.
    pub fn is_alive(&self) -> bool {
        self.cell.is_alive()
    }

    /// The actor's URN, `urn:uuid:<uuid v4>`: unique in the process, a valid version-4 UUID.
    ///
    /// Its first 8 hex digits are not random: they hold where the registry keeps the actor
    /// (shard and slot), so that a lookup by URN is one array access, with no table from URNs
    /// to actors. That is why many URNs begin `urn:uuid:00000000-`, `04000000-`, ... The other
    /// 90 bits are random (a per-thread generator seeded from the OS). A URN names an actor; it
    /// is not a secret: do not use it as an unguessable token.
    pub fn actor_urn(&self) -> &str {
        self.cell.urn()
    }

    /// The actor type's short name.
    pub fn actor_class(&self) -> &'static str {
        Cell::<A>::class()
    }
}

impl<A: Receive> ActorRef<A> {
    /// Queues `message`. Never blocks. A dead actor hands the message back in the error, whose
    /// text is Pykka's `"<Class> (<urn>) not found"`.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive};
    /// struct Sink;
    /// impl Actor for Sink {}
    /// impl Receive for Sink {
    ///     type Message = u32;
    ///     type Reply = ();
    ///     fn on_receive(&mut self, _m: u32, _c: &mut Context<Self>) {}
    /// }
    /// let sink = Sink.start();
    /// sink.tell(1).unwrap();
    /// sink.stop();
    /// assert_eq!(sink.tell(2).unwrap_err().into_inner(), 2);
    /// ```
    pub fn tell(&self, message: A::Message) -> Result<(), TellError<A::Message>> {
        self.cell.tell(message)
    }

    /// Queues `message` with a reply slot and returns its future at once. To a dead actor: a
    /// future that has already failed with [`Error::ActorDead`].
    ///
    /// Pykka's blocking `ask(m)` is `ask(m).get()`; `ask(m, timeout=t)` is
    /// `ask(m).get_timeout(t)`; `ask(m, block=False)` is `ask(m)`.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive};
    /// struct Doubler;
    /// impl Actor for Doubler {}
    /// impl Receive for Doubler {
    ///     type Message = u32;
    ///     type Reply = u32;
    ///     fn on_receive(&mut self, m: u32, _c: &mut Context<Self>) -> u32 { m * 2 }
    /// }
    /// let d = Doubler.start();
    /// assert_eq!(d.ask(21).get().unwrap(), 42);
    /// # d.stop();
    /// ```
    pub fn ask(&self, message: A::Message) -> Future<A::Reply> {
        self.cell.ask(message)
    }

    /// [`tell`](Self::tell), urgent: the message passes every ordinary message still waiting
    /// (queued, or taken by the thread running the actor but not started), and runs after the
    /// message being handled and the urgent messages sent before it: FIFO among urgent
    /// messages, FIFO among ordinary ones. It passes a queued stop request too (a stop only
    /// ends the actor when its turn comes). It never waits for room in a bounded mailbox. A
    /// dead actor hands it back, as `tell` does.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive};
    /// struct Log(Vec<&'static str>);
    /// impl Actor for Log {}
    /// impl Receive for Log {
    ///     type Message = &'static str;
    ///     type Reply = Vec<&'static str>;
    ///     fn on_receive(&mut self, m: &'static str, _: &mut Context<Self>) -> Vec<&'static str> {
    ///         self.0.push(m);
    ///         self.0.clone()
    ///     }
    /// }
    /// let (entered_tx, entered) = std::sync::mpsc::channel();
    /// let (gate, open) = std::sync::mpsc::channel::<()>();
    /// let log = Log(vec![]).start();
    /// // Hold the actor in a call so that what follows waits.
    /// let busy = log.proxy().unwrap().call(move |_| {
    ///     entered_tx.send(()).unwrap();
    ///     open.recv().unwrap()
    /// });
    /// entered.recv().unwrap();
    /// log.tell("ordinary 1").unwrap();
    /// log.tell("ordinary 2").unwrap();
    /// log.tell_urgent("urgent 1").unwrap();
    /// let last = log.ask_urgent("urgent 2");
    /// gate.send(()).unwrap();
    /// busy.get().unwrap();
    /// assert_eq!(last.get().unwrap(), ["urgent 1", "urgent 2"]);
    /// assert_eq!(log.ask("end").get().unwrap(), ["urgent 1", "urgent 2", "ordinary 1", "ordinary 2", "end"]);
    /// log.stop();
    /// ```
    pub fn tell_urgent(&self, message: A::Message) -> Result<(), TellError<A::Message>> {
        self.cell.tell_urgent(message)
    }

    /// [`ask`](Self::ask), urgent (see [`tell_urgent`](Self::tell_urgent)).
    pub fn ask_urgent(&self, message: A::Message) -> Future<A::Reply> {
        self.cell.ask_urgent(message)
    }

    /// [`tell`](Self::tell) that never blocks: if the actor's bounded mailbox is full
    /// ([`Actor::MAILBOX_CAPACITY`]), the message comes back in [`TryTellError::Full`]. On an
    /// unbounded mailbox it is `tell`.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive, TryTellError};
    /// struct One;
    /// impl Actor for One {
    ///     const MAILBOX_CAPACITY: Option<usize> = Some(1);
    /// }
    /// impl Receive for One {
    ///     type Message = &'static str;
    ///     type Reply = ();
    ///     fn on_receive(&mut self, _m: &'static str, _c: &mut Context<Self>) {}
    /// }
    /// let (entered_tx, entered) = std::sync::mpsc::channel();
    /// let (gate, open) = std::sync::mpsc::channel::<()>();
    /// let one = One.start();
    /// // Keep the actor busy so that what follows waits in its mailbox.
    /// let busy = one.proxy().unwrap().call(move |_| {
    ///     entered_tx.send(()).unwrap();
    ///     open.recv().unwrap()
    /// });
    /// entered.recv().unwrap();
    /// one.try_tell("queued").unwrap();
    /// match one.try_tell("more") {
    ///     Err(TryTellError::Full(m)) => assert_eq!(m, "more"),
    ///     other => panic!("{other:?}"),
    /// }
    /// gate.send(()).unwrap();
    /// busy.get().unwrap();
    /// one.stop();
    /// assert!(matches!(one.try_tell("late"), Err(TryTellError::Dead(_))));
    /// ```
    pub fn try_tell(&self, message: A::Message) -> Result<(), TryTellError<A::Message>> {
        self.cell.try_tell(message)
    }

    /// [`ask`](Self::ask) that never blocks: a full bounded mailbox hands the message back in
    /// [`TryTellError::Full`], a dead actor in [`TryTellError::Dead`].
    pub fn try_ask(
        &self,
        message: A::Message,
    ) -> Result<Future<A::Reply>, TryTellError<A::Message>> {
        self.cell.try_ask(message)
    }

    /// [`tell`](Self::tell) for async code: if the actor's bounded mailbox is full, waits for
    /// room without blocking the thread. On an unbounded mailbox it is ready at once.
    ///
    /// A handler of this very actor cannot wait for room in its own mailbox (nothing else runs
    /// until it ends): its message is queued over capacity, with a warning.
    ///
    /// ```
    /// use pykka::{Actor, ActorRef, AsyncReceive, Context, Receive};
    /// struct Sink;
    /// impl Actor for Sink {
    ///     const MAILBOX_CAPACITY: Option<usize> = Some(4);
    /// }
    /// impl Receive for Sink {
    ///     type Message = u32;
    ///     type Reply = ();
    ///     fn on_receive(&mut self, _m: u32, _c: &mut Context<Self>) {}
    /// }
    /// // An async producer: while the sink is full, it waits holding no thread.
    /// struct Producer(ActorRef<Sink>);
    /// impl Actor for Producer {}
    /// impl AsyncReceive for Producer {
    ///     type Message = u32;
    ///     type Reply = u32;
    ///     async fn on_receive(&mut self, n: u32, _c: &mut Context<Self>) -> u32 {
    ///         for i in 0..n {
    ///             self.0.tell_async(i).await.unwrap();
    ///         }
    ///         n
    ///     }
    /// }
    /// let sink = Sink.start();
    /// let producer = Producer(sink.clone()).start();
    /// assert_eq!(producer.ask(100).get().unwrap(), 100);
    /// producer.stop();
    /// sink.stop();
    /// ```
    pub async fn tell_async(&self, message: A::Message) -> Result<(), TellError<A::Message>> {
        self.cell.tell_async(message).await
    }

    /// [`ask`](Self::ask) for async code: waits for room in a full bounded mailbox without
    /// blocking, then for the reply.
    pub async fn ask_async(&self, message: A::Message) -> Result<A::Reply, Error> {
        self.cell.ask_async(message).await
    }
}

impl<A: Actor> Clone for ActorRef<A> {
    fn clone(&self) -> Self {
        ActorRef {
            cell: Arc::clone(&self.cell),
        }
    }
}

impl<A: Actor> PartialEq for ActorRef<A> {
    fn eq(&self, other: &Self) -> bool {
        self.cell.id() == other.cell.id()
    }
}

impl<A: Actor> Eq for ActorRef<A> {}

impl<A: Actor> Hash for ActorRef<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.cell.id().hash(state);
    }
}

impl<A: Actor> fmt::Display for ActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.cell, f)
    }
}

impl<A: Actor> fmt::Debug for ActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<ActorRef for {}>", self.cell)
    }
}

/// A reference to an actor of any type, as the registry holds it.
#[derive(Clone)]
pub struct AnyActorRef {
    cell: Arc<dyn AnyCell>,
}

impl AnyActorRef {
    pub(crate) fn new(cell: Arc<dyn AnyCell>) -> Self {
        AnyActorRef { cell }
    }

    /// The actor's URN.
    pub fn actor_urn(&self) -> &str {
        self.cell.urn()
    }

    /// The actor type's short name.
    pub fn actor_class(&self) -> &'static str {
        self.cell.class()
    }

    /// Whether the actor is running.
    pub fn is_alive(&self) -> bool {
        self.cell.is_alive()
    }

    /// Kills the actor, as [`ActorRef::kill`].
    pub fn kill(&self) {
        self.cell.kill();
    }

    pub(crate) fn any_cell(&self) -> Arc<dyn AnyCell> {
        Arc::clone(&self.cell)
    }

    /// Blocking stop, as [`ActorRef::stop`].
    pub fn stop(&self) -> bool {
        match Arc::clone(&self.cell).request_stop().get() {
            Ok(b) => b,
            Err(Error::ActorDead(_)) => false,
            Err(_) => true,
        }
    }

    /// Non-blocking stop, as [`ActorRef::request_stop`].
    pub fn request_stop(&self) -> Future<bool> {
        Arc::clone(&self.cell).request_stop()
    }

    /// The typed reference, if the actor is an `A`.
    ///
    /// ```
    /// use pykka::{Actor, ActorRegistry};
    /// struct A;
    /// impl Actor for A {}
    /// struct B;
    /// impl Actor for B {}
    /// let a = A.start();
    /// let any = ActorRegistry::get_by_urn(a.actor_urn()).unwrap();
    /// assert!(any.downcast::<B>().is_none());
    /// assert_eq!(any.downcast::<A>().unwrap(), a);
    /// a.stop();
    /// ```
    pub fn downcast<A: Actor>(&self) -> Option<ActorRef<A>> {
        Arc::clone(&self.cell)
            .as_any()
            .downcast::<Cell<A>>()
            .ok()
            .map(ActorRef::from_cell)
    }
}

impl PartialEq for AnyActorRef {
    fn eq(&self, other: &Self) -> bool {
        self.cell.id() == other.cell.id()
    }
}

impl Eq for AnyActorRef {}

impl Hash for AnyActorRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.cell.id().hash(state);
    }
}

impl fmt::Display for AnyActorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.cell.class(), self.cell.urn())
    }
}

impl fmt::Debug for AnyActorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<ActorRef for {self}>")
    }
}

impl<A: Actor> From<ActorRef<A>> for AnyActorRef {
    fn from(r: ActorRef<A>) -> Self {
        AnyActorRef { cell: r.cell }
    }
}

/// Either kind of actor reference, as the registry calls take them (`register`,
/// `unregister`): an [`ActorRef<A>`] or the [`AnyActorRef`] that `get_all()` hands out.
pub trait ToAnyActorRef {
    /// The untyped reference to the same actor.
    fn to_any_actor_ref(&self) -> AnyActorRef;
}

impl<A: Actor> ToAnyActorRef for ActorRef<A> {
    fn to_any_actor_ref(&self) -> AnyActorRef {
        AnyActorRef {
            cell: Arc::clone(&self.cell) as Arc<dyn AnyCell>,
        }
    }
}

impl ToAnyActorRef for AnyActorRef {
    fn to_any_actor_ref(&self) -> AnyActorRef {
        self.clone()
    }
}
