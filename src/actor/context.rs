//! What a hook or handler knows of its own actor: [`Context`], and everything it can do from
//! inside the actor (its reference, stop and kill, watching, children).

use crate::actor::actor_ref::{ActorRef, AnyActorRef};
use crate::actor::cell::{self, AnyCell, Cell};
use crate::actor::lifecycle::{Notify, Watchable};
use crate::actor::supervisor::{Supervised, Supervisor};
use crate::actor::Actor;
use std::fmt;
use std::sync::{Arc, Weak};

/// What a hook or handler knows of its own actor.
pub struct Context<A: Actor> {
    pub(crate) cell: Arc<Cell<A>>,
    /// The actor that sent the message being handled, if it was sent with `Context::tell` or
    /// `Context::ask`.
    pub(crate) sender: Option<AnyActorRef>,
    /// A message the handler stashed ([`stash`](Self::stash)), until the job that ran the
    /// handler takes it (`actor::stash`).
    pub(crate) stash_now: Option<Box<dyn crate::actor::stash::Restash<A>>>,
    /// [`unstash_all`](Self::unstash_all) was called: the activation re-queues the stash once
    /// the handler returns.
    pub(crate) unstash: bool,
}

impl<A: Actor> Context<A> {
    pub(crate) fn new(cell: Arc<Cell<A>>) -> Self {
        Context {
            cell,
            sender: None,
            stash_now: None,
            unstash: false,
        }
    }

    /// Drops what the handler stashed (it panicked afterwards: the panic is the message's
    /// outcome). The message's drop is user code: caught and logged.
    pub(crate) fn discard_stashed(&mut self) {
        if let Some(stashed) = self.stash_now.take() {
            if let Err(p) = crate::base::panic::catch(move || drop(stashed)) {
                self.cell.log_drop_panic(p);
            }
        }
    }

    /// A message stashed but not taken by the job that ran the handler (a stash from a hook, a
    /// proxy call or an async handler, or a second stash in one handler) is kept as a tell.
    pub(crate) fn keep_stashed(&mut self) {
        if let Some(stashed) = self.stash_now.take() {
            self.cell.stash_push(stashed.into_tell());
        }
    }
}

/// A message stashed in a context that ends before anything took it (an async handler's, say)
/// is kept, never dropped.
impl<A: Actor> Drop for Context<A> {
    fn drop(&mut self) {
        self.keep_stashed();
        if self.unstash {
            // An async handler's context: the activation unstashes once the handler ended.
            self.cell.ask_unstash();
        }
    }
}

impl<A: crate::Receive> Context<A> {
    /// Sets `message` aside (Akka's `stash`, Pykka issue #38): it is not handled now, and
    /// [`unstash_all`](Self::unstash_all) puts it back in front of the mailbox later, in the
    /// order it was stashed, with its sender. Called from `on_receive` with the message being
    /// handled: if that message is an ask, the asker is answered when the message is handled
    /// again, and what the handler returns now is dropped.
    ///
    /// A handler that panics after stashing has its stash discarded (the panic is the message's
    /// outcome). Stashed messages count in no mailbox capacity. When the actor dies, what is still
    /// stashed is answered as queued messages are: asks fail with `ActorDead`, tells become dead
    /// letters. A restarted actor keeps its stash. Any other stash (from `on_start`, a proxy
    /// call, an async handler, or a second one in one handler) is kept as a plain tell.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive};
    ///
    /// // Until it is opened, the door stashes every visitor; opening lets them in, in order.
    /// struct Door { open: bool, guests: Vec<String> }
    /// impl Actor for Door {}
    /// enum Msg { Visit(String), Open, Guests }
    /// impl Receive for Door {
    ///     type Message = Msg;
    ///     type Reply = Vec<String>;
    ///     fn on_receive(&mut self, m: Msg, ctx: &mut Context<Self>) -> Vec<String> {
    ///         match m {
    ///             Msg::Visit(who) if !self.open => ctx.stash(Msg::Visit(who)),
    ///             Msg::Visit(who) => self.guests.push(who),
    ///             Msg::Open => {
    ///                 self.open = true;
    ///                 ctx.unstash_all();
    ///             }
    ///             Msg::Guests => {}
    ///         }
    ///         self.guests.clone()
    ///     }
    /// }
    ///
    /// let door = Door { open: false, guests: vec![] }.start();
    /// door.tell(Msg::Visit("ann".into())).unwrap();
    /// // An ask stashed with its message is answered once it is handled again.
    /// let bob = door.ask(Msg::Visit("bob".into()));
    /// assert_eq!(door.ask(Msg::Guests).get().unwrap(), Vec::<String>::new());
    /// door.tell(Msg::Open).unwrap();
    /// assert_eq!(bob.get().unwrap(), ["ann", "bob"]);
    /// door.stop();
    /// ```
    pub fn stash(&mut self, message: A::Message) {
        // A second stash in one handler: the first is kept as a tell.
        self.keep_stashed();
        self.stash_now = Some(Box::new(crate::actor::stash::Stashed::<A> {
            message,
            sender: self.sender.clone(),
        }));
    }

    /// Puts every stashed message back in front of the mailbox, in the order they were
    /// stashed, once this handler returns (Akka's `unstashAll`): they are handled next, before
    /// anything queued meanwhile. Returns how many there are.
    pub fn unstash_all(&mut self) -> usize {
        self.unstash = true;
        self.cell.stashed_len()
    }

    /// How many messages are stashed (not counting one stashed by the running handler).
    pub fn stashed(&self) -> usize {
        self.cell.stashed_len()
    }
}

impl<A: Actor> Context<A> {
    /// The actor that sent the message being handled, if it sent it from inside its own handler
    /// with [`tell`](Self::tell) or [`ask`](Self::ask) (pyctor's `sender`, Akka's `sender()`).
    /// `None` for a message sent with `ActorRef::tell` or `ask`, a proxy call, or outside a
    /// handler.
    ///
    /// ```
    /// use pykka::{Actor, ActorRef, AnyActorRef, Context, Receive};
    ///
    /// struct Echo;
    /// impl Actor for Echo {}
    /// impl Receive for Echo {
    ///     type Message = ();
    ///     type Reply = Option<String>;
    ///     fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> Option<String> {
    ///         ctx.sender().map(|s| s.actor_urn().to_owned())
    ///     }
    /// }
    ///
    /// struct Caller(ActorRef<Echo>);
    /// impl Actor for Caller {}
    /// impl Receive for Caller {
    ///     type Message = ();
    ///     type Reply = Option<String>;
    ///     fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> Option<String> {
    ///         ctx.ask(&self.0, ()).get().unwrap()
    ///     }
    /// }
    ///
    /// let echo = Echo.start();
    /// let caller = Caller(echo.clone()).start();
    /// assert_eq!(caller.ask(()).get().unwrap().as_deref(), Some(caller.actor_urn()));
    /// assert_eq!(echo.ask(()).get().unwrap(), None); // sent from outside
    /// ```
    pub fn sender(&self) -> Option<AnyActorRef> {
        self.sender.clone()
    }

    /// Tells `message` to `to` as this actor: the handler sees this actor as its
    /// [`sender`](Self::sender). If it is never handled because `to` stopped with it still
    /// queued, it comes back to this actor's [`on_undelivered`](Actor::on_undelivered)
    /// (pyctor's dead letter to the sender). A tell to an actor that is dead already returns
    /// the message in the error, as `ActorRef::tell` does.
    pub fn tell<B: crate::Receive>(
        &self,
        to: &ActorRef<B>,
        message: B::Message,
    ) -> Result<(), crate::TellError<B::Message>> {
        to.cell().tell_from(message, self.any_ref())
    }

    /// Asks `to` as this actor: the handler sees this actor as its [`sender`](Self::sender).
    pub fn ask<B: crate::Receive>(
        &self,
        to: &ActorRef<B>,
        message: B::Message,
    ) -> crate::Future<B::Reply> {
        to.cell().ask_from(message, self.any_ref())
    }

    fn any_ref(&self) -> AnyActorRef {
        AnyActorRef::new(Arc::clone(&self.cell) as Arc<dyn crate::actor::cell::AnyCell>)
    }

    /// A reference to this actor (to give to others, or for a proxy to self).
    pub fn actor_ref(&self) -> ActorRef<A> {
        ActorRef::from_cell(Arc::clone(&self.cell))
    }

    /// Pykka's `self.stop()`: queue a stop request behind the messages already in the mailbox.
    /// Returns `false` if the actor is already dead (for example inside `on_stop` or
    /// `on_failure`). Calling it several times queues several requests, which is harmless.
    pub fn stop(&self) -> bool {
        self.cell.queue_stop(None).is_ok()
    }

    /// The runtime this actor runs on: to start more actors beside it (`start_in`), schedule,
    /// look up or broadcast. A handle: dropping it does not shut the runtime down (an explicit
    /// `shutdown()` through it does, as through any handle).
    ///
    /// ```
    /// use pykka::{Actor, ActorRef, Context, Receive, Runtime};
    /// struct Helper;
    /// impl Actor for Helper {}
    /// struct Boss;
    /// impl Actor for Boss {}
    /// impl Receive for Boss {
    ///     type Message = ();
    ///     type Reply = ActorRef<Helper>;
    ///     fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> ActorRef<Helper> {
    ///         Helper.start_in(&ctx.runtime()) // on the boss's runtime, not the default one
    ///     }
    /// }
    /// let rt = Runtime::builder().threads(1).build().unwrap();
    /// let boss = Boss.start_in(&rt);
    /// let helper = boss.ask(()).get().unwrap();
    /// assert_eq!(rt.get_by_class::<Helper>(), [helper]);
    /// ```
    pub fn runtime(&self) -> crate::Runtime {
        crate::Runtime::handle(self.cell.system())
    }

    /// A future resolved after `duration` by the timer thread of this actor's runtime: what an
    /// async handler awaits to wait without holding a thread (`ctx.sleep(d).await`). A
    /// `Duration::MAX` sleep is a century. It fails with `BrokenPromise` if the runtime is shut
    /// down first.
    ///
    /// ```
    /// use pykka::{Actor, AsyncReceive, Context};
    /// use std::time::{Duration, Instant};
    /// struct Napper;
    /// impl Actor for Napper {}
    /// impl AsyncReceive for Napper {
    ///     type Message = Duration;
    ///     type Reply = Duration;
    ///     async fn on_receive(&mut self, d: Duration, ctx: &mut Context<Self>) -> Duration {
    ///         let start = Instant::now();
    ///         ctx.sleep(d).await.unwrap();
    ///         start.elapsed()
    ///     }
    /// }
    /// let napper = Napper.start();
    /// assert!(napper.ask(Duration::from_millis(5)).get().unwrap() >= Duration::from_millis(5));
    /// ```
    pub fn sleep(&self, duration: std::time::Duration) -> crate::Future<()> {
        self.cell.system().sleep(duration)
    }

    /// This actor's URN, `urn:uuid:<uuid v4>`.
    pub fn actor_urn(&self) -> &str {
        self.cell.urn()
    }

    /// Watches `target`: when it dies, for any reason, this actor's
    /// [`on_terminated`](Actor::on_terminated) runs once, in this actor, with the
    /// [`StopReason`](crate::StopReason). Watching an actor that is already dead tells at once; watching twice
    /// is watching once; watching stops after the notification or [`unwatch`](Self::unwatch).
    ///
    /// ```
    /// use pykka::{Actor, ActorRef, Context, Receive, StopReason, Terminated};
    /// use std::sync::mpsc::{channel, Sender};
    ///
    /// struct Child;
    /// impl Actor for Child {}
    ///
    /// struct Watcher(Sender<StopReason>);
    /// impl Actor for Watcher {
    ///     fn on_terminated(&mut self, t: &Terminated, _: &mut Context<Self>) {
    ///         self.0.send(t.reason()).unwrap();
    ///     }
    /// }
    /// impl Receive for Watcher {
    ///     type Message = ActorRef<Child>;
    ///     type Reply = ();
    ///     fn on_receive(&mut self, child: ActorRef<Child>, ctx: &mut Context<Self>) {
    ///         ctx.watch(&child);
    ///     }
    /// }
    ///
    /// let (tx, rx) = channel();
    /// let watcher = Watcher(tx).start();
    /// let child = Child.start();
    /// watcher.ask(child.clone()).get().unwrap();
    /// child.kill();
    /// assert_eq!(rx.recv().unwrap(), StopReason::Killed);
    /// watcher.stop();
    /// ```
    pub fn watch<T: Watchable>(&self, target: &T) {
        let target = target.to_any_ref().any_cell();
        if !self.cell.ext().start_watching(target.id()) {
            return;
        }
        let me: Weak<dyn Notify> = Arc::downgrade(&self.cell) as Weak<dyn Notify>;
        target.ext().add_watcher(self.cell.id(), me);
        // Dead already (or dying after the line above): tell now. Whichever of this and the
        // dying thread takes the watcher out of the list tells it; the other finds it gone.
        if let Some(reason) = target.fate() {
            target
                .ext()
                .notify_watchers(target.id(), target.class(), reason);
        }
    }

    /// Stops watching `target`: no notification of its death arrives after this returns, even
    /// one already on its way.
    pub fn unwatch<T: Watchable>(&self, target: &T) {
        let target = target.to_any_ref().any_cell();
        self.cell.ext().stop_watching(target.id());
        target.ext().remove_watcher(self.cell.id());
    }

    /// Kills this actor: it stops after the current message, without `on_stop`.
    pub fn kill(&self) {
        AnyCell::kill(&*self.cell);
    }

    /// Starts `value` as a child of this actor, on the same runtime: a panic ends it as Pykka
    /// would ([`Directive::Stop`](crate::Directive::Stop); [`child`](Self::child) starts a
    /// supervised one). It is stopped before this actor stops (children last started first), and
    /// killed if this actor is killed. This actor watches it (pyctor's rule): its
    /// [`on_terminated`](Actor::on_terminated) runs when the child stops, for whatever reason.
    ///
    /// ```
    /// use pykka::{Actor, ActorRef, Context, Receive, StopReason, Terminated};
    /// use std::sync::mpsc::{channel, Sender};
    ///
    /// struct Child;
    /// impl Actor for Child {}
    ///
    /// struct Parent { ended: Sender<StopReason> }
    /// impl Actor for Parent {
    ///     fn on_terminated(&mut self, t: &Terminated, _ctx: &mut Context<Self>) {
    ///         self.ended.send(t.reason()).unwrap();
    ///     }
    /// }
    /// impl Receive for Parent {
    ///     type Message = ();
    ///     type Reply = ActorRef<Child>;
    ///     fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> ActorRef<Child> {
    ///         ctx.start_child(Child)
    ///     }
    /// }
    ///
    /// let (tx, rx) = channel();
    /// let parent = Parent { ended: tx }.start();
    /// let child = parent.ask(()).get().unwrap();
    /// child.stop();
    /// assert_eq!(rx.recv().unwrap(), StopReason::Stopped);
    /// parent.stop();
    /// ```
    pub fn start_child<C: Actor>(&self, value: C) -> ActorRef<C> {
        self.start_linked_child(value, None)
    }

    /// This actor's children that are alive, in start order.
    pub fn children(&self) -> Vec<AnyActorRef> {
        self.cell.ext().children()
    }

    /// Starts `value` as a child of this actor; with a `supervisor`, that decides what the
    /// child's panics lead to (else it dies of them).
    pub(crate) fn start_linked_child<C: Actor>(
        &self,
        value: C,
        supervisor: Option<Box<dyn Supervisor>>,
    ) -> ActorRef<C> {
        let parent: Arc<dyn AnyCell> = self.cell.clone();
        let weak = Arc::downgrade(&parent);
        // Linked before it can run (and so before it can die), so the parent never lists a
        // child that died unlisted.
        let child = cell::start_with(value, self.cell.system(), None, |child| {
            let number = parent.ext().add_child(child.clone());
            child.ext().life().supervised =
                Some(Box::new(Supervised::new(weak, number, supervisor)));
        });
        // pyctor's rule: a parent watches its children. Its `on_terminated` runs when one
        // stops, for whatever reason (not when a supervised child restarts in place).
        self.watch(&child);
        child
    }
}

impl<A: Actor> fmt::Debug for Context<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Context for {}", self.cell)
    }
}
