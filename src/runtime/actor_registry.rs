//! `ActorRegistry`: Pykka's registry functions, on the default runtime's registry.

use crate::actor::actor_ref::{ActorRef, AnyActorRef, ToAnyActorRef};
use crate::actor::system::Runtime;
use crate::actor::Actor;

/// The default runtime's registry of running actors (Pykka's `ActorRegistry`).
///
/// Actors are registered when started and unregistered when they die. Each [`Runtime`] has its
/// own registry; these functions use [`Runtime::global`]'s.
#[derive(Debug)]
pub struct ActorRegistry;

impl ActorRegistry {
    /// Every running actor, in start order.
    ///
    /// ```
    /// use pykka::{Actor, ActorRegistry};
    /// struct A;
    /// impl Actor for A {}
    /// let a = A.start();
    /// assert!(ActorRegistry::get_all().iter().any(|r| r.actor_urn() == a.actor_urn()));
    /// a.stop();
    /// ```
    pub fn get_all() -> Vec<AnyActorRef> {
        Runtime::global().registered()
    }

    /// The actor with this URN, or `None`.
    ///
    /// ```
    /// use pykka::ActorRegistry;
    /// assert!(ActorRegistry::get_by_urn("urn:uuid:00000000-0000-4000-8000-000000000000").is_none());
    /// ```
    pub fn get_by_urn(urn: &str) -> Option<AnyActorRef> {
        Runtime::global().get_by_urn(urn)
    }

    /// Stops every actor, last started first, each blocking until it has stopped.
    pub fn stop_all() -> Vec<bool> {
        Runtime::global().stop_all()
    }

    /// Queues a stop on every actor, last started first, without waiting.
    pub fn request_stop_all() -> Vec<crate::Future<bool>> {
        Runtime::global().request_stop_all()
    }

    /// Every running actor of class `A`, in start order. An actor of another class is never
    /// returned: the type is checked here, at lookup.
    ///
    /// ```
    /// use pykka::{Actor, ActorRegistry};
    /// struct A;
    /// impl Actor for A {}
    /// let a = A.start();
    /// assert!(ActorRegistry::get_by_class::<A>().contains(&a));
    /// a.stop();
    /// ```
    pub fn get_by_class<A: Actor>() -> Vec<ActorRef<A>> {
        Runtime::global().get_by_class::<A>()
    }

    /// Every running actor whose class (the type's short name) is `name`.
    pub fn get_by_class_name(name: &str) -> Vec<AnyActorRef> {
        Runtime::global().get_by_class_name(name)
    }

    /// Tells a clone of `message` to every running actor whose message type is `M`, among the
    /// types declared with [`declare_receiver`](Self::declare_receiver). See
    /// [`Runtime::broadcast`] for why the declaration is needed.
    pub fn broadcast<M: Clone + Send + 'static>(message: M) -> usize {
        Runtime::global().broadcast(message)
    }

    /// Tells a clone of `message` to every running actor of class `A` (Pykka's
    /// `broadcast(message, target_class=A)`).
    pub fn broadcast_to<A>(message: A::Message) -> usize
    where
        A: crate::Receive,
        A::Message: Clone,
    {
        Runtime::global().broadcast_to::<A>(message)
    }

    /// Lets actors of type `A` receive [`broadcast`](Self::broadcast)s by message type.
    pub fn declare_receiver<A: crate::Receive>() {
        crate::runtime::broadcast::declare::<A>()
    }

    /// Registers an actor (again). It goes to the end of the start order.
    pub fn register<R: ToAnyActorRef + ?Sized>(actor: &R) {
        Runtime::global().register(actor)
    }

    /// Unregisters an actor. Unregistering twice is not an error.
    pub fn unregister<R: ToAnyActorRef + ?Sized>(actor: &R) {
        Runtime::global().unregister(actor)
    }
}
