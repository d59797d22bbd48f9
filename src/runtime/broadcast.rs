//! Broadcasting one message to many actors.
//!
//! By class ([`Runtime::broadcast_to`]) always works: the registry's cells are downcast to the
//! class. By message type ([`Runtime::broadcast`], Pykka's `broadcast` without a target class)
//! needs, for each actor type, a way to hand it an `M`; stable Rust cannot discover at `start`
//! that an actor also implements [`Receive`] (that needs specialization, and `impl Actor for X {}`
//! with no message type is the contract), so a type must be declared once with
//! [`Runtime::declare_receiver`] (or [`ActorRegistry::declare_receiver`]) before a broadcast by
//! message type reaches it. See the `runtime` module docs, "Lookup and broadcast".
//!
//! [`ActorRegistry::declare_receiver`]: crate::ActorRegistry::declare_receiver

use crate::actor::actor_ref::{ActorRef, AnyActorRef};
use crate::actor::cell::{AnyCell, Cell};
use crate::actor::system::Runtime;
use crate::actor::{Actor, Receive};
use crate::base::logging::warning;
use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

/// Tells a cell a type-erased message; `false` if the actor is dead or is not the type.
type Deliver = fn(&Arc<dyn AnyCell>, Box<dyn Any + Send>) -> bool;

/// Declared receivers: actor type → (message type, how to deliver).
fn receivers() -> &'static RwLock<HashMap<TypeId, (TypeId, Deliver)>> {
    static R: OnceLock<RwLock<HashMap<TypeId, (TypeId, Deliver)>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

fn deliver<A: Receive>(cell: &Arc<dyn AnyCell>, message: Box<dyn Any + Send>) -> bool {
    let (Ok(cell), Ok(message)) = (
        Arc::clone(cell).as_any().downcast::<Cell<A>>(),
        message.downcast::<A::Message>(),
    ) else {
        return false;
    };
    cell.tell(*message).is_ok()
}

pub(crate) fn declare<A: Receive>() {
    receivers()
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(
            TypeId::of::<A>(),
            (TypeId::of::<A::Message>(), deliver::<A> as Deliver),
        );
}

/// The WARN of a broadcast by message type that skips an undeclared actor type: once per pair
/// of (message type, actor type).
fn warn_undeclared<M: 'static>(cell: &dyn AnyCell) {
    static WARNED: OnceLock<Mutex<HashSet<(TypeId, TypeId)>>> = OnceLock::new();
    let first = WARNED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert((TypeId::of::<M>(), cell.actor_type()));
    if first {
        warning!(
            target: "pykka",
            "broadcast::<{}> skipped the actors of type {}: it was not declared with \
             Runtime::declare_receiver::<{}>() (needed if its Message is {}; stable Rust cannot \
             find that out at start)",
            std::any::type_name::<M>(),
            cell.class(),
            cell.class(),
            crate::base::type_name::short_name(std::any::type_name::<M>()),
        );
    }
}

impl Runtime {
    /// Declares that actors of type `A` take part in [`broadcast`](Self::broadcast) by message
    /// type (for every runtime). Declaring twice is harmless.
    pub fn declare_receiver<A: Receive>(&self) {
        declare::<A>();
    }

    /// Tells `message` (a clone each) to every registered actor on this runtime whose message
    /// type is `M` and whose type was declared with
    /// [`declare_receiver`](Self::declare_receiver). Actors that die meanwhile are skipped.
    /// Returns how many actors it reached.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive, Runtime};
    /// struct Listener;
    /// impl Actor for Listener {}
    /// impl Receive for Listener {
    ///     type Message = &'static str;
    ///     type Reply = ();
    ///     fn on_receive(&mut self, _: &'static str, _: &mut Context<Self>) {}
    /// }
    /// let rt = Runtime::builder().threads(1).build().unwrap();
    /// rt.declare_receiver::<Listener>();
    /// let (a, b) = (Listener.start_in(&rt), Listener.start_in(&rt));
    /// assert_eq!(rt.broadcast("hello"), 2);
    /// # a.stop(); b.stop();
    /// ```
    ///
    /// Never silently short: a registered actor whose type was not declared is skipped with a
    /// WARN record on target `pykka` naming its type and `M` (once per pair of types, per
    /// process), since it may be a receiver of `M` that was not declared.
    pub fn broadcast<M: Clone + Send + 'static>(&self, message: M) -> usize {
        let table = receivers()
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let wanted = TypeId::of::<M>();
        let mut reached = 0;
        for cell in self.system().registry.all() {
            match table.get(&cell.actor_type()) {
                Some((m, deliver)) => {
                    if *m == wanted && deliver(&cell, Box::new(message.clone())) {
                        reached += 1;
                    }
                }
                None => warn_undeclared::<M>(&*cell),
            }
        }
        reached
    }

    /// Tells `message` (a clone each) to every registered actor of class `A` on this runtime.
    /// Actors that die meanwhile are skipped. Returns how many actors it reached.
    ///
    /// ```
    /// use pykka::{Actor, Context, Receive, Runtime};
    /// struct Counter(u32);
    /// impl Actor for Counter {}
    /// impl Receive for Counter {
    ///     type Message = u32;
    ///     type Reply = u32;
    ///     fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 { self.0 += n; self.0 }
    /// }
    /// let rt = Runtime::builder().threads(1).build().unwrap();
    /// let a = Counter(0).start_in(&rt);
    /// assert_eq!(rt.broadcast_to::<Counter>(5), 1);
    /// assert_eq!(a.ask(0).get().unwrap(), 5);
    /// ```
    pub fn broadcast_to<A>(&self, message: A::Message) -> usize
    where
        A: Receive,
        A::Message: Clone,
    {
        self.get_by_class::<A>()
            .iter()
            .filter(|a| a.tell(message.clone()).is_ok())
            .count()
    }

    /// Every registered actor of class `A` on this runtime, in start order.
    pub fn get_by_class<A: Actor>(&self) -> Vec<ActorRef<A>> {
        self.system()
            .registry
            .all()
            .into_iter()
            .filter(|c| c.actor_type() == TypeId::of::<A>())
            .filter_map(|c| {
                c.as_any()
                    .downcast::<Cell<A>>()
                    .ok()
                    .map(ActorRef::from_cell)
            })
            .collect()
    }

    /// Every registered actor on this runtime whose class (short type name) is `name`.
    pub fn get_by_class_name(&self, name: &str) -> Vec<AnyActorRef> {
        self.system()
            .registry
            .all()
            .into_iter()
            .filter(|c| c.class() == name)
            .map(AnyActorRef::new)
            .collect()
    }
}
