//! The sending side: a handle on an actor of another node.

use crate::error::{RemoteError, RemoteTellError};
use crate::node::NodeInner;
use crate::wire::{self, Kind, Reply, Status};
use pykka::{ActorDeadError, ActorRef, Future, Promise};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Instant;
use zenoh::Wait;

/// How a remote actor ended, as seen from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RemoteEnd {
    /// The actor stopped (or failed, or was killed) and its node said so.
    Stopped,
    /// Its node was lost: the process died, the network dropped, the node closed, or the actor
    /// was withdrawn without stopping. It may come back: if it does, the handle works again.
    NodeLost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Liveness {
    Alive,
    /// The token went; a probe is asking the node why.
    Probing,
    Ended(RemoteEnd),
}

struct State {
    liveness: Liveness,
    /// Bumped at each token change: a probe's answer counts only if nothing changed since.
    generation: u64,
    waiters: Vec<Promise<RemoteEnd>>,
}

/// The shared part of a [`RemoteRef`]'s state, also held by its liveliness callback.
struct Watch {
    state: Mutex<State>,
}

impl Watch {
    fn set(&self, liveness: Liveness, generation: Option<u64>) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if generation.is_some_and(|g| g != s.generation) {
            return; // stale probe
        }
        if generation.is_none() {
            s.generation += 1;
        }
        s.liveness = liveness;
        if let Liveness::Ended(end) = liveness {
            for p in s.waiters.drain(..) {
                p.set(end);
            }
        }
    }

    fn liveness(&self) -> Liveness {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .liveness
    }
}

struct Inner {
    node: Arc<NodeInner>,
    /// `name@node`.
    actor: String,
    urn: String,
    key: zenoh::key_expr::KeyExpr<'static>,
    publisher: zenoh::pubsub::Publisher<'static>,
    fingerprint: u64,
    watch: Arc<Watch>,
    _liveliness: zenoh::pubsub::Subscriber<()>,
}

/// A handle on an actor exposed by another node ([`Node::lookup`](crate::Node::lookup)):
/// `tell` and `ask` as on an [`ActorRef`], with messages `M` and replies `R` crossing the wire
/// as postcard.
///
/// What is promised: **at most once** per message (a message may be lost with its node, never
/// delivered twice), and **in order** between one `RemoteRef` (its clones included) and one
/// remote actor for tells, and for asks among themselves; a tell and an ask are not ordered
/// with each other (they travel on different zenoh channels).
///
/// Failures: an ask to a stopped actor fails with [`pykka::Error::ActorDead`]; an ask whose
/// node is lost or does not answer within the node's ask timeout fails with
/// [`RemoteError::Unreachable`] (inside [`pykka::Error::Remote`]); a tell to a stopped or
/// lost actor returns the message in a [`RemoteTellError`] and is counted as a dead letter of
/// the node's runtime. When the node comes back (the same node name exposing the same name),
/// the handle works again.
pub struct RemoteRef<M, R> {
    inner: Arc<Inner>,
    _types: PhantomData<fn(M) -> R>,
}

impl<M, R> Clone for RemoteRef<M, R> {
    fn clone(&self) -> Self {
        RemoteRef {
            inner: Arc::clone(&self.inner),
            _types: PhantomData,
        }
    }
}

impl<M, R> std::fmt::Debug for RemoteRef<M, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteRef")
            .field("actor", &self.inner.actor)
            .field("liveness", &self.inner.watch.liveness())
            .finish()
    }
}

impl<M, R> RemoteRef<M, R>
where
    M: Serialize + Send + 'static,
    R: DeserializeOwned + Send + 'static,
{
    pub(crate) fn new(
        node: Arc<NodeInner>,
        owner: &str,
        name: &str,
        fingerprint: u64,
    ) -> Result<Self, RemoteError> {
        let engine = |e: zenoh::Error| RemoteError::Engine(e.to_string());
        let key =
            zenoh::key_expr::KeyExpr::try_from(node.message_key(owner, name)).map_err(engine)?;
        let publisher = node
            .session
            .declare_publisher(key.clone())
            .congestion_control(zenoh::qos::CongestionControl::Block)
            .wait()
            .map_err(engine)?;
        let watch = Arc::new(Watch {
            state: Mutex::new(State {
                liveness: Liveness::Alive,
                generation: 0,
                waiters: Vec::new(),
            }),
        });
        let on_change = Arc::clone(&watch);
        let weak_node = Arc::downgrade(&node);
        let probe_key = key.clone();
        let liveliness = node
            .session
            .liveliness()
            .declare_subscriber(node.actor_token(name, owner, fingerprint))
            .history(true)
            .callback(move |sample| match sample.kind() {
                zenoh::sample::SampleKind::Put => on_change.set(Liveness::Alive, None),
                zenoh::sample::SampleKind::Delete => {
                    on_change.set(Liveness::Probing, None);
                    let generation = on_change
                        .state
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .generation;
                    probe(&weak_node, &probe_key, fingerprint, &on_change, generation);
                }
            })
            .wait()
            .map_err(engine)?;
        Ok(RemoteRef {
            inner: Arc::new(Inner {
                urn: node.urn(owner, name),
                actor: format!("{name}@{owner}"),
                node,
                key,
                publisher,
                fingerprint,
                watch,
                _liveliness: liveliness,
            }),
            _types: PhantomData,
        })
    }

    /// The remote actor, `name@node`.
    pub fn actor(&self) -> &str {
        &self.inner.actor
    }

    /// Whether the remote actor is believed alive: its node has not said it stopped and has
    /// not been lost. (Like [`ActorRef::is_alive`], the answer may be stale when it arrives.)
    pub fn is_alive(&self) -> bool {
        !matches!(self.inner.watch.liveness(), Liveness::Ended(_))
    }

    /// Sends `message` without waiting for it to be handled.
    ///
    /// Errors, with the message back: the actor has stopped ([`RemoteError::ActorDead`]) or its
    /// node is lost ([`RemoteError::Unreachable`]), both also counted as dead letters of the
    /// node's runtime; the message does not serialise or is over `max_message`
    /// ([`RemoteError::Encode`], [`RemoteError::TooLarge`]); the node is closed.
    ///
    /// Blocks only while zenoh's send queue is full (back-pressure, never a silent drop).
    pub fn tell(&self, message: M) -> Result<(), RemoteTellError<M>> {
        let fail = |message, error| Err(RemoteTellError { message, error });
        let inner = &self.inner;
        if inner.node.is_closed() {
            return fail(message, RemoteError::Closed);
        }
        if let Liveness::Ended(end) = inner.watch.liveness() {
            inner
                .node
                .dead_letter(inner.urn.clone(), std::any::type_name::<M>());
            let error = self.ended_error(end);
            return fail(message, error);
        }
        let frame = match wire::encode_request(
            Kind::Tell,
            inner.fingerprint,
            &message,
            inner.node.max_message,
        ) {
            Ok(f) => f,
            Err(e) => return fail(message, e),
        };
        match inner.publisher.put(frame).wait() {
            Ok(()) => Ok(()),
            Err(e) => fail(message, RemoteError::Engine(e.to_string())),
        }
    }

    fn ended_error(&self, end: RemoteEnd) -> RemoteError {
        match end {
            RemoteEnd::Stopped => RemoteError::ActorDead(format!("{} stopped", self.inner.actor)),
            RemoteEnd::NodeLost => RemoteError::Unreachable {
                actor: self.inner.actor.clone(),
                after: std::time::Duration::ZERO,
            },
        }
    }

    /// Sends `message` and returns a [`Future`] of the reply: `get`, `get_timeout`, `.await`,
    /// `map`, [`pykka::get_all`] work as for a local ask.
    ///
    /// The future fails with [`pykka::Error::ActorDead`] if the actor had stopped,
    /// [`pykka::Error::Remote`] holding a [`RemoteError`] otherwise: `Unreachable` (node lost,
    /// or no reply within the ask timeout), `Panicked` (the handler panicked; the actor lives
    /// on), `TypeMismatch`, `TooLarge`, `Malformed`, `Rejected`, `Encode`, `Closed`.
    pub fn ask(&self, message: M) -> Future<R> {
        let inner = &self.inner;
        if inner.node.is_closed() {
            return Future::failed(RemoteError::Closed.into());
        }
        match inner.watch.liveness() {
            Liveness::Ended(RemoteEnd::Stopped) => {
                return Future::failed(pykka::Error::ActorDead(ActorDeadError::new(format!(
                    "{} stopped",
                    inner.actor
                ))))
            }
            Liveness::Ended(RemoteEnd::NodeLost) => {
                return Future::failed(self.ended_error(RemoteEnd::NodeLost).into())
            }
            Liveness::Alive | Liveness::Probing => {}
        }
        let max = inner.node.max_message;
        let frame = match wire::encode_request(Kind::Ask, inner.fingerprint, &message, max) {
            Ok(f) => f,
            Err(e) => return Future::failed(e.into()),
        };
        let (promise, future) = pykka::promise();
        let slot = AskSlot {
            promise: Mutex::new(Some(promise)),
            actor: inner.actor.clone(),
            started: Instant::now(),
            max,
        };
        let sent = inner
            .node
            .session
            .get(inner.key.clone())
            .payload(frame)
            .timeout(inner.node.ask_timeout)
            .callback(move |reply| slot.reply(reply))
            .wait();
        if let Err(e) = sent {
            // The callback (and its slot) was dropped: the future has failed as unreachable.
            log::warn!(target: "pykka_remote", "ask to {} not sent: {e}", inner.actor);
        }
        future
    }

    /// A future that resolves when the remote actor ends (stops, or its node is lost): at once
    /// if it already has.
    pub fn terminated(&self) -> Future<RemoteEnd> {
        let mut s = self
            .inner
            .watch
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Liveness::Ended(end) = s.liveness {
            return Future::ready(end);
        }
        let (p, f) = pykka::promise();
        s.waiters.push(p);
        f
    }

    /// A local stand-in for the remote actor, for [`Context::watch`](pykka::Context::watch):
    /// it stops when the remote actor stops (the watcher's `Terminated` says
    /// [`StopReason::Stopped`](pykka::StopReason::Stopped)) and is killed when its node is
    /// lost ([`StopReason::Killed`](pykka::StopReason::Killed)). It runs on the node's runtime
    /// and handles no messages; stopping it does not touch the remote actor.
    pub fn watchable(&self) -> ActorRef<StandIn> {
        use pykka::Actor as _;
        let stand_in = StandIn.start_in(&self.inner.node.runtime);
        let handle = stand_in.clone();
        crate::task::on_complete(self.terminated(), move |end| match end {
            Ok(RemoteEnd::Stopped) => {
                handle.stop();
            }
            _ => handle.kill(),
        });
        stand_in
    }
}

/// The local stand-in of a watched remote actor ([`RemoteRef::watchable`]).
#[derive(Debug)]
pub struct StandIn;

impl pykka::Actor for StandIn {}

/// Asks the node of a vanished token whether its actor stopped (it answers) or it is gone
/// (nothing answers). Runs on its own short thread: never inside a zenoh callback.
fn probe(
    node: &Weak<NodeInner>,
    key: &zenoh::key_expr::KeyExpr<'static>,
    fingerprint: u64,
    watch: &Arc<Watch>,
    generation: u64,
) {
    let Some(node) = node.upgrade() else { return };
    let key = key.clone();
    let on_answer = Arc::clone(watch);
    let spawned = std::thread::Builder::new()
        .name("pykka-remote-probe".into())
        .spawn(move || {
            let replies = node
                .session
                .get(key)
                .payload(wire::encode_probe(fingerprint))
                .timeout(node.ask_timeout.min(std::time::Duration::from_secs(5)))
                .wait();
            let mut end = RemoteEnd::NodeLost;
            if let Ok(replies) = replies {
                while let Ok(reply) = replies.recv() {
                    let Ok(sample) = reply.result() else { continue };
                    if let Ok(Reply::Status(Status::Stopped, _)) =
                        wire::decode_reply::<()>(&sample.payload().to_bytes(), node.max_message)
                    {
                        end = RemoteEnd::Stopped;
                    }
                }
            }
            on_answer.set(Liveness::Ended(end), Some(generation));
        });
    if spawned.is_err() {
        // No thread: say lost now rather than never.
        watch.set(Liveness::Ended(RemoteEnd::NodeLost), Some(generation));
    }
}

/// The promise of one ask, failed as unreachable if the query ends without a reply.
struct AskSlot<R> {
    promise: Mutex<Option<Promise<R>>>,
    actor: String,
    started: Instant,
    max: usize,
}

impl<R: DeserializeOwned + Send + 'static> AskSlot<R> {
    fn reply(&self, reply: zenoh::query::Reply) {
        let Some(promise) = self
            .promise
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return; // one reply only
        };
        let frame = match reply.result() {
            Ok(sample) => sample.payload().to_bytes().into_owned(),
            Err(e) => {
                let text = String::from_utf8_lossy(&e.payload().to_bytes()).into_owned();
                promise.fail(RemoteError::Rejected(text).into());
                return;
            }
        };
        match wire::decode_reply::<R>(&frame, self.max) {
            Ok(Reply::Ok(r)) => promise.set(r),
            Ok(Reply::Status(status, text)) => promise.fail(match status {
                Status::ActorDead => pykka::Error::ActorDead(ActorDeadError::new(text)),
                Status::Panicked => RemoteError::Panicked(text).into(),
                Status::TypeMismatch => RemoteError::TypeMismatch { exposed: text }.into(),
                _ => RemoteError::Rejected(text).into(),
            }),
            Err(e) => promise.fail(e.into()),
        }
    }
}

impl<R> Drop for AskSlot<R> {
    fn drop(&mut self) {
        if let Some(p) = self
            .promise
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            p.fail(
                RemoteError::Unreachable {
                    actor: std::mem::take(&mut self.actor),
                    after: self.started.elapsed(),
                }
                .into(),
            );
        }
    }
}
