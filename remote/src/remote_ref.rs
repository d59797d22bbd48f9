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
pub(crate) enum Liveness {
    Alive,
    /// Not known yet (a new handle), or the token went: a probe is asking the node. Sends go
    /// ahead meanwhile.
    Probing,
    Ended(RemoteEnd),
}

struct State {
    liveness: Liveness,
    /// Bumped at each token change: a probe's answer counts only if nothing changed since.
    generation: u64,
    waiters: Vec<Promise<RemoteEnd>>,
}

/// The shared part of a [`RemoteRef`]'s state, also held by its liveliness callback, its
/// probes and its node (which ends it when closed).
pub(crate) struct Watch {
    state: Mutex<State>,
}

impl Watch {
    /// Sets the liveness: from a token change (`generation` None: a new generation, returned),
    /// or from a probe's answer (`Some(g)`: ignored unless nothing changed since `g`). Waiters
    /// are completed after the lock is released.
    pub(crate) fn set(&self, liveness: Liveness, generation: Option<u64>) -> u64 {
        let (generation, ended) = {
            let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if generation.is_some_and(|g| g != s.generation) {
                return s.generation; // stale probe
            }
            if generation.is_none() {
                s.generation += 1;
            }
            s.liveness = liveness;
            let ended = match liveness {
                Liveness::Ended(end) => Some((end, std::mem::take(&mut s.waiters))),
                _ => None,
            };
            (s.generation, ended)
        };
        if let Some((end, waiters)) = ended {
            for p in waiters {
                p.set(end);
            }
        }
        generation
    }

    fn generation(&self) -> u64 {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .generation
    }

    fn liveness(&self) -> Liveness {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .liveness
    }
}

/// What a probe asks: is the actor behind `key` still there, and if not, why?
pub(crate) struct ProbeJob {
    node: Weak<NodeInner>,
    key: zenoh::key_expr::KeyExpr<'static>,
    fingerprint: u64,
    watch: Arc<Watch>,
    generation: u64,
}

/// One small actor per node that sends probes, so that zenoh's callbacks never call zenoh and
/// no thread is started per probe.
pub(crate) struct Prober;

impl pykka::Actor for Prober {}

impl pykka::Receive for Prober {
    type Message = ProbeJob;
    type Reply = ();

    fn on_receive(&mut self, job: ProbeJob, _: &mut pykka::Context<Self>) {
        let Some(node) = job.node.upgrade() else {
            return;
        };
        let key = job.key.clone();
        let fingerprint = job.fingerprint;
        let slot = ProbeSlot {
            max: node.max_message,
            answer: Mutex::new(None),
            timed_out: std::sync::atomic::AtomicBool::new(false),
            job: Some(job),
        };
        // At least 1 s (an answer slower than that is a timeout, and the probe is sent
        // again), at most 5 s.
        let timeout = node.ask_timeout.clamp(
            std::time::Duration::from_secs(1),
            std::time::Duration::from_secs(5),
        );
        let sent = node
            .session
            .get(key)
            .payload(wire::encode_probe(fingerprint))
            .timeout(timeout)
            .callback(move |reply| slot.reply(reply))
            .wait();
        if let Err(e) = sent {
            // The slot was dropped with the callback: the watch says lost.
            log::debug!(target: "pykka_remote", "probe not sent: {e}");
        }
        crate::node::release(node);
    }
}

/// A probe's answer, applied when the query ends: `Alive` or `Stopped` if the node answered so,
/// `NodeLost` if the query ended with nothing to answer it. A query that *timed out* proves
/// nothing (a busy or distant node): the probe is sent again, and the handle stays unknown.
struct ProbeSlot {
    job: Option<ProbeJob>,
    max: usize,
    answer: Mutex<Option<Liveness>>,
    timed_out: std::sync::atomic::AtomicBool,
}

impl ProbeSlot {
    fn reply(&self, reply: zenoh::query::Reply) {
        let Ok(sample) = reply.result() else {
            // Our queryables never reply with an error: this is zenoh's timeout.
            // ORDERING: Relaxed; read in `drop`, after zenoh's last call of the callback.
            self.timed_out
                .store(true, std::sync::atomic::Ordering::Relaxed);
            return;
        };
        let answer = match wire::decode_reply::<()>(&sample.payload().to_bytes(), self.max) {
            Ok(Reply::Status(Status::Stopped, _)) => Liveness::Ended(RemoteEnd::Stopped),
            Ok(Reply::Status(Status::Alive, _)) => Liveness::Alive,
            _ => return,
        };
        *self.answer.lock().unwrap_or_else(PoisonError::into_inner) = Some(answer);
    }
}

impl Drop for ProbeSlot {
    fn drop(&mut self) {
        let Some(job) = self.job.take() else { return };
        let answer = self
            .answer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let answer = match answer {
            Some(a) => a,
            None if *self.timed_out.get_mut() => {
                // Ask again, unless something changed meanwhile (or the node is gone).
                if job.watch.generation() == job.generation {
                    if let Some(node) = job.node.upgrade() {
                        let _ = node.prober.tell(job);
                        crate::node::release(node);
                    }
                }
                return;
            }
            None => Liveness::Ended(RemoteEnd::NodeLost),
        };
        job.watch.set(answer, Some(job.generation));
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
        // Not known until the first probe answers (a token that went between the lookup and
        // the subscription below would otherwise never be heard of).
        let watch = Arc::new(Watch {
            state: Mutex::new(State {
                liveness: Liveness::Probing,
                generation: 0,
                waiters: Vec::new(),
            }),
        });
        node.track(&watch);
        let on_change = Arc::clone(&watch);
        let weak_node = Arc::downgrade(&node);
        let probe_key = key.clone();
        let prober = node.prober.clone();
        // No history: the first probe, sent after this subscription, says how things stand; a
        // late history event could otherwise overwrite a newer answer.
        let liveliness = node
            .session
            .liveliness()
            .declare_subscriber(node.actor_token(name, owner, fingerprint))
            .callback(move |sample| {
                let liveness = match sample.kind() {
                    zenoh::sample::SampleKind::Put => Liveness::Alive,
                    zenoh::sample::SampleKind::Delete => Liveness::Probing,
                };
                // A withdrawal heard again (zenoh may report a token's end more than once, as
                // when its node closes after the actor stopped) changes nothing once ended.
                if liveness == Liveness::Probing
                    && matches!(on_change.liveness(), Liveness::Ended(_))
                {
                    return;
                }
                let generation = on_change.set(liveness, None);
                if liveness == Liveness::Probing {
                    // A tell to the node's prober (unbounded: never blocks this zenoh thread).
                    let _ = prober.tell(ProbeJob {
                        node: weak_node.clone(),
                        key: probe_key.clone(),
                        fingerprint,
                        watch: Arc::clone(&on_change),
                        generation,
                    });
                }
            })
            .wait()
            .map_err(engine)?;
        let _ = node.prober.tell(ProbeJob {
            node: Arc::downgrade(&node),
            key: key.clone(),
            fingerprint,
            watch: Arc::clone(&watch),
            generation: 0,
        });
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
        s.waiters.retain(|w| !w.is_abandoned());
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
        // The stand-in keeps this handle (and so the watch) alive while it lives: the watch ends
        // with the remote actor, its node, this node's close, or the stand-in's own stop.
        let stand_in = StandIn {
            node: Some(Arc::clone(&self.inner.node)),
            _keep: Some(Box::new(self.clone())),
        }
        .start_in(&self.inner.node.runtime);
        let handle = stand_in.clone();
        crate::task::on_complete(self.terminated(), move |end| match end {
            Ok(RemoteEnd::Stopped) => drop(handle.request_stop()),
            _ => handle.kill(),
        });
        stand_in
    }
}

/// The local stand-in of a watched remote actor ([`RemoteRef::watchable`]).
pub struct StandIn {
    /// The watched ref, kept alive while the stand-in lives.
    _keep: Option<Box<dyn std::any::Any + Send>>,
    node: Option<Arc<NodeInner>>,
}

impl std::fmt::Debug for StandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandIn").finish_non_exhaustive()
    }
}

impl pykka::Actor for StandIn {}

impl Drop for StandIn {
    fn drop(&mut self) {
        // The ref first; then the node, on a thread of its own if it was the last handle (a
        // kill may drop the stand-in on the zenoh thread that learned of the loss).
        drop(self._keep.take());
        if let Some(node) = self.node.take() {
            crate::node::release(node);
        }
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
            Err(_) => {
                // Our queryables never reply with an error: this is zenoh's own (the query's
                // timeout), so nothing answered in time.
                promise.fail(
                    RemoteError::Unreachable {
                        actor: self.actor.clone(),
                        after: self.started.elapsed(),
                    }
                    .into(),
                );
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
